"""How django-allauth and django-axes fit PPP.

Nobody signs themselves up: accounts come from invitations (or the charter's own
sign-up, which creates its account through a service). Sign-in is by email.
"""

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter

from ppp import crypto


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails (password reset…) go through the task queue like every other."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        from ppp.mail import send_after_commit

        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {"request": request, "email": email, "current_site": get_current_site(request), **context},
        )
        send_after_commit(message.subject, message.body, list(message.to))

    def send_password_reset_mail(self, user, email: str, context: dict) -> None:
        """The reset email in PPP's words, with its link made when it is sent
        (ppp/accounts/tasks.py): the queue holds the account's id, never a live link."""
        from ppp.mail import queue_link_email

        queue_link_email(
            "accounts.password_reset",
            to=[email],
            subject="Reset your Positive and Peaceful Places password",
            params={"user_id": user.pk},
        )

    def get_client_ip(self, request) -> str:
        """The address allauth's rate limits count: the same one PPP's own limits and the
        audit trail use (ppp.audit.services.client_ip, which reads TRUSTED_PROXY_COUNT), so
        behind the proxy each person is counted alone, not everyone as the proxy."""
        from django.core.exceptions import PermissionDenied

        from ppp.audit.services import client_ip

        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("PPP could not tell where this request came from.")
        return ip

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A password typed at sign-in a moment ago is as good as typing it again.

        Officers must set up two-factor straight after their first sign-in; without
        this allauth would ask for the password twice in a row.
        """
        request = self.request
        user = getattr(request, "user", None)
        if request is not None and user is not None and user.is_authenticated:
            records = get_authentication_records(request, user)
            if records and time.time() - records[-1].get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)


def axes_username(request, credentials=None) -> str:
    """The email being tried, lower-cased, whichever form sent it."""
    value = ""
    if credentials:
        value = credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    if not value and request is not None:
        data = getattr(request, "POST", {})
        value = data.get("login") or data.get("email") or data.get("username") or ""
    return value.strip().lower()


class MFAAdapter(DefaultMFAAdapter):
    """Two-factor secrets (the TOTP key, the recovery-code seed) are stored encrypted with
    FIELD_ENCRYPTION_KEYS (ppp/crypto.py), so a copy of the database alone cannot make codes."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator) -> bool:
        """Officers, staff and superusers cannot turn two-factor off."""
        if authenticator.type == authenticator.Type.TOTP and authenticator.user.needs_mfa:
            return False
        return super().can_delete_authenticator(authenticator)
