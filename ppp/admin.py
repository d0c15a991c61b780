"""Admin pieces shared by the apps."""

import uuid

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ppp.links import path_to
from ppp.pagination import AdminCappedPaginator


class _ChangeListAtScale(ChangeList):
    """Each row's link carries the list's search and filters back, as Django's does, but
    written once for the page: Django's add_preserved_filters resolves every row's URL
    against the whole URLconf to check it is not the list itself (~0.5 ms a row, 25 ms of
    a searched page). A row links to its change page, never the list, so the answer is
    always the same; the change page's path is resolved once for the page, not per row."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_query, self.preserved_filters = self.preserved_filters, ""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        columns = getattr(self.model_admin, "list_only", None)
        return queryset.only(*columns) if columns else queryset

    def url_for_result(self, result):
        pk = getattr(result, self.pk_attname)
        if isinstance(pk, int | uuid.UUID):  # nothing to quote
            name = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
            url = path_to(name, pk, current_app=self.model_admin.admin_site.name)
        else:
            url = super().url_for_result(result)
        return f"{url}?{self.row_query}" if self.row_query else url


class ChangelistAtScale:
    """For the admin's big tables (evidence, the audit trail, organisations…), as
    bench/FINDINGS.md measured them at national size: at most 10,000 rows counted (1,000
    for a search), no full count and no facet counts, 50 rows a page, and each row's
    selection checkbox and link written directly. Django draws that checkbox through the
    form widget templates, about 0.9 ms a row: 45 ms of a 50-row page. The markup is the
    same."""

    change_list_template = "admin/change_list_at_scale.html"  # its rows: ppp_admin.result_list_at_scale
    # The columns the list's rows read (`QuerySet.only`), if it shows a few of many: each
    # row of a related table otherwise brings every column, dates and JSON parsed for nothing.
    list_only: tuple[str, ...] = ()
    paginator = AdminCappedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    # A search that matches tens of thousands of rows (every evidence item titled "policy")
    # costs 64 ms to count to 10,000 and 6 ms to 1,000: past 20 pages, people narrow it.
    search_count_cap = 1_000

    def get_changelist(self, request, **kwargs):
        return _ChangeListAtScale

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        if request.GET.get(SEARCH_VAR, "").strip():
            paginator.cap = self.search_count_cap
        return paginator

    def action_checkbox(self, obj):
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )


class FrozenParentInline:
    """An inline whose rows cannot be added, changed or deleted once the parent is frozen
    (a published charter or scheme: it is what organisations signed or answered).
    Subclasses say when: `frozen(parent) -> bool`."""

    def frozen(self, parent) -> bool:
        raise NotImplementedError

    def has_add_permission(self, request, obj=None):
        return not (obj is not None and self.frozen(obj)) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and self.frozen(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and self.frozen(obj)) and super().has_delete_permission(request, obj)
