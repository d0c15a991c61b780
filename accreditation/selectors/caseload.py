"""The officers' caseload: part of `accreditation.selectors` (see its docstring)."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ppp.dates import start_of_day
from ppp.pagination import first_of

from ..models import (
    Application,
    Award,
    Evidence,
    Visit,
)


def _mine(queryset, officer, path: str = "application__"):
    """Only `officer`'s cases and the ones nobody has yet (or everything, officer None)."""
    if officer is None:
        return queryset
    return queryset.filter(Q(**{f"{path}assigned_officer": officer}) | Q(**{f"{path}assigned_officer__isnull": True}))


def caseload_applications():
    """Applications with their evidence waiting for review counted per row, by a
    subquery (no join and GROUP BY over every evidence row)."""
    waiting = (
        Evidence.objects.filter(application=OuterRef("pk"), status=Evidence.Status.SUBMITTED)
        .order_by()
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Application.objects.select_related("organisation", "scheme", "assigned_officer").annotate(
        waiting=Coalesce(Subquery(waiting), 0)
    )


def unassigned_applications():
    return (
        Application.objects.open()
        .filter(assigned_officer__isnull=True)
        .select_related("organisation")
        .order_by("created_at", "pk")
    )


def evidence_waiting_for_review(officer=None):
    """Submitted evidence of open applications, oldest first (optionally `officer`'s)."""
    return _mine(
        Evidence.objects.filter(status=Evidence.Status.SUBMITTED, application__status__in=Application.OPEN_STATUSES)
        .select_related("application__organisation", "application__assigned_officer")
        .order_by("submitted_at", "pk"),
        officer,
    )


def next_evidence_waiting(*, after: Evidence, officer) -> Evidence | None:
    """Where an officer goes after reviewing `after`: the next item waiting in the same
    application, else the oldest waiting on their own caseload."""
    waiting = evidence_waiting_for_review().exclude(pk=after.pk)
    return (
        waiting.filter(application_id=after.application_id).first()
        or waiting.filter(application__assigned_officer=officer).first()
    )


def stale_applications(today: datetime.date, days: int = 30):
    """Open applications with nothing done for `days` days."""
    cutoff = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time()))
    return Application.objects.open().filter(last_activity_at__lt=cutoff)


def overdue_write_ups(officer=None):
    """Scheduled visits whose time has passed without the officer recording them."""
    return _mine(
        Visit.objects.filter(status=Visit.Status.SCHEDULED, starts_at__lt=timezone.now())
        .select_related("application__organisation")
        .order_by("starts_at", "pk"),
        officer,
    )


def status_counts() -> dict[str, int]:
    """How many applications are in each status (one grouped read)."""
    return dict(Application.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))


def visits_between(start: datetime.date, end: datetime.date, officer=None):
    """Scheduled visits on the days `start` to `end` (both included), as a range of times
    so the (status, starts_at) index answers it."""
    return _mine(
        Visit.objects.filter(
            status=Visit.Status.SCHEDULED,
            starts_at__gte=start_of_day(start),
            starts_at__lt=start_of_day(end + datetime.timedelta(days=1)),
        )
        .select_related("application__organisation")
        .order_by("starts_at", "pk"),
        officer,
    )


def visit_dates_to_confirm(officer=None):
    """Visits for which a school has offered dates that no officer has confirmed yet."""
    return _mine(
        Visit.objects.filter(status=Visit.Status.REQUESTED, application__status__in=Application.OPEN_STATUSES)
        .select_related("application__organisation", "application__assigned_officer")
        .order_by("created_at", "pk"),
        officer,
    )


def reaccreditation_under_way():
    """For an award (as `OuterRef`): has its school started re-accrediting from it?"""
    return Exists(
        Application.objects.filter(
            previous_application_id=OuterRef("application_id"), status__in=Application.OPEN_STATUSES
        )
    )


def awards_expiring(today: datetime.date, within_days: int = 90):
    """Issued awards that expire within `within_days`, each saying whether its school has
    already started re-accreditation (`reaccrediting`)."""
    return (
        Award.objects.filter(
            status=Award.Status.ISSUED,
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=within_days),
        )
        .annotate(reaccrediting=reaccreditation_under_way())
        .select_related("application__organisation")
        .order_by("expires_on")
    )


def awards_awaiting_ratification():
    return Award.objects.filter(status=Award.Status.AWAITING_RATIFICATION).select_related(
        "application__organisation", "awarded_by"
    )


# What each caseload panel item shows (templates/accreditation/includes/items/): loading only
# these columns, not every column of four joined tables, halves each panel's cost at
# national size (bench/FINDINGS.md).
_VISIT_FIELDS = (
    "public_id",
    "kind",
    "starts_at",
    "preferred_1",
    "preferred_2",
    "preferred_3",
    "application__organisation__name",
)
_EVIDENCE_FIELDS = ("public_id", "title", "submitted_at", "application__organisation__name")
_APPLICATION_FIELDS = ("public_id", "created_at", "organisation__name")
_AWARD_FIELDS = ("status", "expires_on", "application__public_id", "application__organisation__name")


def caseload_panels(officer, today: datetime.date, size: int = 10) -> dict[str, dict]:
    """The side panels of the caseload: each the first `size` items and whether there are
    more (ppp.pagination.first_of). `officer` narrows them to their own cases and the ones
    nobody has yet; None shows the team's."""
    from charter.selectors import pledges_awaiting_approval

    def by_school(queryset):  # the queues also join the officer, which the panels do not show
        return queryset.select_related(None).select_related("application__organisation")

    waiting = first_of(by_school(evidence_waiting_for_review(officer=officer)).only(*_EVIDENCE_FIELDS), 20)
    now = timezone.now()
    for item in waiting["items"]:
        item.days_waiting = (now - item.submitted_at).days if item.submitted_at else 0
    week = visits_between(today, today + datetime.timedelta(days=7), officer=officer)
    return {
        "waiting": waiting,
        "dates_to_confirm": first_of(by_school(visit_dates_to_confirm(officer=officer)).only(*_VISIT_FIELDS), size),
        "unassigned": first_of(unassigned_applications().only(*_APPLICATION_FIELDS), size),
        "visits_this_week": first_of(week.only(*_VISIT_FIELDS), size),
        "write_ups_due": first_of(overdue_write_ups(officer=officer).only(*_VISIT_FIELDS), size),
        "awaiting_ratification": first_of(
            awards_awaiting_ratification().only(*_AWARD_FIELDS, "awarded_by__full_name", "awarded_by__email"), size
        ),
        "pledges_to_approve": first_of(
            pledges_awaiting_approval().only("public_id", "submitted_at", "organisation__name"), size
        ),
        "expiring": first_of(awards_expiring(today).only(*_AWARD_FIELDS), size),
    }
