"""The council's published figures and participation: part of `incidents.views` (see its docstring)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ppp import disclosure
from ppp.accounts.models import Organisation
from ppp.audit.services import audit_record
from ppp.decorators import officer_required
from ppp.exports import stream_csv

from .. import reports, selectors
from ..forms import (
    FiguresForm,
)
from ..terms import Term


def _figures(request):
    """The release asked for (the newest by default) and its view: 2 queries."""
    published = selectors.figure_releases()
    form = FiguresForm(request.GET or None, releases=published)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    which = data.get("which") or "all"
    chosen = Term.from_slug(data.get("release") or "") or (published[0].period if published else None)
    release = chosen and selectors.figure_release(chosen.year, chosen.key)
    view = reports.release_view(release, which) if release is not None else None
    return form, published, view


def _without_page(request) -> str:
    """The query string of the page asked for, but its page of rows: for the pagination's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@officer_required
@require_GET
def figures(request):
    form, published, view = _figures(request)
    for table in view.tables if view is not None else []:
        if table.long:
            table.page = Paginator(table.rows, reports.LONG_TABLE).get_page(request.GET.get("page"))
            table.rows = list(table.page.object_list)
    term = Term.of(timezone.localdate())
    audit_record(
        "incidents.figures_view", actor=request.user, request=request, release=view and view.release.period.slug
    )
    return render(
        request,
        "incidents/figures.html",
        {
            "form": form,
            "releases": published,
            "view": view,
            "querystring": _without_page(request),
            "this_term": term,
            "delay_days": settings.INCIDENT_FIGURES_DELAY_DAYS,
            "min_settings": settings.INCIDENT_FIGURES_MIN_SETTINGS,
            "rule_version": disclosure.RULE_VERSION,
            "legend": view.legend if view is not None else disclosure.legend({disclosure.CONFIDENTIAL}),
        },
    )


@officer_required
@require_GET
def figures_csv(request):
    _form, _published, view = _figures(request)
    if view is None or not view.release.published:
        raise Http404("No figures are published for that term.")
    audit_record("incidents.figures_export", actor=request.user, request=request, release=view.release.period.slug)
    rows = view.csv_rows()
    return stream_csv(
        rows,
        header=next(rows),
        filename=f"bullying-incidents-{view.release.period.file_slug}-{view.which}.csv",
    )


@officer_required
@require_GET
def participation(request):
    """Which settings have recorded anything this term: yes or no, never a count."""
    term = Term.of(timezone.localdate())
    shown = request.GET.get("recorded", "")
    recorded = {"yes": True, "no": False}.get(shown)
    page = Paginator(selectors.participation(term, recorded), 50).get_page(request.GET.get("page"))
    kinds = dict(Organisation.Kind.choices)
    return render(
        request,
        "incidents/participation.html",
        {"term": term, "page": page, "recorded": shown if recorded is not None else "", "kinds": kinds},
    )
