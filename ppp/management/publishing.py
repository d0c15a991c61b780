"""The shape both `publish_*_figures` commands share (incidents, surveys): publish the
council's figures for every term that is due and has none yet, or one `--term`, either by
queueing the app's task for the worker (the default, daily from cron) or here and now
(`--now`). A term not yet due, or whose figures fail the disclosure check, is refused with
exit status 1. The platform names no domain app: each command says which releases module,
task, term class and words are its own."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ppp.tasks import defer


class PublishFiguresCommand(BaseCommand):
    """Subclasses set:

    - `releases`: a module with `is_due(term)`, `due_terms()`, `publish(term)` and
      `ReleaseRefused`;
    - `task`: the worker task taking `year` and `term`; `lock_prefix` its lock's prefix;
    - `term_class`: with `from_slug(slug)` (None when malformed), `label`, `slug`, `year`, `key`;
    - `due_word` ("closed", "ended"), `nothing_due` (said when every term is published);
    - `describe(made)`: the line `--now` writes after the term's label.
    """

    releases: Any  # the app's releases module
    task: Any
    term_class: Any
    lock_prefix = ""
    due_word = "ended"
    nothing_due = ""

    def add_arguments(self, parser):
        parser.add_argument(
            "--term", help=f"one term, as 2025-autumn (default: every {self.due_word} term not yet published)"
        )
        parser.add_argument("--now", action="store_true", help="publish here and now instead of in the worker")

    def describe(self, made) -> str:
        raise NotImplementedError

    def handle(self, *args, **options):
        if options["term"]:
            term = self.term_class.from_slug(options["term"])
            if term is None:
                raise CommandError("Give the term as YEAR-autumn, YEAR-spring or YEAR-summer, like 2025-autumn.")
            if not self.releases.is_due(term):
                raise CommandError(f"The {term.label} has not {self.due_word} yet: its figures cannot be published.")
            terms = [term]
        else:
            terms = self.releases.due_terms()
        if not terms:
            self.stdout.write(self.nothing_due)
            return
        for term in terms:
            if options["now"]:
                try:
                    made = self.releases.publish(term)
                except self.releases.ReleaseRefused as refused:
                    raise CommandError(str(refused)) from refused
                self.stdout.write(f"{term.label}: {self.describe(made)}")
            else:
                with transaction.atomic():
                    defer(self.task, lock=f"{self.lock_prefix}{term.slug}", year=term.year, term=term.key)
                self.stdout.write(f"{term.label}: queued for the worker.")
