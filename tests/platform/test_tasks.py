"""Mail goes through the task queue (django-tasks, database backend): queued with the
change, sent by the worker, retried when the mail server is down, and kept with its
error when it finally fails — never lost silently."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from ppp.mail import send_after_commit
from ppp.tasks import RETRY_MINUTES

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


class DownBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("mail server down")


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_TASKS


def _run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*", verbosity=0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the worker closes its connection
def test_an_email_is_queued_with_the_change_and_sent_by_the_worker(database_queue):
    with transaction.atomic():
        send_after_commit("Hello", "Body", ["a@example.org", "a@example.org", ""])
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 1
    _run_worker()
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_nothing_is_queued_for_a_change_that_rolled_back(db, database_queue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                send_after_commit("Hello", "Body", ["a@example.org"])
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_mail_server_that_is_down_is_retried_then_the_failure_is_kept(database_queue, settings):
    from django.utils import timezone

    settings.EMAIL_BACKEND = "tests.platform.test_tasks.DownBackend"
    send_after_commit("Hello", "Body", ["a@example.org"])
    for _ in range(len(RETRY_MINUTES) + 1):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())  # do not wait
        _run_worker()
    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert len(results) == len(RETRY_MINUTES) + 1
    assert [r.status for r in results[:-1]] == ["SUCCESSFUL"] * len(RETRY_MINUTES)  # each queued the next try
    assert results[-1].status == "FAILED"
    assert "SMTPServerDisconnected" in str(results[-1].traceback)
