"""The tenancy sweep: every URL that takes an object argument, for every kind of person.

For each entry in SWEEP: anonymous → sign-in redirect; a member of another
organisation → 404 (never a 403 that confirms the object exists); the right person →
success. A URL pattern with arguments that is neither in SWEEP nor in EXEMPT (with the
reason) fails `test_every_object_url_is_swept`, so new URLs cannot skip the sweep.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from ppp.accounts.models import Invitation, Membership
from ppp.accounts.services import invitation_create
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, make_officer

from .urls import all_patterns


@dataclass
class World:
    """School A (alice leads, bob is a member, an invitation is pending) and School B (charlie)."""

    school_a: object
    school_b: object
    alice: object
    bob: object
    charlie: object
    officer: object
    bob_membership: Membership
    invitation: Invitation


@pytest.fixture
def world(db):
    school_a = OrganisationFactory(name="Sweep School A")
    school_b = OrganisationFactory(name="Sweep School B")
    alice = MembershipFactory(organisation=school_a, role=Membership.Role.LEAD).user
    bob_membership = MembershipFactory(organisation=school_a)
    charlie = MembershipFactory(organisation=school_b, role=Membership.Role.LEAD).user
    officer = make_officer("sweep-officer@example.org")
    invitation = invitation_create(
        organisation=school_a, email="new@a.example", role=Membership.Role.MEMBER, by=alice
    ).invitation
    return World(school_a, school_b, alice, bob_membership.user, charlie, officer, bob_membership, invitation)


@dataclass
class Case:
    kwargs: Callable[[World], dict]
    method: str = "get"
    owner: str = "alice"  # who may use it; "stranger" is always charlie from School B
    success: int = 200
    data: dict = field(default_factory=dict)


SWEEP: dict[str, Case] = {
    "accounts:organisation-detail": Case(lambda w: {"slug": w.school_a.slug}),
    "accounts:organisation-invite": Case(lambda w: {"slug": w.school_a.slug}),
    "accounts:membership-remove": Case(
        lambda w: {"slug": w.school_a.slug, "membership": w.bob_membership.public_id}, method="post", success=302
    ),
    "accounts:membership-make-lead": Case(
        lambda w: {"slug": w.school_a.slug, "membership": w.bob_membership.public_id}, method="post", success=302
    ),
    "accounts:invitation-revoke": Case(
        lambda w: {"slug": w.school_a.slug, "invitation": w.invitation.public_id}, method="post", success=302
    ),
}

# URL patterns with arguments that are not organisation-owned objects, and why.
EXEMPT_NAMESPACES = {
    "admin:": "the admin site: staff with two-factor only, tested in tests/accounts/test_admin.py",
}
EXEMPT: dict[str, str] = {
    "accounts:invitation-accept": "a secret token link for someone without an account yet; "
    "tests/accounts/test_invitations.py covers unknown, used and expired tokens",
    "account_confirm_email": "allauth's email confirmation key link (email verification is off)",
    "account_reset_password_from_key": "allauth's password-reset token link",
}


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
        "These URL patterns take arguments but are not in the tenancy sweep "
        "(tests/security/test_tenancy.py SWEEP) nor exempted with a reason:\n  " + "\n  ".join(unswept)
    )


def test_sweep_names_only_real_urls():
    names = {p.name for p in all_patterns()}
    assert not (set(SWEEP) | set(EXEMPT)) - names


def _request(client, name, case, world):
    url = reverse(name, kwargs=case.kwargs(world))
    return getattr(client, case.method)(url, case.data)


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_anonymous_is_sent_to_sign_in(client, world, name):
    response = _request(client, name, SWEEP[name], world)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_member_of_another_organisation_gets_404(client, world, name):
    members_before = Membership.objects.count()
    client.force_login(world.charlie)
    response = _request(client, name, SWEEP[name], world)
    assert response.status_code == 404
    assert Membership.objects.count() == members_before


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_signed_in_stranger_without_organisation_gets_404(client, world, name):
    client.force_login(UserFactory())
    assert _request(client, name, SWEEP[name], world).status_code == 404


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_right_person_succeeds(client, world, name):
    case = SWEEP[name]
    client.force_login(getattr(world, case.owner))
    response = _request(client, name, case, world)
    assert response.status_code == case.success, response.content[:500]


@pytest.mark.parametrize("name", sorted(SWEEP))
def test_officer_succeeds(client, world, name):
    case = SWEEP[name]
    client.force_login(world.officer)
    assert _request(client, name, case, world).status_code == case.success
