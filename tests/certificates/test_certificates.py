import datetime
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from ppp.audit.models import AuditEvent
from ppp.certificates.models import CODE_ALPHABET, IssuedCertificate
from ppp.certificates.services import CertificateError, certificate_pdf, certificate_revoke
from tests.certificates.factories import issue_for


@pytest.fixture(autouse=True)
def _clear_cache(db):
    cache.clear()


def test_printing_again_returns_the_same_certificate(officer, school_a):
    first = issue_for(school_a, officer)
    again = issue_for(school_a, officer, holder="Something else")
    assert again.pk == first.pk
    assert IssuedCertificate.objects.count() == 1
    assert AuditEvent.objects.filter(action="certificate.issue").count() == 1


def test_codes_are_long_random_and_unambiguous(officer, school_a, school_b):
    a, b = issue_for(school_a, officer), issue_for(school_b, officer)
    assert a.code != b.code
    body = a.code.removeprefix("PPP-").replace("-", "")
    assert len(body) == 12 and set(body) <= set(CODE_ALPHABET)


def test_the_pdf_carries_the_holder_the_level_and_the_code(officer, school_a):
    certificate = issue_for(school_a, officer)
    pdf = PdfReader(io.BytesIO(certificate_pdf(certificate)))
    page = pdf.pages[0]
    text = page.extract_text()
    assert school_a.name in text
    assert certificate.code in text
    assert "Gold" in text
    assert "Leicester City Council" in text
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape


@pytest.mark.parametrize(
    ("valid_until", "revoke", "status", "words"),
    [
        (datetime.date(2099, 1, 1), False, 200, "This certificate is valid"),
        (datetime.date(2020, 1, 1), False, 200, "it has expired"),
        (datetime.date(2099, 1, 1), True, 200, "it was revoked"),
    ],
)
def test_anyone_can_verify_a_certificate(client, officer, school_a, valid_until, revoke, status, words):
    certificate = issue_for(school_a, officer, valid_until=valid_until)
    if revoke:
        certificate_revoke(certificate=certificate, reason="Issued in error", by=officer)
    response = client.get(reverse("certificates:verify", kwargs={"code": certificate.code.lower()}))
    body = response.content.decode()
    assert response.status_code == status
    assert words in body
    assert school_a.name in body
    if revoke:
        assert "Issued in error" in body
    assert school_a.postcode not in body  # holder and dates, nothing else


def test_an_unknown_code_is_a_plain_404(client, db):
    response = client.get(reverse("certificates:verify", kwargs={"code": "PPP-AAAA-BBBB-CCCC"}))
    assert response.status_code == 404
    assert "Certificate not found" in response.content.decode()


def test_the_lookup_form_sends_you_to_the_code(client, db):
    response = client.get(reverse("certificates:verify-lookup"), {"code": " ppp-aaaa-bbbb-cccc "})
    assert response["Location"] == reverse("certificates:verify", kwargs={"code": "PPP-AAAA-BBBB-CCCC"})
    assert client.get(reverse("certificates:verify-lookup")).status_code == 200


def test_verification_is_rate_limited(client, db):
    url = reverse("certificates:verify", kwargs={"code": "PPP-AAAA-BBBB-CCCC"})
    statuses = [client.get(url).status_code for _ in range(31)]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429


def test_only_officers_revoke_and_only_with_a_reason(officer, alice, school_a):
    certificate = issue_for(school_a, officer)
    with pytest.raises(CertificateError, match="Only a council officer"):
        certificate_revoke(certificate=certificate, reason="x", by=alice)
    with pytest.raises(CertificateError, match="Give the reason"):
        certificate_revoke(certificate=certificate, reason="  ", by=officer)
    certificate_revoke(certificate=certificate, reason="Award withdrawn", by=officer)
    with pytest.raises(CertificateError, match="already revoked"):
        certificate_revoke(certificate=certificate, reason="again", by=officer)
    certificate.refresh_from_db()
    assert certificate.status == "revoked"


