"""Pagination that costs the same on the first page and at national scale.

Django's Paginator counts every matching row (COUNT(*) over 25,000 organisations or
1,000,000 audit events, on every page view) and reaches page N with OFFSET, which reads
and throws away every row before it. `CappedPaginator` counts at most `cap` rows (a
COUNT over a LIMITed subquery) and so offers at most `cap / per_page` pages: enough to
browse, and past that people search or filter. `paginator.capped` says whether there
were more; templates show "more than {cap}" (templates/includes/pagination.html and the
admin's templates/admin/pagination.html do).

Works as the admin's paginator too: `paginator = CappedPaginator` on a ModelAdmin.
"""

from typing import Any

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

DEFAULT_CAP = 1000


class CappedPaginator(Paginator):
    cap = DEFAULT_CAP

    def __init__(
        self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, cap=None, count_from=None, **kwargs
    ):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page, **kwargs)
        if cap is not None:
            self.cap = cap
        # Counting the rows of `count_from` (the same rows without the page's annotations)
        # keeps per-row subqueries out of the count.
        self.count_from = count_from
        self.capped = False

    @cached_property
    def count(self):
        rows: Any = self.object_list if self.count_from is None else self.count_from  # a list or a queryset
        if hasattr(rows, "order_by") and not rows.query.is_sliced:
            rows = rows.order_by()  # a count needs no order: the LIMIT stops at cap + 1 rows, unsorted
        counted = rows[: self.cap + 1]
        n = counted.count() if hasattr(counted, "count") and callable(counted.count) else len(counted)
        self.capped = n > self.cap
        return min(n, self.cap)


class IdsFirstPaginator(Paginator):
    """Every page reachable, and a deep one costs about what the first does (ADR 0022).

    Django's Paginator reads a page as the whole list's query with OFFSET: PostgreSQL joins,
    annotates and throws away every row before the page. Here a page's ids are chosen first,
    `object_list.values("pk")` in the list's order with OFFSET and LIMIT (with an index in
    that order and holding the list's condition, index entries only), and only those rows are
    read with their joins and annotations, from `rows` (the same rows unfiltered: the
    filters were applied to the ids), in one query. `rows` must hold the list's order."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, rows=None, **kwargs):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page, **kwargs)
        self.rows = object_list if rows is None else rows

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        listed: Any = self.object_list  # a queryset: its ids, not its rows
        return Page(self.rows.filter(pk__in=listed.values("pk")[bottom:top]), number, self)


class AdminCappedPaginator(CappedPaginator):
    """For the admin's big tables: at most 10,000 rows counted (100 pages of 100)."""

    cap = 10_000


def first_of(queryset, size: int) -> dict:
    """A short list with a "see all" link: the first `size` rows and whether there are more
    (`{"items": [...], "more": bool}`), in one query and no count."""
    rows = list(queryset[: size + 1])
    return {"items": rows[:size], "more": len(rows) > size}
