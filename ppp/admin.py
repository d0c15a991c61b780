"""Admin pieces shared by the apps."""

from typing import TYPE_CHECKING, Any, ClassVar, cast

from django.contrib import admin
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList

from ppp.pagination import AdminCappedPaginator


class _ChangeListOnlyColumns(ChangeList):
    """Django's change list, reading only the columns the list shows (`list_only`)."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        columns = getattr(self.model_admin, "list_only", None)
        return queryset.only(*columns) if columns else queryset


# To mypy the mixins below are the admin classes they are mixed into.
if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin
    _InlineModelAdmin = admin.options.InlineModelAdmin
else:
    _ModelAdmin = _InlineModelAdmin = object


class ChangelistAtScale(_ModelAdmin):
    """Django's own knobs for the admin's big tables (evidence, the audit trail,
    organisations…), as bench/FINDINGS.md measured them at national size: at most 10,000
    rows counted (1,000 for a search), no full count and no facet counts, 50 rows a page,
    and optionally only the columns a list shows. Django draws every row."""

    # The columns the list's rows read (`QuerySet.only`), if it shows a few of many: each
    # row of a related table otherwise brings every column, dates and JSON parsed for nothing.
    list_only: tuple[str, ...] = ()
    paginator: ClassVar[type] = AdminCappedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    # A search that matches tens of thousands of rows (every evidence item titled "policy")
    # costs 64 ms to count to 10,000 and 6 ms to 1,000: past 20 pages, people narrow it.
    search_count_cap = 1_000

    def get_changelist(self, request, **kwargs):
        return _ChangeListOnlyColumns

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = cast(
            AdminCappedPaginator, super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        )
        if request.GET.get(SEARCH_VAR, "").strip():
            paginator.cap = self.search_count_cap
        return paginator


class FrozenParentInline(_InlineModelAdmin):
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


class LabelledListEditable(_ModelAdmin):
    """A list with editable columns (`list_editable`) whose boxes each have a name for
    screen readers ("Order: Kind words pledge"): Django gives them none (axe: label)."""

    def get_changelist_form(self, request, **kwargs):
        form_class: Any = super().get_changelist_form(request, **kwargs)

        class Labelled(form_class):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, **form_kwargs)
                row = str(self.instance) if self.instance.pk else ""
                for field in self.fields.values():
                    if not field.widget.is_hidden:
                        label = str(field.label or "")
                        field.widget.attrs["aria-label"] = f"{label}: {row}" if row else label

        return Labelled
