"""0 server errors under hostile input (issue 20): as lead.a, reviewer.a, the officer (on
the officer pages and in the admin), walk the demo's pages from each home, and send every
form and filter found back with hostile values: a NUL character, a number too big for any
column, words where numbers go, a negative number, markup and quotes. Every answer must
be a page, a message, a redirect, a 400, 403, 404, 405 or 429: never a 500.

Bounded so that CI runs it in a minute or two: at most PAGES pages per person, each form
sent once per hostile value."""

import re
import time
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

from ppp.accounts.models import User

PAGES = 35
HOSTILE = ["a\x00b", "9" * 40, "abc", "-1", "<script>'\"</script>"]
# Never sent: they end the session or turn off what the walk needs.
SKIP = re.compile(r"logout|/2fa/|password|reauthenticate|\.pdf$|\.csv$|\.ics$|/file/|/export|/download")


class Forms(HTMLParser):
    """Links and forms of one page: each form's action, method and field names, with
    the value a person would first see (for hidden fields, the token)."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []
        self._form = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea") and a.get("name"):
            self._form["fields"].setdefault(a["name"], (a.get("type") or tag, a.get("value") or ""))
        elif tag == "button" and self._form is not None and a.get("name"):
            self._form["fields"].setdefault(a["name"], ("button", a.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _walk(client, start: list[str]) -> tuple[int, list[str]]:
    seen, queue, requests, errors = set(), list(start), 0, []

    def check(response, what):
        nonlocal requests
        requests += 1
        if response.status_code >= 500:
            errors.append(f"{response.status_code} {what}")

    while queue and len(seen) < PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        if path in seen or SKIP.search(url):
            continue
        seen.add(path)
        response = client.get(url)
        check(response, f"GET {url}")
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = Forms()
        page.feed(response.content.decode(errors="replace"))
        for link in page.links:
            target = urljoin(url, link)
            if target.startswith("/") and not SKIP.search(target):
                queue.append(target)
        for form in page.forms:
            action = urljoin(url, form["action"] or url)
            if SKIP.search(action) or not action.startswith("/"):
                continue
            for hostile in HOSTILE:
                data = {
                    name: (value if name == "csrfmiddlewaretoken" else hostile)
                    for name, (_kind, value) in form["fields"].items()
                }
                if form["method"] == "post":
                    check(client.post(action, data), f"POST {action} {hostile!r}")
                else:
                    check(client.get(f"{action}?{urlencode(data)}"), f"GET {action}?… {hostile!r}")
    return requests, errors


@pytest.mark.django_db
def test_no_server_error_for_hostile_input_on_any_form_or_filter(client, settings, demo):
    settings.RATELIMIT_ENABLE = False  # the walk is one address sending hundreds of requests
    started = time.monotonic()
    client.raise_request_exception = False
    people = {
        "lead.a@ppp.example": ["/", "/portal/"],
        "reviewer.a@ppp.example": ["/", "/portal/", "/incidents/"],
        "officer@ppp.example": ["/", "/portal/", "/training/officer/"],
    }
    total, errors = 0, []
    for email, start in people.items():
        client.force_login(User.objects.get(email=email))
        sent, failed = _walk(client, start)
        total, errors = total + sent, errors + [f"{email}: {e}" for e in failed]
    client.force_login(User.objects.get(email="officer@ppp.example"))
    sent, failed = _walk(client, ["/admin/"])
    total, errors = total + sent, errors + [f"admin: {e}" for e in failed]
    assert total > 400, f"the walk sent only {total} requests: it no longer reaches the forms"
    print(f"{total} requests in {time.monotonic() - started:.0f} s")
    assert not errors, f"{len(errors)} server errors in {total} requests:\n" + "\n".join(errors[:40])
