"""Named people, as in healthchecks' tests:

- alice: lead of School A       - bob: member of School A
- charlie: lead of School B (a stranger to School A, who must get 404 there)
- officer: council officer with two-factor set up
"""

import pytest

from ppp.accounts.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory, make_officer


def pytest_collection_modifyitems(config, items):
    """Every test that commits (transaction=True) must restore the data migrations' rows
    afterwards (serialized_rollback=True): otherwise the flush after it recreates content
    types, and the next test that restores the snapshot fails on duplicates."""
    careless = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None:
            continue
        transactional = marker.kwargs.get("transaction") or "transactional_db" in item.fixturenames
        restores = marker.kwargs.get("serialized_rollback") or "django_db_serialized_rollback" in item.fixturenames
        if transactional and not restores:
            careless.append(item.nodeid)
    if careless:
        raise pytest.UsageError(
            "Use @pytest.mark.django_db(transaction=True, serialized_rollback=True) for: " + ", ".join(careless)
        )


@pytest.fixture(autouse=True)
def _fresh_cache(request, django_db_blocker):
    """The cache is a database table that a test's flush leaves alone: a test that commits
    (browser tests, several processes) starts and ends with it empty, or one test's
    rate-limit counts and used two-factor codes would leak into the next (a code used by a
    committing test was refused to the next test that signed in with it)."""
    marker = request.node.get_closest_marker("django_db")
    commits = marker is not None and marker.kwargs.get("transaction") or "transactional_db" in request.fixturenames
    if commits:
        from django.core.cache import cache

        with django_db_blocker.unblock():
            cache.clear()
    yield
    if commits:
        with django_db_blocker.unblock():
            cache.clear()


@pytest.fixture(autouse=True)
def _fast_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def school_a(db):
    return OrganisationFactory(name="School A Primary")


@pytest.fixture
def school_b(db):
    return OrganisationFactory(name="School B Academy")


@pytest.fixture
def alice(school_a):
    return MembershipFactory(
        organisation=school_a, role=Membership.Role.LEAD, user__email="alice@a.example", user__full_name="Alice Lead"
    ).user


@pytest.fixture
def bob(school_a):
    return MembershipFactory(organisation=school_a, user__email="bob@a.example", user__full_name="Bob Member").user


@pytest.fixture
def charlie(school_b):
    return MembershipFactory(
        organisation=school_b,
        role=Membership.Role.LEAD,
        user__email="charlie@b.example",
        user__full_name="Charlie Lead",
    ).user


@pytest.fixture
def officer(db):
    return make_officer()
