"""Retention, administrators' data fixes, reminders and the demo data."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from incidents import releases, services
from incidents.models import Incident, IncidentEvent, Involvement, PupilMessage
from incidents.terms import Term
from ppp.audit.models import AuditEvent
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.incidents.factories import involve, pupil_report, record, triage
from tests.mailing import inbox, send_reminders


def _close_long_ago(incident, by, years=7):
    services.incident_resolve(incident=incident, by=by, outcome="Resolved with a restorative meeting")
    services.incident_close(incident=incident, by=by)
    long_ago = timezone.now() - datetime.timedelta(days=365 * years)
    Incident.objects.filter(pk=incident.pk).update(
        occurred_at=long_ago - datetime.timedelta(days=20),
        reported_at=long_ago - datetime.timedelta(days=19),
        resolved_at=long_ago - datetime.timedelta(days=5),
        closed_at=long_ago,
    )


def _figures_snapshot():
    """Every count the council's figures would publish for the terms with incidents."""
    out = []
    for term in sorted({Term.of(timezone.localtime(i.occurred_at).date()) for i in Incident.objects.all()}, key=str):
        builder = releases.Builder(term)
        out.append({key: cell.value for key, cell in builder.system(builder.specs()).cells.items()})
    return out


def test_retention_anonymises_old_closed_records_once_and_the_figures_do_not_change(settings, db):
    settings.INCIDENT_FIGURES_MIN_SETTINGS = 1
    school = OrganisationFactory()
    lead = MembershipFactory(organisation=school, role="lead").user
    old = record(school, lead, description="Old story about AB", categories=["race"], forms=["verbal", "online"])
    involve(old, lead, "AB-OLD", year_group="4")
    services.note_add(incident=old, by=lead, body="Old note")
    _close_long_ago(old, lead)
    recent = record(school, lead, description="Recent story")
    involve(recent, lead, "CD-NEW")
    services.incident_resolve(incident=recent, by=lead, outcome="Done")
    services.incident_close(incident=recent, by=lead)
    before = _figures_snapshot()

    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "Anonymised 1 incident record closed before" in out.getvalue()
    old.refresh_from_db()
    assert old.anonymised_at and old.description is None and old.outcome is None and old.immediate_action is None
    assert old.forms == ["verbal", "online"] and old.categories == ["race"] and old.classification == "bullying"
    person = Involvement.objects.get(incident=old)
    assert person.pupil_reference is None and person.pupil_index == "" and person.year_group == "4"
    assert old.notes.get().body is None
    assert old.events.filter(action=IncidentEvent.Action.ANONYMISED).count() == 1
    recent.refresh_from_db()
    assert recent.description == "Recent story" and recent.anonymised_at is None
    assert AuditEvent.objects.filter(action="incidents.retention_applied").get().detail["anonymised"] == 1
    assert _figures_snapshot() == before

    again = io.StringIO()
    call_command("apply_retention", stdout=again)
    assert "Anonymised 0 incident records" in again.getvalue()
    assert AuditEvent.objects.filter(action="incidents.retention_applied").count() == 1
    assert old.events.filter(action=IncidentEvent.Action.ANONYMISED).count() == 1
    assert _figures_snapshot() == before


def test_retention_wipes_a_pupils_messages_and_code(settings, school_a, alice, rita):
    incident, code = pupil_report(school_a, alice, text="My story", name="Sam")
    triage(incident, rita)
    _close_long_ago(incident, rita)
    assert services.apply_retention() == 1
    incident.refresh_from_db()
    assert incident.reporter_name is None and incident.pupil_code_hash is None
    assert not PupilMessage.objects.filter(body__isnull=False).exists()
    assert services.incident_for_code(code) is None


def test_an_anonymised_record_cannot_be_changed(school_a, alice):
    incident = record(school_a, alice)
    _close_long_ago(incident, alice)
    services.apply_retention()
    incident.refresh_from_db()
    with pytest.raises(services.IncidentError):
        services.incident_reopen(incident=incident, by=alice, reason="Why")


