from ppp.accounts.models import Invitation, Membership
from ppp.accounts.services import invitation_create
from tests.security.sweeping import Case


def _bob(w):
    return {"slug": w.school_a.slug, "membership": Membership.objects.get(user=w.bob).public_id}


def _invitation(w):
    sent = invitation_create(organisation=w.school_a, email="new@a.example", role="member", by=w.alice)
    return {"slug": w.school_a.slug, "invitation": sent.invitation.public_id}


def _bob_gone(w, kw):
    return not Membership.objects.filter(public_id=kw["membership"]).exists()


def _bob_is_lead(w, kw):
    return Membership.objects.filter(public_id=kw["membership"], role=Membership.Role.LEAD).exists()


def _invitation_cancelled(w, kw):
    return Invitation.objects.get(public_id=kw["invitation"]).revoked_at is not None


SWEEP = {
    "accounts:organisation-detail": Case(lambda w: {"slug": w.school_a.slug}),
    "accounts:organisation-invite": Case(lambda w: {"slug": w.school_a.slug}),
    "accounts:organisation-hand-over": Case(lambda w: {"slug": w.school_a.slug}, owner="officer", stranger=403),
    "accounts:membership-remove": Case(_bob, method="post", success=302, effect=_bob_gone),
    "accounts:membership-make-lead": Case(_bob, method="post", success=302, effect=_bob_is_lead),
    "accounts:invitation-revoke": Case(_invitation, method="post", success=302, effect=_invitation_cancelled),
}

EXEMPT = {
    "accounts:invitation-accept": "a secret token link for someone without an account yet; "
    "tests/accounts/test_invitations.py covers unknown, used and expired tokens",
    "account_confirm_email": "allauth's email confirmation key link (email verification is off)",
    "account_reset_password_from_key": "allauth's password-reset token link",
}
