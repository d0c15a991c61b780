"""`CourseTermCount`: the officers' course-and-term report, kept in step with the sessions
and places it counts, so drawing it reads one short list whatever the number of bookings.

A session's share of its course and term is what it adds to that row: one session (or
one cancelled), its capacity, and its places (confirmed, attended, absent, ever
waitlisted) unless it was cancelled. Every service that changes a session or a place
reads the session's share once it holds the session's lock (`share`), makes its change,
reads the share again and adds the difference (`follow`) in one INSERT ... ON CONFLICT DO
UPDATE SET n = n + difference: the row's lock is taken by that statement and held to the
commit, and an addition never overwrites another transaction's, so changes at once to
different sessions of one course and term both count. Reading a share costs one grouped
query over one session's places, whatever the size of the programme.

`rebuild()` recounts everything in one INSERT ... SELECT (after loading sessions or places
in bulk, or to check nothing drifted: `manage.py rebuild_training_counts`); the test holds
the kept rows equal to it after a run of services.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps as live_apps
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Sum, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone

# In the order of the table's columns after (course, year, season).
FIGURES = ("sessions", "cancelled", "capacity", "confirmed", "attended", "absent", "waitlisted")
PLACE_FIGURES = FIGURES[3:]

# The models' values, spelt out so the migration can use these with its historical models.
CANCELLED = "cancelled"
CONFIRMED = "confirmed"
ATTENDED = "attended"
ABSENT = "absent"
WAITLISTED_EVENT = "waitlisted"


@dataclass(frozen=True)
class Share:
    """What one session adds to one course-and-term row."""

    key: tuple[int, int, int]  # course id, year, season
    figures: tuple[int, ...]


def term_key(course_id: int, starts_at) -> tuple[int, int, int]:
    """The course and school term of a start: season 0 Spring (January to March), 1 Summer
    (April to August), 2 Autumn, of the local date (as `_term_parts` says it in SQL)."""
    day = timezone.localtime(starts_at).date()
    season = 2 if day.month >= 9 else 0 if day.month <= 3 else 1
    return (course_id, day.year, season)


def _term_parts(prefix: str = "") -> dict:
    """The school term of a session's start (local time) as year and season, in SQL."""
    month = ExtractMonth(f"{prefix}starts_at")
    return {
        "year": ExtractYear(f"{prefix}starts_at"),
        "season": Case(When(Q(month__gte=9), then=2), When(Q(month__lte=3), then=0), default=1),
        "month": month,
    }


def _place_counts(registry, prefix: str = "") -> dict:
    """The place figures as aggregates over bookings (`prefix` is the path to them)."""
    BookingEvent = registry.get_model("training", "BookingEvent")
    ever_waitlisted = BookingEvent.objects.filter(booking=OuterRef(f"{prefix}pk"), action=WAITLISTED_EVENT)
    return {
        "confirmed": Count(f"{prefix}pk", filter=Q(**{f"{prefix}status": CONFIRMED})),
        "attended": Count(f"{prefix}pk", filter=Q(**{f"{prefix}attendance": ATTENDED})),
        "absent": Count(f"{prefix}pk", filter=Q(**{f"{prefix}attendance": ABSENT, f"{prefix}status": CONFIRMED})),
        "waitlisted": Count(f"{prefix}pk", filter=Q(Exists(ever_waitlisted))),
    }


def share(session_id: int) -> Share:
    """The session's share as the database has it now (one query over its places). The
    caller holds the session's lock, so nobody else changes it until the commit."""
    CourseSession = live_apps.get_model("training", "CourseSession")
    row = (
        CourseSession.objects.filter(pk=session_id)
        .values("course_id", "starts_at", "status", "capacity")
        .annotate(**_place_counts(live_apps, "bookings__"))
        .order_by()
        .get()
    )
    key = term_key(row["course_id"], row["starts_at"])
    if row["status"] == CANCELLED:
        return Share(key, (0, 1, 0, 0, 0, 0, 0))
    return Share(key, (1, 0, row["capacity"], *(row[name] for name in PLACE_FIGURES)))


