"""The lead's pages (open, share, close, extend, read), the staff who may read free text,
and the council's view: normal case, wrong person, bad input, query counts."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys import reports
from surveys.models import Round
from tests.factories import MembershipFactory, OrganisationFactory
from tests.surveys.factories import answer, answer_many, move_dates, open_round

# The distance travelled in `_history`, naming the answers counted.
SAFER = (
    "The share who answered “Always” or “Most of the time” went from 50% to 85%: "
    "up, more than chance alone would explain (two-proportion z test"
)


def _date(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def _new_round_data(**overrides):
    today = timezone.localdate()
    data = {
        "audience": "pupils_11_18",
        **_date("opens_on", today),
        **_date("closes_on", today + datetime.timedelta(days=14)),
        "year_groups": ["7", "8"],
        "class_labels": "7R\n8B\n",
        "reporting_link": "",
    }
    data.update(overrides)
    return data


def test_the_lead_opens_a_round_and_sees_its_link_once(client, alice):
    client.force_login(alice)
    assert client.get(reverse("surveys:new")).status_code == 200
    response = client.post(reverse("surveys:new"), _new_round_data())
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "/survey/" in body and "<svg" in body and "only time we can show it" in body
    round_ = Round.objects.get()
    assert round_.year_groups == ["7", "8"] and round_.class_labels == ["7R", "8B"]
    token = body.split("/survey/")[1].split("/")[0]
    assert token not in client.get(round_.get_absolute_url()).content.decode()


def test_bad_input_names_the_field_and_saves_nothing(client, alice):
    client.force_login(alice)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = client.post(
        reverse("surveys:new"),
        _new_round_data(
            year_groups=[], reporting_link="https://example.org/tell/nonsense/", **_date("opens_on", yesterday)
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Opening date must be today or in the future" in body
    assert "Choose the year groups you are asking" in body
    assert "Your school does not have a pupils&#x27; reporting link yet" in body  # none made yet
    assert not Round.objects.exists()
    from tests.incidents.factories import reporting_link

    reporting_link(alice.memberships.get().organisation, alice)
    body = client.post(
        reverse("surveys:new"), _new_round_data(reporting_link="https://example.org/tell/nonsense/")
    ).content.decode()
    assert "This is not your school&#x27;s current reporting link" in body
    assert not Round.objects.exists()


def test_a_member_who_is_not_the_lead_cannot_run_surveys(client, bob):
    client.force_login(bob)
    assert client.get(reverse("surveys:new")).status_code == 403
    assert client.get(reverse("surveys:list")).status_code == 403


def test_officers_get_404_on_the_schools_pages(client, officer):
    client.force_login(officer)
    assert client.get(reverse("surveys:list")).status_code == 404


def test_the_poster_is_a_pdf_for_the_rounds_own_link_only(client, alice, school_a):
    round_, token = open_round(school_a, alice)
    _other, other_token = open_round(school_a, alice)
    client.force_login(alice)
    url = reverse("surveys:round-poster", kwargs={"pk": round_.public_id})
    response = client.post(url, {"link": f"http://testserver/survey/{token}/"})
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    wrong = client.post(url, {"link": f"http://testserver/survey/{other_token}/"})
    assert wrong.status_code == 200 and "This is not this round" in wrong.content.decode()


def test_close_and_extend_from_the_round_page(client, alice, school_a):
    round_, _token = open_round(school_a, alice)
    client.force_login(alice)
    later = round_.closes_on + datetime.timedelta(days=5)
    extend = reverse("surveys:round-extend", kwargs={"pk": round_.public_id})
    bad = client.post(extend, _date("closes_on", round_.closes_on - datetime.timedelta(days=1)))
    assert bad.status_code == 200 and "must be after the current one" in bad.content.decode()
    assert client.post(extend, _date("closes_on", later)).status_code == 302
    round_.refresh_from_db()
    assert round_.closes_on == later
    assert client.post(reverse("surveys:round-close", kwargs={"pk": round_.public_id})).status_code == 302
    round_.refresh_from_db()
    assert round_.closed_at is not None


def _history(school, lead):
    """A baseline round a year ago (half feel safe) and a round now (most do), with no
    group's figure from 1 to 5, so the headline figures are shown."""
    today = timezone.localdate()
    first, _ = open_round(school, lead, year_groups=["5", "6"])
    for year in ("5", "6"):
        for n in range(20):
            answer(first, year_group=year, answers={"1": [0 if n < 10 else 3], "4": [1]})
    move_dates(first, today - datetime.timedelta(days=380), today - datetime.timedelta(days=370))
    latest, _ = open_round(school, lead, year_groups=["5", "6"])
    for _n in range(18):
        answer(latest, year_group="5", answers={"1": [0]})
    for n in range(23):
        answer(latest, year_group="6", answers={"1": [0 if n < 17 else 2]})
    answer(latest, year_group="6", answers={"2": [1]}, comment="The new buddy bench helps")
    return first, latest


