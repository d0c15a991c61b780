"""Reads about the signed-in person that several views need."""

from ppp.search import PER_SOURCE, SearchGroup, SearchResult, group, organisation_matches, search_sources

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
        memo = _memo(user)
        if membership is not None and memo is not None:
            memo[membership.organisation_id] = membership
    request._ppp_membership = membership
    return membership


def set_current_organisation(request, organisation) -> None:
    request.session[SESSION_KEY] = organisation.slug
    request.__dict__.pop("_ppp_membership", None)


# The person a request is for remembers their memberships for that request only: the
# middleware (ppp.middleware.remember_memberships) gives each request's user an empty memo,
# so a page that checks several rules asks the database once, and nothing is remembered
# across requests or outside one (a command, a task, a test's user object).
MEMO_ATTRIBUTE = "_ppp_memberships"


def _memo(user) -> dict | None:
    return getattr(user, MEMO_ATTRIBUTE, None)


def remember_memberships_of(user) -> None:
    """Start `user`'s memo of memberships: for the user of one request (the middleware)."""
    if user.is_authenticated:
        setattr(user, MEMO_ATTRIBUTE, {})


def membership_in(user: User, organisation: Organisation) -> Membership | None:
    """`user`'s membership of `organisation`, or None: in a request, read once."""
    if not user.is_authenticated or organisation is None:
        return None
    memo = _memo(user)
    if memo is not None and organisation.pk in memo:
        return memo[organisation.pk]
    membership = Membership.objects.filter(user_id=user.pk, organisation_id=organisation.pk).first()
    if memo is not None:
        memo[organisation.pk] = membership
    return membership


def role_in(user: User, organisation: Organisation) -> str | None:
    """`user`'s role ("lead" or "member") in `organisation`, or None."""
    membership = membership_in(user, organisation)
    return membership.role if membership else None


def is_member(user: User, organisation: Organisation) -> bool:
    """Does `user` belong to `organisation` (as lead or member)?"""
    return role_in(user, organisation) is not None


def is_lead(user: User, organisation: Organisation) -> bool:
    """Is `user` the lead of `organisation`?"""
    return role_in(user, organisation) == Membership.Role.LEAD


@search_sources.register
def search_results(user: User, query: str) -> SearchGroup | None:
    """Organisations by name, URN or postcode, for the officers' search."""
    rows = list(
        Organisation.objects.for_user(user).filter(organisation_matches(query)).order_by("name")[: PER_SOURCE + 1]
    )
    return group(
        "Organisations",
        rows,
        lambda o: SearchResult(
            o.name,
            o.get_absolute_url(),
            detail=" · ".join(p for p in [o.get_kind_display(), f"URN {o.urn}" if o.urn else "", o.postcode] if p),
            status="Not approved yet" if o.provisional else ("Closed" if o.status == o.Status.CLOSED else ""),
        ),
    )
