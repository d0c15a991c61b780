from ppp.accounts.selectors import current_membership


def ppp(request):
    """What every page needs to draw its header: the person's current organisation."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = current_membership(request)
    return {
        "current_membership": membership,
        "current_organisation": membership.organisation if membership else None,
    }
