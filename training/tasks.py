"""Background work for training: certificates of attendance for a whole session.

`certificates_request` (services) makes a `CertificateBatch` and enqueues
`issue_session_certificates` once its transaction commits; the worker issues one
certificate per attended place through the platform's certificate service, counting as
it goes so the officer's page shows progress, and ends the batch done (or failed, with
the error). Running it twice issues nothing twice: a place's certificate is found again.
"""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from .models import Booking, CertificateBatch

log = logging.getLogger(__name__)


@task()
def issue_session_certificates(*, batch_id: int) -> dict:
    from .services import certificate_for_booking

    started = CertificateBatch.objects.filter(pk=batch_id, status=CertificateBatch.Status.QUEUED).update(
        status=CertificateBatch.Status.RUNNING, started_at=timezone.now()
    )
    batch = CertificateBatch.objects.select_related("session__course", "requested_by").get(pk=batch_id)
    if not started:
        log.info("Certificate batch %s is %s already; nothing to do", batch_id, batch.status)
        return {"issued": batch.issued, "already_issued": batch.already_issued}
    bookings = (
        batch.session.bookings.confirmed()
        .filter(attendance=Booking.Attendance.ATTENDED)
        .select_related("organisation")
        .order_by("attendee_name", "pk")
    )
    try:
        for booking in bookings:
            booking.session = batch.session
            with transaction.atomic():
                _certificate, new = certificate_for_booking(booking, by=batch.requested_by)
                counter = "issued" if new else "already_issued"
                CertificateBatch.objects.filter(pk=batch_id).update(**{counter: F(counter) + 1})
    except Exception as error:
        log.exception("Certificate batch %s failed", batch_id)
        CertificateBatch.objects.filter(pk=batch_id).update(
            status=CertificateBatch.Status.FAILED, finished_at=timezone.now(), error=str(error)[:2000]
        )
        raise
    CertificateBatch.objects.filter(pk=batch_id).update(status=CertificateBatch.Status.DONE, finished_at=timezone.now())
    batch.refresh_from_db()
    _record_done(batch)
    return {"issued": batch.issued, "already_issued": batch.already_issued}


def _record_done(batch: CertificateBatch) -> None:
    from ppp.history import record_transition

    from .models import SessionEvent

    record_transition(
        batch.session,
        action=SessionEvent.Action.CERTIFICATES,
        by=batch.requested_by,
        note=f"{batch.issued} issued, {batch.already_issued} already issued",
    )
