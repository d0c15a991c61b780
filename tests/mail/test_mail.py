import datetime

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from ppp.mail import clean_subject
from ppp.notifications.models import SentReminder
from ppp.notifications.services import Reminder
from tests.mailing import send_reminders


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_subjects_are_one_line_whatever_people_typed():
    assert clean_subject("Welcome to Evil\r\nBcc: everyone@example.org") == "Welcome to Evil Bcc: everyone@example.org"


def test_a_newline_in_an_organisation_name_does_not_break_its_emails(
    client, officer, alice, school_a, django_capture_on_commit_callbacks
):
    school_a.name = "School A\nBcc: x@example.org"
    school_a.save()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accreditation:apply"),
            {"package": "standard", "contact_name": "A", "contact_email": "a@a.example", "accept_terms": "on"},
        )
    assert response.status_code == 302
    assert "\n" not in mail.outbox[-1].subject


def test_a_mail_server_that_is_down_does_not_turn_a_saved_change_into_an_error(
    client, alice, school_a, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.mail.test_mail.RefusingBackend"
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:organisation-invite", kwargs={"slug": school_a.slug}),
            {"email": "new@a.example", "role": "member"},
        )
    assert response.status_code == 302


def test_one_failing_reminder_does_not_stop_the_others(db, settings, monkeypatch):
    calls = []

    def collect(today):
        yield Reminder(
            key="will-fail",
            to=["a@example.org"],
            subject="a",
            body="a",
            on_send=lambda: (_ for _ in ()).throw(RuntimeError("boom")),
        )
        yield Reminder(key="will-send", to=["b@example.org"], subject="b", body="b", on_send=lambda: calls.append(1))

    monkeypatch.setattr("ppp.notifications.services.reminder_sources.all", lambda: [("test", collect)])
    assert send_reminders(timezone.localdate() + datetime.timedelta(days=1)) == {"test": 1}
    assert list(SentReminder.objects.values_list("key", flat=True)) == ["will-send"]
    assert calls == [1]
