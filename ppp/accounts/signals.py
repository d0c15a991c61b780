"""What happens around memberships and sign-in besides the audit trail (ppp/audit/signals.py):

- a changed membership makes every remembered role stale (`selectors.role_in`);

- a locked account's owner is emailed, so an attack on it does not go unnoticed;
- a completed password reset lifts the lock (the owner proved they hold the mailbox)
  and marks the address verified, so an officer made in the admin can set up two-factor.
"""

from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
from axes.signals import user_locked_out
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from ppp.audit.services import audit_record
from ppp.links import absolute_url
from ppp.mail import email_after_commit

from .models import Membership, User
from .selectors import MEMBERSHIP_GENERATION

# Sent after a bulk import of organisations (ppp/accounts/gias.py), which saves them without
# post_save: the apps that keep pages showing organisations' names forget them on it.
organisations_imported = Signal()


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
@receiver(post_save, sender="incidents.IncidentRole")  # remembered with the membership
@receiver(post_delete, sender="incidents.IncidentRole")
def forget_remembered_roles(sender, **kwargs):
    MEMBERSHIP_GENERATION[0] += 1


@receiver(user_locked_out)
def tell_the_owner_their_account_is_locked(sender, request, username=None, **kwargs):
    user = User.objects.filter(email__iexact=username or "", is_active=True).first()
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    # axes repeats the signal for every attempt while locked: one email per lockout.
    if user is None or not cache.add(f"locked-out-mailed:{user.pk}", True, timeout=minutes * 60):
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
