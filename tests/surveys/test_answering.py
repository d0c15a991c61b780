"""The public survey pages, as a person uses them: start, answer page by page (skipping
some), send once, and leave the device clean for the next person."""

import base64
import datetime
import html
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys import selectors, services
from surveys.models import Response, Tally
from tests.factories import make_officer
from tests.surveys.factories import move_dates, open_round


@pytest.fixture
def round_and_token(alice, school_a):
    return open_round(school_a, alice, year_groups=["5", "6"])


def _start(client, token, year="5"):
    """ "Start now": the start page's form sends its choices by GET (docs/adr/0025)."""
    return client.get(reverse("surveys:answer-start", kwargs={"token": token}), {"start": "1", "year_group": year})


def _page(client, token, number, data):
    return client.post(reverse("surveys:answer-page", kwargs={"token": token, "number": number}), data)


def _key(response) -> str:
    return re.search(r'name="submission" value="([^"]+)"', response.content.decode()).group(1)


def _send_form(client, token) -> dict:
    """What the "Send" page's form posts: its submission key (the session's)."""
    return {"submission": _key(client.get(reverse("surveys:answer-send", kwargs={"token": token})))}


def test_a_pupil_answers_skips_and_sends_once(client, round_and_token):
    round_, token = round_and_token
    start = client.get(reverse("surveys:answer-start", kwargs={"token": token}))
    assert start.status_code == 200
    body = start.content.decode()
    assert "0800 1111" in body and "anonymous" in body
    assert start["Cache-Control"].startswith("no-store")
    assert _start(client, token).status_code == 302
    assert _page(client, token, 1, {"q1": "0", "q3": "3"}).status_code == 302  # q2 skipped, q3 "rather not say"
    assert _page(client, token, 2, {"q5": ["0", "3"]}).status_code == 302
    assert _page(client, token, 3, {}).status_code == 302
    send = client.get(reverse("surveys:answer-send", kwargs={"token": token}))
    assert "You answered 3 of 12 questions" in send.content.decode()
    key = _key(send)
    data = {"submission": key, "comment": "It is better this year"}
    done = client.post(reverse("surveys:answer-send", kwargs={"token": token}), data)
    assert done.status_code == 200 and "Next person" in done.content.decode()
    again = client.post(reverse("surveys:answer-send", kwargs={"token": token}), data)  # a double click
    assert again.status_code == 200 and "Thank you" in again.content.decode()
    response = Response.objects.get()
    assert response.answers == {"1": [0], "3": [3], "5": [0, 3]}
    assert response.year_group == "5" and response.comment == "It is better this year"
    assert Tally.objects.get(round=round_, question=0).count == 1
    # The device holds nothing of it now.
    assert "survey" not in client.session


def test_an_earlier_persons_send_page_sent_again_never_takes_the_next_persons_answers(client, round_and_token):
    """A shared device: A sends and hands over; B starts and answers page 1; then A's
    "Send" page comes back (Back, then send again). B's answers so far are not stored under
    it and B's session goes on; B sees their own "Send" page."""
    _round, token = round_and_token
    send = reverse("surveys:answer-send", kwargs={"token": token})
    _start(client, token)
    _page(client, token, 1, {"q1": "0"})
    a_form = {"submission": _key(client.get(send))}
    client.post(send, a_form)
    client.post(reverse("surveys:answer-next", kwargs={"token": token}))
    _start(client, token, year="6")
    _page(client, token, 1, {"q1": "2"})
    for replay in (a_form, {"submission": "made-up"}, {}):
        response = client.post(send, replay)
        assert response.status_code == 302 and response["Location"] == send
    assert Response.objects.count() == 1  # A's only
    assert client.session["survey"]["answers"] == {"1": [2]} and client.session["survey"]["year_group"] == "6"
    b_form = {"submission": _key(client.get(send))}
    assert "Next person" in client.post(send, b_form).content.decode()
    assert sorted(r.year_group for r in Response.objects.all()) == ["5", "6"]


