"""`MonthlyFigures`: each school's counts per month, kept in step with its records.

Every service that changes what the council's figures count (recording, triage, edits,
people involved, data fixes) calls `refresh(organisation_id, months)` for the months the
incident was and is in, inside its transaction. A refresh locks the school's row first,
so two changes at once cannot overwrite each other's counts, then recounts those months
from the records. `rebuild()` recounts everything (after a bulk import, or to check).

Both count in the database: one INSERT ... SELECT groups the records by school, month and
result (and their targets by year group) and writes the rows, so recounting 2 million
incidents takes about a minute, not the 40 minutes it took to read the groups into
Python and write them back (`tests/incidents/test_figures.py` holds the result equal to
the records counted one by one).
"""

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Q
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


def _groups(queryset, incident: str = ""):
    """`queryset` grouped by school, local month and STOP result (as o, m and c) of the
    incident (`incident` is the path to it: "" for incidents, "incident__" for people)."""
    month = TruncMonth(f"{incident}occurred_at", output_field=DateField())
    return (
        queryset.annotate(o=F(f"{incident}organisation_id"), m=month, c=F(f"{incident}classification"))
        .values("o", "m", "c")
        .order_by()
    )


def _write(incidents) -> int:
    """Count `incidents` by school, month and result, with their targets by year group, and
    write the counts as MonthlyFigures rows in one INSERT ... SELECT: the database groups
    the records, nothing is read into Python. Returns how many rows it wrote."""
    counts = {"n": Count("pk")}
    targets = {}
    for name, (kind, value) in FIGURE_COLUMNS.items():
        if kind == "year_group":
            targets[f"c_{name}"] = Count("pk", filter=Q(year_group=value))
        else:
            counts[f"c_{name}"] = Count("pk", filter=_condition(kind, value))
    groups = _groups(incidents)
    people = _groups(Involvement.objects.filter(incident__in=incidents, role=Role.TARGET), "incident__")
    groups_sql, groups_params = groups.annotate(**counts).query.sql_with_params()
    people_sql, people_params = people.annotate(**targets).query.sql_with_params()
    q = connection.ops.quote_name
    fields = {f.name: f.column for f in MonthlyFigures._meta.concrete_fields}
    columns = [fields["organisation"], fields["month"], fields["classification"], fields["incidents"]]
    values = ["g.o", "g.m", "g.c", "g.n"]
    for name, (kind, _value) in FIGURE_COLUMNS.items():
        columns.append(fields[name])
        values.append(f"COALESCE(t.{q('c_' + name)}, 0)" if kind == "year_group" else f"g.{q('c_' + name)}")
    # Names from the models' metadata; every value is a parameter of the two grouped queries.
    sql = (
        f"INSERT INTO {q(MonthlyFigures._meta.db_table)} ({', '.join(q(c) for c in columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM ({groups_sql}) g "
        f"LEFT JOIN ({people_sql}) t ON t.o = g.o AND t.m = g.m AND t.c = g.c"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*groups_params, *people_params])
        return cursor.rowcount


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
    _write(_counted(organisation_id=organisation_id).filter(windows))


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
    return _write(incidents)
