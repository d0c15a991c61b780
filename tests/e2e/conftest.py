"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser).

Without /usr/bin/chromium they are skipped with advice, unless PPP_REQUIRE_BROWSER is
set (CI sets it), in which case they fail: CI can never skip them.
"""

import json
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

# A busy CI machine (two cores, a PDF being printed) can take longer than Playwright's
# five seconds to show a page: wait up to fifteen before calling a check failed.
expect.set_options(timeout=15_000)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PPP_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
REQUIRED = os.environ.get("PPP_REQUIRE_BROWSER", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config, items):
    missing = [what for what, ok in ((CHROMIUM, shutil.which(CHROMIUM)), (str(AXE), AXE.exists())) if not ok]
    if not missing or REQUIRED:
        return
    skip = pytest.mark.skip(
        reason=f"browser tests need {', '.join(missing)}: `apt-get install chromium` and `npm ci` (make does npm)"
    )
    for item in items:
        if "e2e" in item.nodeid:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _serialized_rollback_in_every_context(django_db_setup, django_db_blocker):
    """Make serialized_rollback work under Playwright.

    Django keeps the post-migration snapshot that `serialized_rollback` restores on the
    connection object, and connection objects are asgiref-local: once Playwright's event
    loop runs in this thread, tests see a different connection object without it, so the
    rows data migrations made (the officers group, the scheme, the charter) would be lost
    after the first browser test. Put the snapshot on the connection class instead.
    """
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    wrapper_class = type(connection)
    with django_db_blocker.unblock():
        contents = (
            getattr(connection, "_test_serialized_contents", None) or connection.creation.serialize_db_to_string()
        )
    wrapper_class._test_serialized_contents = contents
    yield
    del wrapper_class._test_serialized_contents


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if REQUIRED and not shutil.which(CHROMIUM):
        pytest.fail(f"PPP_REQUIRE_BROWSER is set but {CHROMIUM} is missing: apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Our CSP rightly blocks injected scripts; the accessibility scanner is test-only.
    return {**browser_context_args, "bypass_csp": True, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def axe_check():
    """Scan the page with axe-core (WCAG 2.2 A/AA rules); fail listing any violations."""

    def scan(page):
        # A click may have started a navigation: scan the page it lands on, once loaded.
        page.wait_for_load_state("load")
        page.locator("main").first.wait_for()
        page.add_script_tag(path=str(AXE))
        return page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"
        )

    def check(page):
        try:
            result = scan(page)
        except PlaywrightError as error:  # the page navigated while it was being scanned
            if "context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
            result = scan(page)
        violations = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        assert not violations, f"axe found accessibility violations on {page.url}:\n" + json.dumps(violations, indent=2)

    return check


@pytest.fixture(scope="session", autouse=True)
def _nu_html_check_of_every_page_visited(tmp_path_factory):
    """Save every HTML page the browser tests are served (the live server's responses) and,
    at the end of the session, check them all with the Nu HTML Checker in one run: 0 errors
    on PPP's own pages (the Django admin's markup is Django's, and is left out)."""
    import gzip
    import hashlib
    import re
    import threading
    import warnings

    from django.core.handlers.base import BaseHandler

    from tests import nu_checker

    folder = tmp_path_factory.mktemp("nu-html")
    seen, lock, original = set(), threading.Lock(), BaseHandler.get_response

    def get_response(self, request):
        response = original(self, request)
        if (
            # the live server's thread: the browser's pages, not a test client's in other tests
            threading.current_thread() is not threading.main_thread()
            and not getattr(response, "streaming", False)
            and not 300 <= response.status_code < 400
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith("/admin/")
        ):
            body = response.content
            if response.get("Content-Encoding") == "gzip":  # a kept page, sent as it is kept
                body = gzip.decompress(body)
            key = hashlib.sha256(re.sub(rb'value="[A-Za-z0-9]{64}"', b"", body)).hexdigest()
            with lock:
                if key not in seen:
                    seen.add(key)
                    slug = re.sub(r"[^a-z0-9]+", "-", request.path.lower()).strip("-")[:80] or "home"
                    (folder / f"{len(seen):04d}-{response.status_code}-{slug}.html").write_bytes(body)
        return response

    BaseHandler.get_response = get_response
    yield
    BaseHandler.get_response = original
    pages = sorted(folder.glob("*.html"))
    if not pages:
        return
    if not nu_checker.available():
        if REQUIRED:
            pytest.fail(
                "PPP_REQUIRE_BROWSER is set but the Nu HTML Checker needs Java: apt-get install default-jre-headless"
            )
        warnings.warn("Java is missing: the pages the browser tests visited were not checked", stacklevel=1)
        return
    found = nu_checker.errors(pages)
    assert not found, f"{len(found)} Nu HTML Checker errors on pages the browser tests visited:\n" + "\n".join(
        found[:100]
    )
