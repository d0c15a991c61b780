"""Public pages, health check and error pages."""

from django.db import connection
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.urls import Resolver404, resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    return render(request, "home.html")


@require_GET
def accessibility(request):
    return render(request, "pages/accessibility.html")


@require_GET
def privacy(request):
    return render(request, "pages/privacy.html")


@require_GET
def contact(request):
    return render(request, "pages/contact.html")


@require_GET
def cookies(request):
    return render(request, "pages/cookies.html")


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not. For load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure to reach the database is "unhealthy"
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def not_offered(request):
    """A page a library offers that PPP does not (adding email addresses): not found."""
    raise Http404("PPP does not offer this page.")


def errors_answered_by(error_page):
    """Mark a view whose address answers its own 400 and CSRF failure pages: the pages
    children use without signing in (surveys' answering pages, incidents' "Tell someone")
    keep their own layout there, with Childline and no council navigation or "Sign in",
    in words true for them. `error_page(request, problem=..., status=..., **url kwargs)`
    gets `problem` "bad_request" or "csrf"."""

    def mark(view):
        view.error_page = error_page
        return view

    return mark


def _own_error_page(request, problem: str, status: int):
    """The error page of the view at the request's address, if it has one (`errors_answered_by`)."""
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return None
    error_page = getattr(match.func, "error_page", None)
    if error_page is None:
        return None
    return error_page(request, problem=problem, status=status, **match.kwargs)


def bad_request(request, exception=None):
    own = _own_error_page(request, "bad_request", 400)
    if own is not None:
        return own
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return render(request, "errors/403.html", {"message": message}, status=403)


def too_many_requests(request, exception=None):
    """A rate limit was reached (django-ratelimit's RATELIMIT_VIEW)."""
    response = render(request, "errors/429.html", status=429)
    response["Retry-After"] = "60"
    return response


def csrf_failure(request, reason=""):
    """A form sent without its security token (an old page, cookies blocked): say what to do."""
    own = _own_error_page(request, "csrf", 403)
    if own is not None:
        return own
    return render(request, "errors/403_csrf.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # Rendered without the request: no context processor may touch a failing database.
    return HttpResponseServerError(loader.get_template("errors/500.html").render({}))
