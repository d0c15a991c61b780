"""Reads about the signed-in person that several views need."""

from .models import Membership, Organisation, User

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


def is_member(user: User, organisation: Organisation) -> bool:
    """Does `user` belong to `organisation` (as lead or member)?"""
    return user.is_authenticated and Membership.objects.filter(user=user, organisation=organisation).exists()


def is_lead(user: User, organisation: Organisation) -> bool:
    """Is `user` the lead of `organisation`?"""
    return (
        user.is_authenticated
        and Membership.objects.filter(user=user, organisation=organisation, role=Membership.Role.LEAD).exists()
    )