def test_nothing_is_lost_when_the_device_sleeps(client, round_and_token):
    _round, token = round_and_token
    _start(client, token)
    _page(client, token, 1, {"q1": "2"})
    # The way back to an answered page, as a person follows it: the next page's "Back" link,
    # and the start page's "Carry on where you were". Both show what was chosen.
    page_2 = client.get(reverse("surveys:answer-page", kwargs={"token": token, "number": 2})).content.decode()
    back = client.get(_link(page_2, "Back"))
    assert re.search(r'value="2"\s+checked', back.content.decode())
    carry_on = client.get(reverse("surveys:answer-start", kwargs={"token": token})).content.decode()
    assert re.search(r'value="2"\s+checked', client.get(_link(carry_on, "Carry on where you were")).content.decode())


def _link(body: str, words: str) -> str:
    return html.unescape(re.search(rf'<a class="govuk-link" href="([^"]+)">{words}</a>', body).group(1))


def test_next_person_clears_everything(client, round_and_token):
    _round, token = round_and_token
    _start(client, token)
    _page(client, token, 1, {"q1": "2"})
    response = client.post(reverse("surveys:answer-next", kwargs={"token": token}))
    assert response.status_code == 302
    assert "survey" not in client.session
    assert client.get(reverse("surveys:answer-page", kwargs={"token": token, "number": 1})).status_code == 302


def test_the_youngest_get_one_question_a_page_with_faces(client, alice, school_a):
    _round, token = open_round(school_a, alice, audience="pupils_5_7", year_groups=["1", "2"])
    _start(client, token, "1")
    page = client.get(reverse("surveys:answer-page", kwargs={"token": token, "number": 1}))
    body = page.content.decode()
    assert "ppp-faces" in body and "Question 1 of 11" in body
    assert body.count('type="radio"') == 4  # Yes, Sometimes, No, I'd rather not say


def test_bad_input_is_a_message_not_a_500(client, round_and_token):
    _round, token = round_and_token
    start = _start(client, token, year="9")
    assert start.status_code == 200 and "Choose your year" in start.content.decode()
    _start(client, token)
    wrong = _page(client, token, 1, {"q1": "77"})
    assert wrong.status_code == 200 and "Choose one answer" in wrong.content.decode()
    assert client.get(reverse("surveys:answer-page", kwargs={"token": token, "number": 40})).status_code == 302
    key = _key(client.get(reverse("surveys:answer-send", kwargs={"token": token})))
    empty = client.post(reverse("surveys:answer-send", kwargs={"token": token}), {"submission": key})
    assert empty.status_code == 200 and "Answer at least one question" in empty.content.decode()
    assert not Response.objects.exists()


def test_a_bot_filling_the_honeypot_is_refused(client, round_and_token):
    _round, token = round_and_token
    start = reverse("surveys:answer-start", kwargs={"token": token})
    response = client.get(start, {"start": "1", "year_group": "5", "website": "x"})
    assert response.status_code == 400
    assert "survey" not in client.session
    assert client.post(start, {"year_group": "5", "website": "x"}).status_code == 400


def test_a_start_page_from_before_still_starts_by_post(client, round_and_token):
    """A device that kept the start page open across the change to "Start now" by GET."""
    _round, token = round_and_token
    response = client.post(reverse("surveys:answer-start", kwargs={"token": token}), {"year_group": "6"})
    assert response.status_code == 302 and response["Location"].endswith("/page/1/")
    assert client.session["survey"]["year_group"] == "6" and client.session["survey"]["answers"] == {}


def test_an_unknown_link_is_404_and_a_closed_round_410(client, round_and_token):
    round_, token = round_and_token
    assert client.get(reverse("surveys:answer-start", kwargs={"token": "nope"})).status_code == 404
    today = timezone.localdate()
    move_dates(round_, today - datetime.timedelta(days=9), today - datetime.timedelta(days=1))
    assert client.get(reverse("surveys:answer-start", kwargs={"token": token})).status_code == 410


