"""Rate limits for public pages that could be scraped or abused (certificate checks,
public forms), from django-ratelimit on the shared cache's `ratelimit` alias (settings.CACHES).

`@limited("verify", "30/m", cache_down=ALLOW)` allows 30 requests a minute per client
address (`ppp.audit.services.client_ip`, which knows about trusted proxies); the next one
gets the 429 page (`ppp.views.too_many_requests`, via RatelimitMiddleware). For a limit that
counts only some requests (complete sign-ups, say), call `over_limit` where it applies.

Every limit says which way it fails when the cache cannot be reached (Redis down): ALLOW
lets the request through uncounted, REFUSE answers as if the limit were reached. Choose by
what the limit protects: a limit that only slows scraping or guessing of long secrets
allows, so an outage never takes a public page or a child's report away; a limit that stops
a stranger from making PPP send email to addresses they type refuses, because a request
refused can be tried again and an email sent cannot be taken back. docs/adr records each.
"""

import functools
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from ppp.cache import CACHE_UNAVAILABLE

ALL_METHODS = ("GET", "POST")
ALLOW, REFUSE = "allow", "refuse"

logger = logging.getLogger(__name__)


def limited(group: str, rate: str, *, cache_down: str, methods=ALL_METHODS, key="ip"):
    """Decorator: at most `rate` ("30/m", "5/h") requests per address (or per signed-in
    person: `key="user"`) to the views in `group`, counting only `methods`; `cache_down`
    (ALLOW or REFUSE) when the count cannot be kept."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if over_limit(request, group, rate, cache_down=cache_down, methods=methods, key=key):
                raise Ratelimited()
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def over_limit(
    request, group: str, rate: str, *, cache_down: str, key="ip", increment: bool = True, methods=ALL_METHODS
) -> bool:
    """Count this request towards `group`'s limit (unless `increment` is False: only ask);
    True once it is over. `key` is django-ratelimit's ("ip", or a callable). When the
    cache cannot be reached: True if `cache_down` is REFUSE, else False."""
    if cache_down not in (ALLOW, REFUSE):
        raise ValueError(f"cache_down must be ALLOW or REFUSE, not {cache_down!r}")
    try:
        return is_ratelimited(request, group=group, key=key, rate=rate, method=list(methods), increment=increment)
    except CACHE_UNAVAILABLE as error:
        logger.warning("Rate limit %s not counted (%s), the cache is down: %s", group, cache_down, error)
        return cache_down == REFUSE


def count_towards(group: str, key: str, limit: int, window: int, *, cache_down: str) -> bool:
    """Add one to `group`'s count for `key` in this `window` (seconds) and say whether it is
    now over `limit`. The count is made first, atomically (cache add, then incr), and the
    answer read from it: parallel requests can never let more than `limit` through, as a
    check made before counting would. `key` is stored only as a hash."""
    if cache_down not in (ALLOW, REFUSE):
        raise ValueError(f"cache_down must be ALLOW or REFUSE, not {cache_down!r}")
    cache_key = _counter_key(group, key, window)
    cache = caches[settings.RATELIMIT_USE_CACHE]
    try:
        for _attempt in range(2):
            cache.add(cache_key, 0, window + 60)
            try:
                return cache.incr(cache_key) > limit
            except ValueError:  # the window's row expired between add and incr: once more
                continue
        return cache_down == REFUSE
    except CACHE_UNAVAILABLE as error:
        logger.warning("Rate limit %s not counted (%s), the cache is down: %s", group, cache_down, error)
        return cache_down == REFUSE


def uncount(group: str, key: str, window: int) -> None:
    """Take back one counted by `count_towards` (an attempt that turned out not to count)."""
    cache = caches[settings.RATELIMIT_USE_CACHE]
    try:
        cache.decr(_counter_key(group, key, window))
    except (ValueError, *CACHE_UNAVAILABLE):
        pass


def _counter_key(group: str, key: str, window: int) -> str:
    digest = hashlib.sha256(f"{group}:{key}".encode()).hexdigest()[:40]
    return f"ppp-limit:{group}:{int(time.time() // window)}:{digest}"