def test_the_retention_period_is_a_setting(settings, school_a, alice):
    incident = record(school_a, alice)
    _close_long_ago(incident, alice, years=3)
    assert services.apply_retention() == 0
    settings.INCIDENT_RETENTION_YEARS = 2
    assert services.apply_retention() == 1


def test_a_reopened_record_is_never_anonymised_even_with_closed_at_left_set(school_a, alice):
    """Issue 19 §5: a data fix left closed_at on a reopened record; status decides too."""
    incident = record(school_a, alice, description="Still being looked at")
    _close_long_ago(incident, alice)
    Incident.objects.filter(pk=incident.pk).update(status="open")  # as the data-fix command left it
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "Dry run: 0 incident records" in out.getvalue()
    assert services.apply_retention() == 0
    incident.refresh_from_db()
    assert incident.description == "Still being looked at" and incident.anonymised_at is None


@pytest.mark.parametrize("years", [0, -1])
def test_a_retention_period_under_the_minimum_is_refused_and_nothing_changes(settings, school_a, alice, years):
    incident = record(school_a, alice, description="Closed last week")
    services.incident_resolve(incident=incident, by=alice, outcome="Done")
    services.incident_close(incident=incident, by=alice)
    settings.INCIDENT_RETENTION_YEARS = years
    for args in ((), ("--dry-run",)):
        with pytest.raises(CommandError, match="must be at least 1"):
            call_command("apply_retention", *args, stdout=io.StringIO())
    with pytest.raises(services.IncidentError):
        services.apply_retention()
    incident.refresh_from_db()
    assert incident.description == "Closed last week" and incident.anonymised_at is None


def test_a_dry_run_lists_what_would_be_anonymised_and_changes_nothing(school_a, alice):
    old = record(school_a, alice, description="Old story")
    _close_long_ago(old, alice)
    recent = record(school_a, alice, description="Recent story")
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"Would anonymise {school_a.name}: incident {old.reference}" in text
    assert recent.reference not in text
    assert "Dry run: 1 incident record closed before" in text and "Nothing was changed." in text
    old.refresh_from_db()
    assert old.description == "Old story" and old.anonymised_at is None
    assert not AuditEvent.objects.filter(action="incidents.retention_applied").exists()


def test_a_system_administrator_fixes_a_record_with_a_reason(school_a, alice):
    admin = UserFactory(email="admin@example.org", is_superuser=True, is_staff=True)
    incident = record(school_a, alice)
    out = io.StringIO()
    args = ["--school", school_a.urn, "--reference", incident.reference, "--set", "location=corridor"]
    call_command("incident_data_fix", *args, "--reason", "Typed wrongly", "--by", admin.email, stdout=out)
    assert "Nothing changed" in out.getvalue()
    incident.refresh_from_db()
    assert incident.location == "playground"
    call_command(
        "incident_data_fix",
        *args,
        "--set",
        "status=closed",
        "--reason",
        "Typed wrongly (ticket 42)",
        "--by",
        admin.email,
        "--yes",
        stdout=out,
    )
    incident.refresh_from_db()
    assert incident.location == "corridor" and incident.status == "closed"
    fix = incident.events.get(action=IncidentEvent.Action.DATA_FIX)
    assert fix.by == admin and fix.private_note == "Typed wrongly (ticket 42)"
    assert (fix.from_status, fix.to_status) == ("open", "closed")
    assert AuditEvent.objects.filter(action="incident.data_fix", actor=admin).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "description=new words"], "cannot be fixed"),
        (["--set", "location=moon"], "not a valid value"),
        (["--set", "occurred_at=yesterday"], "not a valid value"),
        (["--set", "nonsense"], "FIELD=VALUE"),
    ],
)
def test_data_fixes_refuse_bad_values(school_a, alice, args, message):
    admin = UserFactory(is_superuser=True, is_staff=True)
    incident = record(school_a, alice)
    with pytest.raises(CommandError, match=message):
        call_command(
            "incident_data_fix",
            "--school",
            school_a.urn,
            "--reference",
            incident.reference,
            *args,
            "--reason",
            "x",
            "--by",
            admin.email,
            "--yes",
        )


