"""One application: part of `accreditation.selectors` (see its docstring)."""

import datetime
from typing import cast

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from ppp.accounts.models import Organisation

from ..models import (
    ActionItem,
    Application,
    Award,
    Criterion,
    Evidence,
    LegacyAward,
    Scheme,
    SelfReview,
)
from ._base import S


def application_for(user, public_id) -> Application | None:
    """The application `user` may see with this public id (None otherwise): for the other
    apps that attach evidence to an award."""
    return (
        Application.objects.for_user(user).select_related("organisation", "scheme").filter(public_id=public_id).first()
    )


def criterion_by_code(application: Application, code: str) -> Criterion | None:
    return Criterion.objects.filter(standard__scheme=application.scheme, code=code).first()


def current_scheme() -> Scheme | None:
    """The scheme schools apply to today: the latest published version."""
    return Scheme.current()


def missing_criteria(application: Application) -> list[Criterion]:
    """Required criteria with no evidence submitted or accepted."""
    covered = Evidence.objects.filter(
        application=application, status__in=[Evidence.Status.SUBMITTED, Evidence.Status.ACCEPTED]
    ).values("criteria")
    return list(
        Criterion.objects.filter(standard__scheme=application.scheme, evidence_required=True)
        .exclude(pk__in=covered)
        .select_related("standard")
    )


def criteria_without_accepted_evidence(application: Application) -> list[Criterion]:
    """Required criteria that no accepted evidence shows yet (warned about before awarding)."""
    accepted = Evidence.objects.filter(application=application, status=Evidence.Status.ACCEPTED).values("criteria")
    return list(
        Criterion.objects.filter(standard__scheme=application.scheme, evidence_required=True)
        .exclude(pk__in=accepted)
        .select_related("standard")
    )


def reaccreditation_source(organisation: Organisation):
    """The award a school would re-accredit from: its latest accredited or expired
    application, else its latest award under the earlier scheme."""
    previous = (
        Application.objects.filter(organisation=organisation, status__in=[S.ACCREDITED, S.EXPIRED])
        .order_by("-created_at")
        .first()
    )
    if previous:
        return previous
    return LegacyAward.objects.filter(organisation=organisation).order_by("-awarded_on").first()


def award_of(application: Application) -> Award | None:
    """The application's award (with its certificate and the officer who made it), or
    None. Read once: the answer is kept on `application`, where `application.award` finds
    it too."""
    relation = Award._meta.get_field("application").remote_field  # application.award
    if not relation.is_cached(application):
        award = Award.objects.filter(application=application).select_related("certificate", "awarded_by").first()
        relation.set_cached_value(application, award)
    return cast(Award | None, relation.get_cached_value(application))


PAGE_COUNTS = ("action_count", "overdue_actions", "self_reviewed")


def with_page_counts(applications, today: datetime.date | None = None):
    """`applications` annotated with the award page's summary figures (PAGE_COUNTS): how
    many actions, how many of them are overdue, and how many criteria the school has rated
    in its self-review. The page reads them with its application, in the same query."""
    today = today or timezone.localdate()
    actions = ActionItem.objects.filter(application=OuterRef("pk")).order_by().values("application")
    overdue = actions.filter(due_date__lt=today).exclude(status=ActionItem.Status.DONE)
    reviews = SelfReview.objects.filter(application=OuterRef("pk")).order_by().values("application")
    return applications.annotate(
        action_count=_count_of(actions),
        overdue_actions=_count_of(overdue),
        self_reviewed=_count_of(reviews),
    )


def page_counts(application: Application, today: datetime.date | None = None) -> dict[str, int]:
    """The award page's summary figures (PAGE_COUNTS): from `with_page_counts` if the
    application was read with them, else in one query. No action is overdue once the
    application is closed."""
    if all(hasattr(application, name) for name in PAGE_COUNTS):
        counts = {name: getattr(application, name) for name in PAGE_COUNTS}
    else:
        counts = with_page_counts(Application.objects.filter(pk=application.pk), today).values(*PAGE_COUNTS).get()
    if not application.is_open:
        counts["overdue_actions"] = 0
    return counts


def _count_of(rows):
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


def reaccreditation_opens_on(application: Application) -> datetime.date | None:
    """The first day a school holding a current award can start re-accrediting
    (REACCREDITATION_OPENS_DAYS before it expires); None if its award is not current."""
    award = award_of(application)
    if award is None or award.status != Award.Status.ISSUED:
        return None
    return award.expires_on - datetime.timedelta(days=settings.REACCREDITATION_OPENS_DAYS)


def can_reaccredit_now(application: Application, today: datetime.date | None = None) -> str | None:
    """Why the school cannot start re-accrediting from `application` today, or None."""
    today = today or timezone.localdate()
    if application.status not in (S.ACCREDITED, S.EXPIRED):
        return "Re-accreditation starts from an award."
    if Application.objects.open().filter(organisation=application.organisation).exists():
        return f"{application.organisation} already has an application in progress."
    opens = reaccreditation_opens_on(application)
    if opens is not None and opens > today:
        return (
            f"You can start re-accreditation from {opens:%-d %B %Y}, "
            f"{settings.REACCREDITATION_OPENS_DAYS} days before your award expires."
        )
    return None


def last_award_date(organisation: Organisation) -> datetime.date | None:
    """When `organisation` last received an award (issued, since superseded or expired), or
    its latest award under the earlier scheme: for other apps' "since the last award"."""
    latest = (
        Award.objects.filter(application__organisation=organisation)
        .exclude(status=Award.Status.AWAITING_RATIFICATION)
        .order_by("-awarded_on")
        .values_list("awarded_on", flat=True)
        .first()
    )
    legacy = (
        LegacyAward.objects.filter(organisation=organisation)
        .order_by("-awarded_on")
        .values_list("awarded_on", flat=True)
        .first()
    )
    dates = [d for d in (latest, legacy) if d is not None]
    return max(dates) if dates else None
