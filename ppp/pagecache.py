"""Short-lived caching of public pages that many people read and that change rarely
(the award holders, the charter register, the charter itself).

    from ppp.pagecache import cache_public_page, invalidate_on_commit

    @require_GET
    @cache_public_page("award-holders")
    def award_holders(request): ...

    # in the service that changes what the page shows, inside its transaction:
    invalidate_on_commit("award-holders")

A streamed answer (the training calendar feed) is passed on as it is drawn and kept
once its last chunk has been sent, if it stayed under STREAMED_PAGE_MAX_BYTES.

A page is kept for PUBLIC_PAGE_CACHE_SECONDS (60 by default) under its name, its path
and its query string (parameters sorted, so ?a=1&b=2 and ?b=2&a=1 are one entry). Each
name has a version in the cache; `invalidate(name)` gives it a new one, so every entry
made before is ignored from then on, on every server. A hit is one cache read (the
version and the page together).

Of whole pages, only what is the same for everyone is kept: GET or HEAD, no session or
messages cookie (nobody signed in, no flash message waiting), a 200 answer that set no
cookie, used no CSRF token and no CSP nonce. (A survey's pages of questions are kept for
people who have a session instead, never for someone signed in: `with_session`.) Anything
else is rendered as usual, and signed-in pages are never kept (docs/adr). The cache is the
shared one (settings.CACHES), so it must be the database or Redis: never a per-process cache.

Parts of such a page that are the same for every visitor whatever page they asked for (a
filter panel: the same choices and the same values chosen) can be kept as fragments with
Django's `{% cache %}`, keyed by `fragment_key(request, name, form)`: the page's version
(forgotten with the pages) and the values the form was given, so a panel is drawn once for
each set of choices, not once for every page of results.

A cache that is down slows these pages, never breaks them: PPP's Redis backend
(ppp.cache.RedisCache) answers a read with a miss and drops a write, so each page is drawn
fresh; and a name forgotten after a commit is forgotten by a robust callback, so a failure
there can never stop the callbacks after it (the emails) or turn a saved change into an
error page.
"""

import functools
import gzip
import hashlib
import uuid
import zlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import patch_vary_headers

VERSION_PREFIX = "pagecache:version:"
PAGE_PREFIX = "pagecache:page:"
_MISSING = object()
# Besides the content type, the headers a kept page is served with again.
KEPT_HEADERS = ("Content-Disposition",)
# Kept pages at least this big are kept compressed (_entry), at the fastest level, or at
# gzip's default level from COMPRESS_HARDER_FROM_BYTES: the national calendar feed (767 KB)
# is then 72 KB instead of 87 KB for 6 ms more, once a minute, and every hit sends less.
COMPRESS_FROM_BYTES = 2048
COMPRESS_HARDER_FROM_BYTES = 256 * 1024
# A streamed page (the training calendar feed) is kept only up to this size.
STREAMED_PAGE_MAX_BYTES = 2 * 1024 * 1024
PENDING_ATTRIBUTE = "ppp_pages_to_forget"  # on the database connection: names waiting for its commit


def _timeout() -> int:
    return getattr(settings, "PUBLIC_PAGE_CACHE_SECONDS", 60)


def page_key(name: str, request, vary: str = "") -> str:
    query = urlencode(sorted((k, v) for k, values in request.GET.lists() for v in values))
    address = f"{request.path}?{query}" + (f"#{vary}" if vary else "")
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
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
    # Robust: the change is saved whatever happens to the cache, and the callbacks queued
    # after this one (the emails) still run.
    transaction.on_commit(_invalidate_pending, robust=True)


def _read(entry_key: str, name: str):
    """(the page kept at `entry_key` under `name`'s current version, or _MISSING; that
    version), in one cache read."""
    version_key = VERSION_PREFIX + name
    found = cache.get_many([entry_key, version_key])
    version = found.get(version_key, "")
    entry = found.get(entry_key)
    return (entry[1] if entry is not None and entry[0] == version else _MISSING), version


