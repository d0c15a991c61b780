"""Background work for training: certificates of attendance for a whole session (each
attendee emailed theirs, as a PDF made when the email is sent), and the attendee's
evaluation email (its private link written when it is sent).

`certificates_request` (services) makes a `CertificateBatch` and defers
`issue_session_certificates` with it; the worker issues one certificate per attended
place through the platform's certificate service. Each place is done in its own
transaction with the batch's progress (its last place done, locked first), so the task
can be killed at any moment and run again: it carries on after the last place done, and
never issues or counts a place twice, even if two runs overlap.
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from ppp.links import absolute_url
from ppp.mail import Written, email_writer, link_token, queue_link_email, render_text
from ppp.tasks import CERTIFICATES, RetryStrategy, task, unfinished_work
from ppp.tokens import hash_token

from .models import Booking, CertificateBatch, Evaluation

log = logging.getLogger(__name__)

UNDER_WAY = (CertificateBatch.Status.QUEUED, CertificateBatch.Status.RUNNING)


class BatchStopped(Exception):
    """The batch was cancelled (or finished by another run) while this one worked."""


@task(
    name="training.issue_session_certificates",
    queue=CERTIFICATES,
    retry=RetryStrategy(max_attempts=CertificateBatch.MAX_ATTEMPTS - 1, wait=5, exponential_wait=3),
)
def issue_session_certificates(*, batch_id: int) -> dict:
    now = timezone.now()
    started = CertificateBatch.objects.filter(pk=batch_id, status__in=UNDER_WAY).update(
        status=CertificateBatch.Status.RUNNING,
        started_at=Coalesce(F("started_at"), now),
        heartbeat_at=now,
        attempts=F("attempts") + 1,
    )
    batch = CertificateBatch.objects.select_related("session__course", "requested_by").get(pk=batch_id)
    if not started:
        log.info("Certificate batch %s is %s already; nothing to do", batch_id, batch.status)
        return {"issued": batch.issued, "already_issued": batch.already_issued}
    bookings = (
        batch.session.bookings.confirmed()
        .filter(attendance=Booking.Attendance.ATTENDED, pk__gt=batch.last_booking_id)
        .select_related("organisation")
        .order_by("pk")
    )
    try:
        for booking in bookings:
            booking.session = batch.session
            _issue_one(batch, booking)
    except BatchStopped:
        log.info("Certificate batch %s stopped: it was cancelled or finished meanwhile", batch_id)
        return {}
    except Exception as error:
        final = batch.attempts >= CertificateBatch.MAX_ATTEMPTS
        log.exception(
            "Certificate batch %s failed (try %s%s)", batch_id, batch.attempts, ", giving up" if final else ""
        )
        changes = {"error": f"{type(error).__name__}: {error}"[:2000]}
        if final:
            changes.update(status=CertificateBatch.Status.FAILED, finished_at=timezone.now())
        CertificateBatch.objects.filter(pk=batch_id, status=CertificateBatch.Status.RUNNING).update(**changes)
        raise
    finished = CertificateBatch.objects.filter(pk=batch_id, status=CertificateBatch.Status.RUNNING).update(
        status=CertificateBatch.Status.DONE, finished_at=timezone.now(), error=""
    )
    batch.refresh_from_db()
    if finished:
        _record_done(batch)
    return {"issued": batch.issued, "already_issued": batch.already_issued}


@transaction.atomic
def _issue_one(batch: CertificateBatch, booking: Booking) -> None:
    from .services import certificate_for_booking

    current = CertificateBatch.objects.select_for_update().get(pk=batch.pk)
    if current.status != CertificateBatch.Status.RUNNING:
        raise BatchStopped
    if current.last_booking_id >= booking.pk:
        return  # another run of this batch did it
    certificate, new = certificate_for_booking(booking, by=batch.requested_by)
    if new:
        # Queued with the certificate and the batch's progress, in this transaction: a run
        # killed before it commits queues neither, and the place is done again; once it
        # commits, ppp.mail sends the email once. The PDF is made when it is sent.
        queue_link_email(
            "training.certificate",
            to=[booking.attendee_email],
            subject=f"Your certificate: {booking.session.course.title}",
            params={"certificate_id": certificate.pk, "booking_id": booking.pk},
        )
    counter = "issued" if new else "already_issued"
    CertificateBatch.objects.filter(pk=batch.pk).update(
        **{counter: F(counter) + 1}, last_booking_id=booking.pk, heartbeat_at=timezone.now()
    )


def _record_done(batch: CertificateBatch) -> None:
    from ppp.history import record_transition

    from .models import SessionEvent

    record_transition(
        batch.session,
        action=SessionEvent.Action.CERTIFICATES,
        by=batch.requested_by,
        note=f"{batch.issued} issued, {batch.already_issued} already issued",
    )


@unfinished_work.register
def unfinished():
    """For the "thread" runner: batches under way that have not moved for a while."""
    quiet = timezone.now() - datetime.timedelta(seconds=2 * settings.WORKER_STALLED_SECONDS)
    for pk in (
        CertificateBatch.objects.filter(status__in=UNDER_WAY, created_at__lt=quiet)
        .exclude(heartbeat_at__gte=quiet)
        .values_list("pk", flat=True)
    ):
        yield issue_session_certificates, {"batch_id": pk}


@email_writer("training.evaluation")
def evaluation_email(email) -> Written | None:
    from .services import evaluation_email_context, evaluation_subject

    evaluation = (
        Evaluation.objects.select_related("booking__session__course", "booking__organisation")
        .filter(pk=email.params["evaluation_id"])
        .first()
    )
    if evaluation is None or not evaluation.is_open:
        return None
    token = link_token(email)
    Evaluation.objects.filter(pk=evaluation.pk).update(token_hash=hash_token(token))
    booking = evaluation.booking
    context = evaluation_email_context(booking, absolute_url("training:evaluate", token=token))
    return Written(evaluation_subject(booking), render_text("training/email/evaluation.txt", context))


@email_writer("training.certificate")
def certificate_email(email) -> Written | None:
    """The attendee's certificate of attendance, attached as its PDF (made now, never
    stored), with its code and where anyone can check it. None if it has been revoked."""
    from ppp.certificates.models import IssuedCertificate
    from ppp.certificates.services import certificate_pdf

    certificate = IssuedCertificate.objects.filter(pk=email.params["certificate_id"], revoked_at__isnull=True).first()
    booking = (
        Booking.objects.select_related("session__course", "organisation").filter(pk=email.params["booking_id"]).first()
    )
    if certificate is None or booking is None:
        return None
    context = {
        "booking": booking,
        "course": booking.session.course,
        "session": booking.session,
        "certificate": certificate,
        "verify_url": absolute_url("certificates:verify", code=certificate.code),
    }
    return Written(
        f"Your certificate: {booking.session.course.title}",
        render_text("training/email/certificate.txt", context),
        attachments=[(f"{certificate.code}.pdf", certificate_pdf(certificate), "application/pdf")],
    )
