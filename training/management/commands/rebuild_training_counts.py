"""Recount the officers' course-and-term report (CourseTermCount) from the sessions and
places. The services keep it in step; run this after loading sessions or places in bulk,
or to check nothing drifted."""

from django.core.management.base import BaseCommand

from training import counts


class Command(BaseCommand):
    help = "Recount the training report's counts per course and term from the sessions and places. Safe to run again."

    def handle(self, *args, **options):
        rows = counts.rebuild()
        self.stdout.write(f"Recounted the training counts: {rows} course-and-term rows.")