def _close(round_):
    """Close a round now, as the lead's *Close the round now* does."""
    Round.objects.filter(pk=round_.pk).update(closed_at=timezone.now())
    round_.refresh_from_db()
    return round_


def test_results_show_counts_by_year_group_and_the_distance_travelled(client, alice, school_a):
    _first, latest = _history(school_a, alice)
    client.force_login(alice)
    response = client.get(latest.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Year 5" in body and "Year 6" in body and "<svg" in body
    assert "Since the first round" in body
    assert SAFER in body
    assert "c" in body  # question 2 has a single answer: hidden
    assert "The new buddy bench" not in body  # free text only on its own page


def test_a_round_with_fewer_than_ten_answers_shows_no_results(client, alice, school_a):
    round_, _token = open_round(school_a, alice)
    answer_many(round_, 9)
    client.force_login(alice)
    body = client.get(round_.get_absolute_url()).content.decode()
    assert "Fewer than 10 people have answered" in body


def test_the_results_page_costs_the_same_queries_however_many_answers(client, alice, school_a):
    """The same number of queries with 12 answers in one year group and 42 in two, both when
    the figures are new (the protected tables solved and kept: a cache read and a write, on
    the database cache here) and when they are kept (the read only)."""
    round_, _token = open_round(school_a, alice)
    answer_many(round_, 12)
    client.force_login(alice)

    def queries() -> tuple[int, int]:
        counts = []
        for _ in range(2):  # new figures, then kept
            with CaptureQueriesContext(connection) as captured:
                assert client.get(round_.get_absolute_url()).status_code == 200
            counts.append(len(captured))
        return counts[0], counts[1]

    few = queries()
    answer_many(round_, 30, year_group="6")
    many = queries()
    # Kept: the same queries exactly. New figures: the kept count and the protected tables'
    # cache write, and now and then the database cache's cull (ppp.cache: once every
    # CULL_EVERY writes of a process, so it falls on whichever request it falls on).
    assert few[1] == many[1] <= 16 and many[0] - many[1] <= 2, (few, many)


def test_the_governors_summary_is_a_pdf_without_free_text(client, alice, school_a):
    _first, latest = _history(school_a, alice)
    client.force_login(alice)
    response = client.get(reverse("surveys:round-pdf", kwargs={"pk": latest.public_id}))
    assert response.content.startswith(b"%PDF")
    assert b"buddy bench" not in response.content


def test_free_text_is_for_the_lead_and_incident_reviewers_only(client, alice, bob, school_a, officer):
    from tests.incidents.factories import grant

    _first, latest = _history(school_a, alice)
    url = reverse("surveys:round-comments", kwargs={"pk": latest.public_id})
    client.force_login(alice)
    assert "The new buddy bench helps" in client.get(url).content.decode()
    client.force_login(bob)
    assert client.get(url).status_code == 404
    grant(school_a, bob, review=True)
    assert client.get(url).status_code == 200
    client.force_login(officer)
    assert client.get(url).status_code == 404


@pytest.mark.without_two_factor
def test_what_pupils_wrote_needs_two_factor_as_incident_records_do(client, alice, bob, school_a, officer):
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.factories import PASSWORD, TOTP_SECRET
    from tests.incidents.factories import grant

    _first, latest = _history(school_a, alice)
    url = reverse("surveys:round-comments", kwargs={"pk": latest.public_id})
    set_up = reverse("mfa_activate_totp")
    grant(school_a, bob, review=True)
    for person in (alice, bob):  # the lead, and staff who review incidents: no authenticator yet
        client.force_login(person)
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == f"{set_up}?next={url}"
        assert client.get(latest.get_absolute_url() if person == alice else reverse("surveys:list")).status_code == 200
        TOTP.activate(person, TOTP_SECRET)
        assert "The new buddy bench helps" in client.get(url).content.decode()
    # Signed in with a password a moment ago, as a person is: the set-up page says why.
    carol = grant(school_a, review=True, email="carol@a.example")
    client.logout()
    client.post(reverse("account_login"), {"login": carol.email, "password": PASSWORD})
    told = client.get(client.get(url)["Location"]).content.decode()
    assert "to read bullying incident records and what pupils wrote in surveys" in told
    assert "you can go on to the page you asked for" in told
    stranger = MembershipFactory(organisation=school_a).user  # no incident role: refused as before
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(officer)
    assert client.get(url).status_code == 404


def test_incident_reviewers_who_do_not_run_surveys_find_what_pupils_wrote(client, alice, bob, school_a, officer):
    from tests.incidents.factories import grant

    _first, latest = _history(school_a, alice)
    answer(latest, year_group="5", comment="He hurts me at break")
    comments = reverse("surveys:round-comments", kwargs={"pk": latest.public_id})
    client.force_login(bob)
    assert client.get(reverse("surveys:list")).status_code == 403  # no incident role: nothing
    assert "Pupil voice surveys" not in client.get(reverse("accounts:home")).content.decode()
    grant(school_a, bob, review=True)
    home = client.get(reverse("accounts:home")).content.decode()
    assert "What pupils wrote in your school&#x27;s surveys" in home and reverse("surveys:list") in home
    listing = client.get(reverse("surveys:list"))
    body = listing.content.decode()
    assert listing.status_code == 200
    assert comments in body and "1 flagged" in body and "Read 2 answers" in body
    assert latest.get_absolute_url() + '"' not in body  # results are the lead's
    assert reverse("surveys:new") not in body
    page = client.get(comments).content.decode()
    assert "He hurts me at break" in page
    assert latest.get_absolute_url() + '"' not in page and reverse("surveys:list") in page  # back to what they may open
    assert client.get(latest.get_absolute_url()).status_code == 404
    client.force_login(alice)
    page = client.get(comments).content.decode()
    assert latest.get_absolute_url() + '"' in page and "Back to the round" in page
    client.force_login(officer)
    assert client.get(reverse("surveys:list")).status_code == 404


def test_flagged_answers_are_raised_on_the_home_page_until_each_reader_reads_them(client, alice, bob, school_a):
    from tests.incidents.factories import grant

    grant(school_a, bob, review=True)
    round_, _token = open_round(school_a, alice, year_groups=["5"])
    answer(round_, comment="I feel safe")
    comments = reverse("surveys:round-comments", kwargs={"pk": round_.public_id})
    for person in (alice, bob):
        client.force_login(person)
        assert "suggesting a child may be at risk" not in client.get(reverse("accounts:home")).content.decode()
    answer(round_, comment="they threaten me")
    answer(round_, comment="Someone said they will hurt me after school")
    for person in (alice, bob):
        client.force_login(person)
        home = client.get(reverse("accounts:home")).content.decode()
        assert "2 answers flagged as suggesting a child may be at risk in the survey of pupils" in home
        assert comments in home
    client.get(comments)  # bob reads them
    assert "suggesting a child may be at risk" not in client.get(reverse("accounts:home")).content.decode()
    client.force_login(alice)
    assert "2 answers flagged" in client.get(reverse("accounts:home")).content.decode()  # not read yet
    answer(round_, comment="I self-harmed")
    client.force_login(bob)
    home = client.get(reverse("accounts:home")).content.decode()
    assert "1 answer flagged as suggesting a child may be at risk" in home


def test_the_home_page_costs_the_same_queries_however_many_rounds_are_flagged(
    client, alice, bob, school_a, django_assert_max_num_queries
):
    from tests.incidents.factories import grant

    grant(school_a, bob, review=True)
    home = reverse("accounts:home")

    def flagged_round():
        round_, _token = open_round(school_a, alice, year_groups=["5"])
        answer(round_, comment="he hurts me")
        answer(round_, comment="they kick me")

    flagged_round()
    for person in (alice, bob):
        client.force_login(person)
        client.get(home)
        with django_assert_max_num_queries(25) as one:
            client.get(home)
        for _ in range(3):
            flagged_round()
        with django_assert_max_num_queries(len(one.captured_queries)):
            assert "2 answers flagged" in client.get(home).content.decode()


def test_the_list_costs_the_same_queries_however_many_rounds_and_answers(
    client, alice, bob, school_a, django_assert_max_num_queries
):
    from tests.incidents.factories import grant

    grant(school_a, bob, review=True)
    round_, _token = open_round(school_a, alice, year_groups=["5"])
    answer(round_, comment="he hurts me")
    for person in (alice, bob):
        client.force_login(person)
        with django_assert_max_num_queries(20) as one:
            client.get(reverse("surveys:list"))
    for _ in range(3):
        more, _token = open_round(school_a, alice, year_groups=["5"])
        answer(more, comment="they punch me")
        answer(more, comment="Lunch is nice")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert "Read 2 answers" in client.get(reverse("surveys:list")).content.decode()


def test_the_self_review_shows_the_latest_headline_figures(client, alice, school_a, officer):
    from tests.accreditation import factories as award

    _first, latest = _history(school_a, alice)
    application = award.evidencing(school_a, alice, officer)
    _close(latest)
    client.force_login(alice)
    body = client.get(reverse("accreditation:self-review", kwargs={"pk": application.public_id})).content.decode()
    assert "Latest closed survey of pupils aged 7 to 11" in body
    assert "I feel safe at school. 85% answered “Always” or “Most of the time” (35 of 41)." in body


def test_the_award_page_offers_the_summary_and_attaches_it(client, alice, school_a, officer):
    from accreditation.models import Evidence
    from tests.accreditation import factories as award

    _first, latest = _history(school_a, alice)
    _close(latest)
    application = award.evidencing(school_a, alice, officer)
    client.force_login(alice)
    page = client.get(application.get_absolute_url()).content.decode()
    attach = reverse(
        "surveys:award-attach",
        kwargs={"pk": latest.public_id, "application": application.public_id, "criterion": "3.1"},
    )
    assert attach in page
    assert client.post(attach).status_code == 302
    evidence = Evidence.objects.get(application=application)
    assert evidence.title.startswith("Survey summary")
    assert attach not in client.get(application.get_absolute_url()).content.decode()


def _council_world(kinds, areas=None):
    """Rounds that ended last week in settings of the given kinds (and areas), 12 answers each."""
    today = timezone.localdate()
    for n, kind in enumerate(kinds):
        area = areas[n] if areas else "Leicester"
        school = OrganisationFactory(name=f"Council School {n}", kind=kind, local_authority=area)
        lead = MembershipFactory(organisation=school, role="lead").user
        round_, _ = open_round(school, lead, audience="pupils_11_18", year_groups=["7"])
        for m in range(12):
            answer(round_, year_group="7", answers={"1": [0 if m < 9 else 2]})
        move_dates(round_, today - datetime.timedelta(days=3), today - datetime.timedelta(days=1))
    return _publish()


def _publish():
    """Publish the term the rounds ended in, as the nightly command does once it has ended."""
    from incidents.selectors import Term
    from surveys import releases

    term = Term.from_slug(reports.terms_with_rounds()[0])
    releases.publish(term, today=term.end)
    return term


def test_the_council_sees_kinds_of_setting_with_five_settings_and_participation(client, officer):
    from ppp.accounts.models import Organisation

    primary, secondary, third = Organisation.Kind.values[:3]
    _council_world([primary] * 5 + [secondary] * 6 + [third] * 2)
    client.force_login(officer)
    response = client.get(reverse("surveys:council") + "?audience=pupils_11_18")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Council School 0" in body  # participation: who ran a round
    figures = reports.council_figures("pupils_11_18", reports.terms_with_rounds()[0], dict(Organisation.Kind.choices))
    rows = {row.label: row for row in figures.question_rows[0][1]}
    labels = dict(Organisation.Kind.choices)
    assert rows[labels[secondary]].base == 72
    assert rows[labels[third]].base is None  # two settings: withheld
    assert rows[labels[primary]].base is None  # so the third cannot be the total less the others
    from surveys.disclosure import worked_back

    assert all(worked_back(table) == [] for table in figures.tables)
    csv = client.get(reverse("surveys:council-csv") + "?audience=pupils_11_18").content.decode()
    assert "Council School" not in csv and ",c," in csv


def test_schools_cannot_see_the_council_view(client, alice):
    client.force_login(alice)
    assert client.get(reverse("surveys:council")).status_code == 403
    assert client.get(reverse("surveys:council-csv")).status_code == 403


@pytest.mark.parametrize("url", ["surveys:list", "surveys:new", "surveys:council"])
def test_anonymous_people_are_sent_to_sign_in(client, url):
    response = client.get(reverse(url))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_reaccreditation_shows_the_distance_travelled_since_the_last_award(client, alice, school_a, officer):
    from accreditation import services as award_services
    from accreditation.models import LegacyAward

    _first, latest = _history(school_a, alice)  # a round 380 days ago, and one now
    _close(latest)
    LegacyAward.objects.create(organisation=school_a, awarded_on=timezone.localdate() - datetime.timedelta(days=200))
    application = award_services.reaccreditation_start(
        organisation=school_a, by=alice, contact_name="A", contact_email="a@a.example", accept_terms=True
    )
    client.force_login(alice)
    body = client.get(application.get_absolute_url()).content.decode()
    assert "Distance travelled since the last award" in body
    assert "against" in body and "before the award" in body
    assert SAFER in body
    assert latest.get_absolute_url() in body
    # Officers see the award page but never a school's survey results.
    client.force_login(officer)
    officer_page = client.get(application.get_absolute_url())
    assert officer_page.status_code == 200
    assert "Distance travelled since the last award" not in officer_page.content.decode()


def test_a_first_application_shows_no_distance_travelled(client, alice, school_a, officer):
    from tests.accreditation import factories as award

    _history(school_a, alice)
    application = award.evidencing(school_a, alice, officer)
    client.force_login(alice)
    body = client.get(application.get_absolute_url()).content.decode()
    assert "Distance travelled since the last award" not in body


def test_the_charter_register_says_a_school_asked_its_pupils_only_if_it_agreed(
    client, alice, school_a, settings, django_capture_on_commit_callbacks
):
    from tests.charter.factories import approved_pledge

    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    pledge = approved_pledge(school_a)
    register = reverse("charter:register")
    entry = reverse("charter:register-entry", kwargs={"pledge": pledge.public_id})
    assert "Asked its pupils this year" not in client.get(register).content.decode()  # now kept in the cache
    assert "Asked its pupils this year" not in client.get(entry).content.decode()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("surveys:new"), _new_round_data())  # not agreed
    client.logout()
    assert "Asked its pupils this year" not in client.get(register).content.decode()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("surveys:new"), _new_round_data(on_register="on")).status_code == 302
    client.logout()
    # The kept register was forgotten when the school agreed: shown at once, and no figures.
    body = client.get(register).content.decode()
    assert "Asked its pupils this year" in body and "%" not in body.split("Pupil voice")[1][:200]
    assert "Asked its pupils this year" in client.get(entry).content.decode()


