"""Awards: part of `accreditation.services` (see its docstring)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ppp.accounts.models import User
from ppp.certificates.models import IssuedCertificate
from ppp.certificates.services import certificate_issue
from ppp.dates import add_months
from ppp.history import record_transition
from ppp.links import absolute_url

from .. import permissions as can
from ..models import (
    Application,
    Award,
    AwardEvent,
    Evidence,
)
from ..selectors import missing_criteria
from ._base import A, S, WorkflowError, _lock, _move
from .emails import _notify, lead_emails


def _issue_certificate(award: Award, application: Application, by: User) -> IssuedCertificate:
    """Issue the award's certificate and accredit `application` (locked by the caller).
    A re-accredited school's previous award is superseded: one current award each."""
    certificate = certificate_issue(
        source=award,
        kind=IssuedCertificate.Kind.AWARD,
        holder=application.organisation.name,
        title="Positive and Peaceful Places Award",
        level=award.level,
        valid_from=award.awarded_on,
        valid_until=award.expires_on,
        organisation=application.organisation,
        by=by,
    )
    award.certificate = certificate
    record_transition(
        award, Award.Status.ISSUED, action=AwardEvent.Action.ISSUED, by=by, update_fields=("certificate",)
    )
    earlier = Award.objects.select_for_update().filter(
        application__organisation=application.organisation, status=Award.Status.ISSUED
    )
    for previous in earlier.exclude(pk=award.pk):
        record_transition(
            previous,
            Award.Status.SUPERSEDED,
            action=AwardEvent.Action.SUPERSEDED,
            by=by,
            note=f"Superseded by the award of {award.awarded_on:%-d %B %Y}.",
        )
    _move(
        application,
        S.ACCREDITED,
        action=A.ACCREDITED,
        by=by,
        note=f"Awarded{f' at {award.level}' if award.level else ''}.",
    )
    _notify(
        lead_emails(application),
        "congratulations: you have the Positive and Peaceful Places award",
        "awarded",
        application=application,
        award=award,
        url=absolute_url(application),
    )
    return certificate


@transaction.atomic
def application_award(
    *, application: Application, by: User, level: str = "", awarded_on: datetime.date | None = None
) -> Award:
    application = _lock(application)
    can.can_award.require(by, application, WorkflowError)
    levels = application.scheme.level_choices
    if levels and level not in levels:
        raise WorkflowError(f"Choose the level: {', '.join(levels)}.")
    if not levels and level:
        raise WorkflowError(f"{application.scheme.name} has no levels.")
    if missing_criteria(application):
        raise WorkflowError("Some required criteria have no evidence yet.")
    unaccepted = application.evidence.exclude(status=Evidence.Status.ACCEPTED).exclude(status=Evidence.Status.DRAFT)
    if unaccepted.exists():
        raise WorkflowError("Review every submitted item of evidence (accept it or ask for changes) before awarding.")
    awarded_on = awarded_on or timezone.localdate()
    award = Award.objects.create(
        application=application,
        level=level,
        awarded_on=awarded_on,
        expires_on=add_months(awarded_on, application.scheme.validity_months),
        awarded_by=by,
        status=Award.Status.AWAITING_RATIFICATION,
    )
    record_transition(award, action=AwardEvent.Action.MADE, by=by, note=level, level=level)
    if not application.scheme.requires_ratification:
        _issue_certificate(award, application, by)
    else:
        _notify(
            [settings.PPP_TEAM_EMAIL],
            f"an award for {application.organisation} needs ratifying",
            "to_ratify",
            application=application,
            url=absolute_url(application),
        )
    return award


@transaction.atomic
def award_ratify(*, award: Award, by: User) -> Award:
    application = _lock(award.application)  # the application first, as everywhere else
    locked = Award.objects.select_for_update().filter(pk=award.pk).first()
    if locked is None:
        raise WorkflowError("This award is not waiting for ratification.")
    award = locked
    can.can_ratify.require(by, application, WorkflowError)
    award.ratified_by, award.ratified_at = by, timezone.now()
    record_transition(award, action=AwardEvent.Action.RATIFIED, by=by, update_fields=("ratified_by", "ratified_at"))
    _issue_certificate(award, application, by)
    return award


def _cancel_pending_award(application: Application, by: User, why: str) -> None:
    """An award not yet ratified falls away when the application leaves assessment: it
    is removed, and the application's history says so."""
    for award in Award.objects.select_for_update().filter(
        application=application, status=Award.Status.AWAITING_RATIFICATION
    ):
        record_transition(
            application,
            action=A.AWARD_CANCELLED,
            by=by,
            note=f"The award{f' at {award.level}' if award.level else ''} made by {award.awarded_by} on "
            f"{award.awarded_on:%-d %B %Y} was not ratified: {why}.",
        )
        award.delete()


@transaction.atomic
def award_expire(*, award: Award, today: datetime.date) -> bool:
    """Expire an issued award whose date has passed (the daily command). True if it did."""
    application = _lock(award.application)  # parent first
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status != Award.Status.ISSUED or award.expires_on >= today:
        return False
    record_transition(award, Award.Status.EXPIRED, action=AwardEvent.Action.EXPIRED)
    if application.status == S.ACCREDITED:
        _move(
            application,
            S.EXPIRED,
            action=A.EXPIRED,
            by=None,
            note=f"The award expired on {award.expires_on:%-d %B %Y}.",
        )
    return True
