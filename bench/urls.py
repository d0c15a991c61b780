"""The benchmark's URLconf: every PPP URL, plus a bare Django view as the baseline and
Django's stock admin change lists as the staff pages' peers (issue 21), and two pages drawn
for every request as the public mixes' peers (issue 22): Django's stock admin sign-in page
and PPP's layout with nothing in it."""

from django.apps import apps
from django.contrib import admin
from django.db import models
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from ppp import urls as ppp_urls


def bare(request):
    """The smallest Django response: the whole middleware stack, no query, no template."""
    return HttpResponse("ok", content_type="text/plain")


def layout(request):
    """PPP's GOV.UK layout with nothing in it, drawn for every request: no query, no cache.
    What any page of PPP drawn for the first time costs before its own content."""
    return render(request, "base.html")


# The peers: a plain `ModelAdmin` of the model each staff page lists, showing as many
# rows: Django's defaults (the full count, every column of the row read, no filters, no
# search), the row's own first columns shown and its foreign keys selected with it (each row's
# checkbox is labelled with its `__str__`, which reaches through them: without it a query
# a row, a peer no real list would be).
PEER_ROWS = {
    "accounts.Organisation": 25,
    "accreditation.Application": 25,
    "accreditation.Evidence": 50,
    "audit.AuditEvent": 50,
    "charter.Pledge": 25,
    "training.Charge": 50,
    "training.Booking": 50,
    "training.CourseSession": 25,
    "surveys.Tally": 100,
    "surveys.Round": 100,
}


def _related(model) -> list[str]:
    """Every foreign key of the row, and theirs: what `__str__` may reach."""
    names = []
    for f in model._meta.concrete_fields:
        if f.many_to_one:
            names.append(f.name)
            names += [f"{f.name}__{g.name}" for g in f.related_model._meta.concrete_fields if g.many_to_one]
    return names


def _peer(model, rows: int) -> type[admin.ModelAdmin]:
    own = [
        f.name
        for f in model._meta.concrete_fields
        if not (f.is_relation or f.primary_key or isinstance(f, models.FileField))
    ][:5]
    return type(
        f"Peer{model.__name__}",
        (admin.ModelAdmin,),
        {"list_per_page": rows, "list_display": ["pk", *own], "list_select_related": _related(model)},
    )


peer_site = admin.AdminSite(name="bench_peer")
for label, rows in PEER_ROWS.items():
    model = apps.get_model(label)
    peer_site.register(model, _peer(model, rows))

urlpatterns = [
    path("__bench__/bare/", bare),
    path("__bench__/layout/", layout),
    path("__bench__/admin/", peer_site.urls),
    *ppp_urls.urlpatterns,
]

handler400 = ppp_urls.handler400
handler403 = ppp_urls.handler403
handler404 = ppp_urls.handler404
handler500 = ppp_urls.handler500