def test_the_closing_date_holds_for_someone_half_way_through(client, round_and_token):
    round_, token = round_and_token
    _start(client, token)
    _page(client, token, 1, {"q1": "0"})
    round_.closed_at = timezone.now()
    round_.save(update_fields=["closed_at"])  # as the lead closing it does (services.round_close)
    response = client.post(reverse("surveys:answer-send", kwargs={"token": token}), {"submission": "k"})
    assert response.status_code == 410
    assert not Response.objects.exists()


def test_the_device_limit_holds(client, round_and_token, settings):
    """A device is known by its browser's CSRF cookie (hashed), which survives "next person"."""
    settings.SURVEY_ANSWERS_PER_DEVICE_PER_HOUR = 2
    _round, token = round_and_token
    statuses = []
    for _ in range(3):
        client.get(reverse("surveys:answer-start", kwargs={"token": token}))
        _start(client, token)
        # As a browser does: the first page of questions (a form) gives it the CSRF cookie.
        client.get(reverse("surveys:answer-page", kwargs={"token": token, "number": 1}))
        _page(client, token, 1, {"q1": "0"})
        form = _send_form(client, token)
        statuses.append(client.post(reverse("surveys:answer-send", kwargs={"token": token}), form).status_code)
    assert statuses == [200, 200, 429]
    assert Response.objects.count() == 2


def test_no_address_or_time_is_kept_with_an_answer(client, round_and_token):
    _round, token = round_and_token
    _start(client, token)
    _page(client, token, 1, {"q1": "0"})
    form = _send_form(client, token)
    client.post(reverse("surveys:answer-send", kwargs={"token": token}), form, REMOTE_ADDR="203.0.113.9")
    fields = {f.name for f in Response._meta.get_fields()}
    assert not fields & {"ip", "ip_address", "user_agent", "created_at", "user"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM surveys_response")
        assert "203.0.113.9" not in repr(cursor.fetchall())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_answers_at_once_are_all_stored_none_twice(django_db_blocker):
    """A whole class sends at once, and each also double-clicks: every answer stored once,
    and the tallies agree with the answers."""
    from ppp.accounts.models import Membership
    from tests.factories import MembershipFactory, OrganisationFactory

    school = OrganisationFactory(name="Concurrent School")
    lead = MembershipFactory(organisation=school, role=Membership.Role.LEAD).user
    round_, token = open_round(school, lead)
    people = 12
    clients = []
    for _ in range(people):
        client = Client()
        _start(client, token)
        _page(client, token, 1, {"q1": "0"})
        clients.append((client, _send_form(client, token)))
    barrier = threading.Barrier(people * 2)
    statuses, errors = [], []

    def send(client, form):
        try:
            barrier.wait(timeout=30)
            statuses.append(client.post(reverse("surveys:answer-send", kwargs={"token": token}), form).status_code)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=pair) for pair in clients for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert Response.objects.filter(round=round_).count() == people
    assert Tally.objects.get(round=round_, question=0).count == people
    assert Tally.objects.get(round=round_, question=1, choice=0).count == people
    round_.refresh_from_db()
    assert round_.response_count == people


def test_the_answering_pages_read_the_round_and_the_session_only(client, round_and_token, django_assert_num_queries):
    """The round (with its questions) is read from the shared cache under its link's hash
    (one read of the cache table here: the tests' cache is the database's); a page that only
    shows writes nothing (bench/FINDINGS.md, issue 24)."""
    _round, token = round_and_token
    start = reverse("surveys:answer-start", kwargs={"token": token})
    client.get(start)
    with django_assert_num_queries(1):  # the round by its link, from the cache
        body = client.get(start).content.decode()
    assert "There are 12 questions." in body


