import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ppp.notifications.services import record_reminders, send_digests


class Command(BaseCommand):
    help = (
        "Send today's reminders (visits, actions, reviews, expiries), one email per person. "
        "Run daily from cron; safe to repeat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD), for catching up")

    def handle(self, *args, date=None, **options):
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date must look like 2026-11-25, not {date!r}.") from None
        else:
            today = timezone.localdate()
        sent = record_reminders(today)
        emails = send_digests(today)
        total = sum(sent.values())
        detail = ", ".join(f"{label} {count}" for label, count in sent.items()) or "no reminder sources"
        self.stdout.write(self.style.SUCCESS(f"{today}: sent {total} reminder(s) ({detail}) in {emails} email(s)"))
