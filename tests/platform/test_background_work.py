"""Emails and background work as PPP records them (ppp/mail.py, ppp/tasks.py): saved with
the change, sent once, failures kept and visible, no live link in any table, and the
job queue written in the same transaction as the change."""

import email
import re
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from procrastinate.contrib.django.models import ProcrastinateJob

from ppp.accounts.models import Invitation
from ppp.accounts.services import invitation_create, invitation_revoke
from ppp.mail import AUTOMATIC, message_id, queue_email, send_email
from ppp.notifications.models import Email
from tests.mailing import emails_sent
from tests.platform.worker_helpers import Sink


class DownBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("mail server down")


def test_an_email_is_saved_with_the_change_and_sent_once_it_commits(db):
    with emails_sent():
        queue_email("Hello", "Body", ["a@example.org", "a@example.org", ""])
        assert mail.outbox == []
    (sent,) = mail.outbox
    assert sent.to == ["a@example.org"]
    row = Email.objects.get()
    assert row.status == Email.Status.SENT and row.attempts == 1 and row.sent_at
    assert row.body == ""  # the body is not kept once sent
    assert sent.extra_headers["Auto-Submitted"] == AUTOMATIC["Auto-Submitted"]
    assert sent.extra_headers["Message-ID"] == message_id(row)


def test_nothing_is_saved_or_sent_for_a_change_that_rolled_back(db):
    with emails_sent():
        try:
            with transaction.atomic():
                queue_email("Hello", "Body", ["a@example.org"])
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert not Email.objects.exists()
    assert mail.outbox == []


def test_on_postgresql_the_job_is_saved_in_the_same_transaction_as_the_change(db, settings):
    settings.PPP_TASKS = "queue"
    with transaction.atomic():
        queued = queue_email("Hello", "Body", ["a@example.org"])
    job = ProcrastinateJob.objects.get()
    assert (job.task_name, job.queue_name, job.args) == ("ppp.send_email", "mail", {"email_id": queued.pk})
    try:
        with transaction.atomic():
            queue_email("Rolled back", "Body", ["b@example.org"])
            raise RuntimeError
    except RuntimeError:
        pass
    assert ProcrastinateJob.objects.count() == 1 and Email.objects.count() == 1


def test_an_email_already_sent_is_never_sent_again(db):
    with emails_sent():
        queued = queue_email("Once", "Body", ["a@example.org"])
    assert send_email(email_id=queued.pk) == "nothing to send"
    assert len(mail.outbox) == 1


def test_a_relay_that_is_down_is_tried_again_and_the_failure_is_kept_and_shown(db, settings, client, officer):
    settings.EMAIL_BACKEND = "tests.platform.test_background_work.DownBackend"
    with emails_sent():
        queued = queue_email("Hello", "Body", ["a@example.org"])
    queued.refresh_from_db()
    assert queued.status == Email.Status.QUEUED and "mail server down" in queued.last_error
    for _ in range(settings.EMAIL_MAX_ATTEMPTS - 1):
        with pytest.raises(Exception, match="mail server down"):
            send_email(email_id=queued.pk)
    queued.refresh_from_db()
    assert queued.status == Email.Status.FAILED and queued.attempts == settings.EMAIL_MAX_ATTEMPTS
    client.force_login(officer)  # officers see emails (and send failed ones again)
    page = client.get(reverse("admin:notifications_email_changelist") + "?status__exact=failed")
    assert "Hello" in page.content.decode() and "Failed" in page.content.decode()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with emails_sent():
        client.post(
            reverse("admin:notifications_email_changelist"),
            {"action": "send_again", "_selected_action": [queued.pk]},
        )
    assert Email.objects.get(pk=queued.pk).status == Email.Status.SENT
    assert [m.subject for m in mail.outbox] == ["Hello"]


def test_the_one_gap_a_copy_sent_twice_carries_the_same_message_id(settings, db):
    """If the worker dies after the relay accepted an email and before PPP wrote down that it
    did, the job runs again and the email goes twice (docs/operations/background-work.md);
    both copies are the same message to a mail program that looks at Message-ID."""
    with Sink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
        with emails_sent():
            queued = queue_email("Twice", "Body", ["a@example.org"])
        Email.objects.filter(pk=queued.pk).update(status=Email.Status.SENDING)  # as a death before "sent" leaves it
        send_email(email_id=queued.pk)
        send_email(email_id=queued.pk)  # sent now: nothing more
        assert sink.message_ids() == [message_id(queued)] * 2


