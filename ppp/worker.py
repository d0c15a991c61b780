"""The task worker (`manage.py run_worker`): Procrastinate's workers, one per queue, kept
running through database outages.

- Each queue (ppp.tasks.QUEUES) has its own Procrastinate worker with its own
  concurrency, so slow mail never holds up certificates.
- Every worker writes a heartbeat every `WORKER_HEARTBEAT_SECONDS`. Jobs whose worker has
  been silent for `WORKER_STALLED_SECONDS` (killed, its machine gone) are put back in the
  queue by whichever worker notices first; a job put back this way `MAX_STALLED_RETRIES`
  times is marked failed rather than tried for ever.
- When the database goes away, Procrastinate's worker stops: this loop waits (1, 2, 4 …
  up to 30 seconds), opens a new connection and starts it again, for as long as it takes.
  Work a worker was doing when it lost the database is found again as stalled.
"""

import asyncio
import contextlib
import datetime
import logging
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import cast

from django import db
from django.conf import settings
from procrastinate import jobs as jobs_module
from procrastinate import worker as worker_module
from procrastinate.contrib.django import app
from procrastinate.contrib.django.django_connector import DjangoConnector

from ppp.tasks import CERTIFICATES, DEFAULT, MAIL

log = logging.getLogger("ppp.worker")

MAX_STALLED_RETRIES = 10
LONGEST_WAIT = 30


def queue_concurrency() -> dict[str, int]:
    return {
        MAIL: settings.WORKER_MAIL_CONCURRENCY,
        CERTIFICATES: settings.WORKER_CERTIFICATE_CONCURRENCY,
        DEFAULT: 1,
    }


def close_connection_after(call_next, context, worker):
    """Each task's thread gives its database connection back when the task ends: a worker
    holds no connection while it waits, and one the database dropped is never reused."""
    try:
        return call_next()
    finally:
        db.connection.close()