def test_the_register_note_is_for_pupil_rounds_only(client, alice, school_a):
    from tests.charter.factories import approved_pledge

    approved_pledge(school_a)
    open_round(school_a, alice, audience="parents", year_groups=[], on_register=True)
    assert Round.objects.get().on_register is False
    assert "Asked its pupils this year" not in client.get(reverse("charter:register")).content.decode()


def test_the_register_asks_surveys_once_for_a_whole_page(client, alice, django_assert_num_queries):
    from ppp.register import register_notes
    from tests.charter.factories import approved_pledge

    schools = [OrganisationFactory() for _ in range(3)]
    for school in schools:
        approved_pledge(school)
        MembershipFactory(organisation=school, user=alice, role="lead")
        open_round(school, alice, on_register=True)
    with django_assert_num_queries(1):
        notes = register_notes([s.pk for s in schools])
    assert notes == {s.pk: ["Asked its pupils this year"] for s in schools}


def test_the_council_sees_areas_under_the_same_rule(client, officer):
    from ppp.accounts.models import Organisation
    from surveys.disclosure import worked_back

    primary = Organisation.Kind.values[0]
    areas = ["Leicester"] * 6 + ["Leicestershire"] * 5 + ["Rutland"] * 2 + [""] * 5
    _council_world([primary] * len(areas), areas=areas)
    term = reports.terms_with_rounds()[0]
    figures = reports.council_figures("pupils_11_18", term, dict(Organisation.Kind.choices), by="area")
    rows = {row.label: row for row in figures.question_rows[0][1]}
    assert rows["Leicester"].base == 72 and rows["Leicester"].settings == 6
    assert rows["Rutland"].base is None  # two settings: withheld
    assert rows["Leicestershire"].base is None or rows["Area not recorded"].base is None  # the next smallest too
    assert rows["All settings"].base == 18 * 12
    assert all(worked_back(table) == [] for table in figures.tables)
    client.force_login(officer)
    body = client.get(reverse("surveys:council"), {"audience": "pupils_11_18", "by": "area"}).content.decode()
    assert ">Area<" in body and "Rutland" in body and "Leicester" in body
    csv = client.get(reverse("surveys:council-csv"), {"audience": "pupils_11_18", "by": "area"})
    text = csv.content.decode().lstrip("\ufeff")  # the byte-order mark spreadsheets need
    assert "by-area" in csv["Content-Disposition"]
    # Named as the term reads ("Summer term 2026": summer-2026), not by its academic year.
    assert re.search(r"-(autumn|spring|summer)-(\d{4})-by-area\.csv", csv["Content-Disposition"])
    assert text.startswith("Question,Area,") and "Council School" not in text and ",c," in text
    # A grouping that does not exist falls back to kind of setting, never a 500.
    assert ">Kind of setting<" in client.get(reverse("surveys:council"), {"by": "school"}).content.decode()


