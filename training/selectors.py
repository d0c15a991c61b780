"""Reads that several training pages, and the award, use."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from accreditation.selectors import scheme_criterion_codes
from ppp.accounts.models import Organisation
from ppp.certificates.models import IssuedCertificate
from ppp.home import HomeSection, HomeTask, home_sections
from ppp.offers import EvidenceOffer, evidence_offer_sources

from . import permissions
from .models import Booking, Course, CourseSession


def catalogue_sessions():
    """Upcoming sessions with their course and places left, for the catalogue and feeds."""
    return CourseSession.objects.upcoming().with_counts().select_related("course").order_by("starts_at", "pk")


# What the calendar feed reads of a session and its course (`QuerySet.only`).
FEED_COLUMNS = (
    "public_id",
    "starts_at",
    "ends_at",
    "mode",
    "venue",
    "venue_address",
    "trainer",
    "course__title",
    "course__summary",
)


def feed_sessions():
    """Upcoming sessions for the public calendar feed: no places counted (the feed does not
    show them), only the columns it prints, read from the (status, starts_at) index."""
    return CourseSession.objects.upcoming().select_related("course").only(*FEED_COLUMNS).order_by("starts_at", "pk")


def courses_with_sessions(courses, sessions):
    """Courses, each with `upcoming` (its sessions from `sessions`), in two queries."""
    return courses.prefetch_related("audiences", Prefetch("sessions", queryset=sessions, to_attr="upcoming"))


def own_booking(user, session: CourseSession, organisation: Organisation | None) -> list[Booking]:
    """The signed-in person's organisation's active places on `session`."""
    if organisation is None or not permissions.can_book_for(user, organisation):
        return []
    return list(session.bookings.active().filter(organisation=organisation).order_by("created_at", "pk"))


def can_see_joining_link(user, session: CourseSession, bookings: list[Booking]) -> bool:
    """Officers, and an organisation with a confirmed place; never the waitlisted or others."""
    if user.is_authenticated and user.is_officer:
        return True
    return any(permissions.can_see_joining_link(user, booking) for booking in bookings)


def certificates_by_booking(bookings) -> dict[str, IssuedCertificate]:
    """Current certificates of the given bookings, by booking pk (as text). One query."""
    ids = [str(b.pk) for b in bookings]
    if not ids:
        return {}
    certificates = IssuedCertificate.objects.filter(
        source_type=ContentType.objects.get_for_model(Booking), source_id__in=ids, revoked_at__isnull=True
    )
    return {c.source_id: c for c in certificates}


def training_record(organisation: Organisation):
    """Who from `organisation` completed which course and when (attended, session completed)."""
    return (
        Booking.objects.completed()
        .filter(organisation=organisation)
        .select_related("session__course")
        .order_by("-session__starts_at", "attendee_name", "pk")
    )


@dataclass(frozen=True)
class Completion:
    name: str
    role: str
    course: str
    on: datetime.date
    certificate: str


def completions(organisation: Organisation, *, criterion_code: str) -> list[Completion]:
    """Completed training that shows a criterion: 2.4 governors, 2.1 everyone else."""
    return completions_by_criterion(organisation, [criterion_code])[criterion_code]


def completions_by_criterion(organisation: Organisation, codes) -> dict[str, list[Completion]]:
    """`completions` for several criteria from one read of the training record."""
    bookings = [b for b in training_record(organisation) if b.counts_for_award in codes]
    certificates = certificates_by_booking(bookings)
    found: dict[str, list[Completion]] = {code: [] for code in codes}
    for b in bookings:
        found[b.counts_for_award].append(
            Completion(
                name=b.attendee_name,
                role=b.get_attendee_role_display(),
                course=b.session.course.title,
                on=timezone.localtime(b.session.starts_at).date(),
                certificate=getattr(certificates.get(str(b.pk)), "code", ""),
            )
        )
    return found


AWARD_CRITERIA = {
    "2.1": "staff",
    "2.4": "governors",
}


@evidence_offer_sources.register
def award_evidence_offers(application, user, evidence) -> list[EvidenceOffer]:
    """What training offers the award: for criterion 2.1 (staff trained) and 2.4
    (governors trained), the organisation's completed SEND Support training (`evidence`,
    the application's as the award page read it, is not needed here)."""
    organisation = application.organisation
    if not permissions.can_attach_training_evidence(user, organisation):
        return []
    codes = scheme_criterion_codes(application.scheme, AWARD_CRITERIA)
    offers = []
    by_code = completions_by_criterion(organisation, sorted(codes)) if codes else {}
    for code in sorted(codes):
        done = by_code[code]
        if not done:
            continue
        people = len({c.name for c in done})
        courses = Counter(c.course for c in done)
        first, last = min(c.on for c in done), max(c.on for c in done)
        span = f"{first:%-d %B %Y}" if first == last else f"between {first:%-d %B %Y} and {last:%-d %B %Y}"
        offers.append(
            EvidenceOffer(
                criterion_code=code,
                title=f"Training record: {AWARD_CRITERIA[code]} trained",
                summary=(
                    f"{people} {'person' if people == 1 else 'people'} from {organisation.name} completed "
                    + ", ".join(f"{title} ({n})" for title, n in sorted(courses.items()))
                    + f" {span}."
                ),
                attach_url=reverse(
                    "training:award-attach", kwargs={"application": application.public_id, "criterion": code}
                ),
                button="Attach the training record",
                preview_url=reverse("training:record", kwargs={"slug": organisation.slug}),
            )
        )
    return offers


def active_courses():
    return Course.objects.active().prefetch_related("audiences")


@home_sections.register
def home_section(user, membership) -> HomeSection | None:
    """Training on a school's home: places coming up (and waiting lists), and the record."""
    organisation = membership.organisation
    upcoming = list(
        Booking.objects.active()
        .filter(organisation=organisation, session__starts_at__gte=timezone.now())
        .select_related("session__course")
        .order_by("session__starts_at", "pk")[:5]
    )
    tasks = [
        HomeTask(
            f"{b.attendee_name}: {b.session.course.title}",
            b.get_absolute_url(),
            detail=f"{timezone.localtime(b.session.starts_at):%A %-d %B, %H:%M}",
            due="Waiting list" if b.status == Booking.Status.WAITLISTED else "",
        )
        for b in upcoming
    ]
    return HomeSection(
        "SEND Support training",
        links=[
            HomeTask("Find and book a course", reverse("training:catalogue")),
            HomeTask("Your training record", reverse("training:record", args=[organisation.slug])),
        ],
        tasks=tasks,
        summary="Places coming up for your staff." if tasks else "",
    )


def session_to_copy(public_id: str) -> CourseSession | None:
    """The session an officer repeats with "copy this session"; None for an id that is
    not a session's (or not a UUID at all)."""
    import uuid

    try:
        uuid.UUID(str(public_id))
    except ValueError:
        return None
    return CourseSession.objects.select_related("course").filter(public_id=public_id).first()
