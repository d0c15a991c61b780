"""Benchmarks for training (not tests): the catalogue and a course page with 200 sessions
and 5,000 bookings, the officer's register and a school's training record, and 30
attendance certificates end to end — queued by the service, run by the database task
worker (`run_worker --until-done`), then all 30 PDFs printed.

Builds the data in its own throw-away PostgreSQL database (`ppp_bench_training`), times
each page (median of several runs) with its query count, and exits 1 if a target is
missed. Run with `make bench-training`.
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ppp.settings")
os.environ.setdefault("PPP_TESTING", "true")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ppp")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings, setup_test_environment  # noqa: E402

SESSIONS, BOOKINGS, SCHOOLS, CERTIFICATES = 200, 5000, 120, 30
RUNS = 9
TARGETS_MS = {
    "/training/ (catalogue)": 100,
    "/training/?month=…&places=on (filtered)": 100,
    "course page (busiest course)": 100,
    "/training/sessions.ics": 250,
    "register, 30 places (officer)": 250,
    "training record, 60 places (lead)": 250,
}
CERTIFICATE_TARGET_S = 10.0


def build():
    from django.utils import timezone

    from tests.factories import MembershipFactory, OrganisationFactory, make_officer
    from training.models import Booking, Course, CourseSession

    officer = make_officer("bench-officer@example.org")
    schools = OrganisationFactory.create_batch(SCHOOLS)
    leads = [MembershipFactory(organisation=s, role="lead").user for s in schools]
    courses = list(Course.objects.all())
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    sessions = []
    for i in range(SESSIONS):
        days = (i % 100) + 2 if i < 150 else -((i % 50) + 2)  # 150 upcoming, 50 past
        starts = now + datetime.timedelta(days=days, hours=i % 5)
        sessions.append(
            CourseSession(
                course=courses[i % len(courses)],
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=3),
                booking_deadline=starts - datetime.timedelta(days=1),
                capacity=30,
                minimum_numbers=5,
                venue="City Hall",
                status="completed" if days < 0 else "scheduled",
            )
        )
    sessions = CourseSession.objects.bulk_create(sessions)
    bookings = []
    for n in range(BOOKINGS):
        session = sessions[n % SESSIONS]
        school_index = n % SCHOOLS
        place = n // SESSIONS  # 25 per session: the first 30 confirmed, the rest waitlisted
        bookings.append(
            Booking(
                session=session,
                organisation=schools[school_index],
                attendee_name=f"Attendee {n}",
                attendee_email=f"attendee{n}@bench.example",
                attendee_role="teacher",
                booked_by=leads[school_index],
                price="65.00",
                status="confirmed" if place < session.capacity else "waitlisted",
                attendance="attended" if session.status == "completed" else "not_recorded",
            )
        )
    Booking.objects.bulk_create(bookings, batch_size=1000)
    # One session in the past with 30 attended places, for the register and the certificates.
    target = CourseSession.objects.create(
        course=courses[0],
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now - datetime.timedelta(days=1) + datetime.timedelta(hours=3),
        booking_deadline=now - datetime.timedelta(days=2),
        capacity=CERTIFICATES,
        venue="City Hall",
        status="completed",
    )
    Booking.objects.bulk_create(
        Booking(
            session=target,
            organisation=schools[0],
            attendee_name=f"Certified Person {n}",
            attendee_email=f"certified{n}@bench.example",
            attendee_role="teacher",
            booked_by=leads[0],
            price="65.00",
            status="confirmed",
            attendance="attended",
        )
        for n in range(CERTIFICATES)
    )
    from training import counts

    counts.rebuild()  # the places above went in bulk: the report's kept counts recounted
    return officer, leads[0], schools[0], target


def measure(label, call):
    times, queries = [], 0
    call()  # warm up
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    return label, statistics.median(times), queries


def certificates_end_to_end(session, officer) -> dict:
    """Queue → database worker → 30 certificates → 30 PDFs, timed."""
    from django.core.management import call_command

    from ppp.certificates.models import IssuedCertificate
    from ppp.certificates.services import certificate_pdf
    from training import services
    from training.models import CertificateBatch

    with override_settings(PPP_TASKS="queue"):
        start = time.perf_counter()
        batch = services.certificates_request(session=session, by=officer)
        queued = time.perf_counter()
        call_command("run_worker", "--until-done", "--queue", "certificates", verbosity=0)
        worked = time.perf_counter()
    batch = CertificateBatch.objects.get(pk=batch.pk)
    if batch.status != CertificateBatch.Status.DONE or batch.issued != CERTIFICATES:
        raise RuntimeError(f"batch ended {batch.status} with {batch.issued} issued: {batch.error}")
    certificates = list(
        IssuedCertificate.objects.filter(kind="training", organisation=session.bookings.first().organisation)
    )
    pdfs = [certificate_pdf(c) for c in certificates]
    done = time.perf_counter()
    if len(pdfs) != CERTIFICATES or not all(p.startswith(b"%PDF") for p in pdfs):
        raise RuntimeError(f"expected {CERTIFICATES} PDFs, printed {len(pdfs)}")
    return {
        "queue": (queued - start),
        "worker": (worked - queued),
        "pdfs": (done - worked),
        "total": (done - start),
        "task_seconds": batch.seconds,
    }


def main() -> int:
    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from training.models import Course

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast fixture users
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = "ppp_bench_training"  # never the test suite's database
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        officer, lead, school, target = build()
        print(f"dataset built in {time.perf_counter() - started:.1f} s: {SESSIONS} sessions, {BOOKINGS} bookings")
        public, as_officer, as_lead = Client(), Client(), Client()
        as_officer.force_login(officer)
        as_lead.force_login(lead)
        busiest = Course.objects.get(slug="emotion-coaching")
        month = (timezone.localdate() + datetime.timedelta(days=30)).strftime("%Y-%m")

        def get(client, path):
            def call():
                response = client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")

            return call

        results = [
            measure("/training/ (catalogue)", get(public, "/training/")),
            measure("/training/?month=…&places=on (filtered)", get(public, f"/training/?month={month}&places=on")),
            measure("course page (busiest course)", get(public, busiest.get_absolute_url())),
            measure("/training/sessions.ics", get(public, "/training/sessions.ics")),
            measure(
                "register, 30 places (officer)", get(as_officer, f"/training/officer/sessions/{target.public_id}/")
            ),
            measure("training record, 60 places (lead)", get(as_lead, f"/training/organisations/{school.slug}/")),
        ]
        certificates = certificates_end_to_end(target, officer)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    failed = False
    print(f"\n{'what':44} {'median ms':>10} {'target':>8} {'queries':>8}")
    for label, ms, queries in results:
        target_ms = TARGETS_MS[label]
        ok = ms <= target_ms
        failed |= not ok
        print(f"{label:44} {ms:10.1f} {target_ms:8} {queries:8}  {'ok' if ok else 'SLOWER THAN TARGET'}")
    ok = certificates["total"] <= CERTIFICATE_TARGET_S
    failed |= not ok
    print(
        f"\n{CERTIFICATES} attendance certificates end to end: {certificates['total']:.2f} s "
        f"(target {CERTIFICATE_TARGET_S:.0f} s) {'ok' if ok else 'SLOWER THAN TARGET'}\n"
        f"  queue {certificates['queue'] * 1000:.0f} ms, database worker {certificates['worker']:.2f} s "
        f"(task itself {certificates['task_seconds']:.2f} s), {CERTIFICATES} PDFs {certificates['pdfs']:.2f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