def test_the_council_page_costs_the_same_queries_by_area_however_many_settings(
    client, officer, django_assert_max_num_queries
):
    from ppp.accounts.models import Organisation

    primary = Organisation.Kind.values[0]
    _council_world([primary] * 5, areas=["Leicester"] * 5)
    client.force_login(officer)
    url = reverse("surveys:council") + "?audience=pupils_11_18&by=area"
    with django_assert_max_num_queries(40) as one:
        client.get(url)
    from surveys.models import CouncilRelease

    CouncilRelease.objects.all().delete()
    _council_world([primary] * 5, areas=["Rutland"] * 5)  # twice the settings, published again
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(url).content.decode()
    assert "Rutland" in body


def _classes_round(school, lead, classes=("5A", "5B", "6A")):
    round_, _token = open_round(school, lead, year_groups=["5", "6"], class_labels=list(classes))
    for label in classes:
        for n in range(14):
            answer(round_, year_group=label[0], class_label=label, answers={"1": [0 if n < 11 else 2]})
    for _n in range(3):
        answer(round_, year_group="5", class_label="", answers={"1": [1]})
    return round_


def test_results_show_each_class_or_group_under_the_same_rule(client, alice, school_a):
    round_ = _classes_round(school_a, alice)
    client.force_login(alice)
    body = client.get(round_.get_absolute_url()).content.decode()
    assert "By class or group" in body
    assert '<th scope="row" class="govuk-table__header">5A</th>' in body
    assert reports.NO_CLASS in body  # three answered without choosing a class
    results = reports.round_results(round_)
    from surveys.disclosure import release_of, worked_back

    for result in results.questions:
        assert result.class_table is not None and release_of(result.class_table) is release_of(result.table)
        assert worked_back(result.table) == []
        rows = result.class_rows()
        for _label, base, cells in rows:
            for count, pct in cells:
                assert count is None or count == 0 or count > 5
                assert pct is None or count is not None
            assert base is None or base >= 10
    first = results.questions[0]
    labels = [label for label, _base, _cells in first.class_rows()]
    assert labels == ["5A", "5B", "6A", reports.NO_CLASS]
    assert first.class_rows()[3][1] is None  # 3 answers: withheld


