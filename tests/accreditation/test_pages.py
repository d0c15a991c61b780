"""The award's pages: what leads and officers see and can do, and bad input."""

import datetime
import io
import os

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from accreditation import services
from accreditation.models import Application, Criterion, Evidence, Visit
from tests.accreditation import factories as f
from tests.factories import MembershipFactory, OrganisationFactory


def url(name, obj, **extra):
    return reverse(f"accreditation:{name}", kwargs={"pk": obj.public_id, **extra})


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


# Applying


def test_lead_starts_from_the_award_page_and_applies(client, alice, school_a):
    client.force_login(alice)
    start = client.get(reverse("accreditation:dashboard"))
    assert "Apply for the award" in start.content.decode()
    response = client.post(
        reverse("accreditation:apply"),
        {
            "package": "standard",
            "contact_name": "Alice",
            "contact_email": "alice@a.example",
            "accept_terms": "on",
        },
    )
    application = Application.objects.get(organisation=school_a)
    assert response["Location"] == application.get_absolute_url()
    assert application.agreed_price == settings.AWARD_STANDARD_PRICE
    assert client.get(reverse("accreditation:dashboard"))["Location"] == application.get_absolute_url()
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Application sent. Next, offer two or three dates for your initial visit" in page
    assert f"Standard package, £{settings.AWARD_STANDARD_PRICE}" in page


def test_the_apply_page_shows_each_packages_price_and_the_terms(client, alice, school_a, settings):
    settings.AWARD_STANDARD_PRICE, settings.AWARD_PAYMENT_DAYS = 820, 45
    client.force_login(alice)
    page = client.get(reverse("accreditation:apply")).content.decode()
    assert "Standard package: £820" in page and "Bespoke package: priced by agreement" in page
    assert "Pay the invoice within 45 days" in page
    terms = client.get(reverse("accreditation:terms"))
    assert terms.status_code == 200 and "Standard package" in terms.content.decode()
    assert "£820" in terms.content.decode()
    client.post(
        reverse("accreditation:apply"),
        {
            "package": "bespoke",
            "bespoke_note": "Two sites",
            "contact_name": "A",
            "contact_email": "a@a.example",
            "accept_terms": "on",
        },
    )
    assert Application.objects.get(organisation=school_a).agreed_price is None


def test_apply_form_errors_save_nothing(client, alice, school_a):
    client.force_login(alice)
    response = client.post(reverse("accreditation:apply"), {"package": "bespoke", "contact_email": "nope"})
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Tell us what you would like from a bespoke package" in body
    assert "Confirm that you agree to the terms of the award" in body
    assert "Enter an email address in the correct format" in body
    assert not Application.objects.exists()


def test_members_cannot_apply(client, bob):
    client.force_login(bob)
    assert client.get(reverse("accreditation:apply")).status_code == 403


# Evidence uploads


