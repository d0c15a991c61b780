"""A whole assembly answers at once (issue 24): 300 people send answers to one round
through real HTTP (a live server run in a thread, which serves each request in a thread of
its own), 24 devices at a time, each following the answering pages with its own session
and cookies. Every answer is stored, none twice, and the round's tallies equal the stored
answers, counted afresh."""

import re
import threading
from collections import Counter

import pytest
import requests
from django.db import connection

from surveys.models import Response, Tally
from tests.surveys.factories import open_round

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PEOPLE = 300
DEVICES = 24
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY = re.compile(r'name="submission" value="([^"]+)"')


def _post(session, base, url, data):
    """A page of questions answered as a browser sends it: the page has no CSRF token (it
    is kept for everyone, docs/adr/0092); the browser says the form came from the site."""
    page = session.get(url, timeout=60)
    assert page.status_code == 200, (url, page.status_code)
    assert "csrfmiddlewaretoken" not in page.text
    headers = {"Referer": url, "Origin": base, "Sec-Fetch-Site": "same-origin"}
    return session.post(url, data=data, headers=headers, timeout=60, allow_redirects=True), page


def _one_person(base, token, n):
    """What one person does: start, answer the first page (one in four all three pages,
    skipping some questions), send, and a double click on "Send" as they leave."""
    start = f"{base}/survey/{token}/"
    with requests.Session() as session:
        year = "5" if n % 2 else "6"
        # "Start now" sends the year chosen by GET (the start page has no form to post).
        response = session.get(start, params={"start": "1", "year_group": year}, timeout=60)
        assert response.status_code == 200 and response.url.endswith("/page/1/"), response.url
        pages = [
            {"q1": str(n % 3), "q2": str(n % 4)},
            {"q5": [str(n % 2), "3"]} if n % 5 else {},
            {"q9": str(n % 3)},
        ]
        if n % 4:
            # Most go from the first page straight to "Send" (skipping is allowed): the
            # assembly still sends 300 answers at once, in a third fewer requests.
            pages = pages[:1]
        for number, data in enumerate(pages, start=1):
            url = f"{base}/survey/{token}/page/{number}/"
            response, _ = _post(session, base, url, data)
            assert response.status_code == 200, (url, response.status_code)
        send = f"{base}/survey/{token}/send/"
        page = session.get(send, timeout=60)
        data = {"submission": KEY.search(page.text).group(1), "csrfmiddlewaretoken": CSRF.search(page.text).group(1)}
        done = session.post(send, data=data, headers={"Referer": send}, timeout=60)
        assert done.status_code == 200 and "Next person" in done.text, done.status_code
        again = session.post(send, data=data, headers={"Referer": send}, timeout=60)
        assert again.status_code in (200, 302, 403), again.status_code


def test_three_hundred_answers_sent_at_once_are_all_stored_once(live_server, settings, alice, school_a):
    # The limits are set for the test explicitly: every device here sends one answer, and
    # the round's daily limit is above the assembly, as in production (2000 a day).
    settings.SURVEY_ANSWERS_PER_DEVICE_PER_HOUR = 60
    settings.SURVEY_ANSWERS_PER_ROUND_PER_DAY = 2000
    round_, token = open_round(school_a, alice, year_groups=["5", "6"])
    queue, errors, lock = list(range(PEOPLE)), [], threading.Lock()
    barrier = threading.Barrier(DEVICES)

    def device():
        barrier.wait()
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    n = queue.pop()
                try:
                    _one_person(live_server.url, token, n)
                except Exception as error:  # noqa: BLE001 - gathered and reported below
                    with lock:
                        errors.append(f"{n}: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=device) for _ in range(DEVICES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    responses = list(Response.objects.filter(round=round_))
    assert len(responses) == PEOPLE
    assert len({r.submission_key for r in responses}) == PEOPLE  # none twice
    assert Counter(r.year_group for r in responses) == {"5": PEOPLE // 2, "6": PEOPLE // 2}

    # The tallies, counted afresh from the stored answers.
    expected = Counter()
    for r in responses:
        expected[(r.year_group, 0, 0)] += 1
        for position, choices in r.answers.items():
            expected[(r.year_group, int(position), 999)] += 1
            for choice in choices:
                expected[(r.year_group, int(position), choice)] += 1
    tallies = {(t.year_group, t.question, t.choice): t.count for t in Tally.objects.filter(round=round_) if t.count}
    assert tallies == dict(expected)
    assert tallies[("5", 0, 0)] + tallies[("6", 0, 0)] == PEOPLE
    round_.refresh_from_db()
    assert round_.response_count == PEOPLE
