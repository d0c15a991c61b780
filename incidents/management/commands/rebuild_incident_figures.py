"""Recount the schools' monthly figures (MonthlyFigures) from their records. The services
keep them in step; run this after loading records in bulk, or to check nothing drifted."""

from django.core.management.base import BaseCommand

from incidents import figures


class Command(BaseCommand):
    help = "Recount every school's monthly incident figures from the records. Safe to run at any time."

    def handle(self, *args, **options):
        rows = figures.rebuild()
        self.stdout.write(f"Recounted the incident figures: {rows} school-month rows.")