def upload(client, application, name, content, content_type="application/octet-stream"):
    criterion = application.scheme.standards.first().criteria.first()
    return client.post(
        url("evidence-add", application),
        {
            "title": "Policy",
            "kind": "file",
            "criteria": [criterion.pk],
            "file": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )


def stored_files(settings):
    root = settings.MEDIA_ROOT / "private"
    return [p for _, _, files in os.walk(root) for p in files]


def test_a_member_uploads_a_pdf_stored_privately_under_a_new_name(client, bob, alice, officer, school_a, settings):
    application = f.evidencing(school_a, alice, officer)
    client.force_login(bob)
    response = upload(client, application, "Our Policy.pdf", f.PDF, "application/pdf")
    evidence = Evidence.objects.get()
    assert response["Location"] == evidence.get_absolute_url()
    assert evidence.original_filename == "Our Policy.pdf" and evidence.content_type == "application/pdf"
    assert "Our Policy" not in evidence.file.name
    assert stored_files(settings) == [evidence.file.name.rsplit("/", 1)[1]]
    download = client.get(url("evidence-download", evidence))
    assert download["Content-Disposition"].startswith('attachment; filename="Our Policy.pdf"')
    assert b"".join(download.streaming_content) == f.PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.pdf", b"", "The selected file is empty"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "content does not match its name"),
        ("tool.pdf", b"MZ\x90\x00" + b"\0" * 200, "content does not match its name"),
        ("tool.exe", b"MZ\x90\x00" + b"\0" * 200, "must be a PDF, Word"),
        ("photo.png", f.PDF, "content does not match its name"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    client, alice, officer, school_a, settings, name, content, message
):
    application = f.evidencing(school_a, alice, officer)
    client.force_login(alice)
    response = upload(client, application, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []


def test_files_over_the_size_limit_are_refused(client, alice, officer, school_a, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    application = f.evidencing(school_a, alice, officer)
    client.force_login(alice)
    response = upload(client, application, "big.png", f.PNG + b"\0" * (1024 * 1024))
    assert "must be smaller than 1 MB" in response.content.decode()
    assert not Evidence.objects.exists()


def test_a_real_png_is_accepted(client, alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    client.force_login(alice)
    assert upload(client, application, "display.PNG", f.PNG, "image/png").status_code == 302


# Review through the page


def test_officer_asks_for_changes_and_the_lead_resubmits(client, alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    evidence = f.statement(application, alice)
    services.evidence_submit(evidence=evidence, by=alice)
    client.force_login(officer)
    client.post(
        url("evidence-review", evidence),
        {
            "review-decision": "changes_requested",
            "review-comment": "Add minutes",
            "review-seen_status": "submitted",
        },
    )
    client.force_login(alice)
    page = client.get(url("evidence-detail", evidence)).content.decode()
    assert "Add minutes" in page and "Resubmit for review" in page
    # The officer's comment is at the top of the page, not at the bottom of the history.
    assert (
        page.index("Changes asked for") < page.index("Add minutes") < page.index('<h2 class="govuk-heading-m">History')
    )
    criterion = evidence.criteria.first()
    client.post(
        url("evidence-edit", evidence),
        {"title": "Our practice", "kind": "statement", "criteria": [criterion.pk], "statement": "Minutes of 3 May."},
    )
    client.post(url("evidence-submit", evidence), {"submit-comment": "Minutes attached"})
    assert Evidence.objects.get(pk=evidence.pk).status == Evidence.Status.SUBMITTED
    # The officer sees what changed since they asked: the earlier and the new words.
    client.force_login(officer)
    page = client.get(url("evidence-detail", evidence)).content.decode()
    assert "Statement: What we do. → Minutes of 3 May." in page


def test_a_stale_review_shows_the_first_decision_and_changes_nothing(client, alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    evidence = f.statement(application, alice)
    services.evidence_submit(evidence=evidence, by=alice)
    services.evidence_review(evidence=evidence, by=officer, decision="accepted", seen_status="submitted")
    client.force_login(officer)
    response = client.post(
        url("evidence-review", evidence),
        {
            "review-decision": "changes_requested",
            "review-comment": "No",
            "review-seen_status": "submitted",
        },
        follow=True,
    )
    assert "it is now accepted" in response.content.decode()
    assert Evidence.objects.get(pk=evidence.pk).status == Evidence.Status.ACCEPTED


def test_a_lead_cannot_review(client, alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    evidence = f.statement(application, alice)
    services.evidence_submit(evidence=evidence, by=alice)
    client.force_login(alice)
    client.post(url("evidence-review", evidence), {"review-decision": "accepted", "review-seen_status": "submitted"})
    assert Evidence.objects.get(pk=evidence.pk).status == Evidence.Status.SUBMITTED


def test_workflow_buttons_that_break_a_rule_explain_and_change_nothing(client, alice, school_a):
    application = f.apply(school_a, alice)
    client.force_login(alice)
    response = client.post(url("application-submit", application), follow=True)
    assert "You cannot submit for assessment while the application is applied" in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == Application.Status.APPLIED
    assert client.get(url("application-submit", application)).status_code == 405


# Visits


def test_the_lead_offers_dates_and_downloads_the_calendar_file(client, alice, officer, school_a):
    application = f.apply(school_a, alice)
    client.force_login(alice)
    day = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        url("visit-new", application),
        {
            "kind": "initial",
            "mode": "in_person",
            "first_date_0": day.day,
            "first_date_1": day.month,
            "first_date_2": day.year,
            "first_time": "09:30",
            "second_date_0": day.day + 1 if day.day < 28 else 1,
            "second_date_1": day.month,
            "second_date_2": day.year,
            "second_time": "13:00",
        },
    )
    visit = Visit.objects.get()
    assert response["Location"] == visit.get_absolute_url()
    services.visit_schedule(
        application=application,
        by=officer,
        visit=visit,
        kind="initial",
        mode="in_person",
        starts_at=visit.preferred_1,
        location="Main hall, 1 Road",
    )
    ics = client.get(url("visit-ics", visit)).content.decode()
    assert "BEGIN:VEVENT" in ics and "LOCATION:Main hall\\, 1 Road" in ics
    assert f"DTSTART:{visit.preferred_1.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}" in ics


def test_visit_dates_in_the_past_are_refused(client, alice, school_a):
    application = f.apply(school_a, alice)
    client.force_login(alice)
    response = client.post(
        url("visit-new", application),
        {
            "kind": "initial",
            "mode": "online",
            "first_date_0": "1",
            "first_date_1": "1",
            "first_date_2": "2020",
            "first_time": "09:30",
            "second_date_0": "2",
            "second_date_1": "1",
            "second_date_2": "2020",
            "second_time": "09:30",
        },
    )
    assert "Date of your first choice must be today or in the future" in response.content.decode()
    assert not Visit.objects.exists()


def test_the_lead_reads_and_downloads_the_visit_report(client, alice, officer, school_a):
    visit = f.initial_visit_done(f.apply(school_a, alice), officer)
    client.force_login(alice)
    assert "Good start." in client.get(url("visit-detail", visit)).content.decode()
    pdf = client.get(url("visit-report", visit))
    assert pdf["Content-Type"] == "application/pdf"
    assert "Good start." in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    visit.refresh_from_db()
    day = timezone.localtime(visit.starts_at)
    assert f"ppp-visit-report-{day:%Y-%m-%d}.pdf" in pdf["Content-Disposition"]  # the visit's day


def test_the_officer_reads_the_plan_in_words_for_an_officer(client, alice, officer, school_a):
    application = f.planning(school_a, alice, officer)
    client.force_login(officer)
    page = client.get(url("action-plan", application)).content.decode()
    assert "your officer" not in page
    client.force_login(alice)
    assert "your officer" in client.get(url("action-plan", application)).content.decode()
    client.force_login(officer)
    recording = client.get(url("visit-new", application) + "?record=1").content.decode()
    assert "Who attended (optional)" in recording and "Who will attend" not in recording


# Exports and the award pack


def test_action_plan_csv_and_pdf(client, alice, officer, school_a):
    application = f.planning(school_a, alice, officer)
    services.action_item_save(
        application=application,
        by=alice,
        action='=HYPERLINK("x")',
        owner="Head",
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    client.force_login(alice)
    csv_body = client.get(url("action-plan-csv", application)).content.decode()
    assert "'=HYPERLINK" in csv_body and ",yes" in csv_body
    pdf = client.get(url("action-plan-pdf", application)).content
    assert "Action plan: School A Primary" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_the_award_pack_has_certificate_logo_and_wording(client, alice, officer, school_a):
    application = f.accredited(school_a, alice, officer)
    client.force_login(alice)
    page = client.get(application.get_absolute_url()).content.decode()
    code = application.award.certificate.code
    assert "Download the certificate" in page and code in page and "newsletter" in page
    logo = client.get(url("award-logo", application))
    assert logo["Content-Type"] == "image/svg+xml"
    assert f"AWARD TO {application.award.expires_on:%Y}" in logo.content.decode()
    png = client.get(url("award-logo-png", application))
    assert png["Content-Type"] == "image/png"
    assert png["Content-Disposition"] == f'attachment; filename="ppp-award-{application.award.expires_on:%Y}.png"'
    image = Image.open(io.BytesIO(png.content))
    assert image.format == "PNG" and image.size == (1200, 1200)
    assert image.getpixel((600, 600))[3] == 255 and image.getpixel((2, 2))[3] == 0  # a seal, transparent corners
    assert "PNG" in page and "SVG" in page
    # The newsletter wording tells readers where to check the certificate.
    assert f"you can check our certificate (code {code}) at {settings.SITE_URL}/verify/{code}/" in page
    pdf = client.get(reverse("certificates:download", kwargs={"code": code})).content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert school_a.name in text and code in text


# Officer pages and the public register


def test_caseload_lists_open_applications_and_exports_csv(client, alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    evidence = f.statement(application, alice)
    services.evidence_submit(evidence=evidence, by=alice)
    client.force_login(officer)
    body = client.get(reverse("accreditation:caseload")).content.decode()
    assert school_a.name in body and "Our practice" in body
    csv_body = b"".join(client.get(reverse("accreditation:caseload"), {"format": "csv"}).streaming_content).decode()
    assert "School A Primary" in csv_body and "Gathering evidence" in csv_body


def test_caseload_is_for_officers(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accreditation:caseload")).status_code == 403


def test_caseload_queries_do_not_grow_with_applications(client, officer):
    client.force_login(officer)
    f.many_evidencing(1, officer)
    f.many_accredited(1, officer)
    one = count_queries(client, reverse("accreditation:caseload"))
    f.many_evidencing(49, officer)
    f.many_accredited(49, officer)
    assert count_queries(client, reverse("accreditation:caseload")) == one


def test_lead_dashboard_queries_do_not_grow_with_evidence(client, alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    f.statement(application, alice)
    client.force_login(alice)
    one = count_queries(client, application.get_absolute_url())
    f.all_evidence(application, alice, officer)
    for i in range(20):
        f.statement(application, alice, title=f"Extra {i}")
    assert count_queries(client, application.get_absolute_url()) == one


def test_the_award_page_summarises_the_action_plan_and_self_review(client, alice, officer, school_a):
    from accreditation.models import ActionItem, SelfReview

    application = f.evidencing(school_a, alice, officer)
    ActionItem.objects.filter(application=application).delete()
    SelfReview.objects.filter(application=application).delete()
    today = timezone.localdate()
    criteria = list(Criterion.objects.filter(standard__scheme=application.scheme).order_by("code")[:3])
    for action, due, status in [
        ("Survey parents", today - datetime.timedelta(days=3), ActionItem.Status.IN_PROGRESS),
        ("Train lunchtime staff", today - datetime.timedelta(days=3), ActionItem.Status.DONE),
        ("Rewrite the policy", today + datetime.timedelta(days=30), ActionItem.Status.NOT_STARTED),
    ]:
        ActionItem.objects.create(
            application=application, action=action, owner="Head", due_date=due, status=status, created_by=alice
        )
    for criterion in criteria[:2]:
        SelfReview.objects.create(application=application, criterion=criterion, updated_by=alice)
    client.force_login(alice)
    body = " ".join(client.get(application.get_absolute_url()).content.decode().split())
    assert "3 actions" in body and "1 overdue" in body  # the done one is not overdue
    assert "2 of " in body and "criteria rated" in body

    application.status = Application.Status.WITHDRAWN  # closed: nothing is overdue any more
    application.save(update_fields=["status"])
    body = " ".join(client.get(application.get_absolute_url()).content.decode().split())
    assert "3 actions" in body and "overdue" not in body


def test_the_award_page_reads_the_award_once(client, alice, officer, school_a):
    """The page, its rules (can_award, can_ratify…) and the re-accreditation date share one read."""
    application = f.accredited(school_a, alice, officer)
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(application.get_absolute_url())
    assert response.status_code == 200 and "Awarded" in response.content.decode()
    assert sum('FROM "accreditation_award"' in q["sql"] for q in queries.captured_queries) == 1


def test_the_award_page_reads_its_schemes_criteria_each_time(client, alice, officer, school_a):
    """Nothing about a scheme is remembered between requests, by any server: a criterion
    changed in the database (as a data fix would) shows on the next view."""
    application = f.evidencing(school_a, alice, officer)
    client.force_login(alice)
    url = application.get_absolute_url()
    assert count_queries(client, url) == count_queries(client, url)
    criterion = Criterion.objects.filter(standard__scheme=application.scheme).order_by("code").first()
    Criterion.objects.filter(pk=criterion.pk).update(statement="Pupils help write the policy every year")
    assert "Pupils help write the policy every year" in client.get(url).content.decode()


def test_award_holders_register_is_public_filterable_and_constant(client, officer, alice, school_a):
    f.accredited(school_a, alice, officer)
    one = count_queries(client, reverse("accreditation:award-holders"))
    f.many_accredited(49, officer)
    assert count_queries(client, reverse("accreditation:award-holders")) == one
    assert count_queries(client, reverse("accreditation:award-holders") + "?page=2") == one  # the last page too
    body = client.get(reverse("accreditation:award-holders"), {"q": "School A"}).content.decode()
    assert "School A Primary" in body
    assert "1 award holder" in body
    assert (
        "1 award holder"
        in client.get(reverse("accreditation:award-holders"), {"phase": "Primary", "q": "School A"}).content.decode()
    )
    assert "LE1" in client.get(reverse("accreditation:award-holders"), {"area": "LE1"}).content.decode()


def test_the_kept_award_holders_page_forgets_as_soon_as_an_award_is_made(
    client, officer, alice, school_a, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    url = reverse("accreditation:award-holders")
    assert "School A Primary" not in client.get(url).content.decode()  # now kept in the cache
    with django_capture_on_commit_callbacks(execute=True):
        f.accredited(school_a, alice, officer)
    assert "School A Primary" in client.get(url).content.decode()


def test_award_holders_read_only_what_their_rows_show_and_keep_the_filter_panel(
    client, officer, alice, school_a, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    f.accredited(school_a, alice, officer)
    f.many_accredited(30, officer)
    url = reverse("accreditation:award-holders")
    first = client.get(url, {"page": 1}).content.decode()
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url, {"page": 2}).content.decode()
    assert "School A Primary" in first + second
    rows = [q["sql"] for q in queries.captured_queries if 'FROM "accreditation_award"' in q["sql"]]
    page = [sql for sql in rows if "LIMIT" in sql]
    assert len(page) == 1 and '"address"' not in page[0] and '"awarded_by_id"' not in page[0]
    assert not any('DISTINCT "accounts_organisation"."phase"' in q["sql"] for q in queries.captured_queries)  # kept
    panel = first[first.index('<form method="get"') : first.index("</form>")]
    assert panel == second[second.index('<form method="get"') : second.index("</form>")]
    assert '<option value="Primary">Primary</option>' in panel


def test_expired_and_withdrawn_schools_are_not_on_the_register(client, officer, alice, school_a):
    application = f.accredited(school_a, alice, officer, awarded_on=datetime.date(2020, 1, 1))
    assert application.award.expires_on < timezone.localdate()
    assert "School A Primary" not in client.get(reverse("accreditation:award-holders")).content.decode()


# The charter


def test_a_scheme_can_require_an_approved_pledge_before_applying(client, alice, school_a):
    from accreditation.models import Scheme
    from tests.charter.factories import PledgeFactory, approved_pledge

    Scheme.objects.update(requires_pledge=True)
    client.force_login(alice)
    page = client.get(reverse("accreditation:apply")).content.decode()
    assert "asks schools to sign the Anti-Bullying Charter first" in page
    assert reverse("charter:organisation-sign", kwargs={"slug": school_a.slug}) in page
    client.post(
        reverse("accreditation:apply"),
        {"package": "standard", "contact_name": "A", "contact_email": "a@a.example", "accept_terms": "on"},
    )
    assert not Application.objects.exists()
    PledgeFactory(organisation=school_a)  # submitted, not yet approved: still refused
    with pytest.raises(services.WorkflowError, match="Sign the charter"):
        f.apply(school_a, alice)
    school_a.pledges.all().delete()
    approved_pledge(school_a)
    assert f.apply(school_a, alice).status == Application.Status.APPLIED


def test_the_award_pages_show_the_schools_pledge(client, alice, school_a):
    from tests.charter.factories import approved_pledge

    client.force_login(alice)
    assert "has not signed yet" in client.get(reverse("accreditation:dashboard")).content.decode()
    application = f.apply(school_a, alice)
    assert "Not signed" in client.get(application.get_absolute_url()).content.decode()
    approved_pledge(school_a)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Charter pledge" in page and "Approved" in page


def _move_post(day, time="10:00", reason=""):
    return {
        "move-mode": "in_person",
        "move-date_0": day.day,
        "move-date_1": day.month,
        "move-date_2": day.year,
        "move-time": time,
        "move-duration_minutes": "90",
        "move-address": "Hall",
        "move-reason": reason,
    }


def _offered_visit(school, lead):
    """An initial visit the school has offered two dates for, 5 and 6 days ahead."""
    soon = timezone.now() + datetime.timedelta(days=5)
    return services.visit_request(
        application=f.apply(school, lead),
        by=lead,
        kind="initial",
        mode="in_person",
        preferred=[soon, soon + datetime.timedelta(days=1)],
    )


def test_the_officer_confirms_offered_dates_then_moves_the_visit_with_a_reason(client, alice, officer, school_a):
    visit = _offered_visit(school_a, alice)
    client.force_login(officer)
    page = client.get(url("visit-detail", visit)).content.decode()
    assert "Which date and time?" in page and "Why are you moving it?" not in page
    # One choice confirms the school's second date; nothing is retyped.
    response = client.post(
        url("visit-confirm", visit),
        {
            "confirm-choice": "1",
            "confirm-mode": "in_person",
            "confirm-address": "Hall",
            "confirm-duration_minutes": "90",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SCHEDULED and visit.starts_at == visit.preferred_2
    day = timezone.localdate() + datetime.timedelta(days=8)
    refused = client.post(url("visit-confirm", visit), _move_post(day))
    assert "Enter why you are moving the visit" in refused.content.decode()
    client.post(url("visit-confirm", visit), _move_post(day, reason="Officer on training"))
    visit.refresh_from_db()
    assert timezone.localtime(visit.starts_at).date() == day
    assert "Officer on training" in visit.history.get(action="moved").note


def test_calendar_files_fold_long_lines_and_drop_carriage_returns(client, alice, officer, school_a):
    application = f.apply(school_a, alice)
    visit = services.visit_schedule(
        application=application,
        by=officer,
        kind="initial",
        mode="online",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        location="Room 1\r\nMain building, " + "long address " * 10,
        attendees="Head\r\nDeputy",
    )
    client.force_login(alice)
    body = client.get(url("visit-ics", visit)).content.decode()
    lines = body.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "\r" not in body.replace("\r\n", "")
    unfolded = body.replace("\r\n ", "")
    assert "LOCATION:Room 1\\nMain building\\, long address" in unfolded


def test_action_plan_and_self_review_queries_do_not_grow(client, alice, officer, school_a):
    application = f.planning(school_a, alice, officer)
    criteria = list(Criterion.objects.filter(standard__scheme=application.scheme))
    services.action_item_save(
        application=application, by=alice, action="A", owner="B", due_date=timezone.localdate(), criterion=criteria[0]
    )
    client.force_login(alice)
    plan_one = count_queries(client, url("action-plan", application))
    review_one = count_queries(client, url("self-review", application))
    services.self_review_save(application=application, by=alice, ratings={c.pk: ("developing", "x") for c in criteria})
    for criterion in criteria:
        services.action_item_save(
            application=application, by=alice, action="A", owner="B", due_date=timezone.localdate(), criterion=criterion
        )
    assert count_queries(client, url("action-plan", application)) == plan_one
    assert count_queries(client, url("self-review", application)) == review_one


def test_the_caseload_shows_the_officers_own_cases_first_and_exports_what_it_shows(client, officer, alice, school_a):
    from tests.factories import make_officer

    mine = f.evidencing(school_a, alice, officer)
    services.application_assign(application=mine, officer=officer, by=officer)
    other_officer = make_officer("other@example.org")
    their_school, done_school = OrganisationFactory(name="Their School"), OrganisationFactory(name="Done School")
    theirs = f.apply(their_school, MembershipFactory(organisation=their_school, role="lead").user)
    services.application_assign(application=theirs, officer=other_officer, by=other_officer)
    done = f.accredited(done_school, MembershipFactory(organisation=done_school, role="lead").user, officer)
    client.force_login(officer)
    body = client.get(reverse("accreditation:caseload")).content.decode()
    assert "Your caseload" in body and school_a.name in body and "Their School" not in body
    everyone = client.get(reverse("accreditation:caseload"), {"whose": "everyone"}).content.decode()
    assert "Their School" in everyone and "Done School" not in everyone  # open ones only by default

    def csv(params):
        response = client.get(reverse("accreditation:caseload"), {**params, "format": "csv"})
        return b"".join(response.streaming_content).decode()

    assert "Their School" not in csv({}) and school_a.name in csv({})
    both = csv({"whose": "everyone", "status": "accredited,applied"})
    assert "Done School" in both and "Their School" in both and school_a.name not in both
    assert done.status == "accredited"


def test_the_plan_shows_who_added_changed_and_deleted_each_action(client, alice, bob, officer, school_a):
    application = f.planning(school_a, alice, officer)
    due = timezone.localdate() + datetime.timedelta(days=30)
    item = services.action_item_save(
        application=application, by=bob, action="Write the policy", owner="Head", due_date=due
    )
    services.action_item_save(
        application=application,
        by=alice,
        item=item,
        action="Write the policy",
        owner="Deputy head",
        due_date=due + datetime.timedelta(days=7),
        status="in_progress",
    )
    gone = services.action_item_save(
        application=application, by=alice, action="Survey parents", owner="Head", due_date=due
    )
    services.action_item_delete(item=gone, by=alice)
    client.force_login(officer)
    page = client.get(url("action-plan", application)).content.decode()
    history = page[page.index("Changes to the plan") :]
    assert "Bob Member added" in history
    assert "Alice Lead changed" in history
    assert "Who will do it: Head → Deputy head" in history
    assert f"Due date: {due:%-d %B %Y} → {due + datetime.timedelta(days=7):%-d %B %Y}" in history
    assert "Status: Not started → In progress" in history
    assert "Alice Lead deleted" in history and "Survey parents" in history
    assert history.index("Alice Lead deleted") < history.index("Bob Member added")  # newest first


def test_the_self_review_says_what_each_rating_means(client, alice, officer, school_a):
    application = f.planning(school_a, alice, officer)
    client.force_login(alice)
    page = client.get(url("self-review", application)).content.decode()
    assert "What the ratings mean" in page
    for words in ["Nothing is in place", "not yet consistent", "happens consistently", "part of everyday culture"]:
        assert words in page


# Recording a visit: offered once its day has come, nothing typed is ever lost


def _booked(application, officer, *, days):
    return services.visit_schedule(
        application=application,
        by=officer,
        kind="initial",
        mode="online",
        starts_at=timezone.now() + datetime.timedelta(days=days),
    )


def _record_post(when, report="We met the head and the pupil council.", time=None):
    local = timezone.localtime(when)
    return {
        "record-date_0": local.day,
        "record-date_1": local.month,
        "record-date_2": local.year,
        "record-time": time or f"{local:%H:%M}",
        "record-report": report,
        "record-outcome": "",
        "record-notes": "",
    }


def test_a_future_visit_offers_recording_only_as_happening_earlier(client, alice, officer, school_a):
    visit = _booked(f.apply(school_a, alice), officer, days=5)
    client.force_login(officer)
    page = client.get(url("visit-detail", visit)).content.decode()
    assert "The visit happened earlier than booked" in page
    assert '<h2 class="govuk-heading-m">Record the visit</h2>' not in page


def test_recording_a_future_visit_keeps_the_report_and_says_why(client, alice, officer, school_a):
    visit = _booked(f.apply(school_a, alice), officer, days=5)
    client.force_login(officer)
    response = client.post(url("visit-record", visit), _record_post(visit.starts_at, report="Long report, typed."))
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Date of the visit must be today or in the past" in body
    assert "Long report, typed." in body
    # Today, but an hour from now: the service refuses, and the report is still there.
    later = timezone.localtime() + datetime.timedelta(hours=1)
    if later.date() == timezone.localdate():
        body = client.post(url("visit-record", visit), _record_post(later, report="Second try.")).content.decode()
        assert "This visit has not happened yet" in body
        assert "Second try." in body
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SCHEDULED


def test_a_visit_that_happened_on_another_day_is_recorded_on_that_day(client, alice, officer, school_a):
    visit = _booked(f.apply(school_a, alice), officer, days=5)
    client.force_login(officer)
    earlier = timezone.now() - datetime.timedelta(days=1)
    response = client.post(url("visit-record", visit), _record_post(earlier, time="10am"))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.COMPLETED
    assert timezone.localtime(visit.starts_at).date() == timezone.localdate(earlier)
    assert timezone.localtime(visit.starts_at).hour == 10
    assert "booked for" in visit.history.get(action="moved").note


def test_a_visit_whose_day_has_come_is_recorded_at_its_booked_time(client, alice, officer, school_a):
    application = f.apply(school_a, alice)
    visit = _booked(application, officer, days=1)
    Visit.objects.filter(pk=visit.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    visit.refresh_from_db()
    client.force_login(officer)
    page = client.get(url("visit-detail", visit)).content.decode()
    assert '<h2 class="govuk-heading-m">Record the visit</h2>' in page
    booked = visit.starts_at
    assert client.post(url("visit-record", visit), _record_post(booked)).status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.COMPLETED
    assert visit.starts_at == booked
    assert not visit.history.filter(action="moved").exists()


# Submitting several drafts at once


def test_the_lead_submits_several_drafts_in_one_go(client, alice, bob, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    first, second, third = (f.statement(application, bob, title=t) for t in ("Policy", "Minutes", "Survey"))
    client.force_login(alice)
    home = client.get(application.get_absolute_url()).content.decode()
    assert url("evidence-submit-drafts", application) in home  # the next step links to it
    page = client.get(url("evidence-submit-drafts", application)).content.decode()
    assert all(t in page for t in ("Policy", "Minutes", "Survey"))
    response = client.post(
        url("evidence-submit-drafts", application), {"drafts": [first.public_id, third.public_id]}, follow=True
    )
    assert "2 items submitted for review." in response.content.decode()
    statuses = dict(Evidence.objects.filter(application=application).values_list("title", "status"))
    assert statuses == {"Policy": "submitted", "Minutes": "draft", "Survey": "submitted"}


def test_submitting_no_drafts_or_anothers_item_is_refused_and_changes_nothing(
    client, alice, charlie, officer, school_a, school_b
):
    application = f.evidencing(school_a, alice, officer)
    mine = f.statement(application, alice)
    theirs = f.statement(f.evidencing(school_b, charlie, officer), charlie)
    client.force_login(alice)
    empty = client.post(url("evidence-submit-drafts", application), {})
    assert "Select the drafts to submit" in empty.content.decode()
    forged = client.post(url("evidence-submit-drafts", application), {"drafts": [theirs.public_id]})
    assert "Select the drafts to submit" in forged.content.decode()
    assert set(Evidence.objects.values_list("status", flat=True)) == {"draft"}
    assert mine.public_id  # still a draft


def test_a_member_cannot_submit_drafts(client, alice, bob, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    f.statement(application, bob)
    client.force_login(bob)
    assert client.get(url("evidence-submit-drafts", application)).status_code == 403


def test_an_officer_assigns_several_applications_in_one_go(
    client, alice, charlie, officer, school_a, school_b, django_capture_on_commit_callbacks
):
    from django.core import mail

    from ppp.history import history_of
    from tests.factories import make_officer

    second_officer = make_officer("sam@council.example")
    first, second = f.apply(school_a, alice), f.apply(school_b, charlie)
    closed_school = OrganisationFactory(name="Closed School")
    closed = f.apply(closed_school, MembershipFactory(organisation=closed_school, role="lead").user)
    Application.objects.filter(pk=closed.pk).update(status=Application.Status.WITHDRAWN)
    client.force_login(officer)
    page = client.get(reverse("accreditation:caseload"), {"whose": "everyone"}).content.decode()
    assert 'form="caseload-assign"' in page and "Assign selected" in page
    assert f'value="{closed.public_id}"' not in page  # only open applications can be ticked
    url = reverse("accreditation:caseload-assign")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "applications": [first.public_id, second.public_id],
                "officer": second_officer.pk,
                "query": "whose=everyone",
            },
        )
    assert response.status_code == 302 and response["Location"] == reverse("accreditation:caseload") + "?whose=everyone"
    assert set(Application.objects.filter(assigned_officer=second_officer).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert [e.action for e in history_of(first)][-1] == "assigned"
    # the officer hears once, with both schools listed
    to_sam = [m for m in mail.outbox if m.to == ["sam@council.example"]]
    assert len(to_sam) == 1 and "2 applications are on your caseload" in to_sam[0].subject
    assert school_a.name in to_sam[0].body and school_b.name in to_sam[0].body
    content = client.get(response["Location"]).content.decode()
    assert "2 applications assigned to" in content
    # already theirs, or closed: left as they are, and said so
    content = client.post(
        url, {"applications": [first.public_id, closed.public_id], "officer": second_officer.pk}, follow=True
    ).content.decode()
    assert "0 applications assigned" in content and "already assigned to" in content and "Closed School" in content
    assert [e.action for e in history_of(first)].count("assigned") == 1
    # bad input: GOV.UK messages, nothing changed
    for data, message in (
        ({"officer": second_officer.pk}, "Select the applications to assign"),
        ({"applications": [first.public_id]}, "Select the officer"),
        ({"applications": ["not-a-uuid"], "officer": officer.pk}, "not on the caseload"),
        ({"applications": [first.public_id], "officer": alice.pk}, "Select an officer from the list"),
        ({"applications": [first.public_id], "officer": officer.pk, "query": "a\r\nb=1"}, "1 application assigned"),
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200 and message in response.content.decode(), message


def test_only_officers_assign_in_bulk(client, alice, school_a, officer):
    application = f.apply(school_a, alice)
    client.force_login(alice)
    response = client.post(
        reverse("accreditation:caseload-assign"), {"applications": [application.public_id], "officer": officer.pk}
    )
    assert response.status_code == 403
    assert Application.objects.get().assigned_officer is None


def test_award_holders_read_their_phases_once_and_keep_them_for_every_kind_chosen(client, officer, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    f.many_accredited(2, officer)
    url = reverse("accreditation:award-holders")

    def phase_reads(query):
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url, query).content.decode()
        assert '<option value="Primary"' in body
        return sum('DISTINCT "accounts_organisation"."phase"' in q["sql"] for q in queries.captured_queries)

    assert phase_reads({"phase": "Primary"}) == 1  # checked and drawn: one read
    assert phase_reads({"kind": "primary"}) == 0  # another panel, the same phases


def test_a_mistake_typed_under_another_option_does_not_block_the_option_chosen(client, alice, officer, school_a):
    """'Another date and time' with 35 12 2026 typed, then one of the school's dates chosen
    (and online chosen after an over-long address): the boxes are hidden, so their errors
    must not stop the form (the conditional reveals of ppp.forms.GDSFormMixin)."""
    visit = _offered_visit(school_a, alice)
    client.force_login(officer)
    mistaken = {
        "confirm-choice": "another",
        "confirm-date_0": "35",
        "confirm-date_1": "12",
        "confirm-date_2": "2026",
        "confirm-time": "10:00",
        "confirm-mode": "online",
        "confirm-address": "x" * 300,
        "confirm-meeting_link": "https://teams.example.org/visit",
        "confirm-duration_minutes": "90",
    }
    refused = client.post(url("visit-confirm", visit), mistaken).content.decode()
    assert "Date of the visit must be a real date" in refused
    response = client.post(url("visit-confirm", visit), {**mistaken, "confirm-choice": "0"})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.starts_at == visit.preferred_1 and visit.location == "https://teams.example.org/visit"


def test_a_long_why_in_the_self_review_is_given_back_with_an_error_never_cut(client, alice, officer, school_a):
    from accreditation.models import SelfReview, Standard

    application = f.planning(school_a, alice, officer)
    criteria = [c for s in Standard.objects.filter(scheme=application.scheme) for c in s.criteria.all()]
    long_why = "We ask the pupil council every half term. " * 120  # about 5,000 characters
    data = {f"rating-{c.pk}": SelfReview.Rating.values[1] for c in criteria}
    data[f"commentary-{criteria[0].pk}"] = long_why
    client.force_login(alice)
    page = client.post(url("self-review", application), data)
    body = page.content.decode()
    assert page.status_code == 200 and f"What you wrote for {criteria[0].code} must be 4,000 characters" in body
    assert long_why.strip() in body  # given back whole, to shorten
    assert not SelfReview.objects.filter(application=application).exists()
    data[f"commentary-{criteria[0].pk}"] = long_why[:3990]
    assert client.post(url("self-review", application), data).status_code == 302
    assert SelfReview.objects.get(application=application, criterion=criteria[0]).commentary == long_why[:3990].strip()
