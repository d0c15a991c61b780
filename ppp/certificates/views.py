from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from ppp.audit.services import audit_record
from ppp.pagecache import cache_public_page
from ppp.ratelimit import ALLOW, limited

from .models import IssuedCertificate, normalise_code
from .services import VERIFY_PAGES, certificate_pdf


@require_GET
@limited("verify", "30/m", cache_down=ALLOW)
def verify_lookup(request):
    """The 'check a certificate' form: a code typed from paper, however it was typed."""
    error = ""
    typed = request.GET.get("code")
    if typed is not None:
        code = normalise_code(typed)
        if code:
            return redirect("certificates:verify", code=code)
        error = (
            "Enter the certificate code"
            if not typed.strip()
            else "Enter the code as it is printed on the certificate, like PPP-7KQ4-M2XD-9HTR"
        )
    return render(request, "certificates/verify_lookup.html", {"error": error, "typed": typed or ""})


@require_GET
@cache_public_page(VERIFY_PAGES)
@limited("verify", "30/m", cache_down=ALLOW)
def verify(request, code):
    """Public: is this certificate valid, expired or revoked? Holder and dates only.

    A found certificate's page is kept for a minute and served from the cache without
    counting towards the rate limit: it says nothing new. Everything else (unknown codes,
    the first check of a code) is counted, so guessing codes stays limited. Revoking any
    certificate forgets every kept copy at once."""
    normalised = normalise_code(code)
    certificate = IssuedCertificate.objects.filter(code=normalised).first() if normalised else None
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
