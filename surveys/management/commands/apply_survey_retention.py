"""Remove pupils' free text from survey rounds that closed more than
SURVEY_COMMENT_RETENTION_DAYS ago; the counts stay. Idempotent; cron-friendly."""

from django.core.management.base import BaseCommand

from surveys.services import comments_remove_expired


class Command(BaseCommand):
    help = "Remove survey free text past its retention period (the counts stay)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say how many would be removed; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        count = comments_remove_expired(dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(f"{verb} free text from {count} survey answer{'s' if count != 1 else ''}.")
