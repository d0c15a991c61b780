"""Award transitions under concurrency, on real PostgreSQL with threads: every service
locks the application first, then its children (ppp.locking), so parallel requests queue
behind one another instead of racing or deadlocking. This is the template the training
bookings copy."""

import threading

import pytest
from django.db import connection

from accreditation import services
from accreditation.models import Application, ApplicationEvent, Evidence
from accreditation.services import WorkflowError
from tests.accreditation import factories as f
from tests.factories import MembershipFactory, OrganisationFactory, make_officer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run_together(calls):
    """Start every call at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(n, call):
        barrier.wait()
        try:
            results[n] = call()
        except Exception as error:  # noqa: BLE001 - the test looks at what each thread got
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck: a deadlock?"
    return results


@pytest.fixture
def ready():
    school = OrganisationFactory(name="Concurrent School")
    lead = MembershipFactory(organisation=school, role="lead").user
    officer = make_officer("concurrent@example.org")
    application = f.evidencing(school, lead, officer)
    f.all_evidence(application, lead, accept=False)
    return application, lead, officer


def test_eight_parallel_submissions_move_the_application_once(ready):
    application, lead, _ = ready
    results = run_together([lambda: services.application_submit(application=application, by=lead)] * 8)
    assert sum(isinstance(r, Application) for r in results) == 1
    assert all(isinstance(r, WorkflowError) for r in results if not isinstance(r, Application))
    assert Application.objects.get(pk=application.pk).status == Application.Status.ASSESSMENT
    assert ApplicationEvent.objects.filter(application=application, action="submitted").count() == 1


def test_reviews_and_a_return_in_parallel_neither_deadlock_nor_half_apply(ready):
    application, lead, officer = ready
    services.application_submit(application=application, by=lead)
    items = list(Evidence.objects.filter(application=application))
    calls = [
        (
            lambda e=e: services.evidence_review(
                evidence=e, by=officer, decision="accepted", seen_status=Evidence.Status.SUBMITTED
            )
        )
        for e in items
    ]
    calls.append(lambda: services.application_return(application=application, by=officer, note="More please"))
    results = run_together(calls)
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, WorkflowError)]
    application.refresh_from_db()
    assert application.status == Application.Status.EVIDENCING
    # Every review either happened whole (accepted, with its history row) or not at all.
    for evidence in Evidence.objects.filter(application=application):
        accepted_rows = evidence.events.filter(action="accepted").count()
        assert (evidence.status == Evidence.Status.ACCEPTED) == (accepted_rows == 1)
