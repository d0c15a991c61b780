"""Benchmarks for PPP's busiest pages and for printing certificates (not tests).

Builds a realistic dataset in a throw-away PostgreSQL database (500 schools, 300 award
holders, 300 charter pledges, 200 applications in progress) and times each page, median
of several runs, with its query count, against the targets below. Run with `make bench`;
exits 1 if a target is missed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ppp make bench
"""

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
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

SCHOOLS, AWARDS, PLEDGES, OPEN = 500, 300, 300, 200
RUNS = 7
# page: target median in milliseconds
TARGETS_MS = {
    "/award-holders/": 250,
    "/charter/register/": 250,
    "/award/officer/ (officer)": 400,
    "/officer/ (officer)": 250,
    "application page, 15 evidence items (lead)": 300,
    "certificate PDF": 150,
}


def build():
    from django.utils import timezone

    from accreditation.models import Application, Criterion, Evidence
    from tests.accreditation import factories as award
    from tests.charter.factories import approved_pledge
    from tests.factories import MembershipFactory, OrganisationFactory, make_officer

    officer = make_officer("bench-officer@example.org")
    award.many_accredited(AWARDS, officer)
    award.many_evidencing(OPEN, officer)
    for organisation in OrganisationFactory.create_batch(SCHOOLS - AWARDS - OPEN):
        MembershipFactory(organisation=organisation, role="lead")
    for application in Application.objects.select_related("organisation")[:PLEDGES]:
        approved_pledge(application.organisation)
    application = Application.objects.filter(status="evidencing").select_related("organisation").first()
    lead = application.organisation.memberships.leads().get().user
    for criterion in Criterion.objects.filter(standard__scheme=application.scheme)[:15]:
        Evidence.objects.create(
            application=application,
            title=f"Evidence {criterion.code}",
            kind="statement",
            statement="x",
            status="submitted",
            submitted_at=timezone.now(),
            created_by=lead,
        )
    return officer, lead, application


def measure(label, call):
    times, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            call()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    return label, statistics.median(times), queries


def main() -> int:
    from django.test import Client

    from ppp.certificates.models import IssuedCertificate
    from ppp.certificates.services import certificate_pdf

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = "ppp_bench"  # never the test suite's database
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        officer, lead, application = build()
        print(f"dataset built in {time.perf_counter() - started:.1f} s")
        public, as_officer, as_lead = Client(), Client(), Client()
        as_officer.force_login(officer)
        as_lead.force_login(lead)
        certificate = IssuedCertificate.objects.first()

        def get(client, path):
            def call():
                response = client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")

            return call

        results = [
            measure("/award-holders/", get(public, "/award-holders/")),
            measure("/charter/register/", get(public, "/charter/register/")),
            measure("/award/officer/ (officer)", get(as_officer, "/award/officer/")),
            measure("/officer/ (officer)", get(as_officer, "/officer/")),
            measure("application page, 15 evidence items (lead)", get(as_lead, application.get_absolute_url())),
            measure("certificate PDF", lambda: certificate_pdf(certificate)),
        ]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    failed = False
    print(f"\n{'what':48} {'median ms':>10} {'target':>8} {'queries':>8}")
    for label, ms, queries in results:
        target = TARGETS_MS[label]
        ok = ms <= target
        failed |= not ok
        print(f"{label:48} {ms:10.1f} {target:8} {queries:8}  {'ok' if ok else 'SLOWER THAN TARGET'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
