"""Demo training for `manage.py seed_demo`: upcoming sessions with bookings, a full
session with a waiting list, a past session waiting for its register, and completed
sessions with attendance, charges, evaluations and certificates. Safe to run again:
nothing is added once demo sessions exist."""

import datetime

from django.utils import timezone

from ppp.discovery import demo_seeders

from . import counts, services
from .models import Booking, Course, CourseSession, Evaluation
from .services import Attendee
from .tasks import issue_session_certificates

VENUE = "Leicester City Council, City Hall"
VENUE_ADDRESS = "115 Charles Street\nLeicester\nLE1 1FZ"
JOIN = "https://meet.example.org/ppp-training"

STAFF_A = [
    ("Priya Shah", "priya.shah@abbeygate.example", Booking.Role.TEACHER),
    ("Tom Green", "tom.green@abbeygate.example", Booking.Role.TEACHING_ASSISTANT),
    ("Hannah Cole", "hannah.cole@abbeygate.example", Booking.Role.SENCO),
    ("Mo Farah-Jones", "mo.farahjones@abbeygate.example", Booking.Role.MIDDAY_SUPERVISOR),
    ("Grace Obi", "grace.obi@abbeygate.example", Booking.Role.TEACHER),
    ("Sam Lee", "sam.lee@abbeygate.example", Booking.Role.TEACHING_ASSISTANT),
]
STAFF_B = [
    ("Olu Adeyemi", "olu.adeyemi@brookfield.example", Booking.Role.TEACHER),
    ("Kate Wilson", "kate.wilson@brookfield.example", Booking.Role.LEADER),
    ("Ravi Mistry", "ravi.mistry@brookfield.example", Booking.Role.TEACHING_ASSISTANT),
    ("Jess Baker", "jess.baker@brookfield.example", Booking.Role.SUPPORT_STAFF),
]


def _at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _session(officer, slug, days, *, hours=(9, 15), capacity=20, minimum=6, online=False, trainer="Sue Patel"):
    course = Course.objects.get(slug=slug)
    return services.session_create(
        by=officer,
        course=course,
        starts_at=_at(days, hours[0], 30),
        ends_at=_at(days, hours[1], 30),
        mode=CourseSession.Mode.ONLINE if online else CourseSession.Mode.IN_PERSON,
        venue="" if online else VENUE,
        venue_address="" if online else VENUE_ADDRESS,
        joining_link=JOIN if online else "",
        capacity=capacity,
        minimum_numbers=minimum,
        trainer=trainer,
    )


def _book(session, organisation, by, people):
    return services.booking_create(
        session=session,
        organisation=organisation,
        attendees=[Attendee(name=n, email=e, role=r) for n, e, r in people],
        by=by,
    )


def _into_the_past(session, days: int) -> CourseSession:
    """Demo only: move a booked session back in time, as if it had happened (and its
    share of the course-and-term counts with it)."""
    before = counts.share(session.pk)
    length = session.ends_at - session.starts_at
    starts = _at(-days, timezone.localtime(session.starts_at).hour, timezone.localtime(session.starts_at).minute)
    CourseSession.objects.filter(pk=session.pk).update(
        starts_at=starts, ends_at=starts + length, booking_deadline=starts - datetime.timedelta(days=2)
    )
    counts.follow(before, session.pk)
    session.refresh_from_db()
    return session


def _complete(session, officer, absent=()):
    marks = {
        str(b.public_id): Booking.Attendance.ABSENT if b.attendee_name in absent else Booking.Attendance.ATTENDED
        for b in session.bookings.confirmed()
    }
    services.attendance_record(session=session, marks=marks, by=officer)
    services.session_complete(session=session, by=officer)
    batch = services.certificates_request(session=session, by=officer)
    issue_session_certificates(batch_id=batch.pk)


@demo_seeders.register
def seed(demo) -> None:
    if CourseSession.objects.exists():
        return
    orgs, officer, people = demo.organisations, demo.officer, demo.people
    lead_a, member_a, lead_b = (
        people["lead.a@ppp.example"],
        people["member.a@ppp.example"],
        people["lead.b@ppp.example"],
    )
    services.training_account_set(organisation=orgs["school_a"], buys_traded_services=True, by=officer)

    # Upcoming, with places: Emotion Coaching in three weeks, online Power of Connections.
    emotion = _session(officer, "emotion-coaching", 21, capacity=24, minimum=8)
    _book(emotion, orgs["school_a"], lead_a, STAFF_A[:1])
    _book(emotion, orgs["school_b"], lead_b, STAFF_B[:2])
    _session(officer, "emotion-coaching", 63, capacity=24, minimum=8)
    connections = _session(officer, "power-of-connections", 10, hours=(15, 17), online=True, capacity=40, minimum=5)
    _book(connections, orgs["school_a"], member_a, STAFF_A[4:5])
    _session(officer, "school-governor-workshop", 35, hours=(18, 20), online=True, capacity=30, minimum=6)
    _session(officer, "keeping-safe-positive-handling-plans", 28, hours=(13, 16), capacity=16, minimum=6)

    # Full, with a waiting list: Midday Supervisor training in eight days.
    midday = _session(officer, "midday-supervisor-training", 8, hours=(13, 15), capacity=6, minimum=4)
    _book(midday, orgs["school_b"], lead_b, STAFF_B)
    _book(midday, orgs["school_a"], lead_a, STAFF_A[2:6])  # two confirmed, two waitlisted

    # Below its minimum, nine days away: flagged to the officers.
    _session(officer, "theraplay-practices", 9, hours=(9, 15), capacity=12, minimum=6)

    # Happened yesterday, register not yet taken.
    chw = _session(officer, "connecting-with-children-that-challenge", 30, hours=(9, 12), capacity=20, minimum=4)
    _book(chw, orgs["school_a"], lead_a, STAFF_A[:3])
    _book(chw, orgs["school_b"], lead_b, STAFF_B[:2])
    _into_the_past(chw, 1)

    # Completed three weeks ago: attendance, charges, evaluations and certificates.
    team_teach = _session(officer, "team-teach", 40, hours=(9, 16), capacity=12, minimum=6)
    _book(team_teach, orgs["school_a"], lead_a, STAFF_A[:4])
    _book(team_teach, orgs["school_b"], lead_b, STAFF_B[:3])
    _into_the_past(team_teach, 21)
    _complete(team_teach, officer, absent={"Ravi Mistry"})
    evaluation = Evaluation.objects.filter(booking__attendee_name="Priya Shah").first()
    if evaluation:
        services.evaluation_submit(
            evaluation=evaluation,
            usefulness=5,
            will_change="Use the de-escalation script at the classroom door.",
            comments="Practical and calm. More time on recording, please.",
        )

    # A governor of Abbeygate completed the School Governor workshop last term.
    governors = _session(officer, "school-governor-workshop", 45, hours=(18, 20), online=True, capacity=30, minimum=0)
    _book(governors, orgs["school_a"], lead_a, [("Rev. Ann Hughes", "ann.hughes@abbeygate.example", "governor")])
    _into_the_past(governors, 70)
    _complete(governors, officer)
    demo.stdout.write(
        f"Training: {CourseSession.objects.count()} sessions, a waiting list, a register to take, certificates."
    )
