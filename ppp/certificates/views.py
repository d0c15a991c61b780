from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from ppp.audit.services import audit_record
from ppp.ratelimit import limited

from .models import IssuedCertificate
from .services import certificate_pdf


def _normalise(code: str) -> str:
    return code.strip().upper().replace(" ", "")


@require_GET
@limited("verify", "30/m")
def verify_lookup(request):
    """The 'check a certificate' form: a code typed from paper."""
    code = _normalise(request.GET.get("code", ""))
    if code:
        return redirect("certificates:verify", code=code)
    return render(request, "certificates/verify_lookup.html")


@require_GET
@limited("verify", "30/m")
def verify(request, code):
    """Public: is this certificate valid, expired or revoked? Holder and dates only."""
    certificate = IssuedCertificate.objects.filter(code=_normalise(code)).first()
    if certificate is None:
        return render(request, "certificates/verify_not_found.html", {"code": code}, status=404)
    return render(request, "certificates/verify.html", {"certificate": certificate})


@login_required
@require_GET
def download(request, code):
    """The certificate PDF, for its organisation and officers."""
    certificate = get_object_or_404(IssuedCertificate.objects.for_user(request.user), code=code)
    audit_record("certificate.download", actor=request.user, target=certificate, request=request)
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{certificate.code}.pdf"'
    return response
