"""Generic tools for loading millions of rows fast through the ORM's own model metadata.

Nothing here knows PPP's models: `copy_rows(Model, rows)` takes dicts keyed by *field
names* (as in `Model(field=value)`; a ForeignKey takes the related row's id), finds the
table and column names in `Model._meta`, fills every field a row does not give from the
field's default (or `now` for auto_now fields, "" for blank text), and streams the rows
into PostgreSQL with COPY. Renaming a model or a column therefore needs no change here,
and a new field with a default needs no change anywhere.
"""

import time
from collections.abc import Iterable, Iterator

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone
from psycopg.types.json import Jsonb

NO_DEFAULT = object()


def _default_for(field: models.Field, now):
    """(value, is_callable) for a field a row leaves out."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now, False
    if field.has_default():
        default = field.default
        return (default, True) if callable(default) else (field.get_default(), False)
    if field.null:
        return None, False
    if field.blank and field.get_internal_type() in {"CharField", "TextField", "EmailField", "URLField", "SlugField"}:
        return "", False
    if field.get_internal_type() == "FileField" or isinstance(field, models.FileField):
        return "", False
    return NO_DEFAULT, False


def _adapter(field: models.Field):
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else Jsonb(value)
    if isinstance(field, models.FileField):
        return lambda value: str(value or "")
    return None


def copy_rows(model: type[models.Model], rows: Iterable[dict], *, label: str = "") -> int:
    """COPY `rows` (dicts of field name -> value) into `model`'s table; returns the count."""
    rows = iter(rows)
    try:
        first = next(rows)
    except StopIteration:
        return 0
    now = timezone.now()
    concrete = [f for f in model._meta.concrete_fields if not (f.primary_key and f.name not in first)]
    given = [model._meta.get_field(name) for name in first]
    unknown = [name for name in first if model._meta.get_field(name) not in concrete]
    if unknown:
        raise ValueError(f"{model.__name__} has no concrete fields {unknown}")
    missing, constants, callables = [], [], []
    for field in concrete:
        if field.name in first:
            continue
        value, is_callable = _default_for(field, now)
        if value is NO_DEFAULT:
            raise ValueError(
                f"{model.__name__}.{field.name} has no default: give it in bench/national_models.py ({label or model})"
            )
        missing.append(field)
        (callables if is_callable else constants).append((field, value))
    # Column order: the given fields, then constant defaults, then per-row callables.
    order = given + [f for f, _ in constants] + [f for f, _ in callables]
    adapters = [_adapter(f) for f in order]
    constant_values = tuple(v for _, v in constants)
    callable_defaults = [v for _, v in callables]
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in order)}) FROM STDIN"
    names = [f.name for f in given]
    count = 0
    started = time.perf_counter()

    def tuples() -> Iterator[tuple]:
        for row in _chain(first, rows):
            values = tuple(row[name] for name in names) + constant_values
            if callable_defaults:
                values += tuple(default() for default in callable_defaults)
            if any(adapters):
                values = tuple(a(v) if a else v for a, v in zip(adapters, values, strict=True))
            yield values

    with connection.cursor() as wrapper, wrapper.cursor.copy(sql) as copy:
        for values in tuples():
            copy.write_row(values)
            count += 1
    print(f"  {label or model._meta.label:38} {count:>10,} rows  {time.perf_counter() - started:6.1f} s", flush=True)
    return count


def _chain(first, rest):
    yield first
    yield from rest


def reset_sequences(model_list: Iterable[type[models.Model]]) -> None:
    """After rows were copied with explicit ids, move each id sequence past the largest."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def max_id(model: type[models.Model]) -> int:
    return model._base_manager.aggregate(m=models.Max("pk"))["m"] or 0
