"""How django-allauth and django-axes fit PPP.

Nobody signs themselves up: accounts come from invitations (or the charter's own
sign-up, which creates its account through a service). Sign-in is by email.
"""

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False


def axes_username(request, credentials=None) -> str:
    """The email being tried, lower-cased, whichever form sent it."""
    value = ""
    if credentials:
        value = credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    if not value and request is not None:
        data = getattr(request, "POST", {})
        value = data.get("login") or data.get("email") or data.get("username") or ""
    return value.strip().lower()