class Supervisor:
    """Runs the workers until asked to stop; `until_done` stops once the queues are empty
    (cron, tests)."""

    def __init__(self, *, queues: list[str] | None = None, until_done: bool = False, listen_notify: bool = True):
        concurrency = queue_concurrency()
        self.queues = {name: concurrency[name] for name in (queues or concurrency)}
        self.until_done = until_done
        self.listen_notify = listen_notify and not until_done
        self.stopping = asyncio.Event()
        self.workers: list[worker_module.Worker] = []

    def stop(self) -> None:
        log.info("Stopping: finishing the jobs under way")
        self.stopping.set()
        for worker in self.workers:
            worker.stop()

    async def run(self) -> None:
        wait = 1
        while not self.stopping.is_set():
            try:
                await self._run_once()
            except Exception as error:  # noqa: BLE001 - whatever stopped it, start again
                log.error("The worker lost its database (%s); starting again in %s s", error, wait)
            else:
                if self.until_done or self.stopping.is_set():
                    return
                log.error("The worker stopped by itself; starting again in %s s", wait)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), timeout=wait)
            wait = min(wait * 2, LONGEST_WAIT)

    async def _run_once(self) -> None:
        connector = cast(DjangoConnector, app.connector).get_worker_connector()
        with app.replace_connector(connector):
            async with app.open_async():
                await self.retry_stalled_jobs()
                self.workers = [
                    app._worker(
                        queues=[name],
                        name=f"ppp-{name}",
                        concurrency=concurrency,
                        wait=not self.until_done,
                        listen_notify=self.listen_notify,
                        install_signal_handlers=False,
                        update_heartbeat_interval=settings.WORKER_HEARTBEAT_SECONDS,
                        stalled_worker_timeout=settings.WORKER_STALLED_SECONDS,
                        fetch_job_polling_interval=2 if self.until_done else 5,
                        delete_jobs=jobs_module.DeleteJobCondition.SUCCESSFUL,
                        task_middleware=[*app.worker_defaults.get("task_middleware", []), close_connection_after],
                    )
                    for name, concurrency in self.queues.items()
                ]
                app.perform_import_paths()
                runs = [asyncio.create_task(worker.run()) for worker in self.workers]
                watch = None if self.until_done else asyncio.create_task(self._watch_stalled())
                try:
                    # Running for good, one worker stopping (it lost the database, or a side
                    # task of its failed) stops them all, to start again together.
                    first = asyncio.FIRST_EXCEPTION if self.until_done else asyncio.FIRST_COMPLETED
                    done, _pending = await asyncio.wait(runs, return_when=first)
                    failed = [error for run in done if (error := run.exception()) is not None]
                    if failed or not self.until_done:
                        # One worker lost the database (or stopped): stop the others too and
                        # start again together.
                        for worker in self.workers:
                            worker.stop()
                    await asyncio.gather(*runs, return_exceptions=True)
                    if failed:
                        raise failed[0]
                finally:
                    if watch:
                        watch.cancel()
                        await asyncio.gather(watch, return_exceptions=True)

    async def _watch_stalled(self) -> None:
        every = max(1, min(settings.WORKER_STALLED_SECONDS / 2, 15))
        orphans: set[tuple[int, int]] = set()
        while True:
            await asyncio.sleep(every)
            try:
                await self.retry_stalled_jobs()
                orphans = await self.retry_orphans(orphans)
            except Exception as error:  # noqa: BLE001 - the run loop notices a lost database itself
                log.warning("Could not look for stalled jobs: %s", error)

    async def retry_orphans(self, seen_before: set[tuple[int, int]]) -> set[tuple[int, int]]:
        """Jobs this process's workers hold as "doing" but no longer run: the job ran, and
        the database went away as its end was written down. Its worker is alive (its
        heartbeat goes on), so it is not stalled: put it back in the queue once it has
        been seen orphaned twice in a row (a job just fetched is not yet in the list)."""
        ids = {worker.worker_id: worker for worker in self.workers if worker.worker_id}
        if not ids:
            return set()
        rows = await app.connector.execute_query_all_async(
            "SELECT id, worker_id, attempts FROM procrastinate_jobs "
            "WHERE status = 'doing' AND worker_id = ANY(%(worker_ids)s)",
            worker_ids=list(ids),
        )
        orphans = set()
        for row in rows:
            running = {context.job.id for context in ids[row["worker_id"]]._running_jobs.values()}
            if row["id"] not in running:
                orphans.add((row["id"], row["attempts"]))
        for job_id, _attempts in orphans & seen_before:
            log.warning("Job %s ended without its end being written down: running it again", job_id)
            try:
                await app.job_manager.retry_job_by_id_async(
                    job_id=job_id, retry_at=datetime.datetime.now(datetime.UTC), priority=None, queue=None, lock=None
                )
            except Exception as error:  # noqa: BLE001 - it moved on meanwhile
                log.info("Job %s: %s", job_id, error)
        return orphans - seen_before

    async def retry_stalled_jobs(self) -> int:
        """Put back in the queue the jobs of workers silent for WORKER_STALLED_SECONDS."""
        manager = app.job_manager
        stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=settings.WORKER_STALLED_SECONDS))
        for job in stalled:
            try:
                if job.attempts >= MAX_STALLED_RETRIES:
                    log.error("Job %s stalled %s times: marking it failed", job.call_string, job.attempts)
                    await manager.finish_job(job=job, status=jobs_module.Status.FAILED, delete_job=False)
                else:
                    log.warning("Job %s was running on a worker that stopped: running it again", job.call_string)
                    await manager.retry_job(job)
            except Exception as error:  # noqa: BLE001 - another worker got there first
                log.info("Job %s: %s", job.id, error)
        await manager.prune_stalled_workers(settings.WORKER_STALLED_SECONDS)
        return len(stalled)


def run(*, queues: list[str] | None = None, until_done: bool = False, install_signal_handlers: bool = True) -> None:
    async def main():
        supervisor = Supervisor(queues=queues, until_done=until_done)
        # Sync tasks run in the loop's thread pool: one thread for every job that may run at
        # once, so a queue's jobs never wait for threads another queue's slow jobs hold.
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(max_workers=sum(supervisor.queues.values()) + 2))
        if install_signal_handlers:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signum, supervisor.stop)
        await supervisor.run()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(main())
        return
    # Called where an event loop already runs (a test beside a browser): a thread of its own,
    # without signal handlers (only the main thread may have them).
    install_signal_handlers = False
    thread = threading.Thread(target=lambda: asyncio.run(main()), name="ppp-worker")
    thread.start()
    thread.join()
