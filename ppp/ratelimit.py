"""A small fixed-window rate limit on the cache, for public pages that could be scraped
or abused (certificate verification, public forms).

Written here rather than taken from django-ratelimit because that library refuses to
start on a local-memory cache (its check E003), and `make run` must work with no Redis.
With several app servers, set REDIS_URL so the limit is shared.
"""

import functools
import time

from django.core.cache import cache
from django.shortcuts import render

from ppp.audit.services import client_ip


def hit(key: str, *, limit: int, window: int) -> bool:
    """Count one hit on `key`; False once more than `limit` hits fall in this window."""
    bucket = f"ratelimit:{key}:{int(time.time() // window)}"
    if cache.add(bucket, 1, timeout=window + 1):
        return True
    try:
        return cache.incr(bucket) <= limit
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window + 1)
        return True


def ratelimit(name: str, *, limit: int, window: int = 60, methods=("GET", "POST")):
    """Allow `limit` requests per `window` seconds per client address; then a 429 page."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and not hit(f"{name}:{client_ip(request)}", limit=limit, window=window):
                response = render(request, "errors/429.html", status=429)
                response["Retry-After"] = str(window)
                return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
