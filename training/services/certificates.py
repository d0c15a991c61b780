"""Certificates: part of `training.services` (see its docstring)."""

from django.db import transaction
from django.utils import timezone

from ppp.accounts.models import User
from ppp.audit.services import audit_record
from ppp.history import record_transition
from ppp.tasks import defer

from .. import permissions
from ..models import (
    Booking,
    BookingEvent,
    CertificateBatch,
    CourseSession,
)
from ._base import TrainingError, _lock_session
from .sessions import _require_officer


@transaction.atomic
def certificates_request(*, session: CourseSession, by: User, request=None) -> CertificateBatch:
    """Queue certificates of attendance for everyone who attended; the task worker
    issues them (`training.tasks.issue_session_certificates`). Asking again while a
    batch is under way returns that batch."""
    from ..tasks import issue_session_certificates

    _require_officer(by, session)
    session = _lock_session(session)
    if not permissions.can_issue_certificates(by, session):
        raise TrainingError("Complete the session (attendance recorded) before issuing certificates.")
    under_way = session.certificate_batches.filter(
        status__in=[CertificateBatch.Status.QUEUED, CertificateBatch.Status.RUNNING]
    ).first()
    if under_way:
        return under_way
    total = session.bookings.confirmed().filter(attendance=Booking.Attendance.ATTENDED).count()
    if not total:
        raise TrainingError("No one is marked as attended, so there are no certificates to issue.")
    batch = CertificateBatch.objects.create(session=session, requested_by=by, total=total)
    audit_record("certificatebatch.request", actor=by, target=batch, request=request, total=total)
    defer(issue_session_certificates, batch_id=batch.pk)  # saved with the batch: both or neither
    return batch


def _lock_batch(batch: CertificateBatch) -> CertificateBatch:
    """The session first, then the batch: parent first, as everywhere."""
    _lock_session(batch.session)
    return CertificateBatch.objects.select_for_update().select_related("session__course").get(pk=batch.pk)


@transaction.atomic
def certificates_batch_retry(*, batch: CertificateBatch, by: User, request=None) -> CertificateBatch:
    """Start a failed, cancelled or stuck batch again: it carries on after the last place
    it did (nothing is issued twice) with a fresh set of tries."""
    from ..tasks import issue_session_certificates

    _require_officer(by, batch.session)
    batch = _lock_batch(batch)
    if batch.status == CertificateBatch.Status.DONE:
        raise TrainingError("This batch has finished: every certificate is issued.")
    if batch.status in (CertificateBatch.Status.QUEUED, CertificateBatch.Status.RUNNING) and not batch.is_stuck:
        raise TrainingError("This batch is moving: wait for it to finish, or cancel it.")
    CertificateBatch.objects.filter(pk=batch.pk).update(
        status=CertificateBatch.Status.QUEUED, attempts=0, error="", finished_at=None, heartbeat_at=timezone.now()
    )
    audit_record("certificatebatch.retry", actor=by, target=batch, request=request, done=batch.done_count)
    defer(issue_session_certificates, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


@transaction.atomic
def certificates_batch_cancel(*, batch: CertificateBatch, by: User, request=None) -> CertificateBatch:
    """Stop a batch under way: the certificates issued so far stay; the worker stops
    before the next one."""
    _require_officer(by, batch.session)
    batch = _lock_batch(batch)
    if batch.is_finished:
        raise TrainingError(f"This batch is {batch.get_status_display().lower()} already.")
    CertificateBatch.objects.filter(pk=batch.pk).update(
        status=CertificateBatch.Status.CANCELLED, finished_at=timezone.now()
    )
    audit_record("certificatebatch.cancel", actor=by, target=batch, request=request, done=batch.done_count)
    batch.refresh_from_db()
    return batch


def certificate_for_booking(booking: Booking, *, by: User):
    """Issue (or find) the attendance certificate for one attended place."""
    from ppp.certificates.models import IssuedCertificate
    from ppp.certificates.services import certificate_for, certificate_issue

    existing = certificate_for(booking)
    if existing:
        return existing, False
    session = booking.session
    certificate = certificate_issue(
        source=booking,
        kind=IssuedCertificate.Kind.TRAINING,
        holder=booking.attendee_name,
        title=f"{session.course.title} – SEND Support training",
        valid_from=timezone.localtime(session.starts_at).date(),
        organisation=booking.organisation,
        by=by,
    )
    record_transition(
        booking, action=BookingEvent.Action.CERTIFICATE, by=by, note=certificate.code, organisation=booking.organisation
    )
    return certificate, True
