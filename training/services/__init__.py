"""Every write in training that has a rule. Keyword-only, typed, atomic; each refuses
with a `TrainingError` a person can act on, locks the session before its bookings
(parent first, everywhere), writes history through `record_transition` and sends mail
once the transaction commits."""

from ._base import Attendee, TrainingError, _confirmed_count, _lock_booking, _lock_session, is_late, notice_ends, when
from .bookings import _fill_places, booking_cancel, booking_create, booking_substitute
from .certificates import (
    _lock_batch,
    certificate_for_booking,
    certificates_batch_cancel,
    certificates_batch_retry,
    certificates_request,
)
from .charges import CHARGE_STEPS, charge_mark, charges_mark_invoiced, training_account_set
from .emails import _booking_context, _email_booking, _email_confirmed, _email_waitlisted
from .evaluations import evaluation_submit
from .sessions import (
    SESSION_FIELDS,
    _raise_charges,
    _require_officer,
    _send_evaluation,
    attendance_record,
    check_session,
    evaluation_email_context,
    evaluation_subject,
    session_cancel,
    session_complete,
    session_confirm_go_ahead,
    session_create,
    session_update,
)

__all__ = [
    "Attendee",
    "CHARGE_STEPS",
    "SESSION_FIELDS",
    "TrainingError",
    "_booking_context",
    "_confirmed_count",
    "_email_booking",
    "_email_confirmed",
    "_email_waitlisted",
    "_fill_places",
    "_lock_batch",
    "_lock_booking",
    "_lock_session",
    "_raise_charges",
    "_require_officer",
    "_send_evaluation",
    "attendance_record",
    "booking_cancel",
    "booking_create",
    "booking_substitute",
    "certificate_for_booking",
    "certificates_batch_cancel",
    "certificates_batch_retry",
    "certificates_request",
    "charge_mark",
    "charges_mark_invoiced",
    "check_session",
    "evaluation_email_context",
    "evaluation_subject",
    "evaluation_submit",
    "is_late",
    "notice_ends",
    "session_cancel",
    "session_complete",
    "session_confirm_go_ahead",
    "session_create",
    "session_update",
    "training_account_set",
    "when",
]
