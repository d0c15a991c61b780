"""Who may do what in training. Small predicates the services refuse with and the views
pass to templates (`allowed_actions`), so a template never re-derives a rule."""

from django.utils import timezone

from ppp.accounts.selectors import is_lead, is_member

from .models import Booking, Charge, CourseSession


def can_book_for(user, organisation) -> bool:
    """A school's lead or member books places for their own organisation's people."""
    return organisation is not None and is_member(user, organisation)


def can_view_booking(user, booking: Booking) -> bool:
    return user.is_authenticated and (user.is_officer or is_member(user, booking.organisation))


def can_cancel_booking(user, booking: Booking) -> bool:
    if booking.status == Booking.Status.CANCELLED or booking.session.status != CourseSession.Status.SCHEDULED:
        return False
    if booking.session.has_started:
        return False
    return user.is_officer or is_member(user, booking.organisation)


def can_substitute_booking(user, booking: Booking) -> bool:
    return can_cancel_booking(user, booking)


def can_see_joining_link(user, booking: Booking | None) -> bool:
    """Only a confirmed attendee's organisation (and officers) see the joining link."""
    if booking is None:
        return bool(user.is_authenticated and user.is_officer)
    return booking.status == Booking.Status.CONFIRMED and can_view_booking(user, booking)


def can_manage_session(user, session: CourseSession | None = None) -> bool:
    return bool(user.is_authenticated and user.is_officer)


def can_record_attendance(user, session: CourseSession) -> bool:
    return can_manage_session(user, session) and session.status != CourseSession.Status.CANCELLED


def can_cancel_session(user, session: CourseSession) -> bool:
    return can_manage_session(user, session) and session.status == CourseSession.Status.SCHEDULED


def can_complete_session(user, session: CourseSession) -> bool:
    return (
        can_manage_session(user, session)
        and session.status == CourseSession.Status.SCHEDULED
        and session.starts_at <= timezone.now()
    )


def can_issue_certificates(user, session: CourseSession) -> bool:
    return can_manage_session(user, session) and session.status == CourseSession.Status.COMPLETED


def can_change_charge(user, charge: Charge) -> bool:
    return bool(user.is_authenticated and user.is_officer)


def can_attach_training_evidence(user, organisation) -> bool:
    return is_member(user, organisation)


def can_download_record(user, organisation) -> bool:
    return user.is_authenticated and (user.is_officer or is_member(user, organisation))


def can_see_charges(user, organisation) -> bool:
    return user.is_authenticated and (user.is_officer or is_lead(user, organisation))


def booking_actions(user, booking: Booking) -> set[str]:
    actions = set()
    if can_cancel_booking(user, booking):
        actions |= {"cancel", "substitute"}
    if can_see_joining_link(user, booking):
        actions.add("join")
    return actions


def session_actions(user, session: CourseSession) -> set[str]:
    actions = set()
    if can_record_attendance(user, session):
        actions.add("attendance")
    if can_cancel_session(user, session):
        actions |= {"cancel", "capacity"}
    if can_complete_session(user, session):
        actions.add("complete")
    if can_issue_certificates(user, session):
        actions.add("certificates")
    return actions
