"""The council's pupil voice figures as stored releases (surveys.releases, docs/adr/0071):
made once per audience and ended term, checked exactly before they are stored, refused if
the check finds anything; the page and its CSV read the release and nothing else, so a page
costs the same queries whatever the number of rounds."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from incidents.selectors import Term
from ppp import disclosure as shared
from ppp.accounts.models import Organisation
from surveys import releases, reports
from surveys.models import CouncilRelease
from tests.factories import MembershipFactory, OrganisationFactory
from tests.surveys.factories import answer, move_dates, open_round

PRIMARY, SECONDARY = Organisation.Kind.PRIMARY, Organisation.Kind.SECONDARY
URL = reverse("surveys:council")


def _world(n_settings, *, start=0, kind=PRIMARY, area="Leicester", audience="pupils_11_18", ended_days_ago=1):
    """Settings whose rounds ended `ended_days_ago` days ago, 12 answers each; their term."""
    today = timezone.localdate()
    for n in range(start, start + n_settings):
        school = OrganisationFactory(name=f"Release School {n}", kind=kind, local_authority=area)
        lead = MembershipFactory(organisation=school, role="lead").user
        round_, _ = open_round(school, lead, audience=audience, year_groups=["7"])
        for m in range(12):
            answer(round_, year_group="7", answers={"1": [0 if m < 9 else 2]})
        closes = today - datetime.timedelta(days=ended_days_ago)
        move_dates(round_, closes - datetime.timedelta(days=2), closes)
    return Term.of(today - datetime.timedelta(days=ended_days_ago))


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))


def test_a_release_holds_what_the_tallies_give_and_passes_the_check_again(db):
    _world(6)
    term = _world(5, start=6, kind=SECONDARY, area="Rutland")
    made = {r.audience: r for r in releases.publish(term, today=term.end)}
    release = made["pupils_11_18"]
    assert release.published and release.settings_count == 11
    assert not made["parents"].published  # nobody asked parents: stored as no figures
    for by in reports.COUNCIL_GROUPINGS:
        live = reports.council_figures("pupils_11_18", term.slug, dict(Organisation.Kind.choices), by=by)
        assert releases.figures_of(release, by).question_rows == live.question_rows
    assert all(shared.check(one) == [] for one in releases.stored_published(release))
    # Made once: publishing again returns the same rows, whatever changed since.
    _world(5, start=20, area="Leicester")
    again = {r.audience: r for r in releases.publish(term, today=term.end)}
    assert again["pupils_11_18"].pk == release.pk and CouncilRelease.objects.count() == len(made)


def test_a_term_that_has_not_ended_is_not_published(db):
    term = _world(6)
    with pytest.raises(releases.ReleaseRefused, match="before the term has ended"):
        releases.publish(term, today=term.end - datetime.timedelta(days=1))
    assert not CouncilRelease.objects.exists()


def test_a_release_that_fails_the_exact_check_is_refused(db, monkeypatch):
    term = _world(6)
    problem = shared.Problem(key=("total", 0), least=3, greatest=3, reason="worked back")
    monkeypatch.setattr(releases.shared, "check", lambda published: [problem])
    with pytest.raises(releases.ReleaseRefused, match="failed the disclosure check"):
        releases.publish(term, today=term.end)
    assert not CouncilRelease.objects.exists()


def test_the_page_and_the_csv_show_the_release(client, officer):
    _world(6)
    term = _world(5, start=6, kind=SECONDARY, area="Rutland")
    release = next(r for r in releases.publish(term, today=term.end) if r.audience == "pupils_11_18")
    client.force_login(officer)
    for by, heading in (("kind", "Kind of setting"), ("area", "Area")):
        rows = release.figures[by]
        csv_rows = _csv_rows(client.get(reverse("surveys:council-csv"), {"by": by}))
        expected = [
            [text, label, str(settings), "c" if base is None else str(base), counted, "c" if p is None else str(p)]
            for (text, question_rows), counted in zip(rows, release.figures["counted"], strict=True)
            for label, settings, base, p in question_rows
        ]
        assert csv_rows[0][:6] == [
            "Question",
            heading,
            "Settings",
            "Answers",
            "Answer counted",
            "Gave the answer counted",
        ]
        assert [row[:6] for row in csv_rows[1:]] == expected
        body = client.get(URL, {"by": by}).content.decode()
        for _text, question_rows in rows:
            for label, settings, _base, _positive in question_rows:
                assert f'<th scope="row" class="govuk-table__header">{label}</th>' in body
                assert f'<td class="govuk-table__cell govuk-table__cell--numeric">{settings}</td>' in body
    # The release is read, not the tallies: a change to the tallies changes nothing shown.
    from surveys.models import Tally

    Tally.objects.update(count=1000)
    kind_rows = _csv_rows(client.get(reverse("surveys:council-csv"), {"by": "kind"}))
    assert [row[:4] + row[5:6] for row in kind_rows[1:]] == [
        [text, label, str(s), *("c" if v is None else str(v) for v in (b, p))]
        for text, question_rows in release.figures["kind"]
        for label, s, b, p in question_rows
    ]


def test_the_page_costs_the_same_queries_whatever_the_number_of_rounds(client, officer, django_assert_max_num_queries):
    term = _world(5)
    releases.publish(term, today=term.end)
    client.force_login(officer)
    with django_assert_max_num_queries(40) as small:
        client.get(URL, {"by": "area"})
    CouncilRelease.objects.all().delete()
    _world(20, start=5, kind=SECONDARY, area="Rutland")
    releases.publish(term, today=term.end)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(URL, {"by": "area"}).content.decode()
    assert "Rutland" in body


def test_the_page_says_when_a_term_has_no_release_yet(client, officer):
    term = _world(6)
    client.force_login(officer)
    body = client.get(URL, {"audience": "pupils_11_18", "term": term.slug}).content.decode()
    assert "are published once the term has ended" in body
    assert f">{term.label}</option>" in body and term.slug not in body.split("<option")[0]
    csv_rows = _csv_rows(client.get(reverse("surveys:council-csv"), {"term": term.slug}))
    assert csv_rows == [["The figures for this term have not been published yet."]]


def test_the_newest_published_term_and_audience_come_first(client, officer):
    older = _world(6, audience="parents", ended_days_ago=200)
    releases.publish(older, today=older.end)
    newer = _world(6, start=10, audience="parents", ended_days_ago=1)  # not ended: no release
    client.force_login(officer)
    body = client.get(URL).content.decode()
    assert f'<option value="{older.slug}" selected>{older.label}</option>' in body
    assert '<option value="parents" selected>' in body
    assert f'<option value="{newer.slug}">{newer.label}</option>' in body


def test_the_command_publishes_ended_terms_once_and_refuses_an_open_one(db):
    older = _world(6, ended_days_ago=200)
    out = io.StringIO()
    call_command("publish_survey_figures", "--now", stdout=out)
    assert f"{older.label}: published" in out.getvalue()
    assert CouncilRelease.objects.filter(year=older.year, term=older.key).count() == 5
    out = io.StringIO()
    call_command("publish_survey_figures", stdout=out)  # nothing left to do
    assert "published already" in out.getvalue()
    with pytest.raises(CommandError, match="has not ended"):
        call_command("publish_survey_figures", "--term", Term.of(timezone.localdate()).slug)
    with pytest.raises(CommandError, match="like 2025-autumn"):
        call_command("publish_survey_figures", "--term", "autumn")


def test_the_nightly_command_queues_the_worker_task(db, django_capture_on_commit_callbacks):
    older = _world(6, ended_days_ago=200)
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the task runs once the job is committed
        call_command("publish_survey_figures", stdout=out)
    assert "queued for the worker" in out.getvalue()
    assert CouncilRelease.objects.filter(year=older.year, term=older.key, audience="pupils_11_18").get().published