def test_a_round_without_classes_shows_no_class_table(client, alice, school_a):
    _first, latest = _history(school_a, alice)
    client.force_login(alice)
    body = client.get(latest.get_absolute_url()).content.decode()
    assert "By class or group" not in body
    assert all(r.class_table is None for r in reports.round_results(latest).questions)


def test_the_results_page_costs_the_same_queries_however_many_classes(
    client, alice, school_a, django_assert_max_num_queries
):
    few = _classes_round(school_a, alice, classes=("5A", "6A"))
    many = _classes_round(school_a, alice, classes=("5A", "5B", "5C", "6A", "6B", "6C"))
    client.force_login(alice)
    with django_assert_max_num_queries(18) as one:
        client.get(few.get_absolute_url())
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(many.get_absolute_url())


def test_the_lead_changes_the_register_note_on_an_open_round(
    client, alice, school_a, settings, django_capture_on_commit_callbacks
):
    from ppp.audit.models import AuditEvent
    from tests.charter.factories import approved_pledge

    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    approved_pledge(school_a)
    register = reverse("charter:register")
    round_, _token = open_round(school_a, alice)
    url = reverse("surveys:round-register", kwargs={"pk": round_.public_id})
    assert "Asked its pupils this year" not in client.get(register).content.decode()  # kept in the cache
    client.force_login(alice)
    page = client.get(round_.get_absolute_url()).content.decode()
    assert url in page and "This round does not put a note on the public charter register" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"on_register": "on"}, follow=True)
    assert "The charter register now says your school asked its pupils this year." in response.content.decode()
    round_.refresh_from_db()
    assert round_.on_register
    event = AuditEvent.objects.get(action="surveys.register_note_changed")
    assert event.detail.get("on_register") is True
    client.logout()
    assert "Asked its pupils this year" in client.get(register).content.decode()  # the cache was forgotten
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {}, follow=True)
    assert "no longer says" in response.content.decode()
    round_.refresh_from_db()
    assert not round_.on_register
    client.logout()
    assert "Asked its pupils this year" not in client.get(register).content.decode()


