"""Short-lived caching of public pages that many people read and that change rarely
(the award holders, the charter register, the charter itself).

    from ppp.pagecache import cache_public_page, invalidate_on_commit

    @require_GET
    @cache_public_page("award-holders")
    def award_holders(request): ...

    # in the service that changes what the page shows, inside its transaction:
    invalidate_on_commit("award-holders")

Figures and lists that many requests read the same way (the caseload's counts and
panels, the charter's figures) are kept under a name the same way, with `kept`:

    kept("caseload", "status-counts", build_counts, 120)

A drawn piece of a signed-in page is kept with `kept_html`, for the person in its key
(the school's award page: `award-page:<organisation>`, per person, application and day).

A page is kept for PUBLIC_PAGE_CACHE_SECONDS (60 by default) under its name, its path
and its query string (parameters sorted, so ?a=1&b=2 and ?b=2&a=1 are one entry). Each
name has a version in the cache; `invalidate(name)` gives it a new one, so every entry
made before is ignored from then on, on every server. A hit is one cache read (the
version and the page together).

Of whole pages, only what is the same for everyone is kept: GET or HEAD, no session or
messages cookie (nobody signed in, no flash message waiting), a 200 answer that set no
cookie, used no CSRF token and no CSP nonce. Anything else is rendered as usual. The cache is the shared
one (settings.CACHES), so it must be the database or Redis: never a per-process cache.
"""

import functools
import hashlib
import re
import uuid
import zlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token

VERSION_PREFIX = "pagecache:version:"
PAGE_PREFIX = "pagecache:page:"
KEPT_PREFIX = "pagecache:kept:"
_MISSING = object()
PENDING_ATTRIBUTE = "ppp_pages_to_forget"  # on the database connection: names waiting for its commit


def _timeout() -> int:
    return getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 60)


def page_key(name: str, request) -> str:
    query = urlencode(sorted((k, v) for k, values in request.GET.lists() for v in values))
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()[:32]
    return f"{PAGE_PREFIX}{name}:{digest}"


def invalidate(*names: str) -> None:
    """Forget every cached copy of the pages called `names`, on every server."""
    cache.set_many({VERSION_PREFIX + name: uuid.uuid4().hex for name in names}, None)


def invalidate_on_commit(*names: str) -> None:
    """`invalidate(*names)` once the current transaction commits (at once outside one).
    However many changes in one transaction ask (an import saving 25,000 rows), the names
    are forgotten together by the first callback; the rest find nothing left to do."""
    connection = transaction.get_connection()
    connection.__dict__.setdefault(PENDING_ATTRIBUTE, set()).update(names)
    transaction.on_commit(_invalidate_pending)


def current_version(name: str) -> str:
    """The version of `name`'s pages: figures kept under it are forgotten with them."""
    return cache.get(VERSION_PREFIX + name, "")


def kept(name: str, key: str, build, timeout: int):
    """`build()`'s answer, kept in the shared cache for `timeout` seconds under `name` and
    `key`, and forgotten with `name` (invalidate / invalidate_on_commit). One cache read
    (the answer and the name's version together) when it is there. Off, building every
    time, when PUBLIC_PAGE_CACHE_SECONDS is 0 (as under pytest, where a test's changes
    never commit)."""
    if _timeout() <= 0:
        return build()
    entry_key = f"{KEPT_PREFIX}{name}:{key}"
    value, version = _read(entry_key, name)
    if value is _MISSING:
        value = build()
        cache.set(entry_key, (version, value), timeout)
    return value


# A form's CSRF token is made from the browser's own secret, so a kept piece of a page keeps
# this in its place (escaped text can never contain "<") and each answer gets its own.
_CSRF_INPUT = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_STAND_IN = "<csrf-token>"


def kept_html(name: str, key: str, draw, timeout: int, request) -> str:
    """`kept` for a drawn piece of a signed-in page (HTML): kept without its forms' CSRF
    tokens, and served with the asking browser's own, so one copy serves every browser of
    the person it was drawn for (put who it is for in `key`). Kept compressed: a 28 KB
    award page is 5 KB in the cache (0.3 ms to pack when drawn, 0.04 ms to unpack)."""

    def packed() -> bytes:
        return zlib.compress(_CSRF_INPUT.sub(rf"\g<1>{_CSRF_STAND_IN}\g<2>", draw()).encode())

    html = zlib.decompress(kept(name, key, packed, timeout)).decode()
    return html.replace(_CSRF_STAND_IN, get_token(request)) if _CSRF_STAND_IN in html else html


def _read(entry_key: str, name: str):
    """(what is kept at `entry_key` under `name`'s current version, or _MISSING; that
    version), in one cache read."""
    version_key = VERSION_PREFIX + name
    found = cache.get_many([entry_key, version_key])
    version = found.get(version_key, "")
    entry = found.get(entry_key)
    return (entry[1] if entry is not None and entry[0] == version else _MISSING), version


def _invalidate_pending() -> None:
    names = transaction.get_connection().__dict__.pop(PENDING_ATTRIBUTE, set())
    if names:
        invalidate(*sorted(names))


def _cacheable_request(request) -> bool:
    return (
        _timeout() > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and getattr(settings, "MESSAGES_COOKIE_NAME", "messages") not in request.COOKIES
    )


def _storable(request, response) -> bool:
    return (
        response.status_code == 200
        and not getattr(response, "streaming", False)
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and getattr(request, "_csp_nonce", None) is None
        and not (getattr(request, "user", None) is not None and request.user.is_authenticated)
    )


def cache_public_page(name: str, timeout: int | None = None):
    """Keep the view's anonymous answers for `timeout` seconds (PUBLIC_PAGE_CACHE_SECONDS)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            key = page_key(name, request)
            page, version = _read(key, name)
            if page is not _MISSING:
                content_type, content = page
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if _storable(request, response):
                cache.set(key, (version, (response["Content-Type"], response.content)), timeout or _timeout())
            return response

        return wrapped

    return decorator