def follow(before: Share | None, session_id: int) -> None:
    """Add the difference between the session's share `before` the change (None: it is
    new) and now to the kept rows: one statement, whichever rows it touches."""
    differences: dict[tuple, list[int]] = {}
    after = share(session_id)
    for taken, sign in ((before, -1), (after, 1)):
        if taken is None:
            continue
        row = differences.setdefault(taken.key, [0] * len(FIGURES))
        for i, value in enumerate(taken.figures):
            row[i] += sign * value
    add({key: row for key, row in differences.items() if any(row)})


def add(differences: dict[tuple, Iterable[int]]) -> None:
    """Add each row of differences to its course-and-term row, creating it as needed, in
    one INSERT ... ON CONFLICT DO UPDATE (which PostgreSQL and SQLite both speak). Rows
    in key order, so two transactions that touch the same two rows lock them alike."""
    if not differences:
        return
    CourseTermCount = live_apps.get_model("training", "CourseTermCount")
    q = connection.ops.quote_name
    table = q(CourseTermCount._meta.db_table)
    columns = ["course_id", "year", "season", *FIGURES]
    params: list[int] = []
    for key in sorted(differences):
        params += [*key, *differences[key]]
    values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(differences))
    sums = ", ".join(f"{q(name)} = {table}.{q(name)} + EXCLUDED.{q(name)}" for name in FIGURES)
    with connection.cursor() as cursor:
        # Names from the model; every value is a parameter.
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT (course_id, year, season) DO UPDATE SET {sums}",
            params,
        )


@transaction.atomic
def rebuild(registry=live_apps) -> int:
    """Recount every course-and-term row from the sessions and places, in one INSERT ...
    SELECT of two grouped queries (the sessions, then their places): nothing is read into
    Python. Returns how many rows it wrote. `registry` is the app registry (a migration
    passes its historical one)."""
    CourseSession = registry.get_model("training", "CourseSession")
    Booking = registry.get_model("training", "Booking")
    CourseTermCount = registry.get_model("training", "CourseTermCount")
    CourseTermCount.objects.all().delete()
    cancelled = Q(status=CANCELLED)
    term = _term_parts()
    sessions = (
        CourseSession.objects.annotate(month=term["month"])
        .annotate(c=F("course_id"), y=term["year"], s=term["season"])
        .values("c", "y", "s")
        .annotate(
            sessions=Count("pk", filter=~cancelled),
            cancelled=Count("pk", filter=cancelled),
            capacity=Coalesce(Sum("capacity", filter=~cancelled), 0),
        )
        .order_by()
    )
    place_term = _term_parts("session__")
    places = (
        Booking.objects.exclude(session__status=CANCELLED)
        .annotate(month=place_term["month"])
        .annotate(c=F("session__course_id"), y=place_term["year"], s=place_term["season"])
        .values("c", "y", "s")
        .annotate(**_place_counts(registry))
        .order_by()
    )
    sessions_sql, sessions_params = sessions.query.sql_with_params()
    places_sql, places_params = places.query.sql_with_params()
    q = connection.ops.quote_name
    columns = ["course_id", "year", "season", *FIGURES]
    values = [
        "g.c",
        "g.y",
        "g.s",
        *(f"g.{q(name)}" for name in FIGURES[:3]),
        *(f"COALESCE(p.{q(name)}, 0)" for name in PLACE_FIGURES),
    ]
    # Names from the models' metadata; every value is a parameter of the two grouped queries.
    sql = (
        f"INSERT INTO {q(CourseTermCount._meta.db_table)} ({', '.join(q(c) for c in columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM ({sessions_sql}) g "
        f"LEFT JOIN ({places_sql}) p ON p.c = g.c AND p.y = g.y AND p.s = g.s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*sessions_params, *places_params])
        return cursor.rowcount
