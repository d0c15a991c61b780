"""Surveys in a real browser, with axe on every page: a 6-year-old on a classroom tablet
(768 px) answers one question a page with faces and hands over to the next person; a
15-year-old on a phone (375 px, no sideways scrolling) answers and writes something; the
lead opens a round, reads its link once and closes it; the results show what was sent."""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ppp.accounts.models import Membership
from surveys.models import Response
from tests.e2e.test_award_journey import sign_in
from tests.factories import MembershipFactory, OrganisationFactory
from tests.surveys.factories import open_round
from tests.two_factor import give_authenticator

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_a_young_pupil_on_a_tablet_answers_and_hands_over(new_context, live_server, axe_check, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60  # pages of questions kept, as in production (docs/adr/0092)
    school = OrganisationFactory(name="Abbeygate Primary School")
    lead = MembershipFactory(organisation=school, role=Membership.Role.LEAD).user
    _round, token = open_round(school, lead, audience="pupils_5_7", year_groups=["1", "2"])
    page = new_context().new_page()
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(f"{live_server.url}/survey/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us how you feel at school")
    expect(page.get_by_text("0800 1111")).to_be_visible()
    axe_check(page)
    page.get_by_label("Year 1").check()
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_text("Question 1 of 11")).to_be_visible()
    axe_check(page)
    no_sideways_scroll(page)
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Question 2 of 11")).to_be_visible()
    # The browser's Back, then a reload (a tablet that slept): question 1 shows the answer
    # chosen, drawn for this child (the history entry was marked when it was sent).
    page.go_back()
    page.reload()
    expect(page.get_by_label("Yes")).to_be_checked()
    page.get_by_role("button", name="Next").click()
    # The page's own Back link does the same.
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_label("Yes")).to_be_checked()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Question 2 of 11")).to_be_visible()
    page.get_by_role("button", name="Next").click()  # question 2 skipped
    page.get_by_label("I'd rather not say").check()
    page.get_by_role("button", name="Next").click()
    for _ in range(8):
        page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("You answered 2 of 11 questions")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Next person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us how you feel at school")
    expect(page.get_by_text("You have started already")).to_have_count(0)
    assert Response.objects.get().answers == {"1": [0], "3": [3]}
    # The next child gets the same kept pages, with nothing of the first child's chosen.
    page.get_by_label("Year 2").check()
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_label("Yes")).not_to_be_checked()
    page.get_by_label("No", exact=True).check()
    for _ in range(11):
        page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert sorted(r.year_group for r in Response.objects.all()) == ["1", "2"]


