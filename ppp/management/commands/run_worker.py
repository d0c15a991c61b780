"""`manage.py run_worker`: run background work (emails, certificate batches) until stopped.

Runs Procrastinate's workers for each queue (ppp/worker.py) and keeps them running
through database outages. SIGTERM or Ctrl-C stops it once the jobs under way finish.
`--until-done` works through what is queued and exits (cron, CI). On SQLite (the demo)
the web server runs background work itself and there is nothing to run here.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ppp.tasks import QUEUES


class Command(BaseCommand):
    help = "Run background work (emails, certificate batches): PostgreSQL's job queue, with recovery."

    def add_arguments(self, parser):
        parser.add_argument("--queue", action="append", choices=QUEUES, help="only these queues (repeatable)")
        parser.add_argument("--until-done", action="store_true", help="stop once the queues are empty")

    def handle(self, *args, queue=None, until_done=False, **options):
        if settings.PPP_TASKS != "queue":
            if settings.ON_POSTGRESQL:
                raise CommandError(f"PPP_TASKS is {settings.PPP_TASKS!r}: background work runs in the web process.")
            raise CommandError(
                "The job queue needs PostgreSQL. On SQLite (the demo) the web server runs background work itself."
            )
        from ppp import worker

        worker.run(queues=queue, until_done=until_done)
