"""Retention: part of `incidents.services` (see its docstring)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ppp.audit.services import audit_record
from ppp.dates import add_months, start_of_day
from ppp.history import record_transition

from ..models import (
    Incident,
    IncidentEvent,
    IncidentNote,
    Involvement,
    PupilMessage,
    Status,
)
from ._base import Action, IncidentError


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    now = now or timezone.now()
    day = add_months(timezone.localtime(now).date(), -12 * settings.INCIDENT_RETENTION_YEARS)
    return start_of_day(day)


# The shortest retention PPP accepts: a year, so a record is there for the next year's
# reviews and for spotting a repeat target (12 months back). A shorter INCIDENT_RETENTION_YEARS
# (0 would anonymise every closed record at once, irreversibly) is refused.
RETENTION_MINIMUM_YEARS = 1


def check_retention_period() -> None:
    years = settings.INCIDENT_RETENTION_YEARS
    if years < RETENTION_MINIMUM_YEARS:
        raise IncidentError(
            f"INCIDENT_RETENTION_YEARS is {years}: it must be at least {RETENTION_MINIMUM_YEARS} "
            "(see docs/operations/settings.md). Nothing was anonymised."
        )


def due_for_retention(now: datetime.datetime | None = None):
    """Records closed (and still closed: a reopened record never is) before the cut-off."""
    return Incident.objects.filter(
        status=Status.CLOSED, closed_at__lt=retention_cutoff(now), anonymised_at__isnull=True
    )


def apply_retention(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """Anonymise every record closed more than INCIDENT_RETENTION_YEARS ago: descriptions,
    actions, outcomes, notes, messages, pupil references and follow-up codes go; what the
    figures count stays (school, dates, where, forms, categories, STOP result, year groups,
    roles, SEND, repeat). Run it again and nothing changes. Returns how many it anonymised.
    A record that is not closed now (reopened after closing) is never anonymised."""
    check_retention_period()
    cutoff = retention_cutoff(now)
    total = 0
    while True:
        with transaction.atomic():
            incidents = list(due_for_retention(now).select_for_update(skip_locked=True).order_by("pk")[:batch])
            if not incidents:
                break
            ids = [i.pk for i in incidents]
            Involvement.objects.filter(incident_id__in=ids).update(pupil_reference=None, pupil_index="")
            PupilMessage.objects.filter(incident_id__in=ids).update(body=None)
            IncidentNote.objects.filter(incident_id__in=ids).update(body=None)
            IncidentEvent.objects.filter(incident_id__in=ids).update(previous_text=None, private_note=None)
            stamp = timezone.now()
            for incident in incidents:
                for name in ("description", "immediate_action", "outcome", "pupil_who", "reporter_name"):
                    setattr(incident, name, None)
                incident.pupil_code_hash = incident.submission_key = None
                incident.anonymised_at = stamp
                record_transition(
                    incident,
                    action=Action.ANONYMISED,
                    update_fields=(
                        "description",
                        "immediate_action",
                        "outcome",
                        "pupil_who",
                        "reporter_name",
                        "pupil_code_hash",
                        "submission_key",
                        "anonymised_at",
                    ),
                )
            total += len(incidents)
    if total:
        audit_record(
            "incidents.retention_applied",
            anonymised=total,
            retention_years=settings.INCIDENT_RETENTION_YEARS,
            closed_before=cutoff.date().isoformat(),
        )
    return total


# Administrators' data fixes (there is no admin for incidents)
