"""The home page: part of `accreditation.selectors` (see its docstring)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from ppp.home import HomeSection, HomeTask, home_sections

from ..models import (
    ActionItem,
    Application,
    Award,
    Evidence,
    EvidenceEvent,
)
from ..reports import standard_progress
from ._base import S, application_evidence, scheme_standards
from .next_steps import next_steps


@home_sections.register
def home_section(user, membership) -> HomeSection | None:
    """The award on a school's home: what needs its staff now, then the task list."""
    organisation = membership.organisation
    if not organisation.takes_the_award:
        return None
    application = (
        Application.objects.filter(organisation=organisation)
        .exclude(status=S.WITHDRAWN)
        .select_related("scheme", "assigned_officer")
        .order_by("-created_at")
        .first()
    )
    if application is None:
        return HomeSection(
            "The award",
            tasks=[HomeTask("Apply for the Positive and Peaceful Places award", reverse("accreditation:dashboard"))]
            if membership.is_lead
            else [],
            summary="" if membership.is_lead else "Your lead applies for the award.",
        )
    evidence = application_evidence(application)
    visits = list(application.visits.all())
    tasks = [HomeTask(step.text, step.url) for step in next_steps(application, user, evidence, visits)]
    tasks = _with_officer_comments(tasks, evidence)
    if application.is_open:
        overdue = ActionItem.objects.filter(application=application).overdue().order_by("due_date")[:5]
        tasks += [HomeTask(f"Action: {item.action}", item.get_absolute_url(), due="Overdue") for item in overdue]
    award = Award.objects.filter(application=application, status=Award.Status.ISSUED).first()
    if award is not None and award.expires_on <= timezone.localdate() + datetime.timedelta(days=90):
        tasks.append(
            HomeTask(
                "Start re-accreditation to keep your award",
                reverse("accreditation:apply") + "?reaccredit=1",
                due=f"Expires {award.expires_on:%-d %B %Y}",
            )
        )
    links = [HomeTask("Your award page", application.get_absolute_url(), detail=application.get_status_display())]
    if application.is_open and application.status != S.APPLIED:
        links += [
            HomeTask(
                f"{p['standard'].number}. {p['standard'].title}",
                f"{application.get_absolute_url()}#standard-{p['standard'].number}",
                detail=p["status"],
            )
            for p in standard_progress(scheme_standards(application.scheme), evidence)
        ]
    return HomeSection("The award", tasks=tasks, links=links)


def _with_officer_comments(tasks: list[HomeTask], evidence: list[Evidence]) -> list[HomeTask]:
    """A task to change returned evidence carries the officer's comment."""
    returned = {e.get_absolute_url(): e for e in evidence if e.status == Evidence.Status.CHANGES_REQUESTED}
    if not returned:
        return tasks
    comments = {
        event.evidence_id: event.note
        for event in EvidenceEvent.objects.filter(
            evidence__in=returned.values(), action=EvidenceEvent.Action.CHANGES_REQUESTED
        ).order_by("at", "pk")
    }
    return [
        HomeTask(t.text, t.url, detail=comments.get(returned[t.url].pk, "")) if t.url in returned else t for t in tasks
    ]
