"""ppp.pagecache: public pages kept briefly in the shared cache, forgotten on a change."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test.utils import CaptureQueriesContext

from ppp.pagecache import cache_public_page, invalidate, invalidate_on_commit

RENDERS = []


@cache_public_page("things")
def things(request):
    RENDERS.append(request.get_full_path())
    return HttpResponse(f"page {len(RENDERS)}", content_type="text/html; charset=utf-8")


@cache_public_page("things")
def with_form(request):
    RENDERS.append("form")
    return HttpResponse(f"<input value='{get_token(request)}'>")


@pytest.fixture(autouse=True)
def _on(settings, db):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    cache.clear()
    RENDERS.clear()


def test_a_second_visitor_gets_the_kept_page_from_one_cache_read(rf):
    assert things(rf.get("/things/")).content == b"page 1"
    with CaptureQueriesContext(connection) as queries:
        response = things(rf.get("/things/"))
    assert response.content == b"page 1"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert len(RENDERS) == 1
    assert len(queries) == 1  # the page and its version, in one read


def test_the_query_string_is_part_of_the_key_in_any_order(rf):
    things(rf.get("/things/?b=2&a=1"))
    assert things(rf.get("/things/?a=1&b=2")).content == b"page 1"
    assert things(rf.get("/things/?a=1&b=3")).content == b"page 2"
    assert things(rf.get("/things/other/?a=1&b=2")).content == b"page 3"


def test_invalidating_forgets_every_kept_copy(rf):
    things(rf.get("/things/"))
    things(rf.get("/things/?page=2"))
    invalidate("things")
    assert things(rf.get("/things/")).content == b"page 3"
    assert things(rf.get("/things/?page=2")).content == b"page 4"


def test_invalidate_on_commit_waits_for_the_commit(rf, django_capture_on_commit_callbacks):
    things(rf.get("/things/"))
    with django_capture_on_commit_callbacks(execute=True):
        invalidate_on_commit("things")
        assert things(rf.get("/things/")).content == b"page 1"  # not yet committed
    assert things(rf.get("/things/")).content == b"page 2"


def test_signed_in_people_and_flash_messages_are_never_served_from_the_cache(rf):
    things(rf.get("/things/"))
    for cookie in ("sessionid", "messages"):
        request = rf.get("/things/")
        request.COOKIES[cookie] = "x"
        assert things(request).content != b"page 1"
    assert len(RENDERS) == 3


def test_a_page_with_a_csrf_token_or_an_error_is_not_kept(rf):
    with_form(rf.get("/form/"))
    with_form(rf.get("/form/"))
    assert RENDERS == ["form", "form"]

    @cache_public_page("things")
    def missing(request):
        RENDERS.append("404")
        return HttpResponse("no", status=404)

    missing(rf.get("/missing/"))
    missing(rf.get("/missing/"))
    assert RENDERS.count("404") == 2


def test_nothing_is_kept_when_turned_off(rf, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    things(rf.get("/things/"))
    assert things(rf.get("/things/")).content == b"page 2"


def test_many_changes_in_one_transaction_forget_the_pages_once(db, monkeypatch, django_capture_on_commit_callbacks):
    """An import saving thousands of organisations must not write the cache thousands of times."""
    from ppp import pagecache
    from tests.factories import OrganisationFactory

    forgotten = []
    monkeypatch.setattr(pagecache, "invalidate", lambda *names: forgotten.append(names))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            OrganisationFactory()
    assert forgotten == [("award-holders", "charter", "charter-register")]


@cache_public_page("things")
def streamed(request):
    from django.http import StreamingHttpResponse

    RENDERS.append("streamed")
    response = StreamingHttpResponse(iter([b"one,", b"two,", b"three"]), content_type="text/calendar")
    response["Content-Disposition"] = 'inline; filename="things.ics"'
    return response


def test_a_streamed_page_is_kept_once_it_has_all_been_sent(rf):
    first = streamed(rf.get("/things.ics"))
    assert first.streaming and b"".join(first.streaming_content) == b"one,two,three"
    second = streamed(rf.get("/things.ics"))
    assert second.content == b"one,two,three" and len(RENDERS) == 1
    assert second["Content-Type"] == "text/calendar"
    assert second["Content-Disposition"] == 'inline; filename="things.ics"'


def test_a_streamed_page_left_half_read_or_too_big_is_not_kept(rf, monkeypatch):
    from ppp import pagecache

    chunks = pagecache._kept_once_sent(iter([b"one,", b"two"]), "pagecache:page:t:x", "v1", "text/plain", {}, 60)
    assert next(chunks) == b"one,"
    chunks.close()  # the reader went away: the server closes the response, and so its chunks
    assert cache.get("pagecache:page:t:x") is None
    monkeypatch.setattr(pagecache, "STREAMED_PAGE_MAX_BYTES", 5)
    cache.clear()
    b"".join(streamed(rf.get("/big.ics")).streaming_content)
    assert streamed(rf.get("/big.ics")).streaming


BIG = ("<tr><td>Oakfield Primary School</td><td>Leicester</td></tr>" * 400).encode()


@cache_public_page("big")
def big(request):
    RENDERS.append("big")
    return HttpResponse(BIG, content_type="text/html; charset=utf-8")


def test_a_big_page_is_kept_compressed_and_served_whole(rf):
    from ppp.pagecache import page_key

    request = rf.get("/big/")
    assert big(request).content == BIG
    _version, entry = cache.get(page_key("big", request))
    assert entry[-1] == "gzip" and len(entry[1]) < len(BIG) / 10
    again = big(rf.get("/big/"))  # a client that does not say it takes gzip
    assert again.content == BIG and again["Content-Type"] == "text/html; charset=utf-8" and RENDERS == ["big"]
    assert not again.has_header("Content-Encoding")


def test_a_client_that_takes_gzip_is_sent_the_kept_copy_as_it_is(rf):
    import gzip

    from ppp.pagecache import page_key

    drawn = big(rf.get("/big/", HTTP_ACCEPT_ENCODING="gzip, deflate, br"))
    assert drawn.content == BIG and not drawn.has_header("Content-Encoding")  # drawn now: sent plain
    _version, entry = cache.get(page_key("big", rf.get("/big/")))
    hit = big(rf.get("/big/", HTTP_ACCEPT_ENCODING="gzip, deflate, br"))
    assert hit["Content-Encoding"] == "gzip" and hit.content == entry[1]
    assert gzip.decompress(hit.content) == BIG and RENDERS == ["big"]
    # Every answer says it depends on Accept-Encoding, so no cache on the way mixes them up.
    for response in (drawn, hit, big(rf.get("/big/"))):
        assert "Accept-Encoding" in response["Vary"]
    # A small page is kept and sent as it is, whatever the client takes.
    first = things(rf.get("/things/"))
    small = things(rf.get("/things/", HTTP_ACCEPT_ENCODING="gzip"))
    assert small.content == first.content and not small.has_header("Content-Encoding")


def test_a_page_kept_by_the_last_release_zlib_compressed_is_still_served(rf):
    import zlib

    from ppp.pagecache import VERSION_PREFIX, page_key

    request = rf.get("/big/", HTTP_ACCEPT_ENCODING="gzip")
    entry = ("text/html; charset=utf-8", zlib.compress(BIG, 1), {}, "zlib")
    cache.set(page_key("big", request), (cache.get(VERSION_PREFIX + "big", ""), entry), 60)
    served = big(request)
    assert served.content == BIG and not served.has_header("Content-Encoding") and RENDERS == []


def test_a_page_kept_before_compression_is_still_served(rf):
    from ppp.pagecache import VERSION_PREFIX, page_key

    request = rf.get("/big/")
    cache.set(page_key("big", request), (cache.get(VERSION_PREFIX + "big", ""), ("text/plain", b"kept before", {})), 60)
    assert big(request).content == b"kept before" and RENDERS == []
