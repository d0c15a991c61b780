"""The task worker broken on purpose (issue 20): killed with SIGKILL in the middle of a
certificate batch and of a run of emails, cut off from its database, and given a mail relay
that never answers. A real `manage.py run_worker` process on the test database each time,
sending to a real SMTP server on loopback."""

import contextlib
import time

import psycopg
import pytest
from django.db import connection, transaction

from ppp.certificates.models import IssuedCertificate
from ppp.mail import message_id, queue_email
from ppp.notifications.models import Email
from tests.platform.worker_helpers import Sink, Worker, black_hole, wait_for
from tests.training.factories import completed_session
from training import services
from training.models import CertificateBatch

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _queue(count: int, prefix: str = "Message") -> None:
    with transaction.atomic():  # the emails and their jobs are saved together
        for n in range(count):
            queue_email(f"{prefix} {n}", f"Body {n}", [f"person{n}@example.org"])


def _sent() -> int:
    return Email.objects.filter(status=Email.Status.SENT).count()


def test_a_worker_killed_mid_send_is_replaced_and_every_email_goes_exactly_once(settings, tmp_path):
    settings.PPP_TASKS = "queue"
    _queue(40)
    with Sink(hold_at=15) as sink:
        mail_env = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": sink.port, "WORKER_MAIL_CONCURRENCY": 1}
        worker = Worker(tmp_path, **mail_env).start()
        try:
            wait_for(sink.holding.is_set, timeout=60, message="the 15th email to reach the relay")
            worker.kill()  # in the middle of the 15th conversation with the relay
            sink.release()
            assert _sent() == 14
            assert Email.objects.filter(status=Email.Status.SENDING).count() == 1  # left half-way
            worker = Worker(tmp_path, **mail_env).start()
            wait_for(lambda: _sent() == 40, timeout=120, message="every email sent")
        finally:
            worker.stop()
        accepted = sink.message_ids()
    assert len(accepted) == 40, worker.log
    assert sorted(accepted) == sorted(message_id(email) for email in Email.objects.all())  # each once
    assert "running it again" in worker.log


def test_a_worker_killed_mid_batch_is_replaced_and_every_certificate_is_issued_once(
    settings, tmp_path, school_a, alice, officer
):
    attended = 120
    session, bookings = completed_session(school_a, alice, officer, attended=attended)
    settings.PPP_TASKS = "queue"
    batch = services.certificates_request(session=session, by=officer)
    worker = Worker(tmp_path).start()
    try:
        wait_for(lambda: CertificateBatch.objects.get(pk=batch.pk).issued >= 10, timeout=60, every=0.005)
        worker.kill()
        batch.refresh_from_db()
        assert batch.status == CertificateBatch.Status.RUNNING
        assert 10 <= batch.issued < attended, "killed too late to prove anything: the batch had finished"
        worker = Worker(tmp_path).start()
        wait_for(
            lambda: CertificateBatch.objects.get(pk=batch.pk).status == CertificateBatch.Status.DONE,
            timeout=120,
            message="the batch to finish after the restart",
        )
    finally:
        worker.stop()
    batch.refresh_from_db()
    assert (batch.issued, batch.already_issued, batch.done_count) == (attended, 0, attended)
    certificates = IssuedCertificate.objects.filter(kind=IssuedCertificate.Kind.TRAINING)
    assert certificates.count() == attended
    assert set(certificates.values_list("source_id", flat=True)) == {str(b.pk) for b in bookings}
    assert len(set(certificates.values_list("code", flat=True))) == attended


def test_a_relay_that_never_answers_holds_up_mail_only(settings, tmp_path, school_a, alice, officer):
    session, _ = completed_session(school_a, alice, officer, attended=40)
    settings.PPP_TASKS = "queue"
    with black_hole() as port:
        _queue(5, prefix="Invitation")
        batch = services.certificates_request(session=session, by=officer)
        worker = Worker(
            tmp_path, EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_TIMEOUT=4, WORKER_MAIL_CONCURRENCY=1
        ).start()
        try:
            wait_for(
                lambda: CertificateBatch.objects.get(pk=batch.pk).status == CertificateBatch.Status.DONE,
                timeout=60,
                message="the certificates, while mail waits on the relay",
            )
            # The five emails need at least 5 × 4 s of the mail queue; the batch did not wait for them.
            assert Email.objects.filter(subject__startswith="Invitation", attempts__gte=1).count() < 5
            assert not Email.objects.filter(subject__startswith="Invitation", status=Email.Status.SENT).exists()
            timed_out = Email.objects.filter(subject__startswith="Invitation", last_error__icontains="timed out")
            wait_for(
                timed_out.exists,
                timeout=30,
                message="a failed attempt to be recorded",
            )
        finally:
            worker.stop()
    failed_once = Email.objects.filter(subject__startswith="Invitation", last_error__icontains="timed out").first()
    assert failed_once.status == Email.Status.QUEUED  # tried again later, not lost and not shown as sent
    assert IssuedCertificate.objects.filter(kind=IssuedCertificate.Kind.TRAINING).count() == 40


@contextlib.contextmanager
def _database_down():
    """A database outage as the worker sees it: PostgreSQL refuses new connections to the
    test database (ALLOW_CONNECTIONS false) and every open one but ours is ended
    (pg_terminate_backend), until the block ends."""
    settings_dict = connection.settings_dict
    name = settings_dict["NAME"]
    admin = psycopg.connect(
        dbname="postgres",
        user=settings_dict["USER"],
        password=settings_dict.get("PASSWORD") or None,
        host=settings_dict["HOST"] or "127.0.0.1",
        port=settings_dict["PORT"] or 5432,
        autocommit=True,
    )
    with admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                cut = cursor.fetchone()[0]
            yield cut
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')


def test_the_worker_rides_out_a_database_outage_and_carries_on_by_itself(settings, tmp_path):
    settings.PPP_TASKS = "queue"
    with Sink() as sink:
        worker = Worker(tmp_path, EMAIL_HOST="127.0.0.1", EMAIL_PORT=sink.port).start()
        try:
            _queue(5, prefix="Before")
            wait_for(lambda: len(sink.message_ids()) == 5, timeout=60, message="the first emails")
            with _database_down() as cut:
                assert cut > 0  # the worker's connections
                _queue(5, prefix="During")  # saved (this connection stays) while the worker cannot connect
                time.sleep(10)
                assert len(sink.message_ids()) == 5
            _queue(5, prefix="After")
            wait_for(lambda: _sent() == 15, timeout=120, message="every email after the outage")
            assert worker.process.poll() is None, "the worker exited"
        finally:
            worker.stop()
        assert len(sink.message_ids()) == 15, worker.log
        assert len(set(sink.message_ids())) == 15
