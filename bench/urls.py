"""The benchmark's URLconf: every PPP URL, plus a bare Django view as the baseline and
Django's stock admin change lists as the staff pages' peers (issue 21)."""

from django.apps import apps
from django.contrib import admin
from django.http import HttpResponse
from django.urls import path

from ppp import urls as ppp_urls


def bare(request):
    """The smallest Django response: the whole middleware stack, no query, no template."""
    return HttpResponse("ok", content_type="text/plain")


# The peers: a plain `ModelAdmin` (Django's defaults: full count, every column of the row,
# `__str__` as the one column) of the model each staff page lists, showing as many rows.
PEER_ROWS = {
    "accounts.Organisation": 25,
    "accreditation.Application": 25,
    "accreditation.Evidence": 50,
    "audit.AuditEvent": 50,
    "charter.Pledge": 25,
    "training.Charge": 50,
    "training.Booking": 50,
    "training.CourseSession": 25,
}
peer_site = admin.AdminSite(name="bench_peer")
for label, rows in PEER_ROWS.items():
    peer_site.register(
        apps.get_model(label), type(f"Peer{label.split('.')[1]}", (admin.ModelAdmin,), {"list_per_page": rows})
    )

urlpatterns = [
    path("__bench__/bare/", bare),
    path("__bench__/admin/", peer_site.urls),
    *ppp_urls.urlpatterns,
]

handler400 = ppp_urls.handler400
handler403 = ppp_urls.handler403
handler404 = ppp_urls.handler404
handler500 = ppp_urls.handler500
