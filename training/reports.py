"""Read-only figures and exports for training: the officers' course-and-term report,
evaluation results, the finance team's charges CSV, an organisation's training record
(CSV) and a session's printable sign-in sheet (PDF)."""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from ppp.csvsafe import csv_safe
from ppp.pdf import render_pdf

from .models import Booking, BookingEvent, Charge, CourseSession, Evaluation, term_of


@dataclass
class CourseTerm:
    course: str
    term: str
    sort: tuple
    sessions: int = 0
    cancelled: int = 0
    capacity: int = 0
    confirmed: int = 0
    waitlist_demand: int = 0
    attended: int = 0
    absent: int = 0
    slugs: set = field(default_factory=set)

    @property
    def fill_rate(self) -> float | None:
        return self.confirmed / self.capacity if self.capacity else None

    @property
    def no_show_rate(self) -> float | None:
        marked = self.attended + self.absent
        return self.absent / marked if marked else None


def course_term_report() -> list[CourseTerm]:
    """Per course and school term: sessions run or planned, fill rate (confirmed places
    over capacity), waiting-list demand (places ever waitlisted) and no-show rate (absent
    over attendance recorded). One query, grouped here by term."""
    ever_waitlisted = BookingEvent.objects.filter(booking=OuterRef("pk"), action=BookingEvent.Action.WAITLISTED)
    sessions = (
        CourseSession.objects.select_related("course")
        .annotate(
            confirmed=Count("bookings", filter=Q(bookings__status=Booking.Status.CONFIRMED)),
            attended=Count("bookings", filter=Q(bookings__attendance=Booking.Attendance.ATTENDED)),
            absent=Count(
                "bookings",
                filter=Q(bookings__attendance=Booking.Attendance.ABSENT, bookings__status=Booking.Status.CONFIRMED),
            ),
            waitlisted=Count(
                "bookings",
                filter=Q(bookings__in=Booking.objects.filter(Exists(ever_waitlisted)).values("pk")),
            ),
        )
        .order_by("starts_at")
    )
    rows: dict[tuple, CourseTerm] = {}
    for session in sessions:
        day = timezone.localtime(session.starts_at).date()
        term = term_of(day)
        key = (session.course.title, term)
        season = {"Spring": 0, "Summer": 1, "Autumn": 2}[term.split()[0]]
        row = rows.setdefault(
            key, CourseTerm(course=session.course.title, term=term, sort=(session.course.title, day.year, season))
        )
        row.slugs.add(session.course.slug)
        if session.status == CourseSession.Status.CANCELLED:
            row.cancelled += 1
            continue
        row.sessions += 1
        row.capacity += session.capacity
        row.confirmed += session.confirmed
        row.waitlist_demand += session.waitlisted
        row.attended += session.attended
        row.absent += session.absent
    return sorted(rows.values(), key=lambda r: r.sort)


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def course_term_csv(rows: list[CourseTerm]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Course", "Term", "Sessions", "Cancelled", "Capacity", "Confirmed", "Fill rate", "Waiting-list demand",
         "Attended", "Absent", "No-show rate"]
    )  # fmt: skip
    for r in rows:
        writer.writerow(
            [csv_safe(r.course), r.term, r.sessions, r.cancelled, r.capacity, r.confirmed, _percent(r.fill_rate),
             r.waitlist_demand, r.attended, r.absent, _percent(r.no_show_rate)]
        )  # fmt: skip
    return out.getvalue()


def evaluation_summary(evaluations) -> dict:
    """Counts per answer and the average usefulness of submitted evaluations."""
    submitted = evaluations.filter(submitted_at__isnull=False)
    figures = submitted.aggregate(average=Avg("usefulness"), count=Count("pk"))
    by_answer = dict(submitted.values_list("usefulness").annotate(n=Count("pk")).values_list("usefulness", "n"))
    return {
        "count": figures["count"],
        "sent": evaluations.count(),
        "average": figures["average"],
        "answers": [(label, by_answer.get(value, 0)) for value, label in Evaluation.Usefulness.choices],
    }


def charges_queryset():
    return Charge.objects.select_related("organisation__training_account", "session__course").order_by(
        "-session__starts_at", "organisation__name", "pk"
    )


def charges_csv(charges) -> str:
    """For the council's finance team: one row per organisation per session."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Organisation", "URN", "Finance contact", "Traded services", "Course", "Session date", "Confirmed places",
         "No-shows", "Late cancellations", "Billable places", "Amount (GBP)", "Status", "Invoice reference",
         "Charge reference"]
    )  # fmt: skip
    for c in charges:
        account = getattr(c.organisation, "training_account", None)
        writer.writerow(
            [
                csv_safe(c.organisation.name),
                c.organisation.urn or "",
                csv_safe(account.finance_contact if account else ""),
                "Yes" if account and account.buys_traded_services else "No",
                csv_safe(c.session.course.title),
                timezone.localtime(c.session.starts_at).date().isoformat(),
                c.places,
                c.no_shows,
                c.late_cancellations,
                c.billable_places,
                f"{c.amount:.2f}",
                c.get_status_display(),
                csv_safe(c.invoice_reference),
                str(c.public_id),
            ]
        )
    return out.getvalue()


def record_csv(bookings, certificates: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Name", "Email", "Role", "Course", "Date", "Attendance", "Certificate", "Check at"])
    for b in bookings:
        certificate = certificates.get(str(b.pk))
        writer.writerow(
            [
                csv_safe(b.attendee_name),
                csv_safe(b.attendee_email),
                b.get_attendee_role_display(),
                csv_safe(b.session.course.title),
                timezone.localtime(b.session.starts_at).date().isoformat(),
                b.get_attendance_display(),
                certificate.code if certificate else "",
                certificate.verify_url if certificate else "",
            ]
        )
    return out.getvalue()


def sign_in_sheet_pdf(session: CourseSession) -> bytes:
    """A printable register for the day: every confirmed attendee with a space to sign."""
    bookings = session.bookings.confirmed().select_related("organisation").order_by("attendee_name", "pk")
    html = render_to_string(
        "training/sign_in_sheet.html",
        {"session": session, "bookings": bookings, "start": timezone.localtime(session.starts_at)},
    )
    return render_pdf(html)


def waiting_by_session(sessions) -> dict[int, int]:
    counts = defaultdict(int)
    for session_id in Booking.objects.waitlisted().filter(session__in=sessions).values_list("session_id", flat=True):
        counts[session_id] += 1
    return counts
