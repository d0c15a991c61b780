"""Benchmarks for the incident pages that must stay fast as the records grow (not tests).

Builds, in a throw-away PostgreSQL database `ppp_bench_incidents`, 100,000 incidents from
1,000 schools (one of them with 5,000) over one school year, each with a target and an
alleged perpetrator (some with a witness), free text encrypted as in production, using bulk
inserts and a fixed random seed. Then times, median of several runs, with query counts:

- publishing the autumn term's council figures (every view suppressed together and checked
  exactly, as the worker does once), then the officer's page reading that release;
- the big school's incident list (5,000 records), plain and filtered;
- the big school's termly report.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ppp make bench-incidents

Exits 1 if a target is missed. `bench/incidents.py --keep` leaves the database in place and
`--reuse` times it again without rebuilding (for working on a slow page).
"""

import os
import random
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

SCHOOLS, INCIDENTS, BIG_SCHOOL = 1_000, 100_000, 5_000
RUNS = 7
SEED = 2026
TARGETS_MS = {
    # Made once per term by the worker (incidents.releases): a whole term for 1,000 schools.
    "publishing a term's council figures (worker)": 120_000,
    "council figures, a published term (officer)": 200,
    "council figures, bullying only (officer)": 200,
    "a school's list, 5,000 incidents (lead)": 100,
    "the same list, filtered (lead)": 100,
    "the school's termly report (lead)": 300,
}


def _schools(rng):
    from ppp.accounts.models import Organisation

    kinds = [k for k in Organisation.Kind.values if k not in ("commissioner", "partner_agency", "other")]
    districts = [f"LE{n}" for n in range(1, 20)]
    return Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Bench School {n:04d}",
                slug=f"bench-school-{n:04d}",
                urn=f"{700000 + n}",
                kind=rng.choices(kinds, weights=[40, 20, 3, 8, 15, 3, 3, 3, 2, 3][: len(kinds)])[0],
                postcode=f"{rng.choice(districts)} {rng.randint(1, 9)}AA",
            )
            for n in range(SCHOOLS)
        ]
    )


