"""The pupils' pages: the school's private form and coming back with a code."""

import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from incidents import services
from incidents.models import Incident, PupilMessage, Status
from tests.incidents.factories import reporting_link, triage


@pytest.fixture
def token(school_a, alice):
    _link, token = reporting_link(school_a, alice)
    return token


def tell_url(token):
    return reverse("incidents:tell", kwargs={"token": token})


def report(**overrides):
    data = {
        "what_happened": "Two girls in my class keep calling me names.",
        "where": "classroom",
        "when": "keeps_happening",
        "who": "",
        "tell_name": "no",
        "submission": "a" * 32,
    }
    data.update(overrides)
    return data


def test_a_pupil_tells_the_school_and_gets_a_code(client, school_a, token, rita, django_capture_on_commit_callbacks):
    page = client.get(tell_url(token))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Tell someone at School A Primary" in body and "Childline" in body and "0800 1111" in body
    assert page["Referrer-Policy"] == "same-origin" and "no-store" in page["Cache-Control"]
    assert set(page.cookies) <= {"csrftoken"}
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(tell_url(token), report())
    assert sent.status_code == 200 and "Thank you for telling us" in sent.content.decode()
    assert set(sent.cookies) <= {"csrftoken"} and "sessionid" not in client.cookies
    incident = Incident.objects.get()
    assert incident.status == Status.NEW and incident.organisation == school_a and incident.reported_by == "pupil"
    code = sent.context["code"]
    assert services.incident_for_code(code) == incident
    assert mail.outbox and "names" not in mail.outbox[0].body


def test_the_same_page_sent_twice_keeps_one_report(client, token):
    client.post(tell_url(token), report())
    again = client.post(tell_url(token), report())
    assert "We already have your message" in again.content.decode()
    assert Incident.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"what_happened": ""}, "Tell us what happened"),
        ({"what_happened": "x" * 3001}, "What happened must be 3,000 letters or fewer"),
        ({"where": ""}, "Choose where it happened"),
        ({"when": "last-century"}, "Choose when it happened"),
        ({"tell_name": "yes", "name": ""}, "Write your name, or choose"),
        ({"name": "n" * 101, "tell_name": "yes"}, "Your name must be 100 letters or fewer"),
    ],
)
def test_empty_or_oversize_answers_are_refused_politely_and_nothing_is_stored(client, token, overrides, message):
    response = client.post(tell_url(token), report(**overrides))
    body = response.content.decode()
    assert response.status_code == 200 and message in body and "There is a problem" in body
    assert not Incident.objects.exists()


def test_a_bot_filling_the_hidden_field_is_refused_and_nothing_is_stored(client, token):
    response = client.post(tell_url(token), report(website="http://spam.example"))
    assert response.status_code == 400 and "Sorry, we could not send that" in response.content.decode()
    assert not Incident.objects.exists()


def test_too_many_reports_from_one_place_are_refused_politely(client, token, settings):
    settings.INCIDENT_PUPIL_REPORTS_PER_HOUR = 2
    for n in range(2):
        assert client.post(tell_url(token), report(submission=f"{n}" * 32)).status_code == 200
    refused = client.post(tell_url(token), report(submission="z" * 32))
    assert refused.status_code == 429 and "try again later" in refused.content.decode()
    assert Incident.objects.count() == 2


def test_a_replaced_link_says_politely_that_it_no_longer_works(client, school_a, alice, token):
    reporting_link(school_a, alice)
    response = client.get(tell_url(token))
    assert response.status_code == 410 and "This link no longer works" in response.content.decode()
    assert client.post(tell_url(token), report()).status_code == 410
    assert not Incident.objects.exists()


def test_an_unknown_link_is_not_found(client, db):
    assert client.get(tell_url("not-a-real-token")).status_code == 404
    assert client.get(tell_url("x" * 300)).status_code == 404


def test_the_pupil_comes_back_reads_the_reply_and_adds_more(client, school_a, alice, rita, token):
    sent = client.post(tell_url(token), report())
    code = sent.context["code"]
    incident = Incident.objects.get()
    triage(incident, rita)
    services.pupil_reply(incident=incident, by=rita, body="Thank you. Mrs Reid will find you at break.")
    follow_up = reverse("incidents:tell-follow-up")
    assert client.get(follow_up).status_code == 200
    from incidents.demo import DEMO_PUPIL_CODE

    example = client.get(follow_up).content.decode()  # the example code is nobody's, not the demo pupil's
    assert "It looks like" in example and services.format_code(DEMO_PUPIL_CODE) not in example
    page = client.post(follow_up, {"code": code.lower().replace("-", " ")})
    body = page.content.decode()
    assert "Mrs Reid will find you at break" in body and "Rita" not in body
    added = client.post(follow_up, {"code": code, "body": "It happened again at lunch."})
    assert "Thank you. The school will read what you added." in added.content.decode()
    assert PupilMessage.objects.filter(incident=incident, sender="pupil").count() == 2
    # The page reloaded (a browser sends the form again): the same words are stored once.
    again = client.post(follow_up, {"code": code, "body": "It happened again at lunch."})
    assert "Thank you. The school will read what you added." in again.content.decode()
    assert PupilMessage.objects.filter(incident=incident, sender="pupil").count() == 2
    empty = client.post(follow_up, {"code": code, "body": ""})
    assert "Write what you want to add" in empty.content.decode()
    assert "<title>Error: Your messages" in empty.content.decode()
    assert PupilMessage.objects.filter(incident=incident, sender="pupil").count() == 2


