"""`MonthlyFigures`: each school's counts per month, kept in step with its records.

Every service that changes what the council's figures count (recording, triage, edits,
people involved, data fixes) calls `refresh(organisation_id, months)` for the months the
incident was and is in, inside its transaction. A refresh locks the school's row first,
so two changes at once cannot overwrite each other's counts, then recounts those months
from the records. `rebuild()` recounts everything (after a bulk import, or to check).
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ppp.accounts.models import Organisation
from ppp.dates import start_of_day

from .models import (
    CATEGORY_FIELDS,
    FIGURE_COLUMNS,
    FORM_FIELDS,
    Incident,
    Involvement,
    MonthlyFigures,
    Role,
)


def month_of(moment: datetime.datetime | None) -> datetime.date | None:
    if moment is None:
        return None
    return timezone.localtime(moment).date().replace(day=1)


def _condition(kind: str, value: str) -> Q:
    if kind == "form":
        return Q(**{FORM_FIELDS[value]: True})
    if kind == "category":
        if value == "none":
            return Q(**dict.fromkeys(CATEGORY_FIELDS.values(), False))
        return Q(**{CATEGORY_FIELDS[value]: True})
    return Q(location=value)


def _count(incidents, year_rows) -> list[MonthlyFigures]:
    aggregates = {"n": Count("pk")}
    for name, (kind, value) in FIGURE_COLUMNS.items():
        if kind != "year_group":
            aggregates[f"c_{name}"] = Count("pk", filter=_condition(kind, value))
    rows = {}
    for row in (
        incidents.annotate(m=TruncMonth("occurred_at"))
        .values("organisation_id", "m", "classification")
        .annotate(**aggregates)
    ):
        month = row["m"].date() if isinstance(row["m"], datetime.datetime) else row["m"]
        figures = MonthlyFigures(
            organisation_id=row["organisation_id"],
            month=month,
            classification=row["classification"],
            incidents=row["n"],
        )
        for name, (kind, _value) in FIGURE_COLUMNS.items():
            if kind != "year_group":
                setattr(figures, name, row[f"c_{name}"])
        rows[(figures.organisation_id, month, figures.classification)] = figures
    for organisation_id, m, classification, year_group, n in year_rows:
        month = m.date() if isinstance(m, datetime.datetime) else m
        figures = rows.get((organisation_id, month, classification))
        if figures is not None:
            setattr(figures, f"targets_{year_group}", n)
    return list(rows.values())


def _year_rows(incidents):
    return (
        Involvement.objects.filter(incident__in=incidents, role=Role.TARGET)
        .annotate(m=TruncMonth("incident__occurred_at"))
        .values_list("incident__organisation_id", "m", "incident__classification", "year_group")
        .annotate(n=Count("pk"))
    )


def _counted(**filters):
    return Incident.objects.assessed().filter(occurred_at__isnull=False, **filters)


@transaction.atomic
def refresh(organisation_id: int, months: Iterable[datetime.date | None]) -> None:
    """Recount one school's figures for `months`, under a lock on the school."""
    months = {m for m in months if m is not None}
    if not months:
        return
    Organisation.objects.select_for_update().filter(pk=organisation_id).values_list("pk", flat=True).first()
    MonthlyFigures.objects.filter(organisation_id=organisation_id, month__in=months).delete()
    windows = Q()
    for month in months:
        start = start_of_day(month)
        end_day = (month + datetime.timedelta(days=32)).replace(day=1)
        end = start_of_day(end_day)
        windows |= Q(occurred_at__gte=start, occurred_at__lt=end)
    incidents = _counted(organisation_id=organisation_id).filter(windows)
    MonthlyFigures.objects.bulk_create(_count(incidents, _year_rows(incidents)))


@transaction.atomic
def rebuild(organisation_ids: Iterable[int] | None = None) -> int:
    """Recount every school's figures (or these schools'). Returns how many rows it wrote."""
    existing = MonthlyFigures.objects.all()
    incidents = _counted()
    if organisation_ids is not None:
        organisation_ids = list(organisation_ids)
        existing = existing.filter(organisation_id__in=organisation_ids)
        incidents = incidents.filter(organisation_id__in=organisation_ids)
    existing.delete()
    rows = _count(incidents, _year_rows(incidents))
    MonthlyFigures.objects.bulk_create(rows, batch_size=2_000)
    return len(rows)
