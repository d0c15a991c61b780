"""The school's report, the governors' report (counts only) and the council's figures
(more on the council's releases in test_releases.py)."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from incidents import releases, reports, services
from incidents.models import Incident
from incidents.terms import Term
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.incidents.factories import involve, pupil_report, record

pytestmark = pytest.mark.django_db


def _in_term(term, days=5):
    """A moment in `term`, never in the future (early in a term, "5 days in" has not come yet)."""
    start = timezone.make_aware(datetime.datetime.combine(term.start, datetime.time.min))
    wanted = start + datetime.timedelta(days=days, hours=11)
    return max(start, min(wanted, timezone.now() - datetime.timedelta(minutes=1)))


def test_the_school_report_counts_this_term_against_the_same_term_last_year(school_a, alice):
    term = Term.of(timezone.localdate())
    for _ in range(3):
        incident = record(school_a, alice, occurred_at=_in_term(term), forms=["verbal", "online"], categories=["race"])
        involve(incident, alice, "AB", year_group="6")
    record(school_a, alice, occurred_at=_in_term(term.last_year()), forms=["physical"], location="toilets")
    report = reports.school_report(school_a, term)
    assert (report.total_this.value, report.total_last.value) == (3, 1)
    forms = {row.label: (row.this.value, row.last.value, row.change) for row in report.breakdowns[0].rows}
    assert forms["Verbal"] == (3, 0, "+3") and forms["Physical"] == (0, 1, "-1")
    assert [r.label for r in report.year_groups.rows] == ["Year 6"]
    assert report.repeat_target_count.value == 1
    assert report.repeat_targets[0]["reference"] == "AB" and report.repeat_targets[0]["incidents"] == 3
    assert report.repeat_incidents.value == 2


def test_time_to_resolve_and_overdue_reviews(school_a, alice):
    term = Term.of(timezone.localdate())
    incident = record(school_a, alice)
    services.incident_resolve(incident=incident, by=alice, outcome="Done")
    # Told 4 days ago, recorded yesterday: the days count from when the school was told.
    Incident.objects.filter(pk=incident.pk).update(
        reported_on=timezone.localdate() - datetime.timedelta(days=4),
        reported_at=timezone.now() - datetime.timedelta(days=1),
        resolved_at=timezone.now(),
    )
    late = record(school_a, alice)
    Incident.objects.filter(pk=late.pk).update(review_date=timezone.localdate() - datetime.timedelta(days=1))
    report = reports.school_report(school_a, term)
    assert report.median_days_to_resolve == 4.0 and report.resolved_count.value == 1
    assert report.reviews_overdue.value == 1


def test_the_governors_report_has_counts_only(client, school_a, alice):
    incident = record(school_a, alice, description="Secret account of what happened to AB")
    involve(incident, alice, "UPN-5566")
    client.force_login(alice)
    csv_body = client.get(reverse("incidents:governors-csv")).content.decode()
    pdf = client.get(reverse("incidents:governors-pdf"))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for body in (csv_body, text):
        assert "UPN-5566" not in body and "Secret account" not in body
    assert "Incidents recorded" in csv_body and "Forms of bullying" in text
    award_copy = client.get(reverse("incidents:governors-csv"), {"copy": "award"}).content.decode()
    assert ",c," in award_copy and "Symbol c" in award_copy


def test_the_school_report_page_shows_charts_with_their_tables(client, school_a, alice):
    record(school_a, alice)
    client.force_login(alice)
    body = client.get(reverse("incidents:report")).content.decode()
    assert body.count('role="img"') >= 6 and body.count("<table") >= 6
    assert "Forms of bullying" in body and "Month by month" in body
    assert "<script" not in body.split("<main")[1].split("</main>")[0]


def _schools(n):
    schools = []
    for _ in range(n):
        school = OrganisationFactory()
        lead = MembershipFactory(organisation=school, role="lead").user
        schools.append((school, lead))
    return schools


@pytest.fixture
def published_straight_away(settings):
    settings.INCIDENT_FIGURES_DELAY_DAYS = 0
    settings.INCIDENT_FIGURES_MIN_SETTINGS = 3
    return Term.of(timezone.localdate()).previous()


def test_council_figures_hide_counts_from_1_to_5_and_enough_others(published_straight_away):
    term = published_straight_away
    schools = _schools(3)
    for n, (school, lead) in enumerate(schools):
        for _ in range(8 + n):
            record(school, lead, occurred_at=_in_term(term), forms=["verbal"])
    first_school, first_lead = schools[0]
    record(first_school, first_lead, occurred_at=_in_term(term), forms=["sexual"])  # one: must not show
    release = releases.publish(term)
    assert release.published and release.settings_count == 3
    view = reports.release_view(release)
    forms = next(t for t in view.tables if t.key == "form")
    assert dict(forms.rows)["Sexual"][-1] == "c"
    for table in view.tables:
        for _label, cells in table.rows:
            for cell in cells:
                assert not (cell.isdigit() and 1 <= int(cell) <= 5)


def test_council_figures_need_enough_settings(client, school_a, alice, officer, published_straight_away):
    record(school_a, alice, occurred_at=_in_term(published_straight_away))
    release = releases.publish(published_straight_away)
    assert not release.published and not release.tables
    client.force_login(officer)
    body = client.get(reverse("incidents:figures")).content.decode()
    assert "There are no figures for the" in body and "fewer than the 3 needed" in body


def test_no_single_setting_stands_alone_in_a_row(published_straight_away):
    from ppp.accounts.models import Organisation

    term = published_straight_away
    schools = _schools(4)
    Organisation.objects.filter(pk=schools[0][0].pk).update(kind=Organisation.Kind.NURSERY, postcode="LE9 9ZZ")
    for school, lead in schools:
        for _ in range(8):
            record(school, lead, occurred_at=_in_term(term))
    view = reports.release_view(releases.publish(term))
    kinds = dict(next(t for t in view.tables if t.key == "kind").rows)
    assert "Nursery or early years setting" not in kinds
    assert all(cell == "c" for cell in kinds["Other kinds of setting"])  # one nursery: its counts never show
    areas = dict(next(t for t in view.tables if t.key == "area").rows)
    assert "LE9" not in areas


def test_the_figures_page_and_its_csv_carry_the_same_suppressed_tables(client, officer, published_straight_away):
    term = published_straight_away
    for school, lead in _schools(3):
        for _ in range(7):
            record(school, lead, occurred_at=_in_term(term))
        record(school, lead, occurred_at=_in_term(term), categories=["disability"])
    releases.publish(term)
    client.force_login(officer)
    page = client.get(reverse("incidents:figures")).content.decode()
    csv_body = b"".join(client.get(reverse("incidents:figures-csv")).streaming_content).decode("utf-8-sig")
    assert '<td class="govuk-table__cell govuk-table__cell--numeric ppp-figures__hidden">c</td>' in page
    assert ",c" in csv_body and "Incidents by prejudice-related category" in csv_body
    assert page.count('role="img"') >= 8


def _figures_rows():
    from incidents.models import FIGURE_COLUMNS, MonthlyFigures

    return sorted(
        (f.organisation_id, f.month, f.classification, f.incidents, *(getattr(f, c) for c in FIGURE_COLUMNS))
        for f in MonthlyFigures.objects.all()
    )


def test_the_monthly_figures_stay_in_step_with_every_change_to_the_records(school_a, alice, rita):
    from incidents import figures

    now = timezone.now()
    first = record(school_a, alice, occurred_at=now - datetime.timedelta(days=70), forms=["verbal"])
    second = record(school_a, alice, occurred_at=now - datetime.timedelta(days=3), categories=["race"])
    person = involve(first, alice, "AB", year_group="3")
    involve(second, alice, "CD", year_group="6")
    services.involvement_update(
        involvement=person, by=alice, pupil_reference="AB", year_group="4", send=True, role="target"
    )
    changed = services.IncidentDetails.of(Incident.objects.get(pk=first.pk))
    changed.occurred_at = now - datetime.timedelta(days=1)  # moves to another month
    changed.location = "online"
    changed.stop_several_times = False  # now a one-off
    services.incident_update(incident=first, by=alice, details=changed)
    report, _code = pupil_report(school_a, alice)
    services.incident_triage(incident=report, by=rita, details=services.IncidentDetails.of(second))
    admin = UserFactory(is_superuser=True, is_staff=True)
    services.incident_data_fix(
        incident=second, by=admin, values={"location": "corridor", "form_sexual": "true"}, reason="Typed wrongly"
    )
    kept = _figures_rows()
    assert kept and sum(row[3] for row in kept) == 3
    figures.rebuild()
    assert _figures_rows() == kept