def test_the_register_note_cannot_change_on_a_closed_round_or_by_others(client, alice, bob, school_a, officer):
    round_, _token = open_round(school_a, alice)
    url = reverse("surveys:round-register", kwargs={"pk": round_.public_id})
    client.force_login(alice)
    assert client.get(url).status_code == 405
    client.force_login(bob)  # staff, not the lead
    assert client.post(url, {"on_register": "on"}).status_code == 404
    client.force_login(officer)
    assert client.post(url, {"on_register": "on"}).status_code == 404
    client.force_login(alice)
    client.post(reverse("surveys:round-close", kwargs={"pk": round_.public_id}))
    response = client.post(url, {"on_register": "on"}, follow=True)
    assert "This round has closed, so its register note cannot change." in response.content.decode()
    round_.refresh_from_db()
    assert not round_.on_register
    assert 'action="' + url not in client.get(round_.get_absolute_url()).content.decode()


def test_the_register_note_service_refuses_surveys_of_parents(alice, school_a):
    from surveys import services

    round_, _token = open_round(school_a, alice, audience="parents", year_groups=[])
    with pytest.raises(services.SurveyError, match="Only a survey of pupils"):
        services.round_register_note(round=round_, on_register=True, by=alice)
    round_.refresh_from_db()
    assert not round_.on_register


def test_the_council_page_shows_participation_a_page_at_a_time(client, officer, django_assert_max_num_queries):
    for n in range(51):
        school = OrganisationFactory(name=f"Setting {n:02d}")
        open_round(school, MembershipFactory(organisation=school, role="lead").user, audience="staff")
    client.force_login(officer)
    with django_assert_max_num_queries(14):
        first = client.get(reverse("surveys:council")).content.decode()
    assert "Setting 00" in first and "Setting 49" in first and "Setting 50" not in first
    assert "51 settings, in name order" in first
    second = client.get(reverse("surveys:council") + "?page=2").content.decode()
    assert "Setting 50" in second and "Setting 00" not in second


def test_a_hidden_headline_says_why_it_is_hidden_not_that_answers_are_few(client, alice, school_a):
    round_, _token = open_round(school_a, alice, year_groups=["5"])
    answer_many(round_, 3, answers={"1": [0]})  # 3 feel safe always: a count from 1 to 5
    answer_many(round_, 11, answers={"1": [3]})
    client.force_login(alice)
    body = client.get(round_.get_absolute_url()).content.decode()
    assert "No headline figure: to protect the people who answered" in body
    assert "Not enough answers" not in body
