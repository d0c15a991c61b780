"""Next steps: part of `accreditation.selectors` (see its docstring)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from ..models import (
    Application,
    Criterion,
    Evidence,
    Visit,
)
from ._base import S
from .applications import missing_criteria


@dataclass(frozen=True)
class Step:
    """One thing to do next on an application, for the award page's "What to do next"."""

    text: str
    url: str = ""


@dataclass
class _Page:
    """What the award page has already read, sorted for working out the next steps."""

    application: Application
    evidence: list[Evidence]
    visits: list[Visit]
    missing: list[Criterion] | None = None  # missing_criteria, when the page has read it

    def visits_in(self, status):
        return [v for v in self.visits if v.status == status]

    @property
    def unwritten(self):
        now = timezone.now()
        return [v for v in self.visits_in(Visit.Status.SCHEDULED) if v.starts_at and v.starts_at < now]

    @property
    def booked(self):
        now = timezone.now()
        return [v for v in self.visits_in(Visit.Status.SCHEDULED) if v.starts_at and v.starts_at >= now]

    def evidence_in(self, status):
        return [e for e in self.evidence if e.status == status]

    def url(self, name: str) -> str:
        return reverse(f"accreditation:{name}", args=[self.application.public_id])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def next_steps(
    application: Application,
    user,
    evidence: list[Evidence],
    visits: list[Visit],
    missing: list[Criterion] | None = None,
) -> list[Step]:
    """The specific next steps for the person looking, from rows the page already has
    (`missing`: its missing_criteria, if it has read them)."""
    from ppp.accounts.selectors import is_lead, is_member

    if not application.is_open:
        return []
    page = _Page(application, evidence, visits, missing)
    if user.is_officer:
        return _officer_steps(page)
    if not is_member(user, application.organisation):
        return []
    return _school_steps(page, lead=is_lead(user, application.organisation))


def _officer_steps(page: _Page) -> list[Step]:
    application = page.application
    requested = page.visits_in(Visit.Status.REQUESTED)
    submitted = page.evidence_in(Evidence.Status.SUBMITTED)
    steps = [Step(f"Confirm a date for the {v.get_kind_display().lower()}", v.get_absolute_url()) for v in requested]
    steps += [
        Step(
            f"Write up the {v.get_kind_display().lower()} of {timezone.localtime(v.starts_at):%-d %B}",
            v.get_absolute_url(),
        )
        for v in page.unwritten
    ]
    if application.status == S.APPLIED and not (requested or page.booked or page.unwritten):
        steps.append(Step("Book the initial visit", page.url("visit-new")))
    if application.status == S.PLANNING:
        steps.append(Step("Agree the action plan when the school has drafted it", page.url("action-plan")))
    if submitted:
        steps.append(
            Step(f"Review {_plural(len(submitted), 'item')} of evidence waiting", submitted[0].get_absolute_url())
        )
    elif application.status == S.ASSESSMENT:
        steps.append(Step("Every item is reviewed: make the award, or ask for more evidence, below"))
    return steps


def _school_steps(page: _Page, *, lead: bool) -> list[Step]:
    application = page.application
    changes = page.evidence_in(Evidence.Status.CHANGES_REQUESTED)
    steps = [Step(f"Change “{e.title}” as your officer asked", e.get_absolute_url()) for e in changes]
    if application.status == S.APPLIED and not (page.visits_in(Visit.Status.REQUESTED) or page.booked):
        steps.append(
            Step("Offer two or three dates for your initial visit", page.url("visit-new"))
            if lead
            else Step("Your lead offers dates for the initial visit")
        )
    elif application.status == S.PLANNING:
        steps.append(Step("Rate your setting in the self-review", page.url("self-review")))
        steps.append(Step("Draft your action plan for your officer to agree", page.url("action-plan")))
    elif application.status == S.EVIDENCING:
        steps += _evidencing_steps(page, lead=lead, changes=bool(changes))
    elif application.status == S.ASSESSMENT:
        steps.append(Step("Your officer is assessing your evidence. Nothing to do until they decide."))
    return steps


def _evidencing_steps(page: _Page, *, lead: bool, changes: bool) -> list[Step]:
    steps = []
    drafts = page.evidence_in(Evidence.Status.DRAFT)
    if drafts:
        steps.append(
            Step(
                f"Submit {_plural(len(drafts), 'draft')} for review",
                page.url("evidence-submit-drafts") if len(drafts) > 1 else drafts[0].get_absolute_url(),
            )
            if lead
            else Step(f"{_plural(len(drafts), 'draft')} waiting for your lead to submit")
        )
    missing = page.missing if page.missing is not None else missing_criteria(page.application)
    if missing:
        codes = ", ".join(c.code for c in missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        steps.append(Step(f"Add evidence for {codes}", page.url("evidence-add") + f"?criterion={missing[0].pk}"))
    elif lead and not drafts and not changes:
        steps.append(Step("Submit for assessment: every criterion has evidence"))
    return steps
