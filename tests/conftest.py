"""Named people, as in healthchecks' tests:

- alice: lead of School A       - bob: member of School A
- charlie: lead of School B (a stranger to School A, who must get 404 there)
- officer: council officer with two-factor set up
"""

import shutil
from io import StringIO

import pytest
from django.core.management import call_command

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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database commits without waiting for the disk (synchronous_commit off):
    a commit is seen by every other connection at once as before, and only a crash of the
    machine could lose the last ones, which no test needs. Every committing test (the
    browser tests, the live-server and two-server tests, the worker's) commits thousands of
    times; each waited ~4 ms for the disk."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            name = connection.ops.quote_name(connection.settings_dict["NAME"])
            cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")  # new connections
            cursor.execute("SET synchronous_commit = off")  # this one
    return django_db_setup


@pytest.fixture(scope="session")
def _demo_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """`seed_demo --force` (DEBUG off) run once per session, on PostgreSQL into a copy of
    the empty test database ("<test database>_demo"), and its output: see `demo`."""
    from django.db import DEFAULT_DB_ALIAS, connection, connections
    from django.test.utils import override_settings

    media = tmp_path_factory.mktemp("demo-media")
    seeding = override_settings(
        DEBUG=False,  # and so run with --force, as tests/accounts/test_commands.py expects
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        MEDIA_ROOT=media,
    )
    if connection.vendor != "postgresql":
        yield None  # the demo fixture seeds inside each test instead
        return
    source = connection.settings_dict["NAME"]
    clone = connection.creation.get_test_db_clone_settings("demo")
    with django_db_blocker.unblock():
        connection.close()  # CREATE DATABASE ... TEMPLATE needs the source to itself
        with connection.creation._nodb_cursor() as cursor:
            quote = connection.ops.quote_name
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [source],
            )
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(clone['NAME'])}")
            cursor.execute(f"CREATE DATABASE {quote(clone['NAME'])} TEMPLATE {quote(source)}")
        original = connections[DEFAULT_DB_ALIAS]
        wrapper = type(original)(clone, DEFAULT_DB_ALIAS)
        connections[DEFAULT_DB_ALIAS] = wrapper
        try:
            out = StringIO()
            with seeding:
                call_command("seed_demo", "--force", stdout=out)
        finally:
            connections[DEFAULT_DB_ALIAS] = original
            wrapper.close()
    yield {"settings": clone, "output": out.getvalue(), "media": media}
    with django_db_blocker.unblock(), connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(clone['NAME'])}")


@pytest.fixture
def demo(db, _demo_database, settings):
    """The demo data (`seed_demo`), made once per session: the test runs in a transaction,
    rolled back afterwards, on the database seed_demo filled (and with its uploaded files
    in the test's MEDIA_ROOT). Returns what that first seed_demo printed.

    seed_demo takes tens of seconds (it writes through the services, ~19,000 queries), and
    several tests need its data: they share one run. The tests that run it a second time
    (idempotence) still do, on top of this one."""
    from django.db import DEFAULT_DB_ALIAS, connections, transaction

    if _demo_database is None:  # not PostgreSQL: seed here, inside the test's transaction
        out = StringIO()
        call_command("seed_demo", force=True, stdout=out)
        yield out.getvalue()
        return
    shutil.copytree(_demo_database["media"], settings.MEDIA_ROOT, dirs_exist_ok=True)
    original = connections[DEFAULT_DB_ALIAS]
    wrapper = type(original)(_demo_database["settings"], DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = wrapper
    atomic = transaction.atomic(using=DEFAULT_DB_ALIAS)
    atomic.__enter__()
    try:
        yield _demo_database["output"]
    finally:
        transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
        atomic.__exit__(None, None, None)
        wrapper.close()
        connections[DEFAULT_DB_ALIAS] = original


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
def _cull_count_from_zero():
    """The database cache counts its table once every CULL_EVERY writes of a process
    (ppp.cache), so which request makes that query depended on how many writes the tests
    before had made: a query count asserted in one test could change when another test was
    added. Each test starts from zero, so a test that writes fewer times never meets it
    (tests/platform/test_database_cache.py tests the counting itself)."""
    from django.core.cache import caches

    for alias in ("default", "ratelimit"):
        backend = caches[alias]
        if "_writes" in vars(type(backend)):
            backend._writes = 0


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
