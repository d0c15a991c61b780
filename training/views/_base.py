"""What every part shares: part of `training.views` (see its docstring)."""

from ppp.accounts.models import Organisation
from ppp.accounts.selectors import current_membership


def _querystring(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _organisation(request) -> Organisation | None:
    membership = current_membership(request) if request.user.is_authenticated else None
    return membership.organisation if membership else None