VERSIONS_ATTRIBUTE = "_ppp_page_versions"  # on the request: the versions read for it


def page_version(request, name: str) -> str:
    """The current version of `name`'s kept pages: the one `cache_public_page` read with the
    page, or read now (one cache read)."""
    versions = request.__dict__.setdefault(VERSIONS_ATTRIBUTE, {})
    if name not in versions:
        versions[name] = cache.get(VERSION_PREFIX + name, "")
    return versions[name]


DATA_PREFIX = "pagecache:data:"


def kept_data(request, name: str, key: str, compute: Callable[[], Any]) -> Any:
    """What `compute()` returns (data that `name`'s pages show: a filter's choices), kept like
    those pages: under their version (forgotten with them) and `key`, for
    PUBLIC_PAGE_CACHE_SECONDS, so that a page drawn afresh reads it in one cache read instead
    of computing it. Computed when missing, and every time with the page cache off."""
    seconds = _timeout()
    if not seconds:
        return compute()
    entry_key = f"{DATA_PREFIX}{name}:{key}:{page_version(request, name)}"
    value = cache.get(entry_key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(entry_key, value, seconds)
    return value


def fragment_key(request, name: str, form, kept: tuple[str, ...]) -> dict:
    """How to keep the fields `kept` of `form` (a filter panel's choices, the same for every
    page of results) as a fragment of the page `name`, for the template:

        {% include "includes/filter_fields.html" with form=form names=panel.before %}
        {% cache panel.seconds <fragment> panel.version panel.values %}
          {% include "includes/filter_fields.html" with form=form names=panel.kept %}
        {% endcache %}
        {% include "includes/filter_fields.html" with form=form names=panel.after %}

    Keyed by the page's version, so whatever forgets the pages forgets the fragment, and by
    the values chosen in those fields (a search box's text is drawn outside it), so each set
    of choices is drawn once. Kept no longer than the pages (PUBLIC_PAGE_CACHE_SECONDS; with
    0 the template draws it every time). `kept` are neighbours in the form's order."""
    names = list(form.fields)
    first, last = names.index(kept[0]), names.index(kept[-1])
    if names[first : last + 1] != list(kept):
        raise ValueError(f"{kept} are not neighbours in {names}")
    values = urlencode(sorted((field, value) for field in kept for value in form.data.getlist(field)))
    return {
        "seconds": _timeout(),
        "version": page_version(request, name),
        "values": values,
        "before": names[:first],
        "kept": list(kept),
        "after": names[last + 1 :],
    }


def _invalidate_pending() -> None:
    names = transaction.get_connection().__dict__.pop(PENDING_ATTRIBUTE, set())
    if names:
        invalidate(*sorted(names))


def _cacheable_request(request, with_session: bool = False) -> bool:
    return (
        _timeout() > 0
        and request.method in ("GET", "HEAD")
        and (settings.SESSION_COOKIE_NAME in request.COOKIES) == with_session
        and getattr(settings, "MESSAGES_COOKIE_NAME", "messages") not in request.COOKIES
    )


def _storable(request, response) -> bool:
    return (
        response.status_code == 200
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(getattr(request, "session", None), "modified", False)
        and getattr(request, "_csp_nonce", None) is None
        and not (getattr(request, "user", None) is not None and request.user.is_authenticated)
    )


def _entry(content_type: str, content: bytes, headers: dict) -> tuple:
    """What is kept of a page: its body gzip-compressed once it is bigger than
    COMPRESS_FROM_BYTES. A 52 KB register page is kept in about 8 KB, and the 767 KB
    calendar feed of the national dataset in 72 KB: the database cache stores its
    values as base64 text, so the smaller the copy, the quicker the read. A client that
    accepts gzip (every browser and calendar app) is sent the kept bytes as they are
    (`_hit`); only the others cost a decompression. Kept pages carry no secret (no CSRF
    token, no session: `_storable`), so compressing them gives nothing away (BREACH)."""
    if len(content) >= COMPRESS_FROM_BYTES:
        level = 6 if len(content) >= COMPRESS_HARDER_FROM_BYTES else 1
        return (content_type, gzip.compress(content, compresslevel=level, mtime=0), headers, "gzip")
    return (content_type, content, headers)


def _unpacked(entry: tuple, accepts_gzip: bool = False) -> tuple[str, bytes, dict, str]:
    """(content type, body, headers, its content encoding: "gzip" or "") of a kept page,
    however it was kept (an entry from before gzip is zlib-compressed; one from before
    compression has no fourth part; one from before the headers, no third). A gzip body
    stays compressed for a client that accepts it."""
    content_type, content, *rest = entry
    encoding = rest[1] if len(rest) > 1 else ""
    if encoding == "zlib":
        content, encoding = zlib.decompress(content), ""
    elif encoding == "gzip" and not accepts_gzip:
        content, encoding = gzip.decompress(content), ""
    return content_type, content, rest[0] if rest else {}, encoding


def _accepts_gzip(request) -> bool:
    """As Django's GZipMiddleware reads Accept-Encoding."""
    return bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def _hit(request, page) -> HttpResponse:
    content_type, content, headers, encoding = _unpacked(page, _accepts_gzip(request))
    hit = HttpResponse(content, content_type=content_type)
    for header, value in headers.items():
        hit[header] = value
    if encoding:
        hit["Content-Encoding"] = encoding
    return hit


def _kept_once_sent(chunks, key, version, content_type, headers, timeout):
    """A streamed page's chunks, passed on as they come and kept once the last one has
    gone (never if the reader left early, or if it grew past STREAMED_PAGE_MAX_BYTES)."""
    parts: list[bytes] | None = []
    size = 0
    for chunk in chunks:
        if parts is not None:
            size += len(chunk)
            if size <= STREAMED_PAGE_MAX_BYTES:
                parts.append(chunk)
            else:
                parts = None
        yield chunk
    if parts is not None:
        cache.set(key, (version, _entry(content_type, b"".join(parts), headers)), timeout or _timeout())


def _varied(response):
    """A kept page's body depends on Accept-Encoding (gzip or not): say so to any cache on
    the way, on every answer of the page, kept or drawn."""
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def cache_public_page(name: str, timeout: int | None = None, vary=None, with_session: bool = False):
    """Keep the view's anonymous answers for `timeout` seconds (PUBLIC_PAGE_CACHE_SECONDS).
    `vary(request)`, if given, is a string that is part of the key besides the address: a
    page that must not outlive the day it was drawn on is kept under the day's date.

    `with_session=True` keeps and serves the page only to visitors who have a session
    cookie (nobody signed in: `_storable`), without reading it: a page that only people who
    have started something see, drawn the same for all of them whatever their session
    holds (a survey's page of questions with nothing chosen, docs/adr/0092). The view must
    make sure of that; a session it reads is never written, and a page that used a CSRF
    token is never kept."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable_request(request, with_session):
                return view(request, *args, **kwargs)
            key = page_key(name, request, vary(request) if vary else "")
            page, version = _read(key, name)
            request.__dict__.setdefault(VERSIONS_ATTRIBUTE, {})[name] = version
            if page is not _MISSING:
                return _varied(_hit(request, page))
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if _storable(request, response):
                kept = {h: response[h] for h in KEPT_HEADERS if response.has_header(h)}
                if getattr(response, "streaming", False):
                    response.streaming_content = _kept_once_sent(
                        response.streaming_content, key, version, response["Content-Type"], kept, timeout
                    )
                else:
                    entry = _entry(response["Content-Type"], response.content, kept)
                    cache.set(key, (version, entry), timeout or _timeout())
            return _varied(response)

        return wrapped

    return decorator
