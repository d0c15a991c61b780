"""Emails with secret links for accounts, written when they are sent (ppp.mail.email_writer):
the queue and the email table hold only ids, and the link is made from SECRET_KEY and
the email's own id at that moment."""

from django.conf import settings

from ppp.links import absolute_url
from ppp.mail import Written, email_writer, link_token, render_text
from ppp.tokens import hash_token

from .models import Invitation, User


@email_writer("accounts.invitation")
def invitation_email(email) -> Written | None:
    from .services import invitation_subject

    invitation = (
        Invitation.objects.select_related("organisation", "invited_by").filter(pk=email.params["invitation_id"]).first()
    )
    if invitation is None or invitation.state != "pending":
        return None  # accepted, cancelled or expired before it could be sent
    token = link_token(email)
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=hash_token(token))
    context = {
        "invitation": invitation,
        "url": absolute_url("accounts:invitation-accept", token=token),
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    return Written(invitation_subject(invitation), render_text("accounts/email/invitation.txt", context))


@email_writer("accounts.password_reset")
def password_reset_email(email) -> Written | None:
    """allauth's reset link, made now: its token holds the time it was made and the
    password's hash, so it stops working after PASSWORD_RESET_TIMEOUT or once used."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.urls import reverse

    user = User.objects.filter(pk=email.params["user_id"], is_active=True).first()
    if user is None:
        return None
    key = f"{user_pk_to_url_str(user)}-{default_token_generator.make_token(user)}"
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"}).replace("UID-KEY", key)
    context = {
        "user": user,
        "url": settings.SITE_URL + path,
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        "team_email": settings.PPP_TEAM_EMAIL,
    }
    return Written(
        "Reset your Positive and Peaceful Places password", render_text("accounts/email/password_reset.txt", context)
    )