def build():
    import datetime

    from django.utils import timezone

    from incidents.models import (
        CATEGORY_FIELDS,
        FORM_FIELDS,
        Incident,
        Involvement,
        Location,
        Mode,
        ReportedBy,
        Role,
        Status,
        YearGroup,
    )
    from incidents.services import classify
    from incidents.terms import academic_year_of, month_date
    from ppp.accounts.models import Membership, User
    from ppp.crypto import blind_index, encrypt
    from tests.factories import make_officer

    rng = random.Random(SEED)
    officer = make_officer("bench-officer@example.org")
    organisations = _schools(rng)
    big = organisations[0]
    lead = User.objects.create_user(email="bench-lead@example.org", password=None, full_name="Bench Lead")
    Membership.objects.create(user=lead, organisation=big, role=Membership.Role.LEAD)

    year = academic_year_of(timezone.localdate()) - 1  # the last complete school year
    start = timezone.make_aware(datetime.datetime.combine(month_date(year, 9), datetime.time(8)))
    span_seconds = 364 * 24 * 3600
    counts = [BIG_SCHOOL] + [0] * (SCHOOLS - 1)
    for _ in range(INCIDENTS - BIG_SCHOOL):
        counts[rng.randrange(1, SCHOOLS)] += 1
    description = encrypt("Bench: AB called CD names at break, again, and pushed them in the lunch queue.")
    action = encrypt("Spoke to both pupils; restorative conversation; parents told by phone.")
    locations, modes = Location.values, Mode.values
    forms, categories = list(FORM_FIELDS.values()), list(CATEGORY_FIELDS.values())
    years = YearGroup.values[:-1]
    pupils = [(p, encrypt(p), blind_index(p)) for p in (f"P{n:04d}" for n in range(400))]
    made = 0
    for organisation, count in zip(organisations, counts, strict=True):
        batch = []
        for n in range(count):
            occurred = start + datetime.timedelta(seconds=rng.randrange(span_seconds))
            several, purpose, power = rng.random() < 0.7, rng.random() < 0.85, rng.random() < 0.8
            status = rng.choice([Status.OPEN, Status.UNDER_REVIEW, Status.RESOLVED, Status.CLOSED, Status.CLOSED])
            flags = dict.fromkeys(forms + categories, False)
            for f in rng.sample(forms, rng.choice([1, 1, 2, 3])):
                flags[f] = True
            if rng.random() < 0.25:
                flags[rng.choice(categories)] = True
            reported = occurred + datetime.timedelta(hours=rng.randint(1, 48))
            batch.append(
                Incident(
                    organisation=organisation,
                    reference=f"{occurred.year}-{n + 1:05d}",
                    occurred_at=occurred,
                    reported_at=reported,
                    reported_on=reported.date(),
                    reported_by=rng.choice(ReportedBy.values),
                    location=rng.choice(locations),
                    mode=rng.choice(modes),
                    description=description,
                    immediate_action=action,
                    stop_several_times=several,
                    stop_on_purpose=purpose,
                    stop_power_imbalance=power,
                    classification=classify(several, purpose, power),
                    status=status,
                    review_date=(occurred + datetime.timedelta(days=14)).date(),
                    resolved_at=reported + datetime.timedelta(days=rng.randint(1, 40))
                    if status in (Status.RESOLVED, Status.CLOSED)
                    else None,
                    is_repeat=rng.random() < 0.2,
                    recorded_by=lead if organisation is big else None,
                    **flags,
                )
            )
        # The values are already ciphertext: insert them as they are.
        Incident.objects.bulk_create(_raw(batch), batch_size=2_000)
        made += count
    ids = list(Incident.objects.values_list("pk", flat=True))
    people = []
    for pk in ids:
        for role in (Role.TARGET, Role.ALLEGED_PERPETRATOR) + ((Role.WITNESS,) if rng.random() < 0.3 else ()):
            _plain, cipher, index = rng.choice(pupils)
            people.append(
                Involvement(
                    incident_id=pk,
                    pupil_reference=cipher,
                    pupil_index=index,
                    year_group=rng.choice(years),
                    send=rng.random() < 0.15,
                    role=role,
                )
            )
    Involvement.objects.bulk_create(_raw(people), batch_size=5_000)
    from incidents import figures

    counted = time.perf_counter()
    rows = figures.rebuild()
    print(f"monthly figures recounted from the records ({rows:,} rows) in {time.perf_counter() - counted:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return officer, lead, year, made, len(people)


class _AlreadyEncrypted(str):
    """A ciphertext that the encrypted field must store unchanged."""


def _raw(objects):
    """bulk_create would encrypt again: mark the ciphertext so the fields pass it through."""
    from ppp.crypto import EncryptedTextField

    for obj in objects:
        for field in obj._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                value = getattr(obj, field.attname)
                if isinstance(value, str):
                    setattr(obj, field.attname, _AlreadyEncrypted(value))
    return objects


def _patch_encryption():
    from ppp.crypto import EncryptedTextField

    original = EncryptedTextField.get_prep_value

    def get_prep_value(self, value):
        if isinstance(value, _AlreadyEncrypted):
            return str(value)
        return original(self, value)

    EncryptedTextField.get_prep_value = get_prep_value


def measure(label, call):
    times, queries = [], 0
    call()  # warm up
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    return label, statistics.median(times), queries


def main() -> int:
    from django.test import Client

    keep, reuse = "--keep" in sys.argv, "--reuse" in sys.argv
    setup_test_environment()
    _patch_encryption()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = "ppp_bench_incidents"  # never the test suite's database
    if reuse:  # a dataset kept by an earlier --keep run
        connection.close()
        connection.settings_dict["NAME"] = "ppp_bench_incidents"
    else:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        if reuse:
            from incidents.models import Incident, Involvement
            from incidents.terms import academic_year_of
            from ppp.accounts.models import User

            officer = User.objects.get(email="bench-officer@example.org")
            lead = User.objects.get(email="bench-lead@example.org")
            year = academic_year_of(Incident.objects.order_by("occurred_at").first().occurred_at.date())
            incidents, people = Incident.objects.count(), Involvement.objects.count()
        else:
            officer, lead, year, incidents, people = build()
        print(
            f"dataset: {incidents:,} incidents, {people:,} people involved, {SCHOOLS:,} schools, "
            f"ready in {time.perf_counter() - started:.1f} s"
        )
        as_officer, as_lead = Client(), Client()
        as_officer.force_login(officer)
        as_lead.force_login(lead)

        def get(client, path):
            def call():
                response = client.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}")

            return call

        from incidents import releases
        from incidents.models import FiguresRelease
        from incidents.terms import Term, month_date

        term = Term.of(month_date(year, 10))

        def publish():
            FiguresRelease.objects.filter(year=term.year, term=term.key).delete()
            releases.publish(term)

        results = [
            measure("publishing a term's council figures (worker)", publish),
            measure("council figures, a published term (officer)", get(as_officer, "/incidents/figures/")),
            measure(
                "council figures, bullying only (officer)",
                get(as_officer, f"/incidents/figures/?release={term.slug}&which=bullying"),
            ),
            measure("a school's list, 5,000 incidents (lead)", get(as_lead, "/incidents/")),
            measure("the same list, filtered (lead)", get(as_lead, "/incidents/?status=closed&form=verbal&page=3")),
            measure("the school's termly report (lead)", get(as_lead, f"/incidents/report/?term={term.slug}")),
        ]
    finally:
        if not (keep or reuse):
            connection.creation.destroy_test_db(old_name, verbosity=0)
    failed = False
    print(f"\n{'what':44} {'median ms':>10} {'target':>8} {'queries':>8}")
    for label, ms, queries in results:
        target = TARGETS_MS[label]
        ok = ms <= target
        failed |= not ok
        print(f"{label:44} {ms:10.1f} {target:8} {queries:8}  {'ok' if ok else 'SLOWER THAN TARGET'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