def test_a_wrong_code_is_refused_and_guessing_is_limited(client, db):
    follow_up = reverse("incidents:tell-follow-up")
    wrong = client.post(follow_up, {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert "We could not find that code" in wrong.content.decode()
    for _ in range(25):
        last = client.post(follow_up, {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert last.status_code == 429


@pytest.mark.parametrize("at", ["triage", "edit"])
def test_a_pupils_conversation_stays_whoever_is_said_to_have_reported_it(client, school_a, alice, rita, token, at):
    """Issue 19 §2: "Who reported it?" set to staff at triage or edit never hides the pupil's words."""
    from incidents.models import ReportedBy
    from tests.incidents.factories import details

    sent = client.post(tell_url(token), report(what_happened="A boy in Year 6 pushes me over."))
    code = sent.context["code"]
    incident = Incident.objects.get()
    if at == "triage":
        services.incident_triage(incident=incident, by=rita, details=details(reported_by=ReportedBy.PARENT_CARER))
    else:
        triage(incident, rita)
        services.incident_update(incident=incident, by=rita, details=details(reported_by=ReportedBy.STAFF))
    incident.refresh_from_db()
    assert incident.reported_by != ReportedBy.PUPIL
    follow_up = reverse("incidents:tell-follow-up")
    client.post(follow_up, {"code": code, "body": "He hurt me again at lunch."})

    client.force_login(rita)
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "He hurt me again at lunch." in page and "A boy in Year 6 pushes me over." in page
    replied = client.post(reverse("incidents:reply", kwargs={"pk": incident.public_id}), {"body": "We will help."})
    assert replied.status_code == 302
    assert [m.body for m in PupilMessage.objects.filter(incident=incident, sender="school")] == ["We will help."]
    printed = client.get(reverse("incidents:print", kwargs={"pk": incident.public_id}))
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(printed.content)).pages)
    assert "He hurt me again at lunch." in text and "We will help." in text
    client.logout()
    reply = client.post(follow_up, {"code": code}).content.decode()
    assert "We will help." in reply


def test_the_tell_pages_400_and_csrf_failure_keep_the_pupil_layout(client, token):
    from django.test import Client

    refused = client.post(tell_url(token), report(what_happened="names\x00"))
    body = refused.content.decode()
    assert refused.status_code == 400 and "0800 1111" in body and "Exit this page" in body
    assert "Sign in" not in body and "Nothing was sent to your school" in body
    strict = Client(enforce_csrf_checks=True)
    refused = strict.post(reverse("incidents:tell-follow-up"), {"code": "ABCD"})
    body = refused.content.decode()
    assert refused.status_code == 403 and "0800 1111" in body and "Sign in" not in body and "cookies" in body
    assert not Incident.objects.exists()


def test_a_lead_makes_a_link_that_works_and_the_old_one_stops(client, school_a, alice):
    """The link shown is the link saved: the page after "Make the link" shows it once, it
    opens the pupils' page, and making another stops it. Sent twice, one link is made and
    it is the one shown."""
    from incidents.models import ReportingLink

    client.force_login(alice)
    made = client.post(reverse("incidents:reporting-link-new"), {"page_load": "first"})
    assert made.status_code == 302 and made["Location"] == reverse("incidents:reporting-link-made")
    page = client.get(made["Location"]).content.decode()
    first = re.search(r"https?://[^\s\"<]+/tell/([^/\s\"<]+)/", page).group(1)
    assert client.get(reverse("incidents:tell", kwargs={"token": first})).status_code == 200
    again = client.get(reverse("incidents:reporting-link-made"))  # shown once
    assert again["Location"] == reverse("incidents:reporting-link")
    assert first not in client.get(again["Location"]).content.decode()
    # A new link, from the page opened again: the old one stops working, the new one opens.
    client.post(reverse("incidents:reporting-link-new"), {"page_load": "second"})
    second = re.search(
        r"/tell/([^/\s\"<]+)/", client.get(reverse("incidents:reporting-link-made")).content.decode()
    ).group(1)
    assert second != first
    assert client.get(reverse("incidents:tell", kwargs={"token": first})).status_code == 410  # stopped
    assert client.get(reverse("incidents:tell", kwargs={"token": second})).status_code == 200
    # "Make a new link" sent twice from one page: one link made, and the page shows that one.
    client.post(reverse("incidents:reporting-link-new"), {"page_load": "third"})
    twice = client.post(reverse("incidents:reporting-link-new"), {"page_load": "third"})
    assert twice["Location"] == reverse("incidents:reporting-link-made")
    third = re.search(
        r"/tell/([^/\s\"<]+)/", client.get(reverse("incidents:reporting-link-made")).content.decode()
    ).group(1)
    assert client.get(reverse("incidents:tell", kwargs={"token": third})).status_code == 200
    assert ReportingLink.objects.filter(organisation=school_a, retired_at__isnull=True).count() == 1
