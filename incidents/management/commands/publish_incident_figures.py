"""`manage.py publish_incident_figures`: publish the council's figures for every closed
term that has none yet (daily, from cron). Each term's release is made once, by a task in
the worker (`incidents.publish_figures`); `--now` makes them here instead, and `--term
2025-autumn` names one term. A term that has not closed, or whose figures fail the
disclosure check, is refused with exit status 1."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from incidents import releases, tasks
from incidents.terms import Term
from ppp.tasks import defer


class Command(BaseCommand):
    help = "Publish the council's incident figures for closed terms (once each). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--term", help="one term, as 2025-autumn (default: every closed term not yet published)")
        parser.add_argument("--now", action="store_true", help="publish here and now instead of in the worker")

    def handle(self, *args, **options):
        if options["term"]:
            term = Term.from_slug(options["term"])
            if term is None:
                raise CommandError("Give the term as YEAR-autumn, YEAR-spring or YEAR-summer, like 2025-autumn.")
            if not releases.is_due(term):
                raise CommandError(f"The {term.label} has not closed yet: its figures cannot be published.")
            terms = [term]
        else:
            terms = releases.due_terms()
        if not terms:
            self.stdout.write("Every closed term's figures are published already.")
            return
        for term in terms:
            if options["now"]:
                try:
                    release = releases.publish(term)
                except releases.ReleaseRefused as refused:
                    raise CommandError(str(refused)) from refused
                shown = "published" if release.published else "not published (too few settings)"
                self.stdout.write(f"{term.label}: {shown}, {release.settings_count} settings.")
            else:
                with transaction.atomic():
                    defer(tasks.publish_figures, lock=f"figures-{term.slug}", year=term.year, term=term.key)
                self.stdout.write(f"{term.label}: queued for the worker.")
