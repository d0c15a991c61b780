import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from accreditation import services
from accreditation.models import Application, Award, LegacyAward, Visit
from tests.accreditation import factories as f
from tests.mailing import emails_sent, inbox


def remind(day: datetime.date) -> str:
    out = StringIO()
    with emails_sent():
        call_command("send_reminders", "--date", day.isoformat(), stdout=out)
    return out.getvalue()


def subjects():
    return [m.subject for m in mail.outbox]


def test_visit_reminders_tomorrow_and_in_seven_days_once_each(alice, officer, school_a):
    application = f.apply(school_a, alice)
    services.application_assign(application=application, officer=officer, by=officer)
    starts = timezone.now() + datetime.timedelta(days=7)
    services.visit_schedule(
        application=application, by=officer, kind=Visit.Kind.INITIAL, mode="online", starts_at=starts
    )
    mail.outbox.clear()
    visit_day = timezone.localtime(starts).date()
    remind(visit_day - datetime.timedelta(days=7))
    remind(visit_day - datetime.timedelta(days=7))
    remind(visit_day - datetime.timedelta(days=1))
    remind(visit_day - datetime.timedelta(days=1))
    for person in (alice, officer):  # each person their own email, once per stage
        visit_subjects = [m.subject for m in inbox(person.email) if "initial visit" in m.subject]
        assert len(visit_subjects) == 2
        assert f"on {visit_day:%A %-d %B}" in visit_subjects[0] and "tomorrow" in visit_subjects[1]
    assert all(len(m.to) == 1 for m in mail.outbox)


def test_action_due_soon_and_overdue(alice, officer, school_a):
    application = f.planning(school_a, alice, officer)
    today = timezone.localdate()
    services.action_item_save(
        application=application,
        by=alice,
        action="Survey parents",
        owner="Head",
        due_date=today + datetime.timedelta(days=7),
    )
    mail.outbox.clear()
    remind(today)
    remind(today + datetime.timedelta(days=8))
    remind(today + datetime.timedelta(days=9))
    due = today + datetime.timedelta(days=7)
    assert [s for s in subjects() if "action" in s] == [
        f"PPP award: action due on {due:%A %-d %B}: Survey parents",
        "PPP award: action overdue: Survey parents",
    ]


def test_evidence_waiting_more_than_ten_working_days_reminds_the_officer(alice, officer, school_a):
    application = f.evidencing(school_a, alice, officer)
    services.application_assign(application=application, officer=officer, by=officer)
    evidence = f.statement(application, alice)
    services.evidence_submit(evidence=evidence, by=alice)
    submitted = timezone.localdate()
    mail.outbox.clear()
    remind(submitted + datetime.timedelta(days=14))  # exactly 10 working days: not yet
    assert not [s for s in subjects() if "waiting" in s]
    remind(submitted + datetime.timedelta(days=15))
    remind(submitted + datetime.timedelta(days=16))
    waiting = [m for m in mail.outbox if "waiting over 10 working days" in m.subject]
    assert len(waiting) == 1 and waiting[0].to == [officer.email]


def test_expiry_warnings_then_expiry_itself(alice, officer, school_a):
    application = f.accredited(school_a, alice, officer, awarded_on=datetime.date(2026, 1, 15))
    expires = application.award.expires_on
    mail.outbox.clear()
    for day in (
        expires - datetime.timedelta(days=90),
        expires - datetime.timedelta(days=30),
        expires,
        expires + datetime.timedelta(days=1),
        expires + datetime.timedelta(days=2),
    ):
        remind(day)
    assert [m.subject for m in inbox(alice.email) if "award" in m.subject and "expire" in m.subject] == [
        "PPP award: your award expires in 90 days",
        "PPP award: your award expires in 30 days",
        "PPP award: your award has expired",
    ]
    expired = [m.to for m in mail.outbox if m.subject == "PPP award: your award has expired"]
    assert len(expired) == 2 and [alice.email] in expired  # the lead and the officers, once each
    assert Award.objects.get().status == Award.Status.EXPIRED
    assert Application.objects.get().status == Application.Status.EXPIRED


