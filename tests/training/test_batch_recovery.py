"""A certificate batch that stopped (cancelled, failed, or its worker gone) is carried on
by an officer, from the page or the admin, and carries on where it stopped: no
certificate is issued or counted twice."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ppp.certificates.models import IssuedCertificate
from tests.mailing import emails_sent
from training import services
from training.models import CertificateBatch
from training.services import TrainingError
from training.tasks import issue_session_certificates

from .factories import completed_session

pytestmark = pytest.mark.django_db


def _requested(school_a, alice, officer, attended=4):
    session, bookings = completed_session(school_a, alice, officer, attended=attended)
    return services.certificates_request(session=session, by=officer), bookings


def test_an_officer_cancels_a_batch_and_the_worker_then_issues_nothing(client, school_a, alice, officer):
    batch, _ = _requested(school_a, alice, officer)
    client.force_login(officer)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "Cancel this batch" in page and 'data-prevent-double-click="true"' in page
    response = client.post(reverse("training:batch-cancel", args=[batch.public_id]), follow=True)
    assert "Cancelled. The certificates issued so far are kept." in response.content.decode()
    issue_session_certificates(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == CertificateBatch.Status.CANCELLED and batch.issued == 0
    assert not IssuedCertificate.objects.exists()


def test_a_batch_stopped_half_way_carries_on_from_where_it_stopped(client, school_a, alice, officer):
    batch, bookings = _requested(school_a, alice, officer, attended=4)
    first_two = sorted(b.pk for b in bookings)[:2]
    # As a worker that died after two places leaves it: in progress, two done, nothing moving.
    for booking in bookings:
        if booking.pk in first_two:
            booking.refresh_from_db()
            services.certificate_for_booking(booking, by=officer)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    CertificateBatch.objects.filter(pk=batch.pk).update(
        status="running", issued=2, last_booking_id=first_two[-1], heartbeat_at=long_ago, attempts=5
    )
    client.force_login(officer)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "Nothing has moved for a while" in page and "Carry on issuing certificates" in page
    with emails_sent():
        response = client.post(reverse("training:batch-retry", args=[batch.public_id]), follow=True)
    assert "carries on from where it stopped" in response.content.decode()
    batch.refresh_from_db()
    assert (batch.status, batch.issued, batch.already_issued) == ("done", 4, 0)
    assert IssuedCertificate.objects.count() == 4


def test_a_moving_or_finished_batch_cannot_be_started_again(school_a, alice, officer):
    batch, _ = _requested(school_a, alice, officer)
    CertificateBatch.objects.filter(pk=batch.pk).update(status="running", heartbeat_at=timezone.now())
    with pytest.raises(TrainingError, match="moving"):
        services.certificates_batch_retry(batch=batch, by=officer)
    CertificateBatch.objects.filter(pk=batch.pk).update(status="done")
    with pytest.raises(TrainingError, match="finished"):
        services.certificates_batch_retry(batch=batch, by=officer)
    with pytest.raises(TrainingError, match="done already"):
        services.certificates_batch_cancel(batch=batch, by=officer)
    with pytest.raises(TrainingError, match="council officer"):
        services.certificates_batch_cancel(batch=batch, by=alice)


def test_the_admin_carries_on_a_failed_batch(client, school_a, alice, officer):
    batch, _ = _requested(school_a, alice, officer, attended=2)
    CertificateBatch.objects.filter(pk=batch.pk).update(status="failed", error="printer on fire")
    client.force_login(officer)
    with emails_sent():
        response = client.post(
            reverse("admin:training_certificatebatch_changelist"),
            {"action": "carry_on", "_selected_action": [batch.pk]},
            follow=True,
        )
    assert "1 batches started again." in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == "done" and batch.issued == 2 and batch.error == ""


def test_each_attendee_is_emailed_their_certificate_once_even_if_the_worker_is_killed(
    school_a, alice, officer, monkeypatch
):
    from django.core import mail

    from ppp.mail import send_email
    from ppp.notifications.models import Email
    from training import tasks

    batch, bookings = _requested(school_a, alice, officer, attended=3)
    real = tasks.queue_link_email
    calls = []

    def killed_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit("worker killed")  # as the process dying mid-place
        return real(*args, **kwargs)

    monkeypatch.setattr(tasks, "queue_link_email", killed_on_the_third)
    with pytest.raises(SystemExit):
        issue_session_certificates(batch_id=batch.pk)
    # two places done, each with its email; the third rolled back (no certificate, no email)
    assert IssuedCertificate.objects.count() == 2
    assert Email.objects.filter(kind="training.certificate").count() == 2
    monkeypatch.setattr(tasks, "queue_link_email", real)
    CertificateBatch.objects.filter(pk=batch.pk).update(status="running")
    issue_session_certificates(batch_id=batch.pk)  # run again, as the worker restarted does
    issue_session_certificates(batch_id=batch.pk)  # and once more: nothing new
    batch.refresh_from_db()
    assert (batch.status, batch.issued) == ("done", 3)
    emails = list(Email.objects.filter(kind="training.certificate").order_by("pk"))
    assert sorted(e.to[0] for e in emails) == sorted(b.attendee_email for b in bookings)
    for email in emails:
        assert send_email(email_id=email.pk) == "sent"
        assert send_email(email_id=email.pk) == "nothing to send"  # sent once
    assert len(mail.outbox) == 3
    message = next(m for m in mail.outbox if m.to == [bookings[0].attendee_email])
    certificate = IssuedCertificate.objects.get(holder=bookings[0].attendee_name)
    assert message.subject == "Your certificate: Emotion Coaching"
    assert certificate.code in message.body and f"/verify/{certificate.code}/" in message.body
    assert bookings[0].attendee_name in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{certificate.code}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert not Email.objects.get(pk=emails[0].pk).body  # no PDF or body kept in the table


def test_a_certificate_revoked_before_its_email_goes_is_not_sent(school_a, alice, officer):
    from django.core import mail

    from ppp.certificates.models import IssuedCertificate as Certificate
    from ppp.mail import send_email
    from ppp.notifications.models import Email

    batch, _ = _requested(school_a, alice, officer, attended=1)
    issue_session_certificates(batch_id=batch.pk)
    Certificate.objects.update(revoked_at=timezone.now(), revoked_by=officer, revoked_reason="Issued in error")
    email = Email.objects.get(kind="training.certificate")
    assert send_email(email_id=email.pk) == "not needed any more"
    assert not mail.outbox
