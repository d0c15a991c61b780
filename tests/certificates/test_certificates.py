import base64
import datetime
import io
import time

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from pypdf import PdfReader

from ppp.audit.models import AuditEvent
from ppp.certificates.models import CODE_ALPHABET, IssuedCertificate
from ppp.certificates.services import CertificateError, certificate_pdf, certificate_revoke, qr_data_uri
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


@pytest.mark.parametrize("kind", ["award", "pledge", "training"])
@pytest.mark.parametrize("holder", ["Abbeygate Primary School", "St Mary and All Saints " * 8])
def test_every_certificate_is_one_a4_page_with_logo_signatory_code_and_qr(officer, school_a, settings, kind, holder):
    settings.SITE_URL = "https://ppp.leicester.gov.uk"
    settings.CERTIFICATE_SIGNATORY_NAME = "Jo Example"
    settings.CERTIFICATE_SIGNATORY_ROLE = "Director of Education, Leicester City Council"
    certificate = issue_for(school_a, officer, kind=kind, holder=holder.strip()[:200])
    pdf = PdfReader(io.BytesIO(certificate_pdf(certificate)))
    assert len(pdf.pages) == 1
    page = pdf.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)  # A4 landscape
    text = " ".join(page.extract_text().split())
    assert "Jo Example" in text and "Director of Education, Leicester City Council" in text
    assert "LEICESTER CITY COUNCIL" in text
    assert certificate.code in text
    assert f"https://ppp.leicester.gov.uk/verify/{certificate.code}/" in text
    assert pdf.trailer["/Root"]["/MarkInfo"]["/Marked"]  # tagged for screen readers


def test_the_qr_code_and_the_printed_address_come_from_site_url(officer, school_a, settings):
    from ppp.certificates.services import certificate_context

    settings.SITE_URL = "https://ppp.example.org"
    certificate = issue_for(school_a, officer)
    context = certificate_context(certificate)
    assert certificate.verify_url == f"https://ppp.example.org/verify/{certificate.code}/"
    assert context["qr"] == qr_data_uri(f"https://ppp.example.org/verify/{certificate.code}/")
    assert context["council"] == "Leicester City Council"
    mark = base64.b64decode(context["emblem"].removeprefix("data:image/svg+xml;base64,")).decode()
    assert context["seal"] and "<title>Positive and Peaceful Places</title>" in mark
    html = render_to_string("certificates/certificate.html", context)
    assert f'src="{context["qr"]}"' in html and f'src="{context["emblem"]}"' in html


def test_the_award_certificate_shows_its_seal_with_level_and_year(officer, school_a):
    text = PdfReader(io.BytesIO(certificate_pdf(issue_for(school_a, officer)))).pages[0].extract_text()
    assert "AWARD TO 2029" in text and "at Gold level" in text


