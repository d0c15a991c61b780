import datetime
import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from ppp.notifications import services
from ppp.notifications.models import Email, ReminderDelivery, SentReminder
from ppp.notifications.services import Reminder
from tests.mailing import emails_sent, inbox, send_once

DAY = datetime.date(2026, 12, 7)


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
    # one reminder alone keeps its own subject and body
    assert (mail.outbox[0].to, mail.outbox[0].subject, mail.outbox[0].body) == (
        ["lead@a.example"],
        "Visit tomorrow",
        "See you tomorrow.",
    )
    assert done == [1]
    sent = SentReminder.objects.get()
    assert sent.recipients == "lead@a.example"
    assert sent.body == ""  # not kept once every address has had it
    assert ReminderDelivery.objects.get().email == Email.objects.get()


def test_a_failing_side_effect_leaves_no_trace(db):
    def fail():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        send_once(Reminder(key="k", to=["x@example.org"], subject="s", body="b", on_send=fail))
    assert not SentReminder.objects.exists()
    assert not ReminderDelivery.objects.exists()
    assert not mail.outbox


def _record(key, to, subject):
    return services.send_once(Reminder(key=key, to=to, subject=subject, body=f"Body of {key}.\nhttps://ppp/{key}"))


def test_several_reminders_to_one_person_are_one_digest_listing_each(db, django_assert_max_num_queries):
    with emails_sent():
        _record("a", ["officer@council.example"], "Visit tomorrow at School A")
        _record("b", ["officer@council.example", "lead@a.example"], "Action overdue: survey parents")
        _record("c", ["officer@council.example"], "Evidence waiting over 10 working days")
        with django_assert_max_num_queries(12):  # per address, not per reminder
            assert services.send_digests(DAY) == 2
    officer = inbox("officer@council.example")
    assert len(officer) == 1 and officer[0].to == ["officer@council.example"]
    assert officer[0].subject == "PPP: 3 reminders for Monday 7 December 2026"
    body = officer[0].body
    for number, (key, subject) in enumerate(
        [("a", "Visit tomorrow at School A"), ("b", "Action overdue: survey parents"),
         ("c", "Evidence waiting over 10 working days")], start=1,
    ):  # fmt: skip
        assert f"{number}. {subject}" in body
        assert f"Body of {key}.\nhttps://ppp/{key}" in body
    assert body.index("Visit tomorrow") < body.index("Action overdue") < body.index("Evidence waiting")
    # the lead had one reminder: it comes as itself
    lead = inbox("lead@a.example")
    assert [(m.subject, m.body) for m in lead] == [("Action overdue: survey parents", "Body of b.\nhttps://ppp/b")]
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_digests_are_idempotent_and_a_later_reminder_gets_its_own_email(db):
    with emails_sent():
        _record("a", ["x@example.org"], "First")
        _record("b", ["x@example.org"], "Second")
        assert services.send_digests(DAY) == 1
        assert services.send_digests(DAY) == 0  # run again: nothing waits
        _record("c", ["x@example.org"], "Third")
        assert services.send_digests(DAY) == 1
    assert [m.subject for m in mail.outbox] == ["PPP: 2 reminders for Monday 7 December 2026", "Third"]


def test_a_run_killed_before_the_digest_step_sends_at_the_next_run(db):
    with emails_sent():
        _record("a", ["x@example.org"], "First")
    assert not mail.outbox  # recorded, not emailed: as if the command stopped here
    with emails_sent():
        _record("b", ["x@example.org"], "Second")
        services.send_digests(DAY)
    assert [m.subject for m in mail.outbox] == ["PPP: 2 reminders for Monday 7 December 2026"]


def test_a_failure_while_emailing_one_person_leaves_theirs_waiting_and_sends_the_others(db, monkeypatch):
    real = services.queue_email

    def flaky(subject, body, to, **kwargs):
        if to == ["b@example.org"]:
            raise RuntimeError("killed")
        return real(subject, body, to, **kwargs)

    with emails_sent():
        _record("one", ["a@example.org", "b@example.org"], "One")
        monkeypatch.setattr(services, "queue_email", flaky)
        with pytest.raises(RuntimeError):
            services.send_digests(DAY)
        monkeypatch.setattr(services, "queue_email", real)
        assert services.send_digests(DAY) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert not ReminderDelivery.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_send_each_person_one_email():
    for key in "abcdef":
        _record(key, ["x@example.org", "y@example.org"], f"Reminder {key}")
    results, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(services.send_digests(DAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 2
    assert sorted(Email.objects.values_list("to", flat=True)) == [["x@example.org"], ["y@example.org"]]


def test_the_command_runs_and_reports(db):
    out = StringIO()
    with emails_sent():
        call_command("send_reminders", "--date", "2026-11-25", stdout=out)
    assert "2026-11-25: sent 0 reminder(s) (" in out.getvalue()
    assert "in 0 email(s)" in out.getvalue()


def test_the_command_refuses_a_bad_date(db):
    with pytest.raises(CommandError, match="--date must look like"):
        call_command("send_reminders", "--date", "25/11/2026")


def test_reminders_carry_no_unsubscribe_header_as_none_can_be_turned_off(db):
    """ADR 0086: List-Unsubscribe promises a working opt-out; no reminder has one."""
    with emails_sent():
        _record("a", ["x@example.org", "y@example.org"], "First")
        _record("b", ["x@example.org"], "Second")
        services.send_digests(DAY)
    assert len(mail.outbox) == 2  # a digest to x, the reminder itself to y
    for message in mail.outbox:
        headers = {name.lower() for name in message.message()}
        assert "auto-submitted" in headers
        assert "list-unsubscribe" not in headers and "list-unsubscribe-post" not in headers