def test_an_invitation_link_is_in_no_table_and_is_made_when_the_email_is_sent(db, settings, alice, school_a):
    settings.PPP_TASKS = "queue"
    with transaction.atomic():
        sent = invitation_create(organisation=school_a, email="new@a.example", role="member", by=alice)
    job = ProcrastinateJob.objects.get()
    row = Email.objects.get()
    assert job.args == {"email_id": row.pk}
    assert row.kind == "accounts.invitation" and row.body == "" and row.params == {"invitation_id": sent.invitation.pk}

    send_email(email_id=row.pk)
    (message,) = mail.outbox
    token = re.search(r"/invitations/([^/\s]+)/", message.body).group(1)
    assert token not in str(list(Email.objects.values())) + str(list(ProcrastinateJob.objects.values()))
    assert Invitation.objects.by_token(token).get() == sent.invitation

    Email.objects.filter(pk=row.pk).update(status=Email.Status.SENDING)  # sent again (see above): same link
    send_email(email_id=row.pk)
    assert re.search(r"/invitations/([^/\s]+)/", mail.outbox[1].body).group(1) == token


def test_an_invitation_cancelled_before_its_email_went_is_not_sent(db, alice, school_a):
    with transaction.atomic():
        sent = invitation_create(organisation=school_a, email="new@a.example", role="member", by=alice)
        invitation_revoke(invitation=sent.invitation, by=alice)
    send_email(email_id=sent.email.pk)
    assert mail.outbox == []
    assert Email.objects.get().status == Email.Status.CANCELLED


def test_the_password_reset_email_is_in_ppps_words_and_its_link_is_made_when_sent(client, alice, settings):
    settings.PPP_TASKS = "queue"
    client.post(reverse("account_reset_password"), {"email": alice.email})
    row = Email.objects.get()
    assert row.kind == "accounts.password_reset" and row.body == "" and row.params == {"user_id": alice.pk}
    send_email(email_id=row.pk)
    (message,) = mail.outbox
    assert message.subject == "Reset your Positive and Peaceful Places password"
    assert "Hello from" not in message.body and "Positive and Peaceful Places" in message.body
    parsed = email.message_from_bytes(message.message().as_bytes())
    assert parsed["Auto-Submitted"] == "auto-generated"
    link = re.search(r"http\S+/password/reset/key/\S+", message.body).group(0)
    response = client.get(link.replace(settings.SITE_URL, ""), follow=True)
    assert "Change password" in response.content.decode() or "new password" in response.content.decode().lower()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_command_works_through_the_queue_and_stops_when_told(settings):
    settings.PPP_TASKS = "queue"
    with transaction.atomic():
        queue_email("One", "Body", ["a@example.org"])
        queue_email("Two", "Body", ["b@example.org"])
    call_command("run_worker", "--until-done")
    assert sorted(m.subject for m in mail.outbox) == ["One", "Two"]
    assert not ProcrastinateJob.objects.exists()  # finished jobs are not kept: the emails are the record
    assert set(Email.objects.values_list("status", flat=True)) == {Email.Status.SENT}


def test_old_finished_work_is_forgotten_and_failures_kept_longer(db):
    import datetime

    from django.utils import timezone

    old = timezone.now() - datetime.timedelta(days=40)
    Email.objects.create(subject="Sent long ago", to=["a@example.org"], status=Email.Status.SENT)
    Email.objects.create(subject="Failed long ago", to=["a@example.org"], status=Email.Status.FAILED)
    Email.objects.create(subject="Sent today", to=["a@example.org"], status=Email.Status.SENT)
    Email.objects.exclude(subject="Sent today").update(created_at=old)
    call_command("prune_background_work")
    assert sorted(Email.objects.values_list("subject", flat=True)) == ["Failed long ago", "Sent today"]


def test_no_link_email_keeps_its_link_in_the_queue_or_the_email_table(db, settings, client, alice, school_a):
    """Issue 19 §5: invitation, password-reset and email-check links (the charter sign-up's)
    are made when each email is sent: neither the task queue nor the emails' table holds them."""
    from charter import services as charter_services
    from tests.charter.factories import details

    settings.PPP_TASKS = "queue"
    with transaction.atomic():
        invitation_create(organisation=school_a, email="new@a.example", role="member", by=alice)
    client.post(reverse("account_reset_password"), {"email": alice.email})
    with transaction.atomic():
        charter_services.pledge_sign_up(
            organisation_name="Riverside Youth Club",
            kind="youth_service",
            postcode="LE2 1AB",
            email="boss@riverside.example",
            details=details(),
        )
    rows = list(Email.objects.order_by("pk"))
    assert [row.kind for row in rows] == ["accounts.invitation", "accounts.password_reset", "charter.verify_email"]
    jobs = list(ProcrastinateJob.objects.values_list("args", flat=True))
    assert sorted(jobs, key=lambda a: a["email_id"]) == [{"email_id": row.pk} for row in rows]  # ids only
    for row in rows:
        send_email(email_id=row.pk)
    links = [re.search(r"https?://\S+", message.body).group(0) for message in mail.outbox]
    assert len(links) == 3
    stored = str(list(Email.objects.values())) + str(list(ProcrastinateJob.objects.values()))
    for link in links:
        secret = link.rstrip("/").rsplit("/", 1)[-1]
        assert len(secret) >= 16 and secret not in stored, link
