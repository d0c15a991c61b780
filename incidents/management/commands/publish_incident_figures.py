"""`manage.py publish_incident_figures`: publish the council's figures for every closed
term that has none yet (daily, from cron). Each term's release is made once, by a task in
the worker (`incidents.publish_figures`); `--now` makes them here instead, and `--term
2025-autumn` names one term. A term that has not closed, or whose figures fail the
disclosure check, is refused with exit status 1 (the shared shape:
`ppp.management.publishing`)."""

from incidents import releases, tasks
from incidents.terms import Term
from ppp.management.publishing import PublishFiguresCommand


class Command(PublishFiguresCommand):
    help = "Publish the council's incident figures for closed terms (once each). Safe to run again."
    releases = releases
    task = tasks.publish_figures
    term_class = Term
    lock_prefix = "figures-"
    due_word = "closed"
    nothing_due = "Every closed term's figures are published already."

    def describe(self, release) -> str:
        shown = "published" if release.published else "not published (too few settings)"
        return f"{shown}, {release.settings_count} settings."