def test_a_quiet_application_nudges_lead_and_officer_once(alice, officer, school_a):
    application = f.apply(school_a, alice)
    services.application_assign(application=application, officer=officer, by=officer)
    Application.objects.filter(pk=application.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=31))
    mail.outbox.clear()
    remind(timezone.localdate())
    remind(timezone.localdate())
    nudges = [m for m in mail.outbox if "nothing has happened" in m.subject]
    assert sorted(m.to for m in nudges) == sorted([[alice.email], [officer.email]])  # once each


def test_import_legacy_awards(tmp_path, school_a, school_b):
    data = tmp_path / "legacy.csv"
    data.write_text(
        "URN,Level,AwardedOn,ExpiresOn,Notes\n"
        f"{school_a.urn},Gold,2022-07-01,2025-07-01,From the 2022 list\n"
        f"{school_b.urn},,01/09/2021,,\n"
        "999999,Gold,2022-07-01,,\n"
        f"{school_a.urn},Gold,not a date,,\n"
    )
    out, err = StringIO(), StringIO()
    call_command("import_legacy_awards", str(data), stdout=out, stderr=err)
    assert "created 2, unchanged 0, rejected 2" in out.getvalue()
    assert "line 4: rejected: no organisation has URN '999999'" in err.getvalue()
    assert "line 5: rejected: 'not a date' is not a date" in err.getvalue()
    call_command("import_legacy_awards", str(data), stdout=out, stderr=err)
    assert LegacyAward.objects.count() == 2


def test_import_legacy_awards_refuses_the_wrong_file(tmp_path, db):
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,Date\nx,y\n")
    with pytest.raises(CommandError, match="missing column"):
        call_command("import_legacy_awards", str(bad))


def test_a_day_the_cron_job_missed_is_caught_up(alice, officer, school_a):
    application = f.accredited(school_a, alice, officer, awarded_on=datetime.date(2026, 1, 15))
    expires = application.award.expires_on
    mail.outbox.clear()
    remind(expires - datetime.timedelta(days=88))  # the 90-day run was missed
    remind(expires - datetime.timedelta(days=29))  # and the 30-day one
    assert [s for s in subjects() if "expires" in s] == [
        "PPP award: your award expires in 88 days",
        "PPP award: your award expires in 29 days",
    ]


def test_a_school_already_re_accrediting_is_not_told_its_award_expires(client, alice, officer, school_a):
    application = f.accredited(school_a, alice, officer)
    today = timezone.localdate()
    Award.objects.filter(application=application).update(expires_on=today + datetime.timedelta(days=60))
    services.reaccreditation_start(
        organisation=school_a, by=alice, contact_name="A", contact_email="a@a.example", accept_terms=True
    )
    mail.outbox.clear()
    remind(today)
    assert not [s for s in subjects() if "your award expires" in s]
    # Officers still see it among the awards expiring, and that re-accreditation has started.
    client.force_login(officer)
    from django.urls import reverse

    page = client.get(reverse("accreditation:caseload")).content.decode()
    assert "Re-accreditation started" in page


def test_the_lead_hears_when_evidence_is_accepted(alice, officer, school_a, django_capture_on_commit_callbacks):
    application = f.evidencing(school_a, alice, officer)
    evidence = f.statement(application, alice, title="Pupil council minutes")
    services.evidence_submit(evidence=evidence, by=alice)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_review(
            evidence=evidence, by=officer, decision="accepted", comment="Clear and dated.", seen_status="submitted"
        )
    assert subjects() == ["PPP award: evidence accepted: Pupil council minutes"]
    assert alice.email in mail.outbox[0].to and "Clear and dated." in mail.outbox[0].body
