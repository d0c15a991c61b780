"""View decorators shared by every app."""

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def officer_required(view):
    """Signed in and a council officer (`user.is_officer`); anyone else signed in gets 403."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_officer:
            raise PermissionDenied("This page is for council officers.")
        return view(request, *args, **kwargs)

    return wrapped
