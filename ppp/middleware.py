import functools

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.functional import SimpleLazyObject

from ppp.accounts.selectors import remember_memberships_of
from ppp.decorators import to_two_factor_set_up


class RememberMembershipsMiddleware:
    """The signed-in person of each request remembers their memberships for that request
    only (ppp.accounts.selectors.membership_in): a page that checks several rules about
    one school asks the database once, and a change is seen by the next request. The user
    stays lazy: a page that never asks who is signed in (a kept page of survey questions)
    never reads the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = SimpleLazyObject(functools.partial(_remembering, request.user))
        return self.get_response(request)


def _remembering(user):
    remember_memberships_of(user)
    return user


class RequireOfficerMFAMiddleware:
    """Officers, staff and superusers must set up two-factor authentication before
    they can do anything else: until they have, every page sends them to the set-up. A
    survey's answering pages (by a secret link, no sign-in) are the same for them as for
    anyone and are left alone, so a kept one is served without reading the session
    (docs/adr/0092)."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/survey/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            not request.path.startswith(self.ALLOWED_PREFIXES)
            and user.is_authenticated
            and user.needs_mfa
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            return to_two_factor_set_up(request)
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Pages shown to a signed-in person must never be kept by a browser or proxy, nor
    pages whose address carries a secret token (invitations, email checks, password
    resets, a school's pupil reporting link), whoever opens them."""

    TOKEN_PATHS = ("/invitations/", "/charter/verify/", "/accounts/password/reset/key/", "/tell/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" in response.get("Cache-Control", ""):
            return response  # kept by no cache already (and who is signed in need not be read)
        signed_in = getattr(request, "user", None) is not None and request.user.is_authenticated
        if signed_in or request.path.startswith(self.TOKEN_PATHS):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class SecurityHeadersMiddleware:
    """Headers Django has no setting for: Permissions-Policy (PERMISSIONS_POLICY)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RefuseNulMiddleware:
    """A NUL character (0x00) in the address, a query or a form is refused with the 400
    page before any view reads it. No one types one; PostgreSQL refuses to store or compare
    text that holds one, so a view that passed it on would fail with a server error
    (issue 20's fuzzer: the self-review form, a `next` address, a list filter). Django's
    form fields refuse it already; this covers what views read themselves. Uploaded files
    are not looked at (they are bytes, checked by ppp/uploads.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET) or (request.method == "POST" and _has_nul(request.POST)):
            from ppp.views import bad_request

            return bad_request(request)
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())
