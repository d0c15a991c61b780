"""No page scrolls sideways on a phone (WCAG 1.4.10 reflow, issue 10).

The demo data is loaded (every app's seed: an award at each stage, pledges, training), and
the service is walked at 320 px as the public, a school lead, a member and an officer:
every link each can follow, one page per kind of address. Any page wider than the screen
fails the test, naming the widest thing on it.
"""

import re
from urllib.parse import urljoin, urlparse

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.test_platform_journeys import current_totp_code
from tests.factories import make_officer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "Peaceful-Places-2026"
# Not pages: files, feeds, actions that sign out, the admin (staff only, Django's own).
SKIP = re.compile(
    r"logout|/admin/|\.pdf|\.csv|\.ics|\.png|\.svg|\.txt|download|/media/|/static/|format=|/accounts/2fa/"
    r"|/accounts/password/change|/mfa/|page=\d"
)
ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")
WIDEST = """() => {
  let widest = null, right = window.innerWidth;
  for (const el of document.querySelectorAll('main *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > right + 1) { widest = el; right = r.right; }
  }
  if (!widest) return '';
  const text = (widest.textContent || '').trim().slice(0, 60);
  return `${widest.tagName.toLowerCase()}.${widest.className} "${text}"`;
}"""


# The demo officer and school A's incident staff use two-factor (ADR 0031), with the test
# authenticator: make_officer gives the officer it, and seed_demo gives them the officer's.
TWO_FACTOR = {"officer@ppp.example", "lead.a@ppp.example", "member.a@ppp.example"}


def pattern(path: str) -> str:
    """One page per kind of address: /award/applications/<id>/ stands for all of them."""
    path = ID.sub("<id>", path.split("?")[0])
    return re.sub(r"/organisations/[a-z0-9-]+/", "/organisations/<slug>/", path)


def walk(page, base: str, start: list[str], limit: int = 120) -> tuple[int, list[str]]:
    seen, queue, wide = set(), list(start), []
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if pattern(path) in seen:
            continue
        seen.add(pattern(path))
        try:
            response = page.goto(base + path)
        except PlaywrightError as error:  # a file sent as an attachment (a printable PDF) is not a page
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        over = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if over > 0:
            wide.append(f"{path} is {over}px too wide: {page.evaluate(WIDEST)}")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urlparse(urljoin(base + path, href))
            if url.netloc == urlparse(base).netloc and not SKIP.search(href):
                queue.append(url.path + (f"?{url.query}" if url.query else ""))
    return len(seen), wide


@override_settings(DEBUG=True)
def test_no_page_scrolls_sideways_at_320px(browser, live_server):
    make_officer("officer@ppp.example")  # with the test authenticator, so the walk can sign in
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    report = []
    for who in ["public", "lead.a@ppp.example", "member.a@ppp.example", "officer@ppp.example"]:
        context = browser.new_context(viewport={"width": 320, "height": 800}, bypass_csp=True)
        page = context.new_page()
        if who != "public":
            page.goto(f"{live_server.url}/accounts/login/")
            page.get_by_label("Email address").fill(who)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            if who in TWO_FACTOR:
                page.get_by_label("Enter the code from your authenticator app").fill(current_totp_code())
                page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(re.compile(r"/(home|award/officer)/"))
        pages, wide = walk(page, live_server.url, ["/portal/" if who != "public" else "/"])
        assert pages > 15, f"{who}: the walk reached only {pages} pages"
        report += [f"{who}: {line}" for line in wide]
        context.close()
    assert not report, "Pages wider than a 320 px phone:\n" + "\n".join(report)
