"""The survey figures' task (surveys.publish_figures) with its worker killed (SIGKILL) in the
middle of making a term's releases, as tests/platform/test_worker_process.py does to the
certificate batch and the emails: a real `manage.py run_worker` process on the test
database. The releases are made in one transaction, so a worker killed half-way leaves
nothing; the job is found stalled, run again by the next worker, and the term ends with
exactly one release per audience, holding the figures the tallies give."""

import io

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from ppp.accounts.models import Organisation
from surveys import releases, reports
from surveys.models import Audience, CouncilRelease
from tests.platform.worker_helpers import Worker, wait_for
from tests.surveys.test_releases import _world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _job_statuses() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status FROM procrastinate_jobs WHERE task_name = 'surveys.publish_figures'")
        return [row[0] for row in cursor.fetchall()]


def _waiting_to_store_a_release() -> bool:
    """A session (the worker's) waits for a lock to insert a release."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO %%surveys_councilrelease%%'"
        )
        return cursor.fetchone()[0] > 0


def _table_locker():
    """A second connection that can hold the releases' table in SHARE mode: reads go on,
    an insert waits until it lets go."""
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"],
        password=s.get("PASSWORD") or None,
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
    )


def test_a_worker_killed_while_publishing_is_replaced_and_each_release_is_made_once(settings, tmp_path):
    term = _world(6, ended_days_ago=200)
    settings.PPP_TASKS = "queue"
    out = io.StringIO()
    call_command("publish_survey_figures", stdout=out)
    assert f"{term.label}: queued for the worker." in out.getvalue()
    locker = _table_locker()
    locker.execute('LOCK TABLE "surveys_councilrelease" IN SHARE MODE')  # a transaction, held open
    worker = Worker(tmp_path).start()
    try:
        # The figures are counted and checked; the first release waits to be stored: kill it there.
        wait_for(_waiting_to_store_a_release, timeout=60, message="the worker to reach the first release")
        worker.kill()
        locker.rollback()
        assert _job_statuses() == ["doing"]  # left half-way, as a killed worker leaves it
        assert not CouncilRelease.objects.exists()  # nothing of a half-made term is kept
        worker = Worker(tmp_path).start()
        # A job that succeeds is deleted (ppp.worker): none left, not even a failed one.
        wait_for(lambda: _job_statuses() == [], timeout=120, message="the job run again to the end")
    finally:
        locker.close()
        worker.stop()
    made = CouncilRelease.objects.filter(year=term.year, term=term.key)
    assert sorted(made.values_list("audience", flat=True)) == sorted(Audience.values)  # one each, none twice
    assert CouncilRelease.objects.count() == len(Audience.values)
    release = made.get(audience="pupils_11_18")
    assert release.published and release.settings_count == 6
    for by in reports.COUNCIL_GROUPINGS:
        live = reports.council_figures("pupils_11_18", term.slug, dict(Organisation.Kind.choices), by=by)
        assert releases.figures_of(release, by).question_rows == live.question_rows
    assert "running it again" in worker.log
