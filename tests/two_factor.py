"""School staff who may read incident records must use two-factor authentication (ADR
0031), as officers do. Tests of the incident pages give them an authenticator as they are
made (`incident_staff_have_two_factor`), as each real person sets one up at first use."""

import contextlib

from allauth.mfa.totp.internal.auth import TOTP
from django.db.models.signals import post_save

from tests.factories import TOTP_SECRET, has_totp


def give_authenticator(user):
    """Give one person the tests' authenticator, as they would set one up at first use."""
    if not has_totp(user):
        TOTP.activate(user, TOTP_SECRET)
    return user


@contextlib.contextmanager
def incident_staff_have_two_factor():
    from incidents.models import IncidentRole
    from ppp.accounts.models import Membership

    def activate(sender, instance, **kwargs):
        if sender is Membership and instance.role != Membership.Role.LEAD:
            return
        user = instance.membership.user if sender is IncidentRole else instance.user
        if not has_totp(user):
            TOTP.activate(user, TOTP_SECRET)

    post_save.connect(activate, sender=Membership, weak=False, dispatch_uid="tests-2fa-membership")
    post_save.connect(activate, sender=IncidentRole, weak=False, dispatch_uid="tests-2fa-incident-role")
    try:
        yield
    finally:
        post_save.disconnect(sender=Membership, dispatch_uid="tests-2fa-membership")
        post_save.disconnect(sender=IncidentRole, dispatch_uid="tests-2fa-incident-role")
