"""`manage.py prune_background_work`: forget finished background work (daily, from cron).

Emails sent or no longer needed are kept --days (30) for the record of what went, failed
ones --failed-days (90) so the team can see and send them again; on PostgreSQL, the job
queue's failed jobs go after --failed-days too (succeeded ones are deleted as they finish).
Safe to run again.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from ppp.models import Submission
from ppp.notifications.models import Email


class Command(BaseCommand):
    help = "Delete emails sent more than --days ago, failed ones after --failed-days, and old failed jobs."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--failed-days", type=int, default=90)

    def handle(self, *args, days=30, failed_days=90, **options):
        now = timezone.now()
        done = Email.objects.filter(
            status__in=[Email.Status.SENT, Email.Status.CANCELLED], created_at__lt=now - datetime.timedelta(days=days)
        ).delete()[0]
        failed = Email.objects.filter(
            status=Email.Status.FAILED, created_at__lt=now - datetime.timedelta(days=failed_days)
        ).delete()[0]
        # The keys that made two identical form submissions one (ppp/once.py) last a minute.
        Submission.objects.filter(created_at__lt=now - datetime.timedelta(days=1)).delete()
        jobs = 0
        if settings.ON_POSTGRESQL:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM procrastinate_jobs WHERE status IN ('failed', 'cancelled', 'aborted') AND id IN ("
                    " SELECT job_id FROM procrastinate_events GROUP BY job_id HAVING max(at) < %s)",
                    [now - datetime.timedelta(days=failed_days)],
                )
                jobs = cursor.rowcount
        self.stdout.write(f"Deleted {done} sent emails, {failed} failed emails and {jobs} failed jobs.")
