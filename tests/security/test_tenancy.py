"""The tenancy sweep: every URL that takes an object argument, for every kind of person.

Cases live beside each app's tests, in `tests/<app>/sweep.py` (see sweeping.py). For
each: anonymous → sign-in redirect; a member of another organisation → 404 (never a 403
that confirms the object exists); a signed-in person with no organisation → 404; the
right person → success; an officer → success (or 404 where officers must not look).
A URL pattern with arguments that no sweep module covers or exempts fails
`test_every_object_url_is_swept`, so a new URL cannot skip the sweep.
"""

import importlib
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse

from ppp.accounts.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, make_officer
from tests.two_factor import incident_staff_have_two_factor

from .sweeping import World
from .urls import all_patterns

SWEEP, EXEMPT = {}, {}
for module_path in sorted(Path(__file__).resolve().parents[1].glob("*/sweep.py")):
    module = importlib.import_module(f"tests.{module_path.parent.name}.sweep")
    SWEEP.update(module.SWEEP)
    EXEMPT.update(getattr(module, "EXEMPT", {}))

EXEMPT_NAMESPACES = {
    "admin:": "the admin site: staff with two-factor only, tested in tests/accounts/test_admin.py",
}


@pytest.fixture
def world(db):
    # Leads and incident staff have two-factor set up, as incident pages require (ADR 0031).
    with incident_staff_have_two_factor():
        school_a = OrganisationFactory(name="Sweep School A")
        school_b = OrganisationFactory(name="Sweep School B")
        yield World(
            school_a=school_a,
            school_b=school_b,
            alice=MembershipFactory(organisation=school_a, role=Membership.Role.LEAD).user,
            bob=MembershipFactory(organisation=school_a).user,
            charlie=MembershipFactory(organisation=school_b, role=Membership.Role.LEAD).user,
            officer=make_officer("sweep-officer@example.org"),
        )


def test_every_object_url_is_swept():
    unswept = [
        f"{p.name} ({p.route})"
        for p in all_patterns()
        if p.takes_arguments
        and p.name not in SWEEP
        and p.name not in EXEMPT
        and not any(p.name.startswith(ns) for ns in EXEMPT_NAMESPACES)
    ]
    assert not unswept, (
        "These URL patterns take arguments but no tests/<app>/sweep.py covers them "
        "(SWEEP) or exempts them with a reason (EXEMPT):\n  " + "\n  ".join(unswept)
    )


def test_sweep_names_only_real_urls():
    names = {p.name for p in all_patterns()}
    assert not (set(SWEEP) | set(EXEMPT)) - names


def test_every_post_case_checks_its_effect():
    missing = [name for name, case in SWEEP.items() if case.method == "post" and case.effect is None]
    assert not missing, f"These POST sweep cases check only the status code, not what happened: {missing}"


def _request(client, name, world, *, expect_effect: bool):
    """Make the case's request; for a POST, check it took effect exactly when it should."""
    case = SWEEP[name]
    with transaction.atomic():
        kwargs = case.kwargs(world)
        url = reverse(name, kwargs=kwargs)
        data = case.data(world) if callable(case.data) else case.data
    response = getattr(client, case.method)(url, data)
    if case.effect is not None:
        happened = case.effect(world, kwargs)
        assert happened == expect_effect, (
            f"{name}: the action {'did not take' if expect_effect else 'took'} effect (status {response.status_code})"
        )
    return response


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_anonymous_is_sent_to_sign_in(client, world, name):
    response = _request(client, name, world, expect_effect=False)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_member_of_another_organisation_gets_404(client, world, name):
    client.force_login(world.charlie)
    assert _request(client, name, world, expect_effect=False).status_code == SWEEP[name].stranger


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_signed_in_person_without_organisation_gets_404(client, world, name):
    client.force_login(UserFactory())
    assert _request(client, name, world, expect_effect=False).status_code == SWEEP[name].stranger


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_right_person_succeeds(client, world, name):
    case = SWEEP[name]
    client.force_login(getattr(world, case.owner))
    response = _request(client, name, world, expect_effect=True)
    assert response.status_code == case.success, response.content[:500]


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_officer_gets_what_officers_should(client, world, name):
    case = SWEEP[name]
    client.force_login(world.officer)
    expected = case.officer if case.officer is not None else case.success
    officer_allowed = (
        case.officer_may
        if case.officer_may is not None
        else case.owner == "officer" or case.officer is None or case.officer == case.success
    )
    assert _request(client, name, world, expect_effect=officer_allowed).status_code == expected


@pytest.mark.parametrize("name", sorted(n for n, c in SWEEP.items() if c.method == "post"))
def test_a_strangers_get_of_an_action_says_nothing_and_does_nothing(client, world, name):
    """Actions that answer GET with an "Are you sure?" page show it only to people who may
    act: a stranger gets the same answer as for the POST (or 405), and nothing changes."""
    case = SWEEP[name]
    client.force_login(world.charlie)
    with transaction.atomic():
        kwargs = case.kwargs(world)
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code in (405, case.stranger)
    assert not case.effect(world, kwargs)


@pytest.mark.parametrize("name", sorted(n for n, c in SWEEP.items() if c.method == "post"))
def test_the_right_persons_get_of_an_action_changes_nothing(client, world, name):
    """A GET (a confirmation page, a link preview, a prefetch) never acts."""
    case = SWEEP[name]
    client.force_login(getattr(world, case.owner))
    with transaction.atomic():
        kwargs = case.kwargs(world)
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code in (200, 302, 405)
    assert not case.effect(world, kwargs)