def test_a_page_of_questions_is_kept_whole_for_everyone_who_has_started(
    round_and_token, settings, django_assert_num_queries, django_capture_on_commit_callbacks, alice
):
    """A page with nothing chosen is the same for everybody answering: drawn once, then
    served from one cache read without reading the person's session (docs/adr/0092). It has
    no CSRF token, and a page with the person's own answers is drawn for them, never kept."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    round_, token = round_and_token
    page_2 = reverse("surveys:answer-page", kwargs={"token": token, "number": 2})
    first, second = Client(), Client()
    for person in (first, second):
        _start(person, token)
        _page(person, token, 1, {"q1": "0"})
    drawn = first.get(page_2)
    assert "csrfmiddlewaretoken" not in drawn.content.decode() and "csrftoken" not in drawn.cookies
    with django_assert_num_queries(1):  # the kept page and its version, in one read: no session read
        kept = second.get(page_2)
    assert kept.content == drawn.content and kept["Cache-Control"].startswith("no-store")
    body = kept.content.decode()
    assert 'id="id_q5_1"' in body and body.count('name="website"') == 1 and "checked" not in body
    # Someone who answered page 2 and comes back to it by "Back" sees their answers, drawn for them.
    assert _page(second, token, 2, {"q5": ["1"]})["Location"].endswith("/page/3/")
    back = second.get(page_2 + "?chosen=1").content.decode()
    assert re.search(r'name="q5" class="govuk-checkboxes__input" id="id_q5_2" value="1"[^>]*checked', back)
    assert "checked" not in first.get(page_2).content.decode()  # and nobody else does
    # Sending page 1 again goes on to page 2 as they left it.
    assert _page(second, token, 1, {"q1": "1"})["Location"].endswith("/page/2/?chosen=1")
    # Someone with no session (nobody started on this device) is sent to the start, as before.
    assert Client().get(page_2)["Location"].endswith(f"/survey/{token}/")
    # A round closed early stops at once: its kept pages are forgotten with it.
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(round=round_, by=alice)
    assert second.get(page_2).status_code == 410


def test_someone_signed_in_who_tries_the_survey_is_never_kept_for_others(client, round_and_token, settings):
    """An officer who has not set up two-factor yet may still open a survey's pages (they
    are not signed-in pages: RequireOfficerMFAMiddleware leaves /survey/ alone); what is
    drawn for them is never kept for the next person."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    _round, token = round_and_token
    page_1 = reverse("surveys:answer-page", kwargs={"token": token, "number": 1})
    client.force_login(make_officer(with_totp=False))
    assert client.get(reverse("surveys:council"))["Location"].startswith("/accounts/")  # two-factor first
    _start(client, token)
    assert client.get(page_1).status_code == 200
    pupil = Client()
    _start(pupil, token)
    with CaptureQueriesContext(connection) as drawn:
        assert pupil.get(page_1).status_code == 200
    assert any("django_session" in q["sql"] for q in drawn.captured_queries)  # drawn afresh, not the officer's


def test_a_page_shown_with_nothing_chosen_never_wipes_what_was_chosen_on_it(client, round_and_token):
    """Browser Back or a reopened tab reaches the page kept for everyone, which shows nothing
    chosen: sending it keeps what the person chose there before (only what they choose now
    replaces it). From the page that showed their answers (?chosen=1), an unticked box is no
    longer an answer."""
    _round, token = round_and_token
    _start(client, token)
    _page(client, token, 1, {"q1": "2", "q2": "1"})
    _page(client, token, 2, {"q5": ["0", "1"]})
    _page(client, token, 1, {})  # the kept page 1, nothing chosen, sent again
    _page(client, token, 1, {"q2": "3"})
    assert client.session["survey"]["answers"] == {"1": [2], "2": [3], "5": [0, 1]}
    shown = reverse("surveys:answer-page", kwargs={"token": token, "number": 2}) + "?chosen=1"
    body = client.get(shown).content.decode()
    assert f'action="{shown}"' in body  # sent back to the page that showed the answers
    assert client.post(shown, {"q5": ["1"]}).status_code == 302
    assert client.session["survey"]["answers"] == {"1": [2], "2": [3], "5": [1]}
    assert client.post(shown, {}).status_code == 302
    assert client.session["survey"]["answers"] == {"1": [2], "2": [3]}


