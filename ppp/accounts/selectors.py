"""Reads about the signed-in person that several views need."""

from .models import Membership

SESSION_KEY = "ppp_current_organisation"


def current_membership(request) -> Membership | None:
    """The membership the person is working as: the one they switched to, else their first.

    Cached on the request so a page asks the database once.
    """
    if hasattr(request, "_ppp_membership"):
        return request._ppp_membership
    user = request.user
    membership = None
    if user.is_authenticated:
        memberships = Membership.objects.filter(user=user).select_related("organisation")
        wanted = request.session.get(SESSION_KEY)
        membership = (wanted and memberships.filter(organisation__slug=wanted).first()) or memberships.first()
    request._ppp_membership = membership
    return membership


def set_current_organisation(request, organisation) -> None:
    request.session[SESSION_KEY] = organisation.slug
    request.__dict__.pop("_ppp_membership", None)
