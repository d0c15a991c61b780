"""`{% result_list_at_scale cl %}`: the rows of ppp.admin.ChangelistAtScale's lists.

Django's `items_for_result` works out, for every cell of every row, what the column is
(a model field, a relation, an admin method), its CSS class, whether it links, the empty
value, and rebuilds a choice field's labels into a dict: ~0.15 ms a row of six columns,
which made a searched page that finds 50 events cost twice one that finds 5. Here each
column is worked out once for the page and each row only reads and formats its values.
The markup is Django's, cell for cell (tests/platform/test_admin_rows.py compares them on
every list that uses it); a list Django draws differently (editable, a pop-up, to_field)
is drawn by Django.
"""

import datetime
import functools
import html

from django import template
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    result_headers,
    result_hidden_fields,
    results,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.safestring import mark_safe

register = template.Library()


class _Column:
    """What is the same for every cell of one column of the page."""

    def __init__(self, cl, index: int, name, *, link_tag: str | None, empty):
        self.name, self.link_tag, self.empty = name, link_tag, empty
        self.classes = [f"field-{_coerce_field_name(name, index)}"]
        try:
            field = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            field = None  # an admin method, a property, a callable: looked up per row
        self.field = field
        self.plain_value = field is None or field.auto_created
        self.relation = (
            field is not None and not self.plain_value and isinstance(field.remote_field, models.ManyToOneRel)
        )
        self.nowrap = isinstance(field, models.DateField | models.TimeField | models.ForeignKey)
        self.choices = None
        self.datetime_format = None
        if field is not None and not self.plain_value and not self.relation:
            if getattr(field, "flatchoices", None):
                try:
                    self.choices = dict(field.flatchoices)
                except TypeError:  # list-like choices: Django's own path copes
                    self.choices = None
            elif isinstance(field, models.DateTimeField):
                self.datetime_format = _format_pieces(get_format("DATETIME_FORMAT"))

    def display(self, cl, result):
        """(the cell's value as Django's list shows it, its CSS classes)."""
        if self.field is not None and not self.plain_value:
            try:
                value = getattr(result, self.name)
            except ObjectDoesNotExist:
                return self.empty, self.classes
            classes = self.classes + ["nowrap"] if self.nowrap else self.classes
            if self.relation:
                return (self.empty if value is None else value), classes
            if isinstance(value, str) and value.strip() == "":
                value = ""
            if self.choices is not None:
                return self.choices.get(value, self.empty), classes
            if self.datetime_format is not None and value not in self.field.empty_values:
                return _format_datetime(timezone.template_localtime(value), self.datetime_format), classes
            return display_for_field(value, self.field, self.empty, avoid_link=self.link_tag is not None), classes
        # Django's items_for_result, as it is for a column that is not a model field.
        try:
            field, attr, value = lookup_field(self.name, result, cl.model_admin)
        except ObjectDoesNotExist:
            return self.empty, self.classes
        empty = getattr(attr, "empty_value_display", self.empty)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        classes = ["action-checkbox"] if self.name == "action_checkbox" else self.classes
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        shown = display_for_value(value, empty, boolean)
        if isinstance(value, datetime.date | datetime.time):
            classes = classes + ["nowrap"]
        return shown, classes


@functools.cache
def _format_pieces(format_string: str) -> tuple[tuple[bool, str], ...]:
    """A date format split as django.utils.dateformat splits it on every call: (is a
    format character, the character or the literal text)."""
    pieces = dateformat.re_formatchars.split(str(format_string))
    return tuple(
        (True, piece) if i % 2 else (False, dateformat.re_escaped.sub(r"\1", piece))
        for i, piece in enumerate(pieces)
        if piece
    )


def _format_datetime(value: datetime.datetime, pieces) -> str:
    """dateformat.format(value, format) for a format split once by _format_pieces."""
    formatter = dateformat.DateFormat(value)
    return "".join(str(getattr(formatter, piece)()) if is_code else piece for is_code, piece in pieces)


def _columns(cl) -> list[_Column]:
    empty = cl.model_admin.get_empty_value_display()
    columns, first = [], True
    for index, name in enumerate(cl.list_display):
        links = cl.list_display_links
        link = links is not None and ((first and not links) or name in links)
        columns.append(_Column(cl, index, name, link_tag=("th" if first else "td") if link else None, empty=empty))
        first = first and not link
    return columns


def _h(value) -> str:
    """conditional_escape, without its check for lazy strings on every call (str() does it)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _cell(column: _Column, cl, result) -> str:
    """One cell's HTML, every value in it escaped (made safe with the row it is part of)."""
    shown, classes = column.display(cl, result)
    css = " ".join(classes)
    if column.link_tag is None:
        return f'<td class="{css}">{_h(shown)}</td>'
    try:
        url = cl.url_for_result(result)
    except NoReverseMatch:
        inner = _h(shown)
    else:
        if cl.preserved_filters:  # ChangelistAtScale's lists carry them in url_for_result
            url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
        inner = f'<a href="{_h(url)}">{_h(shown)}</a>'
    return f'<{column.link_tag} class="{css}">{inner}</{column.link_tag}>'


def rows_at_scale(cl):
    """The page's rows, as Django's `results(cl)` gives them, each row's cells joined into
    one (change_list_results.html writes a row's cells one after another)."""
    if cl.formset or cl.is_popup or cl.to_field:
        yield from results(cl)
        return
    columns = _columns(cl)
    for result in cl.result_list:
        cells = "".join([_cell(column, cl, result) for column in columns])
        yield ResultList(None, [mark_safe(cells)])  # noqa: S308 - each cell escaped by _cell


def _result_list(cl) -> dict:
    """Django's result_list (headers, hidden fields), with the rows from rows_at_scale."""
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": list(rows_at_scale(cl)),
    }


@register.tag(name="result_list_at_scale")
def result_list_at_scale_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=_result_list, template_name="change_list_results.html", takes_context=False
    )
