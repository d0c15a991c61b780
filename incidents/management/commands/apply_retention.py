"""Anonymise incident records past the retention period. Run daily from cron; running it
again changes nothing, and the council's figures are the same before and after.
`--dry-run` lists what would be anonymised and changes nothing."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from incidents.services import (
    IncidentError,
    apply_retention,
    check_retention_period,
    due_for_retention,
    retention_cutoff,
)


class Command(BaseCommand):
    help = (
        "Anonymise incident records closed (and still closed) more than INCIDENT_RETENTION_YEARS years ago: "
        "free text and pupil references go, the counts the figures use stay. Safe to run again. "
        "--dry-run lists them and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the records that would be anonymised; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        try:
            check_retention_period()
        except IncidentError as error:
            raise CommandError(str(error)) from error
        cutoff = retention_cutoff()
        period = f"retention: {settings.INCIDENT_RETENTION_YEARS} years after closing"
        if dry_run:
            due = list(
                due_for_retention()
                .select_related("organisation")
                .order_by("organisation__name", "closed_at")
                .values_list("organisation__name", "reference", "closed_at")
            )
            for school, reference, closed_at in due:
                self.stdout.write(f"Would anonymise {school}: incident {reference}, closed {closed_at:%-d %B %Y}")
            self.stdout.write(
                f"Dry run: {len(due)} incident record{'s' if len(due) != 1 else ''} closed before "
                f"{cutoff:%-d %B %Y} would be anonymised ({period}). Nothing was changed."
            )
            return
        try:
            count = apply_retention()
        except IncidentError as error:
            raise CommandError(str(error)) from error
        records = f"{count} incident record{'s' if count != 1 else ''}"
        self.stdout.write(f"Anonymised {records} closed before {cutoff:%-d %B %Y} ({period}).")