@pytest.mark.parametrize(
    ("valid_until", "revoke", "status", "words"),
    [
        (datetime.date(2099, 1, 1), False, 200, "This certificate is valid"),
        (datetime.date(2020, 1, 1), False, 200, "no longer valid because it expired on 1 January 2020"),
        (datetime.date(2099, 1, 1), True, 200, "no longer valid because it was withdrawn on"),
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


def test_verification_is_rate_limited(client, db, monkeypatch):
    # The limit counts in fixed windows; hold the window still so that 31 requests never
    # straddle two of them (which let the 31st through when a run crossed the boundary).
    window_end = int(time.time()) + 60
    monkeypatch.setattr("django_ratelimit.core._get_window", lambda value, period: window_end)
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
    assert "This certificate is no longer valid" in client.get(url).content.decode()


def test_a_first_check_of_a_certificate_is_four_statements(
    client, officer, school_a, settings, django_assert_num_queries
):
    """Under traffic that does not repeat nearly every check is a first check (ADR 0055): the
    kept page looked for, the visitor counted, the certificate read and the page kept, each
    one statement (ADR 0056: no count of the cache table, no read-then-write)."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    certificate = issue_for(school_a, officer)
    url = reverse("certificates:verify", kwargs={"code": certificate.code})
    with django_assert_num_queries(4) as first:
        assert client.get(url, REMOTE_ADDR="10.9.8.7").status_code == 200
    statements = [q["sql"].split()[0] for q in first.captured_queries]
    assert statements == ["SELECT", "INSERT", "SELECT", "INSERT"]


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


def test_a_kept_certificate_answers_past_the_limit_while_guesses_are_refused(client, officer, school_a, settings):
    """ADR 0055: the kept page sits outside the rate limit; everything that reaches the
    database (unknown codes, a first check) is counted."""
    from tests.platform.test_two_servers import _wait_for_a_fresh_window

    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    _wait_for_a_fresh_window(needed=10)
    from tests.factories import OrganisationFactory

    checked, unchecked = issue_for(school_a, officer), issue_for(OrganisationFactory(), officer)
    url = reverse("certificates:verify", kwargs={"code": checked.code})
    assert client.get(url).status_code == 200  # counted once, then kept
    guesses = [
        client.get(reverse("certificates:verify", kwargs={"code": f"PPP-2345-6789-AB{c}{d}"})).status_code
        for c in "CDEFG"
        for d in "HJKMNP"
    ]
    assert guesses.count(404) == 29 and 429 in guesses  # 1 + 29 counted: the limit is reached
    assert client.get(url).status_code == 200  # kept: answered, and not counted
    fresh = reverse("certificates:verify", kwargs={"code": unchecked.code})
    assert client.get(fresh).status_code == 429  # a first check reaches the view: counted, refused


def test_the_check_is_linked_from_the_home_page_the_award_holders_and_every_footer(client, db):
    lookup = reverse("certificates:verify-lookup")
    for page in ("/", reverse("accreditation:award-holders"), reverse("charter:index"), reverse("privacy")):
        body = client.get(page).content.decode()
        assert f'href="{lookup}"' in body, page
    footer = client.get(reverse("privacy")).content.decode().split('<footer class="govuk-template__footer">')[1]
    assert f'href="{lookup}"' in footer


def _approved_with_certificate(organisation, officer):
    from charter.services import pledge_approve
    from tests.charter.factories import PledgeFactory

    return pledge_approve(pledge=PledgeFactory(organisation=organisation), by=officer)


def test_a_withdrawn_pledges_certificate_is_no_longer_valid_and_says_why(client, officer, school_a, alice):
    from charter.services import pledge_withdraw

    pledge = _approved_with_certificate(school_a, officer)
    certificate = IssuedCertificate.objects.get(organisation=school_a, kind="pledge")
    pledge_withdraw(pledge=pledge, by=alice, reason="We are closing")
    body = client.get(certificate.get_absolute_url()).content.decode()
    assert "This certificate is no longer valid" in body
    assert "The organisation withdrew its pledge to the charter." in body
    assert "This certificate is valid" not in body


def test_a_lapsed_pledges_certificate_is_revoked_with_the_reason(client, officer, school_a, alice):
    from charter.services import pledge_lapse

    pledge = _approved_with_certificate(school_a, officer)
    certificate = IssuedCertificate.objects.get(organisation=school_a, kind="pledge")
    pledge_lapse(pledge=pledge, today=pledge.review_due_on + datetime.timedelta(days=61))
    certificate.refresh_from_db()
    assert certificate.status == "revoked" and certificate.revoked_by is None
    body = client.get(certificate.get_absolute_url()).content.decode()
    assert "This certificate is no longer valid because" in body
    assert f"The pledge lapsed: its annual review, due on {pledge.review_due_on:%-d %B %Y}, was not received." in body
    assert AuditEvent.objects.filter(action="certificate.revoke", actor=None).exists()


def test_the_check_pages_have_their_own_description(client, officer, school_a):
    certificate = issue_for(school_a, officer)
    lookup = client.get(reverse("certificates:verify-lookup")).content.decode()
    assert '<meta name="description" content="Check that a Positive and Peaceful Places award' in lookup
    answer = client.get(certificate.get_absolute_url()).content.decode()
    assert f'<meta name="description" content="Whether certificate {certificate.code}, issued by' in answer