def test_answers_sent_from_another_site_are_refused(round_and_token):
    """The question pages have no CSRF token; answers must come from the survey's own pages.
    A browser says where a form was sent from (Sec-Fetch-Site, Origin): another site's page
    that posts to the survey on a pupil's device is refused, and nothing is stored."""
    _round, token = round_and_token
    client = Client(enforce_csrf_checks=True)
    _start(client, token)
    url = reverse("surveys:answer-page", kwargs={"token": token, "number": 1})
    same_site = client.post(url, {"q1": "0"}, headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"})
    assert same_site.status_code == 302 and client.session["survey"]["answers"] == {"1": [0]}
    for headers in (
        {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://other.testserver"},
        {"Origin": "https://evil.example"},  # an older browser: no Sec-Fetch-Site
    ):
        refused = client.post(url, {"q1": "3"}, headers=headers)
        assert refused.status_code == 403 and "Sorry, this page was not sent" in refused.content.decode()
        assert "0800 1111" in refused.content.decode()  # the pupil's own error page, with help
    assert client.session["survey"]["answers"] == {"1": [0]}


def test_the_start_page_is_kept_for_visitors_with_no_session_and_forgotten_when_the_round_changes(
    client, alice, round_and_token, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    round_, token = round_and_token
    start = reverse("surveys:answer-start", kwargs={"token": token})
    first = client.get(start)
    assert first.status_code == 200 and "csrftoken" not in first.cookies
    body = first.content.decode()
    assert 'method="get"' in body and 'name="start"' in body and "Start now" in body
    assert "csrfmiddlewaretoken" not in body and 'method="post"' not in body
    with django_assert_num_queries(1):  # the kept page and its version, in one read
        again = Client().get(start)
    assert again.content == first.content
    for header in ("Referrer-Policy", "X-Robots-Tag", "Cache-Control"):
        assert again[header] == first[header]  # a kept page is as private as a drawn one
    assert again["Cache-Control"].startswith("no-store")
    with django_capture_on_commit_callbacks(execute=True):
        services.round_close(round=round_, by=alice)
    assert Client().get(start).status_code == 410


def test_a_round_with_nothing_to_choose_starts_from_a_link(client, alice, school_a):
    _round, token = open_round(school_a, alice, audience="parents", year_groups=[])
    body = client.get(reverse("surveys:answer-start", kwargs={"token": token})).content.decode()
    link = re.search(r'<a href="\?start=1" role="button"[^>]*class="govuk-button govuk-button--start"', body)
    assert link and "<form" not in body.split("<main", 1)[1]
    assert _start(client, token, year="").status_code == 302
    assert client.session["survey"]["year_group"] == ""


def test_a_kept_round_is_refused_once_its_closing_date_has_passed(client, round_and_token, monkeypatch):
    """What is kept of a round is never trusted for whether it is open: that is worked out
    from its dates on every request."""
    round_, token = round_and_token
    _start(client, token)
    page = reverse("surveys:answer-page", kwargs={"token": token, "number": 1})
    assert client.get(page).status_code == 200  # the round is kept now
    after = round_.closes_on + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: after)
    assert client.get(page).status_code == 410
    assert client.get(reverse("surveys:answer-start", kwargs={"token": token})).status_code == 410


def test_the_reporting_link_is_kept_encrypted(client, alice, school_a):
    link = "https://example.org/tell/very-secret-reporting-token/"
    round_, token = open_round(school_a, alice)
    round_.reporting_url = link
    round_.save(update_fields=["reporting_url"])
    body = client.get(reverse("surveys:answer-start", kwargs={"token": token})).content.decode()
    assert link in body
    assert selectors.answering_round(token).round.reporting_url == link  # read back from the cache
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM ppp_cache")
        kept = [base64.b64decode(row[0]) for row in cursor.fetchall()]  # pickles, as base64
    assert kept and not any(b"very-secret-reporting-token" in value for value in kept)


def test_a_kept_start_page_never_outlives_its_day(client, round_and_token, settings, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    round_, token = round_and_token
    start = reverse("surveys:answer-start", kwargs={"token": token})
    Client().get(start)
    with CaptureQueriesContext(connection) as same_day:
        Client().get(start)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    with CaptureQueriesContext(connection) as next_day:
        assert Client().get(start).status_code == 200
    assert len(same_day) == 1 and len(next_day) > 1  # kept, then drawn again under the new day


def test_a_school_renamed_is_named_so_at_once_on_its_survey(client, round_and_token, school_a):
    from ppp.accounts.models import Organisation
    from ppp.accounts.signals import organisations_imported

    _round, token = round_and_token
    start = reverse("surveys:answer-start", kwargs={"token": token})
    client.get(start)  # the round is kept
    school_a.name = "Renamed Primary School"
    school_a.save()
    assert "Renamed Primary School" in client.get(start).content.decode()
    # A bulk import saves without post_save and says so once: the rounds still answered are forgotten.
    Organisation.objects.filter(pk=school_a.pk).update(name="Imported Name Academy")
    organisations_imported.send(sender=Organisation, created=0, updated=1)
    assert "Imported Name Academy" in client.get(start).content.decode()


def test_i_would_rather_not_say_is_exclusive_on_a_question_with_several_answers(client, round_and_token):
    """GOV.UK's exclusive checkbox unticks the others in the browser; without JavaScript the
    page says to choose one or the other, and keeps nothing of the page."""
    round_, token = round_and_token
    question = round_.question_set.questions.get(kind="multiple", position=5)
    rather_not_say = str(question.rather_not_say)
    _start(client, token)
    _page(client, token, 1, {})
    page = client.get(reverse("surveys:answer-page", kwargs={"token": token, "number": 2})).content.decode()
    assert f'value="{rather_not_say}" data-behaviour="exclusive"' in page
    # Only "I'd rather not say", after one "or", in each question with several answers.
    several = round_.question_set.questions.filter(kind="multiple", position__in=[5, 6, 7, 8]).count()
    assert page.count('data-behaviour="exclusive"') == page.count('govuk-checkboxes__divider">or<') == several
    both = _page(client, token, 2, {"q5": ["0", rather_not_say]})
    assert both.status_code == 200
    assert "Choose the answers that are true, or “I’d rather not say”, not both" in both.content.decode()
    assert "5" not in client.session["survey"]["answers"]
    assert _page(client, token, 2, {"q5": [rather_not_say]}).status_code == 302
    assert client.session["survey"]["answers"]["5"] == [int(rather_not_say)]


def test_answers_sent_after_the_session_ended_say_so_on_the_start_page(client, round_and_token):
    """A device left for hours (the session ended) or cookies cleared: pressing Continue or
    Send goes back to the start, which says the answers so far were lost."""
    _round, token = round_and_token
    _start(client, token)
    _page(client, token, 1, {"q1": "0"})
    send = reverse("surveys:answer-send", kwargs={"token": token})
    form = _send_form(client, token)
    client.cookies.pop("sessionid")  # the session has ended
    for response in (_page(client, token, 2, {"q5": ["0"]}), client.post(send, form)):
        assert response.status_code == 302 and response["Location"].endswith("?lost=1")
        page = client.get(response["Location"]).content.decode()
        assert "Sorry, your answers so far were lost" in page and "0800 1111" in page
    assert not Response.objects.exists()
    # Someone who simply opens the start page is not told anything was lost.
    assert "were lost" not in client.get(reverse("surveys:answer-start", kwargs={"token": token})).content.decode()