def test_a_teenager_on_a_phone_answers_and_the_lead_reads_the_round(new_context, live_server, axe_check):
    school = OrganisationFactory(name="Brookfield Academy")
    lead = MembershipFactory(organisation=school, role=Membership.Role.LEAD, user__email="lead@e2e.example").user
    give_authenticator(lead)  # reading what pupils wrote needs it, as incident records do (ADR 0031)
    lead_page = new_context().new_page()
    sign_in(lead_page, live_server, "lead@e2e.example", totp=True)
    lead_page.goto(live_server.url + reverse("surveys:new"))
    axe_check(lead_page)
    lead_page.get_by_label("Pupils aged 11 to 18").check()
    import datetime

    from django.utils import timezone

    for name, day in (
        ("Opening date", timezone.localdate()),
        ("Closing date", timezone.localdate() + datetime.timedelta(days=7)),
    ):
        group = lead_page.get_by_role("group", name=name)
        group.get_by_label("Day").fill(str(day.day))
        group.get_by_label("Month").fill(str(day.month))
        group.get_by_label("Year").fill(str(day.year))
    lead_page.get_by_label("Year 10").check()
    lead_page.get_by_role("button", name="Open the round").click()
    expect(lead_page.get_by_role("heading", level=1)).to_have_text("Your survey link")
    axe_check(lead_page)
    link = lead_page.locator(".ppp-secret-link").inner_text().strip()
    url = live_server.url + "/survey/" + link.split("/survey/")[1]  # the link names the site's address

    phone = new_context().new_page()
    phone.set_viewport_size({"width": 375, "height": 740})
    phone.goto(url)
    axe_check(phone)
    no_sideways_scroll(phone)
    phone.get_by_label("Year 10").check()
    phone.get_by_role("button", name="Start").click()
    phone.get_by_label("Strongly agree").first.check()
    phone.get_by_role("button", name="Next").click()
    no_sideways_scroll(phone)
    axe_check(phone)
    # "I'd rather not say" stands apart and unticks the other answers (GOV.UK's exclusive box).
    hitting = phone.get_by_label("Hitting, kicking or pushing")
    hitting.check()
    phone.locator("input[data-behaviour=exclusive]").first.check()
    expect(hitting).not_to_be_checked()
    phone.get_by_role("button", name="Next").click()
    phone.get_by_role("button", name="Next").click()
    phone.get_by_label("Is there anything else you want to tell us?").fill("The library is a safe place at lunch.")
    no_sideways_scroll(phone)
    axe_check(phone)
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()

    lead_page.get_by_role("link", name="Go to the round").click()
    expect(lead_page.get_by_text("Fewer than 10 people have answered")).to_be_visible()
    axe_check(lead_page)
    lead_page.get_by_role("link", name="Read what people wrote").click()
    expect(lead_page.get_by_text("The library is a safe place at lunch.")).to_be_visible()
    axe_check(lead_page)
    lead_page.go_back()
    lead_page.get_by_role("button", name="Close the round now").click()
    expect(lead_page.get_by_role("heading", name="Are you sure you want to close this round?")).to_be_visible()
    axe_check(lead_page)
    lead_page.get_by_role("button", name="Yes, close the round").click()
    expect(lead_page.get_by_text("The round is closed")).to_be_visible()
    phone.goto(url)
    expect(phone.get_by_role("heading", level=1)).to_have_text("This survey is not open")


def test_the_lead_attaches_a_rounds_summary_to_the_award_on_a_phone(new_context, live_server, axe_check):
    from accreditation.models import Evidence
    from tests.accreditation import factories as award
    from tests.factories import make_officer
    from tests.surveys.test_pages import _close, _history

    school = OrganisationFactory(name="Cedar Primary School")
    lead = MembershipFactory(organisation=school, role=Membership.Role.LEAD, user__email="cedar@e2e.example").user
    _first, latest = _history(school, lead)
    _close(latest)  # only a closed round's summary, with its final figures, goes to the award
    application = award.evidencing(school, lead, make_officer("award-officer@e2e.example"))
    page = new_context().new_page()
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live_server, "cedar@e2e.example")
    page.goto(live_server.url + application.get_absolute_url())
    attach = page.get_by_role("button", name="Attach the survey summary for 3.1")
    attach.scroll_into_view_if_needed()
    expect(attach).to_be_visible()
    no_sideways_scroll(page)
    axe_check(page)
    attach.click()
    expect(page.get_by_role("button", name="Attach the survey summary for 3.1")).to_have_count(0)
    no_sideways_scroll(page)
    axe_check(page)
    evidence = Evidence.objects.get(application=application)
    assert evidence.title.startswith("Survey summary: Pupils aged 7 to 11")
    assert {c.code for c in evidence.criteria.all()} == {"3.1"}