def test_after_revocation_a_new_certificate_can_be_issued(officer, school_a):
    first = issue_for(school_a, officer)
    certificate_revoke(certificate=first, reason="Wrong level printed", by=officer)
    second = issue_for(school_a, officer, level="Silver")
    assert second.pk != first.pk and second.code != first.code


def test_the_organisation_downloads_its_certificate_as_an_attachment(client, officer, alice, school_a):
    certificate = issue_for(school_a, officer)
    client.force_login(alice)
    response = client.get(reverse("certificates:download", kwargs={"code": certificate.code}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{certificate.code}.pdf"'
    assert response.content.startswith(b"%PDF")


def test_officers_revoke_in_the_admin_with_a_reason(client, officer, school_a):
    certificate = issue_for(school_a, officer)
    client.force_login(officer)
    url = reverse("admin:certificates_issuedcertificate_changelist")
    ask = client.post(url, {"action": "revoke", "_selected_action": [certificate.pk]})
    assert "Revoke certificates" in ask.content.decode()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    client.post(url, {"action": "revoke", "_selected_action": [certificate.pk], "reason": "Issued in error"})
    certificate.refresh_from_db()
    assert certificate.revoked_reason == "Issued in error"


@pytest.mark.parametrize(
    "typed", ["ppp-aaaa-bbbb-cccc", "PPP AAAA BBBB CCCC", "pppaaaabbbbcccc", "AAAABBBBCCCC", " aaaa-bbbb-cccc "]
)
def test_a_code_is_found_however_it_is_typed(client, db, typed):
    response = client.get(reverse("certificates:verify-lookup"), {"code": typed})
    assert response["Location"] == reverse("certificates:verify", kwargs={"code": "PPP-AAAA-BBBB-CCCC"})


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the certificate code"),
        ("   ", "Enter the certificate code"),
        ("a/b", "Enter the code as it is printed on the certificate"),
        ("PPP-AAAA-BBBB", "Enter the code as it is printed on the certificate"),
        ("PPP-0000-1111-IIII", "Enter the code as it is printed on the certificate"),
        ("<script>alert(1)</script>", "Enter the code as it is printed on the certificate"),
    ],
)
def test_an_empty_or_malformed_code_gets_an_error_message_not_a_500(client, db, typed, message):
    response = client.get(reverse("certificates:verify-lookup"), {"code": typed})
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert body.count("There is a problem") == 1
    assert "<script>alert(1)</script>" not in body


def test_a_malformed_code_in_the_address_is_not_found(client, db):
    assert client.get("/verify/not-a-code/").status_code == 404
    assert client.get("/verify/a%2Fb/").status_code == 404


def test_a_checked_certificate_is_kept_briefly_and_forgotten_when_revoked(
    client, officer, school_a, settings, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    certificate = issue_for(school_a, officer)
    url = reverse("certificates:verify", kwargs={"code": certificate.code})
    assert "This certificate is valid" in client.get(url).content.decode()
    IssuedCertificate.objects.filter(pk=certificate.pk).update(holder="Changed behind the cache's back")
    # The kept page is read with its version in one query; the rate limit is not asked.
    with django_assert_max_num_queries(1):
        assert school_a.name in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        certificate_revoke(certificate=certificate, reason="Issued in error", by=officer)
    assert "it was revoked" in client.get(url).content.decode()


def test_guessing_codes_is_still_limited_when_checks_are_kept(client, officer, school_a, settings):
    from tests.platform.test_two_servers import _wait_for_a_fresh_window

    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    _wait_for_a_fresh_window(needed=10)
    certificate = issue_for(school_a, officer)
    for _ in range(40):
        assert client.get(reverse("certificates:verify", kwargs={"code": certificate.code})).status_code == 200
    answers = [
        client.get(reverse("certificates:verify", kwargs={"code": f"PPP-2345-6789-AB{c}{d}"})).status_code
        for c in "CDEFG"
        for d in "HJKMNP"
    ]
    assert 429 in answers and answers.count(404) <= 30
