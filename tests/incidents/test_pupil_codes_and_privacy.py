"""Issue 19 §5: the follow-up code limit is counted atomically and per code as well as per
address (a school's shared address is not locked out by a few wrong guesses); no reporting
link token in PPP's logs; the pupils' pages' CSRF cookie ends with the browser session."""

import logging
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from incidents import pupil_views, services
from tests.factories import MembershipFactory, OrganisationFactory
from tests.incidents.factories import pupil_report

FOLLOW_UP = "/tell/follow-up/"
SCHOOL_ADDRESS = "203.0.113.50"


def wrong(n: int) -> str:
    return f"ZZZZ-ZZZZ-ZZZZ-{n:04d}"


def test_wrong_guesses_from_a_schools_address_do_not_lock_its_pupils_out(school_a, alice):
    _incident, code = pupil_report(school_a, alice, text="They hide my bag.")
    school = Client(REMOTE_ADDR=SCHOOL_ADDRESS)
    for n in range(25):
        answer = school.post(FOLLOW_UP, {"code": wrong(n)})
        assert "We could not find that code" in answer.content.decode()
    pupil = Client(REMOTE_ADDR=SCHOOL_ADDRESS)
    page = pupil.post(FOLLOW_UP, {"code": services.format_code(code)})
    assert page.status_code == 200 and "They hide my bag." in page.content.decode()


def test_one_code_tried_over_and_over_is_stopped_without_stopping_other_codes(school_a, alice):
    _incident, code = pupil_report(school_a, alice, text="They hide my bag.")
    guesser = Client(REMOTE_ADDR=SCHOOL_ADDRESS)
    answers = [
        guesser.post(FOLLOW_UP, {"code": wrong(1)}).status_code for _ in range(pupil_views.CODE_TRIES_PER_CODE + 3)
    ]
    assert answers.count(429) == 3
    assert guesser.post(FOLLOW_UP, {"code": code}).status_code == 200


def test_wrong_guesses_from_one_address_are_limited_and_a_right_code_does_not_count(school_a, alice, monkeypatch):
    monkeypatch.setattr(pupil_views, "CODE_MISSES_PER_ADDRESS", 5)
    _incident, code = pupil_report(school_a, alice)
    client = Client(REMOTE_ADDR=SCHOOL_ADDRESS)
    for _ in range(10):  # a pupil reading their conversation again and again is not guessing
        assert client.post(FOLLOW_UP, {"code": code}).status_code == 200
    answers = [client.post(FOLLOW_UP, {"code": wrong(n)}).status_code for n in range(8)]
    assert answers == [200] * 5 + [429] * 3
    assert Client(REMOTE_ADDR="198.51.100.9").post(FOLLOW_UP, {"code": code}).status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_wrong_guesses_never_get_more_looks_than_the_limit(monkeypatch):
    monkeypatch.setattr(pupil_views, "CODE_MISSES_PER_ADDRESS", 20)
    school = OrganisationFactory()
    lead = MembershipFactory(organisation=school, role="lead").user
    _incident, code = pupil_report(school, lead, text="Someone keeps taking my lunch.")
    barrier = threading.Barrier(45)
    statuses, errors = [], []

    def guess(n):
        try:
            client = Client(REMOTE_ADDR=SCHOOL_ADDRESS)
            barrier.wait()
            statuses.append(client.post(FOLLOW_UP, {"code": wrong(n)}).status_code)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(45)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(statuses) == 45
    assert statuses.count(200) == 20 and statuses.count(429) == 25  # exactly the limit was looked up
    # Another pupil, elsewhere, is not affected.
    page = Client(REMOTE_ADDR="198.51.100.9").post(FOLLOW_UP, {"code": code})
    assert page.status_code == 200 and "Someone keeps taking my lunch." in page.content.decode()


def test_no_reporting_link_token_in_any_log(client, school_a, alice, caplog, settings):
    _link, token = services.reporting_link_create(organisation=school_a, by=alice)
    settings.INCIDENT_PUPIL_REPORTS_PER_SCHOOL_PER_DAY = 0
    with caplog.at_level(logging.INFO):
        client.get("/tell/not-a-real-token-abcdef/")  # 404 warning
        client.get(f"/tell/{token}/")
        client.post(
            f"/tell/{token}/",
            {"what_happened": "x", "where": "classroom", "when": "today", "tell_name": "no", "submission": "a" * 32},
        )  # refused: 429
        Client(enforce_csrf_checks=True).post(f"/tell/{token}/", {})  # CSRF refusal
    logged = "\n".join(
        f"{r.name} {r.getMessage()}" for r in caplog.records if r.name.startswith(("django", "ppp", "incidents"))
    )
    assert "/tell/[redacted]/" in logged  # the lines are still there…
    assert token not in logged and "not-a-real-token-abcdef" not in logged  # …without the secret


def test_the_redaction_leaves_the_follow_up_page_and_other_paths_alone():
    from ppp.logs import redact

    assert redact("Not Found: /tell/abc123XYZ_-/") == "Not Found: /tell/[redacted]/"
    assert redact("Too Many Requests: /tell/follow-up/") == "Too Many Requests: /tell/follow-up/"
    assert redact("Not Found: /incidents/") == "Not Found: /incidents/"


def test_the_pupils_pages_csrf_cookie_ends_with_the_browser_session(client, school_a, alice):
    _link, token = services.reporting_link_create(organisation=school_a, by=alice)
    for url in (reverse("incidents:tell", kwargs={"token": token}), FOLLOW_UP):
        response = Client().get(url)
        cookie = response.cookies["csrftoken"]
        header = cookie.output()
        assert cookie.value and "expires" not in header.lower() and "max-age" not in header.lower(), header
        assert "HttpOnly" in header and "SameSite=Lax" in header
