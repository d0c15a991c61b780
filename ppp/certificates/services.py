"""Issue, revoke and print certificates. The domain apps call these; nothing else
writes an IssuedCertificate."""

import base64
import datetime
import functools

import segno
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ppp import brand
from ppp.accounts.selectors import is_lead
from ppp.audit.services import audit_record
from ppp.errors import DomainError
from ppp.pagecache import invalidate_on_commit
from ppp.pdf import render_pdf

from .models import IssuedCertificate

# The public /verify/ pages, kept briefly by ppp.pagecache; a revocation forgets them all.
VERIFY_PAGES = "certificates-verify"


class CertificateError(DomainError):
    """A certificate rule was broken; the message says which."""


@transaction.atomic
def certificate_issue(
    *,
    source: models.Model,
    kind: str,
    holder: str,
    title: str,
    valid_from: datetime.date,
    by,
    organisation=None,
    valid_until: datetime.date | None = None,
    level: str = "",
) -> IssuedCertificate:
    """The current certificate for `source`, issuing it the first time.

    Printing again returns the same certificate, with the same code.
    """
    source_type = ContentType.objects.get_for_model(source)
    existing = (
        IssuedCertificate.objects.select_for_update()
        .filter(source_type=source_type, source_id=str(source.pk), revoked_at__isnull=True)
        .first()
    )
    if existing:
        return existing
    certificate = IssuedCertificate.objects.create(
        source_type=source_type,
        source_id=str(source.pk),
        kind=kind,
        holder=holder,
        title=title,
        level=level,
        valid_from=valid_from,
        valid_until=valid_until,
        organisation=organisation,
        issued_by=by,
    )
    audit_record("certificate.issue", actor=by, target=certificate, organisation=organisation, code=certificate.code)
    return certificate


def certificate_for(source: models.Model) -> IssuedCertificate | None:
    """The current (not revoked) certificate for `source`, if one was issued."""
    return IssuedCertificate.objects.filter(
        source_type=ContentType.objects.get_for_model(source), source_id=str(source.pk), revoked_at__isnull=True
    ).first()


@transaction.atomic
def certificate_revoke(
    *,
    certificate: IssuedCertificate,
    reason: str,
    by,
    request=None,
    holder_gives_up: bool = False,
    by_rule: bool = False,
) -> IssuedCertificate:
    """Revoke a certificate: anyone checking it is told, with the reason.

    Officers revoke any certificate. With `holder_gives_up`, the holder's own lead may
    revoke theirs, e.g. when an organisation withdraws the pledge it certifies. With
    `by_rule` (and `by=None`) a service revokes it because a rule says so: a pledge whose
    annual review never came lapses, and its certificate stops being valid.
    """
    certificate = IssuedCertificate.objects.select_for_update().get(pk=certificate.pk)
    if not (by is None and by_rule):
        holder_lead = holder_gives_up and certificate.organisation is not None and is_lead(by, certificate.organisation)
        if not (by.is_officer or holder_lead):
            raise CertificateError("Only a council officer can revoke a certificate.")
    if certificate.revoked_at:
        raise CertificateError(f"Certificate {certificate.code} is already revoked.")
    reason = reason.strip()
    if not reason:
        raise CertificateError("Give the reason for revoking the certificate: it is shown to anyone who checks it.")
    certificate.revoked_at = timezone.now()
    certificate.revoked_by = by
    certificate.revoked_reason = reason
    certificate.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    audit_record("certificate.revoke", actor=by, target=certificate, request=request, reason=reason)
    invalidate_on_commit(VERIFY_PAGES)
    return certificate


def qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_data_uri(scale=4, border=0)
    return svg if svg.startswith("data:") else "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def certificate_context(certificate: IssuedCertificate) -> dict:
    """What the printed certificate shows: the holder, what it certifies, the council and its
    signatory (settings), PPP's mark (an award's seal, with its level and expiry year), the
    code and a QR code of its verification address (SITE_URL + /verify/<code>/)."""
    # An award's seal is drawn in the page's own HTML around the bare mark (as the award logo
    # looks): SVG text costs WeasyPrint more than the rest of the certificate together.
    seal = certificate.kind == IssuedCertificate.Kind.AWARD and certificate.valid_until is not None
    emblem = brand.mark_svg(background=None) if seal else brand.mark_svg()
    return {
        "certificate": certificate,
        "qr": qr_data_uri(certificate.verify_url),
        "seal": seal,
        "emblem": "data:image/svg+xml;base64," + base64.b64encode(emblem.encode()).decode(),
        "council": settings.COUNCIL_NAME,
        "signatory_name": settings.CERTIFICATE_SIGNATORY_NAME,
        "signatory_role": settings.CERTIFICATE_SIGNATORY_ROLE,
    }


@functools.cache
def _certificate_style():
    """The certificate's stylesheet and fonts, made once per process: parsing the CSS and
    setting up the fonts for every certificate cost a third of its time (168 -> 110 ms)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return CSS(string=render_to_string("certificates/certificate.css"), font_config=fonts), fonts


def certificate_pdf(certificate: IssuedCertificate) -> bytes:
    """The certificate as one A4 landscape page, with its code and a QR code to verify it."""
    html = render_to_string("certificates/certificate.html", certificate_context(certificate))
    style, fonts = _certificate_style()
    # Tagged, so screen readers read it in order (the accessibility statement says so).
    return render_pdf(html, stylesheets=[style], font_config=fonts)
