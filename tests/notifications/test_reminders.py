from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from ppp.notifications.models import SentReminder
from ppp.notifications.services import Reminder
from tests.mailing import emails_sent, send_once


def test_a_reminder_is_sent_once_ever(db):
    done = []
    reminder = Reminder(
        key="visit-tomorrow:1:2026-11-26",
        to=["lead@a.example", "lead@a.example", ""],
        subject="Visit tomorrow",
        body="See you tomorrow.",
        on_send=lambda: done.append(1),
    )
    assert send_once(reminder) is True
    assert send_once(reminder) is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lead@a.example"]
    assert done == [1]
    assert SentReminder.objects.get().recipients == "lead@a.example"


def test_a_failing_side_effect_leaves_no_trace(db):
    def fail():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        send_once(Reminder(key="k", to=["x@example.org"], subject="s", body="b", on_send=fail))
    assert not SentReminder.objects.exists()
    assert not mail.outbox


def test_the_command_runs_and_reports(db):
    out = StringIO()
    with emails_sent():
        call_command("send_reminders", "--date", "2026-11-25", stdout=out)
    assert "2026-11-25: sent 0 reminder(s)" in out.getvalue()


def test_the_command_refuses_a_bad_date(db):
    with pytest.raises(CommandError, match="--date must look like"):
        call_command("send_reminders", "--date", "25/11/2026")
