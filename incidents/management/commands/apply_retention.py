"""Anonymise incident records past the retention period. Run daily from cron; running it
again changes nothing, and the council's figures are the same before and after."""

from django.conf import settings
from django.core.management.base import BaseCommand

from incidents.services import apply_retention, retention_cutoff


class Command(BaseCommand):
    help = (
        "Anonymise incident records closed more than INCIDENT_RETENTION_YEARS years ago: free text and pupil "
        "references go, the counts the figures use stay. Safe to run again."
    )

    def handle(self, *args, **options):
        cutoff = retention_cutoff()
        count = apply_retention()
        self.stdout.write(
            f"Anonymised {count} incident record{'s' if count != 1 else ''} closed before {cutoff:%-d %B %Y} "
            f"(retention: {settings.INCIDENT_RETENTION_YEARS} years after closing)."
        )
