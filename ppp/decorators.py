"""View decorators shared by every app."""

import functools
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


def officer_required(view):
    """Signed in and a council officer (`user.is_officer`); anyone else signed in gets 403."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_officer:
            raise PermissionDenied("This page is for council officers.")
        return view(request, *args, **kwargs)

    return wrapped


AFTER_TWO_FACTOR = "ppp_after_two_factor"  # session key: the page someone was sent from to set up two-factor


def to_two_factor_set_up(request):
    """Send `request`'s person to set up two-factor authentication. The page they asked
    for (a GET) is kept in their session: once it is on, the recovery codes page offers
    "Continue to the page you asked for" (ppp.accounts.views.after_two_factor). allauth's
    set-up page ignores `next`; it is kept in the address so the page can say why."""
    if request.method == "GET":
        request.session[AFTER_TWO_FACTOR] = request.get_full_path()
    return redirect(reverse("mfa_activate_totp") + "?next=" + quote(request.get_full_path(), safe="/"))


def two_factor_required(needed):
    """For pages whose data a password alone must not open: a signed-in person for whom
    `needed(user)` is true and who has no authenticator yet is sent to set one up, and is
    offered this page after (as officers are on every page: RequireOfficerMFAMiddleware).
    Anyone else goes on to the view, which decides as before (sign-in, 403, 404)."""
    from allauth.mfa.models import Authenticator

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if (
                user.is_authenticated
                and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
                and needed(user)
            ):
                return to_two_factor_set_up(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
