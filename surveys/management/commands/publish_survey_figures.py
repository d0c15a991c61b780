"""`manage.py publish_survey_figures`: publish the council's pupil voice figures for every
term that has ended and has none yet (daily, from cron, as `publish_incident_figures`).
Each term's releases are made once, by a task in the worker (`surveys.publish_figures`);
`--now` makes them here instead, and `--term 2025-autumn` names one term. A term that has
not ended, or whose figures fail the disclosure check, is refused with exit status 1 (the
shared shape: `ppp.management.publishing`)."""

from incidents.selectors import Term
from ppp.management.publishing import PublishFiguresCommand
from surveys import releases, tasks


class Command(PublishFiguresCommand):
    help = "Publish the council's pupil voice figures for terms that have ended (once each). Safe to run again."
    releases = releases
    task = tasks.publish_figures
    term_class = Term
    lock_prefix = "survey-figures-"
    due_word = "ended"
    nothing_due = "Every ended term's pupil voice figures are published already."

    def describe(self, made) -> str:
        shown = ", ".join(f"{r.get_audience_display()}: {r.settings_count} settings" for r in made if r.published)
        return f"published ({shown or 'too few settings for any figures'})."
