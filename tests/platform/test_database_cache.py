"""ppp.cache.DatabaseCache on PostgreSQL: Django's database cache whose writes are one
statement each, in an UNLOGGED table, culled now and then rather than counted each time."""

import time

import pytest
from django.core.cache import caches
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache():
    cache = caches["default"]
    cache.clear()
    return cache


def test_the_cache_table_is_unlogged():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'ppp_cache'")
        assert cursor.fetchone() == ("u",)


def test_set_is_one_statement_and_reads_back(cache, django_assert_num_queries):
    with django_assert_num_queries(1):
        cache.set("page", {"html": "<p>one</p>"}, 60)
    with django_assert_num_queries(1):
        cache.set("page", {"html": "<p>two</p>"}, 60)  # replaces the row
    assert cache.get("page") == {"html": "<p>two</p>"}
    cache.set_many({"a": 1, "b": 2}, None)
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}


def test_a_kept_value_expires(cache):
    cache.set("soon", "gone", 1)
    assert cache.get("soon") == "gone"
    time.sleep(2.1)
    assert cache.get("soon", "missing") == "missing"


def _expire(key: str) -> None:
    """Make `key`'s row half an hour past its expiry, as the database's clock reads it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ppp_cache SET expires = now() - interval '30 minutes' WHERE cache_key = %s",
            [caches["default"].make_and_validate_key(key)],
        )


def test_reading_an_expired_row_writes_nothing_and_the_next_set_replaces_it(cache, django_assert_num_queries):
    cache.set("page", "old", 60)
    cache.set("live", "kept", 60)
    _expire("page")
    with django_assert_num_queries(1):  # Django's own read would also DELETE the expired row
        assert cache.get_many(["page", "live", "never"]) == {"live": "kept"}
    with django_assert_num_queries(1):
        assert cache.get("page", "missing") == "missing"
    cache.set("page", "new", 60)
    assert cache.get("page") == "new"


def test_touch_gives_a_live_row_a_new_expiry_and_never_revives_an_expired_one(cache):
    cache.set("live", 1, 60)
    cache.set("gone", 2, 60)
    _expire("gone")
    assert cache.touch("live", 3600) is True
    assert cache.touch("gone", 3600) is False
    assert cache.get_many(["live", "gone"]) == {"live": 1}


def test_add_leaves_a_live_row_and_takes_over_an_expired_one(cache):
    assert cache.add("limit", 1, 60) is True
    assert cache.add("limit", 5, 60) is False
    assert cache.incr("limit") == 2
    cache.set("old", 1, 1)
    time.sleep(2.1)
    assert cache.add("old", 7, 60) is True
    assert cache.get("old") == 7


def test_the_table_is_counted_and_culled_once_every_so_many_writes(cache, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(type(cache), "CULL_EVERY", 5)
    monkeypatch.setattr(cache, "_max_entries", 6)
    monkeypatch.setattr(cache, "_cull_frequency", 2)
    monkeypatch.setattr(cache, "_writes", 0)
    for n in range(4):
        with django_assert_num_queries(1):
            cache.set(f"k{n}", n, 60)
    with django_assert_num_queries(2):  # the count, then the write
        cache.set("k4", 4, 60)
    for n in range(5, 10):
        cache.add(f"k{n}", n, 60)  # the tenth write counts 9 rows: more than 6, culled by half
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM ppp_cache")
        assert cursor.fetchone()[0] < 9
