"""Read-only figures and exports for training: the officers' course-and-term report,
evaluation results, the finance team's charges CSV, an organisation's training record
(CSV) and a session's printable sign-in sheet (PDF)."""

import csv
import io
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q
from django.template.loader import render_to_string
from django.utils import timezone

from ppp.csvsafe import csv_safe
from ppp.exports import rows_of
from ppp.pdf import render_pdf

from .counts import FIGURES
from .models import Charge, CourseSession, CourseTermCount, Evaluation


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


SEASONS = ("Spring", "Summer", "Autumn")


def course_term_report() -> list[CourseTerm]:
    """Per course and school term: sessions run or planned, fill rate (confirmed places
    over capacity), waiting-list demand (places ever waitlisted) and no-show rate (absent
    over attendance recorded). Read from the counts the services keep in step
    (`training/counts.py`): one query over a row per course and term, whatever the number
    of sessions and places."""
    kept = (
        CourseTermCount.objects.filter(Q(sessions__gt=0) | Q(cancelled__gt=0))
        .values("course__title", "course__slug", "year", "season", *FIGURES)
        .order_by()
    )
    rows: dict[tuple, CourseTerm] = {}
    for group in kept:
        title, year, season = group["course__title"], group["year"], group["season"]
        row = rows.setdefault(
            (title, year, season),
            CourseTerm(course=title, term=f"{SEASONS[season]} {year}", sort=(title, year, season)),
        )
        row.slugs.add(group["course__slug"])
        row.sessions += group["sessions"]
        row.cancelled += group["cancelled"]
        row.capacity += group["capacity"]
        row.confirmed += group["confirmed"]
        row.attended += group["attended"]
        row.absent += group["absent"]
        row.waitlist_demand += group["waitlisted"]
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


# What a row of the charges page reads (`QuerySet.only`).
CHARGES_PAGE_COLUMNS = (
    "public_id",
    "places",
    "no_shows",
    "late_cancellations",
    "amount",
    "status",
    "organisation__name",
    "session__starts_at",
    "session__course__title",
)


def charges_queryset():
    """Charges, newest session first: the page reads 50 rows at a time, the CSV a chunk at a time."""
    return Charge.objects.select_related("organisation", "session__course").order_by(
        "-session__starts_at", "organisation__name", "pk"
    )


CHARGES_HEADER = [
    "Organisation", "URN", "Finance contact", "Traded services", "Course", "Session date", "Confirmed places",
    "No-shows", "Late cancellations", "Billable places", "Amount (GBP)", "Status", "Invoice reference",
    "Charge reference",
]  # fmt: skip

CHARGES_COLUMNS = (
    "organisation__name",
    "organisation__urn",
    "organisation__training_account__finance_contact",
    "organisation__training_account__buys_traded_services",
    "session__course__title",
    "session__starts_at",
    "places",
    "no_shows",
    "late_cancellations",
    "amount",
    "status",
    "invoice_reference",
    "public_id",
)


def charges_csv_rows(charges):
    """For the council's finance team: one row per organisation per session, read a
    chunk at a time (only these columns, no model instances) for `ppp.exports.stream_csv`,
    which makes every text cell safe for a spreadsheet."""
    statuses = dict(Charge.Status.choices)
    for name, urn, contact, traded, course, starts_at, places, no_shows, late, amount, status, invoice, ref in rows_of(
        charges, *CHARGES_COLUMNS
    ):
        yield [
            name,
            urn or "",
            contact or "",
            "Yes" if traded else "No",
            course,
            timezone.localtime(starts_at).date().isoformat(),
            places,
            no_shows,
            late,
            places + late,
            f"{amount:.2f}",
            statuses.get(status, status),
            invoice,
            str(ref),
        ]


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
