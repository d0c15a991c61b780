"""Background work: what runs after the response (emails, certificate batches).

Each app keeps its tasks in `<app>/tasks.py`, declared with `task(...)` (a Procrastinate
task) and started with `defer(task, **ids)`. A task's arguments are ids (JSON), never
model instances or text that could hold a secret; what a task does is written so that
running it again does no harm (a batch resumes, an email already sent is not sent
again), because every path below can run it more than once.

How deferred work runs (settings.PPP_TASKS, docs/operations/background-work.md):

- "queue" (PostgreSQL): `defer` writes a Procrastinate job in the same transaction as the
  change that makes it, so both are saved or neither; `manage.py run_worker` runs them
  (ppp/worker.py), each queue with its own concurrency. A job whose worker died is run
  again once the worker's heartbeat is `WORKER_STALLED_SECONDS` old; failures are retried
  with back-off (each task's `retry`).
- "thread" (the SQLite demo): once the change commits, the job runs in a thread of the
  web process; failures are retried the same way; when a process starts, and every
  minute, each app's `unfinished` work (registered below) is run again.
- "immediate" (tests): once the change commits, the job runs before the response.
"""

import datetime
import logging
import queue as queue_module
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from ppp.discovery import AppRegistry

log = logging.getLogger(__name__)

# The worker's queues. Each has its own share of the worker, so a mail relay that does not
# answer holds up only mail.
MAIL = "mail"
CERTIFICATES = "certificates"
DEFAULT = "default"
QUEUES = (MAIL, CERTIFICATES, DEFAULT)

__all__ = ["CERTIFICATES", "DEFAULT", "MAIL", "QUEUES", "RetryStrategy", "defer", "task", "unfinished_work"]


def task(*, name: str, queue: str = DEFAULT, retry: RetryStrategy | int = 0, **options):
    """Declare a background task: `@task(name="training.issue_certificates", queue=CERTIFICATES)`.
    The name is what is stored with each job, so it must not change while jobs wait."""
    return app.task(name=name, queue=queue, retry=retry, **options)


# Each app's tasks.py registers `unfinished()`, yielding (task, kwargs) for work that was
# started or asked for and is not done: the "thread" runner runs these again at start-up
# and every minute (PostgreSQL's queue has its own record of unfinished jobs).
unfinished_work = AppRegistry("tasks")


def defer(task_, /, *, lock: str | None = None, delay_seconds: float = 0, **kwargs) -> None:
    """Run `task_(**kwargs)` in the background once the current transaction commits.

    `lock`: jobs with the same lock never run at the same time (Procrastinate's lock)."""
    mode = settings.PPP_TASKS
    if mode == "queue":
        _deferrer(task_, lock=lock, delay_seconds=delay_seconds).defer(**kwargs)
    elif mode == "thread":
        transaction.on_commit(lambda: runner.submit(task_, kwargs, delay=delay_seconds))
    else:
        transaction.on_commit(lambda: run_now(task_, kwargs))


def _deferrer(task_, *, lock, delay_seconds):
    """A job for `task_` written through Django's own connection: inside the caller's
    transaction, wherever it runs (a request, or a task in the worker)."""
    from procrastinate import manager
    from procrastinate.contrib.django.django_connector import DjangoConnector
    from procrastinate.tasks import configure_task

    return configure_task(
        name=task_.name,
        job_manager=manager.JobManager(DjangoConnector()),
        queue=task_.queue,
        lock=lock if lock is not None else task_.lock,
        queueing_lock=task_.queueing_lock,
        priority=task_.priority,
        schedule_in={"seconds": delay_seconds} if delay_seconds else None,
    )


@dataclass
class _Attempt:
    """What a retry strategy reads of a job: how many times it was tried before."""

    attempts: int


def retry_delay(task_, error: BaseException, attempts: int) -> float | None:
    """Seconds until `task_` is tried again after failing with `error` on try number
    `attempts + 1`, by the task's own retry strategy; None: give up."""
    strategy = task_.retry_strategy
    if strategy is None:
        return None
    decision = strategy.get_retry_decision(exception=error, job=_Attempt(attempts))
    if decision is None:
        return None
    return max(0.0, (decision.retry_at - datetime.datetime.now(datetime.UTC)).total_seconds())


def run_now(task_, kwargs: dict, *, attempts: int = 0) -> float | None:
    """Run one task here and now, as a worker would: a failure is logged, not raised.
    Returns the seconds to wait before trying again, or None when done (or given up)."""
    try:
        task_(**kwargs)
    except Exception as error:
        delay = retry_delay(task_, error, attempts)
        if delay is None:
            log.exception("Task %s %s failed (try %s); giving up", task_.name, kwargs, attempts + 1)
        else:
            log.warning(
                "Task %s %s failed (try %s): %s; again in %.0f s", task_.name, kwargs, attempts + 1, error, delay
            )
        return delay
    return None


class LocalRunner:
    """The "thread" mode's worker: one thread per web process runs the jobs its requests
    deferred, in order, retrying failures later by the task's retry strategy; at start-up
    and every `sweep_seconds` it also runs each app's unfinished work again (what a
    stopped process left, or a retry it did not live to make)."""

    def __init__(self, *, sweep_seconds: float = 60):
        self.sweep_seconds = sweep_seconds
        self._jobs: queue_module.Queue = queue_module.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def start(self) -> None:
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="ppp-tasks", daemon=True)
                self._thread.start()

    def submit(self, task_, kwargs: dict, *, delay: float = 0, attempts: int = 0) -> None:
        self.start()
        if delay:
            timer = threading.Timer(delay, self._jobs.put, args=[(task_, kwargs, attempts)])
            timer.daemon = True
            timer.start()
        else:
            self._jobs.put((task_, kwargs, attempts))

    def _loop(self) -> None:
        next_sweep = timezone.now()
        while True:
            if timezone.now() >= next_sweep:
                for task_, kwargs in collect_unfinished():
                    self._jobs.put((task_, kwargs, 0))
                next_sweep = timezone.now() + datetime.timedelta(seconds=self.sweep_seconds)
            try:
                task_, kwargs, attempts = self._jobs.get(timeout=1)
            except queue_module.Empty:
                continue
            close_old_connections()  # as around a request: a connection that died is replaced
            try:
                delay = run_now(task_, kwargs, attempts=attempts)
            finally:
                close_old_connections()
            if delay is not None:
                self.submit(task_, kwargs, delay=delay, attempts=attempts + 1)


def collect_unfinished() -> Iterable[tuple[Callable, dict]]:
    """Every app's unfinished work, as (task, kwargs); an app whose look-up fails (the
    database is away) is skipped until the next sweep."""
    close_old_connections()
    try:
        for label, unfinished in unfinished_work.all():
            try:
                yield from list(unfinished())
            except Exception:
                log.exception("Could not list %s's unfinished work; trying again later", label)
    finally:
        close_old_connections()


runner = LocalRunner()


def start_local_runner() -> None:
    """Called by ppp/wsgi.py: a web process in "thread" mode runs background work itself."""
    if settings.PPP_TASKS == "thread":
        runner.start()
