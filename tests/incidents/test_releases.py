"""The council's figures as releases (incidents.releases): every view of a closed term
suppressed together under the disclosure rule, checked exactly, stored once. The attacks
of issue 19 as tests: a zero-total line, the category that excludes the others, term
against month, before and after one more incident, and the award copy."""

import csv
import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import releases, reports
from incidents.models import FiguresRelease
from incidents.terms import Term
from ppp import disclosure
from ppp.dates import start_of_day
from ppp.disclosure.system import primary
from tests.factories import MembershipFactory, OrganisationFactory
from tests.incidents.factories import involve, record


@pytest.fixture(autouse=True)
def _publish_straight_after_a_term(settings):
    settings.INCIDENT_FIGURES_DELAY_DAYS = 0
    settings.INCIDENT_FIGURES_MIN_SETTINGS = 3


def last_term() -> Term:
    return Term.of(timezone.localdate()).previous()


def day_in(term: Term, month_index: int, day: int = 10) -> datetime.datetime:
    month = term.start
    for _ in range(month_index):
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return start_of_day(month.replace(day=day)) + datetime.timedelta(hours=11)


def school_with(name, incidents, term, **overrides):
    """A school that recorded `incidents` incidents in `term`, spread over its first months."""
    school = OrganisationFactory(name=name)
    lead = MembershipFactory(organisation=school, role="lead").user
    made = []
    for n in range(incidents):
        made.append(record(school, lead, occurred_at=day_in(term, n % 3, 5 + n % 20), **overrides))
    return school, lead, made


@pytest.fixture
def term_with_figures(db):
    """Four settings with incidents last term; one records a single corridor incident
    in the first month and one with a religion category, the rest are in the playground."""
    term = last_term()
    schools = [school_with(f"School {n}", count, term) for n, count in enumerate((14, 12, 11))]
    small, lead, _ = school_with("Small School", 0, term)
    record(small, lead, occurred_at=day_in(term, 0), location="corridor", forms=["physical"])
    record(small, lead, occurred_at=day_in(term, 1), categories=["religion"])
    return term, [*schools, (small, lead, [])]


def test_the_naive_suppression_of_issue_19_is_caught_by_the_exact_check(term_with_figures):
    """Hiding only the counts from 1 to 5 gives them back: the zero-total line (places
    with no incidents are known zeros), the category that excludes the others, and the
    term against its months. The exact check finds each; the release hides enough."""
    term, _schools = term_with_figures
    builder = releases.Builder(term)
    specs = builder.specs()
    system = builder.system(specs)
    naive = disclosure.publish(system, primary(system))
    found = {problem.key for problem in disclosure.check(naive)}
    month = f"{term.start:%Y-%m}"
    assert f"all|location|corridor|{month}" in found  # corridor, first month = 1
    assert f"all|category|religion|{day_in(term, 1):%Y-%m}" in found  # religion = 1 ("none" excludes it)

    release = releases.publish(term)
    assert release.published and release.rule_version == disclosure.RULE_VERSION
    assert disclosure.check(releases.stored_published(release)) == []
    shown = release.system["shown"]
    assert shown[f"all|location|corridor|{month}"] is None
    assert shown["all|location|corridor|term"] is None


def test_every_hidden_cell_of_a_release_keeps_a_value_outside_1_to_5(term_with_figures):
    term, _schools = term_with_figures
    published = releases.stored_published(releases.publish(term))
    for key, (least, most) in disclosure.ranges(published).items():
        assert least == 0 or most is None or most > disclosure.SMALL_MAX, key


def tables_of(response) -> list[str]:
    return re.findall(r"<table.*?</table>", response.content.decode(), flags=re.S)


def test_a_published_term_does_not_change_when_one_more_incident_is_recorded(client, officer, term_with_figures):
    term, schools = term_with_figures
    releases.publish(term)
    client.force_login(officer)
    page = tables_of(client.get(reverse("incidents:figures"), {"release": term.slug}))
    download = client.get(reverse("incidents:figures-csv"), {"release": term.slug})
    before = b"".join(download.streaming_content)
    # Named as the term reads ("Summer term 2026": summer-2026), not by its academic year.
    assert f"bullying-incidents-{term.key}-{term.start.year}-" in download["Content-Disposition"]

    school, lead, _ = schools[0]
    late = record(school, lead, occurred_at=day_in(term, 0), location="toilets", categories=["disability"])
    involve(late, lead, "ZZ", year_group="9")
    assert releases.publish(term).tables == FiguresRelease.objects.get().tables
    assert tables_of(client.get(reverse("incidents:figures"), {"release": term.slug})) == page
    assert b"".join(client.get(reverse("incidents:figures-csv"), {"release": term.slug}).streaming_content) == before
    assert FiguresRelease.objects.count() == 1


