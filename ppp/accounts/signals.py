"""What happens around sign-in besides the audit trail (ppp/audit/signals.py):

- a locked account's owner is emailed, so an attack on it does not go unnoticed;
- a completed password reset lifts the lock (the owner proved they hold the mailbox)
  and marks the address verified, so an officer made in the admin can set up two-factor.
"""

from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
from axes.signals import user_locked_out
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.cache import caches
from django.dispatch import Signal, receiver

from ppp.audit.services import audit_record
from ppp.cache import CACHE_UNAVAILABLE
from ppp.links import absolute_url
from ppp.mail import email_after_commit

from .models import User

# Sent after a bulk import of organisations (ppp/accounts/gias.py), which saves them without
# post_save: the apps that keep pages showing organisations' names forget them on it.
organisations_imported = Signal()


@receiver(user_locked_out)
def tell_the_owner_their_account_is_locked(sender, request, username=None, **kwargs):
    user = User.objects.filter(email__iexact=username or "", is_active=True).first()
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    if user is None:
        return
    # axes repeats the signal for every attempt while locked: one email per lockout. With the
    # cache down none is sent rather than one per attempt (the lock itself is in the database).
    try:
        first = caches["ratelimit"].add(f"locked-out-mailed:{user.pk}", True, timeout=minutes * 60)
    except CACHE_UNAVAILABLE:
        first = False
    if not first:
        return
    email_after_commit(
        "accounts/email/locked.txt",
        {
            "user": user,
            "minutes": minutes,
            "team_email": settings.PPP_TEAM_EMAIL,
            "reset_url": absolute_url("account_reset_password"),
        },
        subject="Your Positive and Peaceful Places account is locked",
        to=[user.email],
    )


@receiver(password_reset)
def unlock_and_verify_after_a_reset(sender, request, user, **kwargs):
    unlocked = axes_reset(username=user.email)
    EmailAddress.objects.update_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email, "verified": True, "primary": True}
    )
    audit_record("auth.password_reset", actor=user, target=user, request=request, unlocked=bool(unlocked))
