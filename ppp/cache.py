"""PPP's two cache backends (settings.CACHES):

`DatabaseCache`: Django's database cache with atomic `add` and `incr`, so rate limits hold
across every server process without Redis, and writes of one statement.

Django's own DatabaseCache reads and then writes: two processes counting the same
rate-limit key at the same moment can both read 7 and both write 8, and two that `add`
an expired key can both succeed. On PostgreSQL these two operations are single
statements here (an upsert, and a row lock around the increment), which is what
django-ratelimit and allauth's used-code check need. Other databases (SQLite in
development: one process) keep Django's behaviour.

Django's `set` also counts the whole table before every write (to cull it past
MAX_ENTRIES) and then reads, inserts or updates in a transaction: four statements and a
commit for each page a visitor is the first to see. Here `set` is one upsert, and the
table is counted (and culled past MAX_ENTRIES as Django does) once every CULL_EVERY
writes of a process, and a read is one SELECT of live rows (Django's deletes the expired
rows it finds, a write in the middle of a page view). On PostgreSQL the table is UNLOGGED
(migration ppp 0003): a cache write's commit waits for no disk flush, and after a crash the
cache starts empty (docs/adr 0056 says what that costs).

`RedisCache`: Django's Redis cache that rides out a Redis outage. A cache that is down
slows PPP down and never fails a request: a read is a miss, a write is dropped, `add`
answers "added" and `incr` counts from nothing, each logged. The public page cache works
through it (pages are drawn fresh), and so do allauth's own limits and its note of used
two-factor codes, which therefore allow while Redis is down (sign-in failures are still
counted and locked by django-axes, in the database). PPP's rate limits count on the
`ratelimit` alias instead, a plain RedisCache that raises, so each limit decides for
itself which way to fail (ppp/ratelimit.py). docs/adr records why.
"""

import base64
import logging
import pickle
from datetime import UTC, datetime

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.db import connections, router, transaction
from django.utils.timezone import now
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# What a cache that cannot be reached raises: Redis down, refusing, or too slow to answer.
CACHE_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)

logger = logging.getLogger(__name__)


