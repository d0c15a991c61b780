"""`manage.py publish_survey_figures`: publish the council's pupil voice figures for every
term that has ended and has none yet (daily, from cron, as `publish_incident_figures`).
Each term's releases are made once, by a task in the worker (`surveys.publish_figures`);
`--now` makes them here instead, and `--term 2025-autumn` names one term. A term that has
not ended, or whose figures fail the disclosure check, is refused with exit status 1."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from incidents.selectors import Term
from ppp.tasks import defer
from surveys import releases, tasks


class Command(BaseCommand):
    help = "Publish the council's pupil voice figures for terms that have ended (once each). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--term", help="one term, as 2025-autumn (default: every ended term not yet published)")
        parser.add_argument("--now", action="store_true", help="publish here and now instead of in the worker")

    def handle(self, *args, **options):
        if options["term"]:
            term = Term.from_slug(options["term"])
            if term is None:
                raise CommandError("Give the term as YEAR-autumn, YEAR-spring or YEAR-summer, like 2025-autumn.")
            if not releases.is_due(term):
                raise CommandError(f"The {term.label} has not ended yet: its figures cannot be published.")
            terms = [term]
        else:
            terms = releases.due_terms()
        if not terms:
            self.stdout.write("Every ended term's pupil voice figures are published already.")
            return
        for term in terms:
            if options["now"]:
                try:
                    made = releases.publish(term)
                except releases.ReleaseRefused as refused:
                    raise CommandError(str(refused)) from refused
                shown = ", ".join(
                    f"{r.get_audience_display()}: {r.settings_count} settings" for r in made if r.published
                )
                self.stdout.write(f"{term.label}: published ({shown or 'too few settings for any figures'}).")
            else:
                with transaction.atomic():
                    defer(tasks.publish_figures, lock=f"survey-figures-{term.slug}", year=term.year, term=term.key)
                self.stdout.write(f"{term.label}: queued for the worker.")