def test_an_open_term_is_not_published(db):
    with pytest.raises(releases.ReleaseRefused):
        releases.publish(Term.of(timezone.localdate()))
    assert not FiguresRelease.objects.exists()


def test_a_release_that_fails_the_check_is_refused(term_with_figures, monkeypatch):
    term, _schools = term_with_figures
    monkeypatch.setattr(releases.disclosure, "suppress", lambda system: disclosure.publish(system, primary(system)))
    with pytest.raises(releases.ReleaseRefused, match="failed the disclosure check"):
        releases.publish(term)
    assert not FiguresRelease.objects.exists()


def test_too_few_settings_is_stored_as_no_figures(db):
    term = last_term()
    school_with("Only School", 8, term)
    release = releases.publish(term)
    assert not release.published and release.settings_count == 1


def test_the_command_queues_or_publishes_each_closed_term_once(term_with_figures, django_capture_on_commit_callbacks):
    term, _schools = term_with_figures
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):  # the task runs once the job is committed
        call_command("publish_incident_figures", stdout=out)
    assert f"{term.label}: queued for the worker." in out.getvalue()
    assert FiguresRelease.objects.get(year=term.year, term=term.key).published
    again = io.StringIO()
    call_command("publish_incident_figures", "--now", stdout=again)
    assert "already" in again.getvalue()
    with pytest.raises(CommandError, match="has not closed"):
        call_command("publish_incident_figures", "--term", Term.of(timezone.localdate()).slug)
    with pytest.raises(CommandError, match="like 2025-autumn"):
        call_command("publish_incident_figures", "--term", "autumn")


def test_the_page_and_csv_read_the_release_with_the_key_beside_every_table(client, officer, term_with_figures):
    term, _schools = term_with_figures
    release = releases.publish(term)
    client.force_login(officer)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("incidents:figures"))
    # The first view reads the release's tables and keeps both views in the cache; later
    # views read the kept tables, never the stored JSON of both views (docs/adr/0087).
    assert len(first) <= 12, [q["sql"] for q in first]
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("incidents:figures")).content.decode()
    assert len(queries) <= 9, [q["sql"] for q in queries]
    assert not any('"incidents_figuresrelease"."tables"' in q["sql"] for q in queries)
    with CaptureQueriesContext(connection) as bullying:
        client.get(reverse("incidents:figures"), {"which": "bullying"})
    assert len(bullying) == len(queries)  # kept with the first
    view = reports.release_view(release, "all")
    assert body.count("ppp-figures__key") == len(view.tables)
    assert "How the figures protect children" in body and disclosure.RULE_VERSION in body
    assert "MonthlyFigures" not in str([q["sql"] for q in queries]) and "incidents_monthlyfigures" not in str(queries)
    rows = list(
        csv.reader(
            io.StringIO(b"".join(client.get(reverse("incidents:figures-csv")).streaming_content).decode("utf-8-sig"))
        )
    )
    assert ["Disclosure rule", disclosure.RULE_VERSION] in rows
    assert any(row and row[0] == "Symbol c" for row in rows)
    bullying = client.get(reverse("incidents:figures"), {"release": term.slug, "which": "bullying"}).content.decode()
    assert "bullying only" in bullying
    assert client.get(reverse("incidents:figures"), {"release": "nonsense"}).status_code == 200


def test_a_table_of_every_area_in_england_is_shown_50_rows_a_page_without_a_chart(client, officer):
    # At a national scale the area table has about 2,000 postcode districts: drawn whole,
    # with a bar each in its chart, the page took 354 ms to read a stored release.
    term = last_term()
    columns = [*releases.column_labels(term), "Term total"]

    def table(key, rows):
        return {
            "variant": "all",
            "variant_label": "All incidents",
            "key": key,
            "title": f"Incidents by {key}",
            "description": "",
            "columns": columns,
            "rounded": key == "all",
            "rows": rows,
        }

    areas = [[f"Area {n:03}", ["c"] + ["10"] * (len(columns) - 1)] for n in range(1, 121)]
    FiguresRelease.objects.create(
        year=term.year,
        term=term.key,
        rule_version=disclosure.RULE_VERSION,
        settings_count=500,
        tables=[table("all", [["All incidents", ["1,000"] * len(columns)]]), table("area", areas)],
        published=True,
    )
    client.force_login(officer)
    client.get(reverse("incidents:figures"))  # the release's tables kept
    with CaptureQueriesContext(connection) as first:
        body = client.get(reverse("incidents:figures")).content.decode()
    assert "Area 050" in body and "Area 051" not in body
    assert "Rows 1 to 50 of 120" in body and 'rel="next"' in body
    assert body.count('class="ppp-chart-box') == 1  # the "All incidents" chart only
    with CaptureQueriesContext(connection) as last:
        body = client.get(reverse("incidents:figures"), {"release": term.slug, "page": 3}).content.decode()
    assert "Area 101" in body and "Area 120" in body and "Area 100" not in body
    assert "Rows 101 to 120 of 120" in body and f"release={term.slug}&amp;page=2#area" in body
    assert len(last) == len(first)
    assert client.get(reverse("incidents:figures"), {"page": "nonsense"}).status_code == 200
    download = b"".join(client.get(reverse("incidents:figures-csv")).streaming_content).decode("utf-8-sig")
    assert "Area 001" in download and "Area 120" in download


