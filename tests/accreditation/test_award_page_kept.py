"""The award page is drawn once and kept per person, application and day (ppp.pagecache,
on as in production) until anything it shows changes: each change below is on the page at
the next view, through whichever door it came (a service, the admin's save, a signal)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accreditation import services
from accreditation.models import Criterion, Evidence
from tests.accreditation import factories as f


@pytest.fixture
def kept_on(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60


def _view(client, application) -> tuple[str, int]:
    """(the page, without the CSRF tokens each view masks afresh; its query count)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(application.get_absolute_url())
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode()), len(queries)


def test_the_page_is_drawn_once_then_read_from_the_cache(kept_on, client, alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    f.statement(application, alice, title="Anti-bullying policy")
    client.force_login(alice)
    first, drawn = _view(client, application)
    again, kept = _view(client, application)
    assert again == first and "Anti-bullying policy" in again
    assert kept <= 6 < drawn  # session, user, application, membership, award, one cache read


def test_each_person_has_their_own_copy_and_each_browser_its_own_tokens(kept_on, alice, officer, school_a):
    """Kept without its forms' CSRF tokens: another browser of the same person is served the
    kept copy with tokens made from its own secret, and its form goes through."""
    from django.test import Client
    from django.urls import reverse

    application = f.evidencing(school_a, alice, officer)
    lead = Client()
    lead.force_login(alice)
    lead_page, _ = _view(lead, application)
    first = Client(enforce_csrf_checks=True)
    first.force_login(officer)
    officer_page, drawn = _view(first, application)
    assert "Officer for this school" in officer_page and "Officer for this school" not in lead_page

    second = Client(enforce_csrf_checks=True)  # the officer's other browser
    second.force_login(officer)
    with CaptureQueriesContext(connection) as queries:
        page = second.get(application.get_absolute_url()).content.decode()
    assert len(queries) < drawn
    assign = page.split('action="' + reverse("accreditation:application-assign", args=[application.public_id]))[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', assign).group(1)
    assert "<csrf-token>" not in page
    response = second.post(
        reverse("accreditation:application-assign", args=[application.public_id]),
        {"csrfmiddlewaretoken": token, "assign-officer": officer.pk},
    )
    assert response.status_code == 302  # a token the kept copy did not hold: a 403 otherwise


def _add_evidence(application, alice, officer, school_a):
    f.statement(application, alice, title="Fresh evidence item")
    return "Fresh evidence item"


def _submit_evidence(application, alice, officer, school_a):
    evidence = f.statement(application, alice, title="Submitted item")
    services.evidence_submit(evidence=evidence, by=alice)
    return "Submitted"


def _link_another_criterion(application, alice, officer, school_a):
    evidence = Evidence.objects.get(application=application, title="Linked item")
    criteria = Criterion.objects.filter(standard__scheme=application.scheme).order_by("code")
    evidence.criteria.add(criteria.last())  # as the admin's form does: a signal, no service
    return ">Linked item</a>"  # now listed under two criteria


def _action(application, alice, officer, school_a):
    services.action_item_save(
        application=application,
        by=alice,
        action="Survey pupils",
        owner="Deputy",
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    return "1 overdue"


def _self_review(application, alice, officer, school_a):
    criterion = Criterion.objects.filter(standard__scheme=application.scheme).order_by("code").first()
    services.self_review_save(application=application, by=alice, ratings={criterion.pk: ("developing", "")})
    return "1 of"


def _visit(application, alice, officer, school_a):
    from accreditation.models import Visit

    visit = services.visit_request(
        application=application,
        by=alice,
        kind=Visit.Kind.MONITORING,
        mode=Visit.Mode.IN_PERSON,
        preferred=[timezone.now() + datetime.timedelta(days=14), timezone.now() + datetime.timedelta(days=15)],
    )
    return f'href="{visit.get_absolute_url()}"'


def _pledge(application, alice, officer, school_a):
    from tests.charter.factories import approved_pledge

    approved_pledge(school_a)
    return "Anti-Bullying Charter pledge</span>"


def _renamed(application, alice, officer, school_a):
    school_a.name = "School A Primary Academy"
    school_a.save()
    return "School A Primary Academy"


def _no_longer_lead(application, alice, officer, school_a):
    membership = alice.memberships.get(organisation=school_a)
    membership.role = membership.Role.MEMBER
    membership.save()
    return "Your lead submits them."


def _training_completed(application, alice, officer, school_a):
    from tests.training.factories import completed_session

    completed_session(school_a, alice, officer, attended=1)
    return "Training record: staff trained"


# Saved as the admin saves them: no service, so nothing touches the application's row.
def _evidence_retitled_in_the_admin(application, alice, officer, school_a):
    evidence = Evidence.objects.get(application=application, title="Linked item")
    evidence.title = "Retitled in the admin"
    evidence.save()
    return "Retitled in the admin"


def _history_written_in_the_admin(application, alice, officer, school_a):
    from accreditation.models import ApplicationEvent

    ApplicationEvent.objects.create(
        application=application, action=ApplicationEvent.Action.ASSIGNED, by=officer, note="Phoned the head"
    )
    return "Phoned the head"


CHANGES = [
    _evidence_retitled_in_the_admin,
    _history_written_in_the_admin,
    _add_evidence,
    _submit_evidence,
    _link_another_criterion,
    _action,
    _self_review,
    _visit,
    _pledge,
    _renamed,
    _no_longer_lead,
    _training_completed,
]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_a_change_to_what_the_page_shows_is_there_at_the_next_view(
    kept_on, client, alice, officer, school_a, change, django_capture_on_commit_callbacks
):
    application = f.evidencing(school_a, alice, officer)
    if change in (_link_another_criterion, _evidence_retitled_in_the_admin):
        f.statement(application, alice, title="Linked item")
    client.force_login(alice)
    before, _ = _view(client, application)
    with django_capture_on_commit_callbacks(execute=True):
        expected = change(application, alice, officer, school_a)
    after, _ = _view(client, application)
    assert after.count(expected) > before.count(expected)


def test_the_award_and_its_certificate_are_there_at_the_next_view(
    kept_on, client, alice, officer, school_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = f.assessment(school_a, alice, officer)
    client.force_login(alice)
    before, _ = _view(client, application)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_award(application=application, by=officer)
    after, _ = _view(client, application)
    assert "Download the certificate" not in before and "Download the certificate" in after


def test_a_new_day_draws_the_page_again(kept_on, client, alice, officer, school_a, monkeypatch):
    """Overdue actions and the incident term are the day's: tomorrow's page is drawn anew."""
    application = f.evidencing(school_a, alice, officer)
    client.force_login(alice)
    _view(client, application)
    _, kept = _view(client, application)
    tomorrow = timezone.localdate() + datetime.timedelta(days=31)  # the plan's action is due in 30
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    page, drawn = _view(client, application)
    assert drawn > kept and "1 overdue" in page


def test_a_form_with_errors_is_drawn_with_them_not_from_the_cache(kept_on, client, alice, officer, school_a):
    from django.urls import reverse

    application = f.evidencing(school_a, alice, officer)
    client.force_login(officer)
    _view(client, application)
    response = client.post(reverse("accreditation:application-assign", args=[application.public_id]), {})
    assert "There is a problem" in response.content.decode()
    assert Evidence.objects.count() == 0


def test_a_criterion_whose_evidence_is_cleared_from_its_side_is_drawn_again(
    kept_on, client, alice, officer, school_a, django_capture_on_commit_callbacks
):
    application = f.evidencing(school_a, alice, officer)
    criteria = list(Criterion.objects.filter(standard__scheme=application.scheme).order_by("code")[:2])
    f.statement(application, alice, criteria=criteria, title="Listed twice")
    client.force_login(alice)
    before, _ = _view(client, application)
    with django_capture_on_commit_callbacks(execute=True):
        criteria[1].evidence.clear()  # the criterion's side of the link, as a script might
    after, _ = _view(client, application)
    assert before.count(">Listed twice</a>") == 2 and after.count(">Listed twice</a>") == 1