class DatabaseCache(DjangoDatabaseCache):
    _table: str  # Django's: the quoted name of the cache table (django-stubs leaves it out)
    _max_entries: int  # Django's (MAX_ENTRIES)
    # How many writes (set, add) a process makes between counting the table to cull it.
    CULL_EVERY = 100
    _writes = 0

    def _connection(self):
        return connections[router.db_for_write(self.cache_model_class)]

    def _expiry(self, timeout):
        timeout = self.get_backend_timeout(timeout)
        expires = datetime.max.replace(tzinfo=UTC) if timeout is None else datetime.fromtimestamp(timeout, tz=UTC)
        return expires.replace(microsecond=0)

    def _encode(self, value) -> str:
        return base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")

    def _cull_now_and_then(self, connection) -> None:
        """Every CULL_EVERY writes, Django's cull: past MAX_ENTRIES rows, the expired ones
        go, then a share of the rest (CULL_FREQUENCY)."""
        self._writes += 1
        if self._writes < self.CULL_EVERY:
            return
        self._writes = 0
        table = connection.ops.quote_name(self._table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - table name from settings
            rows = cursor.fetchone()[0]
            if rows > self._max_entries:
                self._cull(connection.alias, cursor, now().replace(microsecond=0), rows)  # type: ignore[attr-defined]

    def get_many(self, keys, version=None):
        """One SELECT of the rows still live. Django's reads expired rows too and deletes
        them there and then: a write, and its commit, in the middle of a page view, for a
        row the next `set` of that key overwrites anyway (and the cull removes otherwise)."""
        connection = self._connection()
        if connection.vendor != "postgresql" or not keys:
            return super().get_many(keys, version)
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        table = connection.ops.quote_name(self._table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT cache_key, value FROM {table} WHERE cache_key = ANY(%s) AND expires >= %s",  # noqa: S608 - table name from settings
                [list(key_map), now()],
            )
            rows = cursor.fetchall()
        return {key_map[key]: pickle.loads(base64.b64decode(value.encode())) for key, value in rows}  # noqa: S301 - our own cache rows

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        """A new expiry for a live row only: expired rows are no longer deleted when read
        (get_many), and Django's `touch` would bring one back to life."""
        connection = self._connection()
        if connection.vendor != "postgresql":
            return super().touch(key, timeout, version)
        key = self.make_and_validate_key(key, version=version)
        table = connection.ops.quote_name(self._table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET expires = %s WHERE cache_key = %s AND expires >= %s",  # noqa: S608 - table name from settings
                [self._expiry(timeout), key, now()],
            )
            return cursor.rowcount == 1

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        connection = self._connection()
        if connection.vendor != "postgresql":
            super().set(key, value, timeout, version)
            return
        key = self.make_and_validate_key(key, version=version)
        table = connection.ops.quote_name(self._table)
        self._cull_now_and_then(connection)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608 - table name from settings
                f"ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires",
                [key, self._encode(value), self._expiry(timeout)],
            )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        connection = self._connection()
        if connection.vendor != "postgresql":
            return super().add(key, value, timeout, version)
        key = self.make_and_validate_key(key, version=version)
        table = connection.ops.quote_name(self._table)
        self._cull_now_and_then(connection)
        with connection.cursor() as cursor:
            # Insert, or take over a row that has expired; a live row is left alone.
            cursor.execute(
                f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608 - table name from settings
                f"ON CONFLICT (cache_key) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires "
                f"WHERE {table}.expires < %s RETURNING cache_key",
                [key, self._encode(value), self._expiry(timeout), now()],
            )
            return cursor.fetchone() is not None

    def incr(self, key, delta=1, version=None):
        connection = self._connection()
        if connection.vendor != "postgresql":
            return super().incr(key, delta, version)
        key = self.make_and_validate_key(key, version=version)
        table = connection.ops.quote_name(self._table)
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value FROM {table} WHERE cache_key = %s AND expires >= %s FOR UPDATE",  # noqa: S608
                [key, now()],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta  # noqa: S301 - our own cache rows
            cursor.execute(f"UPDATE {table} SET value = %s WHERE cache_key = %s", [self._encode(value), key])  # noqa: S608
        return value


def _soft(fallback):
    """The wrapped method's answer, or `fallback(*args)` when Redis cannot be reached."""

    def decorator(method):
        def wrapped(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except CACHE_UNAVAILABLE as error:
                logger.warning("Cache unavailable, %s went without it: %s", method.__name__, error)
                return fallback(*args, **kwargs)

        wrapped.__name__ = method.__name__
        return wrapped

    return decorator


class RedisCache(DjangoRedisCache):
    """Redis, and when Redis cannot be reached, no cache at all (see the module's notes)."""

    get = _soft(lambda key, default=None, version=None: default)(DjangoRedisCache.get)
    get_many = _soft(lambda keys, version=None: {})(DjangoRedisCache.get_many)
    has_key = _soft(lambda *args, **kwargs: False)(DjangoRedisCache.has_key)
    set = _soft(lambda *args, **kwargs: None)(DjangoRedisCache.set)
    set_many = _soft(lambda data, *args, **kwargs: list(data))(DjangoRedisCache.set_many)
    add = _soft(lambda *args, **kwargs: True)(DjangoRedisCache.add)
    incr = _soft(lambda key, delta=1, version=None: delta)(DjangoRedisCache.incr)
    touch = _soft(lambda *args, **kwargs: False)(DjangoRedisCache.touch)
    delete = _soft(lambda *args, **kwargs: False)(DjangoRedisCache.delete)
    delete_many = _soft(lambda *args, **kwargs: None)(DjangoRedisCache.delete_many)
    clear = _soft(lambda *args, **kwargs: False)(DjangoRedisCache.clear)
