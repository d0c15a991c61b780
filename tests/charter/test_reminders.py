import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from charter.models import Pledge
from tests.charter.factories import PledgeFactory, approved_pledge
from tests.mailing import emails_sent, inbox, send_reminders

pytestmark = pytest.mark.django_db

DUE = datetime.date(2027, 6, 30)


def test_reminders_at_60_and_30_days_and_on_the_day(alice, school_a):
    approved_pledge(school_a, review_due_on=DUE)
    assert send_reminders(DUE - datetime.timedelta(days=61))["charter"] == 0
    assert send_reminders(DUE - datetime.timedelta(days=60))["charter"] == 1
    assert send_reminders(DUE - datetime.timedelta(days=59))["charter"] == 0  # once only
    assert send_reminders(DUE - datetime.timedelta(days=30))["charter"] == 1
    assert send_reminders(DUE)["charter"] == 1
    assert send_reminders(DUE)["charter"] == 0
    assert "due today" in inbox(alice.email)[-1].subject
    assert len(inbox(alice.email)) == 3


def test_a_missed_due_date_reminder_says_overdue(alice, school_a):
    approved_pledge(school_a, review_due_on=DUE)
    assert send_reminders(DUE + datetime.timedelta(days=3))["charter"] == 1
    assert "overdue (it was due on 30 June 2027)" in mail.outbox[-1].subject
    assert "is overdue: it was due on 30 June 2027" in mail.outbox[-1].body


def test_a_pledge_overdue_by_more_than_60_days_lapses_once(alice, school_a):
    pledge = approved_pledge(school_a, review_due_on=DUE)
    late = DUE + datetime.timedelta(days=60)
    send_reminders(late)
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.APPROVED
    with emails_sent():
        call_command("send_reminders", "--date", (late + datetime.timedelta(days=1)).isoformat())
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.LAPSED
    assert not Pledge.objects.on_register().exists()
    assert "lapsed" in mail.outbox[-1].subject
    count = len(mail.outbox)
    with emails_sent():
        call_command("send_reminders", "--date", (late + datetime.timedelta(days=2)).isoformat())
    assert len(mail.outbox) == count
    assert pledge.events.filter(action="lapsed").count() == 1


def test_withdrawn_and_lapsed_pledges_get_no_review_reminders(school_a, school_b):
    PledgeFactory(organisation=school_a, review_due_on=DUE, status=Pledge.Status.WITHDRAWN)
    PledgeFactory(organisation=school_b, review_due_on=DUE, status=Pledge.Status.LAPSED)
    assert send_reminders(DUE)["charter"] == 0
