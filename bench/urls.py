"""The benchmark's URLconf: every PPP URL, plus a bare Django view as the baseline."""

from django.http import HttpResponse
from django.urls import path

from ppp import urls as ppp_urls


def bare(request):
    """The smallest Django response: the whole middleware stack, no query, no template."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__bench__/bare/", bare), *ppp_urls.urlpatterns]

handler400 = ppp_urls.handler400
handler403 = ppp_urls.handler403
handler404 = ppp_urls.handler404
handler500 = ppp_urls.handler500