def test_the_officer_reads_the_council_view_on_a_phone(new_context, live_server, axe_check):
    from ppp.accounts.models import Organisation
    from tests.factories import make_officer
    from tests.surveys.test_pages import _council_world

    primary, secondary, third = Organisation.Kind.values[:3]
    _council_world([primary] * 5 + [secondary] * 6 + [third] * 2)
    make_officer("council@e2e.example")
    page = new_context().new_page()
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live_server, "council@e2e.example", totp=True)
    page.goto(live_server.url + reverse("surveys:council"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupil voice across settings")
    page.get_by_label("Who was asked").select_option("pupils_11_18")
    page.get_by_role("button", name="Show").click()
    no_sideways_scroll(page)
    axe_check(page)
    table = page.get_by_role("table").first
    expect(table).to_contain_text("72")  # six schools of one kind, 12 answers each
    expect(table.get_by_role("cell", name="c").first).to_be_visible()  # two of another: withheld
    expect(page.get_by_role("heading", name="Who ran a survey this year")).to_be_visible()
    expect(page.get_by_text("Council School 0")).to_be_visible()  # participation, not results
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    csv = Path(download.value.path()).read_text()
    assert "Council School" not in csv


def test_the_lead_reads_results_by_class_and_sets_the_register_note(new_context, live_server, axe_check):
    import os

    from tests.surveys.factories import answer

    school = OrganisationFactory(name="Cedar Vale School")
    lead = MembershipFactory(organisation=school, role=Membership.Role.LEAD, user__email="lead@e2e.example").user
    round_, _token = open_round(
        school, lead, audience="pupils_11_18", year_groups=["7", "8"], class_labels=["7 Oak", "7 Ash", "8 Elm"]
    )
    for label, year, safe in (("7 Oak", "7", 11), ("7 Ash", "7", 9), ("8 Elm", "8", 13)):
        for n in range(safe + 4):
            answer(round_, year_group=year, class_label=label, answers={"1": [0 if n < safe else 2], "2": [1]})
    page = new_context().new_page()
    sign_in(page, live_server, "lead@e2e.example")
    page.goto(live_server.url + round_.get_absolute_url())
    table = page.get_by_role("table", name="by class or group").first
    expect(table.get_by_role("rowheader", name="7 Oak")).to_be_visible()
    axe_check(page)
    shots = os.environ.get("PPP_SCREENSHOTS", "")
    if shots:
        page.screenshot(path=f"{shots}/survey-classes-1280.png", full_page=True)
    for width in (375, 320):
        page.set_viewport_size({"width": width, "height": 800})
        no_sideways_scroll(page)
        if shots and width == 375:
            page.screenshot(path=f"{shots}/survey-classes-375.png", full_page=True)
    page.get_by_label("Say on the charter register that we asked our pupils this year").check()
    page.get_by_role("button", name="Save the register note").click()
    expect(page.get_by_text("The charter register now says your school asked its pupils this year.")).to_be_visible()
    axe_check(page)
    round_.refresh_from_db()
    assert round_.on_register


def test_an_incident_reviewer_is_told_of_a_flagged_answer_and_reads_it_on_a_phone(new_context, live_server, axe_check):
    """Staff who review incidents but do not run surveys: the home page raises what was
    flagged, the task opens it, and the back link goes to the rounds they may read."""
    from tests.incidents.factories import grant
    from tests.surveys.factories import answer

    school = OrganisationFactory(name="Abbeygate Primary School")
    lead = MembershipFactory(organisation=school, role=Membership.Role.LEAD).user
    reviewer = give_authenticator(grant(school, review=True, email="reviewer@e2e.example"))
    round_, _token = open_round(school, lead, year_groups=["5"])
    answer(round_, comment="The library is a safe place at lunch.")
    answer(round_, comment="Someone said they will hurt me after school")
    page = new_context().new_page()
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live_server, reviewer.email, totp=True)
    page.goto(live_server.url + reverse("accounts:home"))
    task = page.get_by_role("link", name="1 answer flagged as suggesting a child may be at risk")
    expect(task).to_be_visible()
    axe_check(page)
    no_sideways_scroll(page)
    task.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What people wrote")
    expect(page.get_by_text("Someone said they will hurt me after school")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Back to your school's surveys").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Surveys")
    expect(page.get_by_text("1 flagged")).to_be_visible()
    expect(page.get_by_role("link", name="Open a survey round")).to_have_count(0)
    axe_check(page)
    no_sideways_scroll(page)
    page.goto(live_server.url + reverse("accounts:home"))
    expect(page.get_by_text("flagged as suggesting a child may be at risk")).to_have_count(0)
    expect(page.get_by_role("link", name="What pupils wrote in your school's surveys")).to_be_visible()
