from ppp.accounts.models import Membership
from ppp.accounts.services import invitation_create
from tests.security.sweeping import Case


def _bob(w):
    return {"slug": w.school_a.slug, "membership": Membership.objects.get(user=w.bob).public_id}


def _invitation(w):
    sent = invitation_create(organisation=w.school_a, email="new@a.example", role="member", by=w.alice)
    return {"slug": w.school_a.slug, "invitation": sent.invitation.public_id}


SWEEP = {
    "accounts:organisation-detail": Case(lambda w: {"slug": w.school_a.slug}),
    "accounts:organisation-invite": Case(lambda w: {"slug": w.school_a.slug}),
    "accounts:membership-remove": Case(_bob, method="post", success=302),
    "accounts:membership-make-lead": Case(_bob, method="post", success=302),
    "accounts:invitation-revoke": Case(_invitation, method="post", success=302),
}

EXEMPT = {
    "accounts:invitation-accept": "a secret token link for someone without an account yet; "
    "tests/accounts/test_invitations.py covers unknown, used and expired tokens",
    "account_confirm_email": "allauth's email confirmation key link (email verification is off)",
    "account_reset_password_from_key": "allauth's password-reset token link",
}