def test_only_superusers_make_data_fixes(school_a, alice, officer):
    incident = record(school_a, alice)
    with pytest.raises(CommandError, match="superuser"):
        call_command(
            "incident_data_fix",
            "--school",
            school_a.urn,
            "--reference",
            incident.reference,
            "--set",
            "location=corridor",
            "--reason",
            "x",
            "--by",
            officer.email,
            "--yes",
        )


def test_review_reminders_on_the_day_and_a_week_late_and_waiting_reports(school_a, alice, rita, ravi):
    incident = record(school_a, ravi)
    services.incident_triage(incident=incident, by=rita, details=services.IncidentDetails.of(incident))
    review_on = timezone.localdate() + datetime.timedelta(days=3)
    services.incident_review_set(incident=incident, by=rita, review_date=review_on)
    waiting, _code = pupil_report(school_a, alice, text="Help, it keeps happening")
    Incident.objects.filter(pk=waiting.pk).update(reported_at=timezone.now() - datetime.timedelta(days=3))
    mail.outbox.clear()

    send_reminders(timezone.localdate())
    # to the lead and the reviewer, each their own email
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([address], f"A pupil's report ({waiting.reference}) is waiting to be opened")
        for address in ("alice@a.example", "rita@a.example")
    ]
    assert "keeps happening" not in mail.outbox[0].body
    send_reminders(review_on)
    review = [m for m in mail.outbox if "review is due today" in m.subject]
    assert sorted(m.to[0] for m in review) == ["alice@a.example", "ravi@a.example", "rita@a.example"]
    assert [m.subject for m in inbox("ravi@a.example")] == [f"Incident {incident.reference}: the review is due today"]
    send_reminders(review_on)  # once only
    send_reminders(review_on + datetime.timedelta(days=7))
    subjects = [m.subject for m in mail.outbox]
    assert sum("due today" in s for s in subjects) == 3  # one each, once
    assert sum("overdue" in s for s in subjects) == 3
    assert "AB called" not in " ".join(m.body for m in mail.outbox)


def test_the_demo_data_is_idempotent_and_its_reporting_link_is_stable(settings, demo):
    from ppp.accounts.models import Organisation

    settings.DEBUG = True
    first, second = io.StringIO(demo), io.StringIO()  # demo: the session's first seed_demo
    school_a = Organisation.objects.get(urn="990001")
    count = Incident.objects.count()
    call_command("seed_demo", stdout=second)
    assert Incident.objects.count() == count
    link = [line for line in first.getvalue().splitlines() if "reporting link" in line]
    assert link and link == [line for line in second.getvalue().splitlines() if "reporting link" in line]
    token = link[0].rstrip("/").rsplit("/", 1)[1]
    assert services.link_for_token(token).organisation == school_a
    assert Incident.objects.filter(organisation=school_a).count() >= 40
    assert Incident.objects.exclude(organisation=school_a).values("organisation").distinct().count() >= 2
    assert Incident.objects.filter(organisation=school_a, is_repeat=True).exists()
    assert Incident.objects.filter(organisation=school_a, status="new", reported_by="pupil").exists()
    # The demo publishes the council's figures for its closed terms; every view of each
    # (every table, month and term, all and bullying only) passes the exact check, and
    # what it shows is what the records say.
    from incidents.models import FiguresRelease
    from ppp import disclosure
    from ppp.disclosure import rule

    published = [release for release in FiguresRelease.objects.all() if release.published]
    assert published and not releases.due_terms()
    for release in published:
        stored = releases.stored_published(release)
        assert disclosure.check(stored) == []
        truth = releases.Builder(release.period)
        cells = truth.system(truth.specs()).cells
        for key, shown in stored.shown.items():
            if shown is not None:
                assert shown == (rule.rounded(cells[key].value) if key in stored.rounded else cells[key].value), key
        assert any(cell != "c" for table in release.tables for _label, row in table["rows"] for cell in row)