def test_the_page_before_anything_is_published(client, officer):
    client.force_login(officer)
    body = client.get(reverse("incidents:figures")).content.decode()
    assert "No figures are published yet" in body
    assert client.get(reverse("incidents:figures-csv")).status_code == 404


def test_participation_says_yes_or_no_per_setting_never_a_count(client, officer, school_a, alice):
    from tests.incidents.factories import grant

    grant(school_a, record=True, email="rec@a.example")
    other = OrganisationFactory(name="Quiet School")
    MembershipFactory(organisation=other, role="lead")
    grant(other, record=True, email="rec@q.example")
    record(school_a, alice)
    client.force_login(officer)
    body = client.get(reverse("incidents:participation")).content.decode()
    assert "Quiet School" in body and school_a.name in body
    assert body.count(">Yes<") == 1 and body.count(">No<") == 1
    only_yes = client.get(reverse("incidents:participation"), {"recorded": "yes"}).content.decode()
    assert "Quiet School" not in only_yes


def test_the_award_copy_hides_religion_1_at_a_named_school(school_a, alice):
    """25 incidents, 24 with no prejudice-related category, 1 religion: "none" excludes
    the others, so religion = 25 - 24 unless more is hidden."""
    term = Term.of(timezone.localdate())
    for n in range(24):
        record(school_a, alice, occurred_at=timezone.now() - datetime.timedelta(hours=2 + n))
    record(school_a, alice, categories=["religion"], occurred_at=timezone.now() - datetime.timedelta(hours=1))
    report = reports.school_report(school_a, term, suppressed=True, references=False)
    categories = next(b for b in report.breakdowns if b.key == "category")
    cells = {row.label: row.this for row in categories.rows}
    assert cells["Religion or belief"].hidden
    assert cells["No prejudice-related category"].hidden or report.total_this.hidden
    assert disclosure.check(report.published) == []
    plain = reports.school_report(school_a, term, references=False)
    assert plain.published is None and plain.total_this.display == "25"


def test_the_participation_page_runs_as_many_queries_for_2_or_12_settings(client, officer, school_a, alice):
    from tests.incidents.factories import grant

    def settings_recording(n):
        for i in range(n):
            school = OrganisationFactory(name=f"Setting {n}-{i}")
            lead = MembershipFactory(organisation=school, role="lead").user
            grant(school, record=True, email=f"rec{n}-{i}@s.example")
            record(school, lead)

    client.force_login(officer)
    settings_recording(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("incidents:participation")).status_code == 200
    settings_recording(10)
    with CaptureQueriesContext(connection) as many:
        body = client.get(reverse("incidents:participation")).content.decode()
    assert len(many) == len(few)
    assert body.count(">Yes<") == 12


def test_a_group_that_holds_every_setting_reads_as_the_total_does(term_with_figures, settings):
    """All four settings are primary schools: one row of the table by kind of setting holds
    every setting (as "Other kinds of setting" does when every kind is small). It is the
    total, so it is rounded as "All incidents" is; an exact figure beside the rounded one
    read as two totals for one group (and undid the rounding)."""
    settings.INCIDENT_FIGURES_MIN_SETTINGS = 4
    term, _schools = term_with_figures
    builder, specs, published = releases.compute(term)
    kind = next(spec for spec in specs if spec.key == "kind")
    ((row, _label),) = kind.rows
    assert kind.whole == {row}
    for column in [*builder.columns, releases.TERM_COLUMN]:
        total, whole = releases._key("all", "all", "n", column), releases._key("all", "kind", row, column)
        assert published.shown[whole] == published.shown[total], column
        assert (whole in published.rounded) == (total in published.rounded)
    assert any(releases._key("all", "all", "n", column) in published.rounded for column in builder.columns)
