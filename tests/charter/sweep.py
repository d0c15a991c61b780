from django.utils import timezone

from charter.models import CommissionedProvider, Pledge, Review
from tests.charter.factories import PledgeFactory, ProviderFactory, approved_pledge, due_pledge
from tests.factories import OrganisationFactory
from tests.security.sweeping import Case


def _pledge(status=Pledge.Status.SUBMITTED, **kwargs):
    return lambda w: {"pledge": PledgeFactory(organisation=w.school_a, status=status, **kwargs).public_id}


def _approved(w):
    return {"pledge": approved_pledge(w.school_a).public_id}


def _due(w):
    return {"pledge": due_pledge(w.school_a).public_id}


def _review(w):
    from charter.services import review_submit

    pledge = due_pledge(w.school_a)
    answers = {c.pk: ("Done", "Next") for c in pledge.charter.commitments.all()}
    review = review_submit(pledge=pledge, by=w.alice, answers=answers, consent_to_publish=True)
    return {"review": review.public_id}


def _commissioner(w):
    PledgeFactory(organisation=w.school_a, status=Pledge.Status.APPROVED, delivery_role=Pledge.DeliveryRole.BOTH)
    return {"slug": w.school_a.slug}


def _provider(w):
    PledgeFactory(organisation=w.school_a, status=Pledge.Status.APPROVED, delivery_role=Pledge.DeliveryRole.BOTH)
    provider = ProviderFactory(
        commissioner=w.school_a, provider=None, email="invited@provider.example", added_by=w.alice
    )
    return {"provider": provider.public_id}


def _listed_by_commissioner(w):
    commissioner = OrganisationFactory(name="Sweep Commissioner")
    return {"provider": ProviderFactory(commissioner=commissioner, provider=w.school_a, added_by=w.officer).public_id}


def _status(status):
    return lambda w, kw: Pledge.objects.get(public_id=kw["pledge"]).status == status


def _pledge_where(**lookup):
    return lambda w, kw: Pledge.objects.filter(public_id=kw["pledge"], **lookup).exists()


def _provider_gone(w, kw):
    return not CommissionedProvider.objects.filter(public_id=kw["provider"]).exists()


def _provider_reminded(w, kw):
    return CommissionedProvider.objects.get(public_id=kw["provider"]).last_reminded_at is not None


def _provider_accepted(w, kw):
    return CommissionedProvider.objects.get(public_id=kw["provider"]).accepted_at is not None


def _feedback_given(w, kw):
    return Review.objects.get(public_id=kw["review"]).feedback == "Good"


SWEEP = {
    # Officers do not sign, change or review an organisation's pledge for it: 403.
    "charter:organisation-sign": Case(lambda w: {"slug": w.school_a.slug}, officer=403),
    "charter:pledge-detail": Case(_pledge()),
    "charter:pledge-edit": Case(_pledge(Pledge.Status.RETURNED), officer=403),
    # Officers are refused (a message, nothing changes): withdrawing is the organisation's decision.
    "charter:pledge-withdraw": Case(
        _pledge(), method="post", success=302, effect=_status(Pledge.Status.WITHDRAWN), officer_may=False
    ),
    "charter:pledge-listing": Case(
        _pledge(),
        method="post",
        success=302,
        data={"consent": "0"},
        effect=_pledge_where(consent_to_list=False),
        officer_may=False,
    ),
    "charter:pledge-approve": Case(
        _pledge(), method="post", success=302, owner="officer", effect=_status(Pledge.Status.APPROVED)
    ),
    "charter:pledge-return": Case(
        _pledge(),
        method="post",
        success=302,
        owner="officer",
        data={"comment": "Fix it"},
        effect=_status(Pledge.Status.RETURNED),
    ),
    "charter:pledge-remove": Case(
        _approved,
        method="post",
        success=302,
        owner="officer",
        data={"reason": "Closed"},
        effect=_pledge_where(removed_from_register_at__isnull=False),
    ),
    "charter:pledge-restore": Case(
        lambda w: {"pledge": approved_pledge(w.school_a, removed_from_register_at=timezone.now()).public_id},
        method="post",
        success=302,
        owner="officer",
        effect=_pledge_where(removed_from_register_at__isnull=True),
    ),
    "charter:review-create": Case(_due, officer=403),
    "charter:review-detail": Case(_review),
    "charter:review-feedback": Case(
        _review, method="post", success=302, owner="officer", data={"feedback": "Good"}, effect=_feedback_given
    ),
    "charter:providers": Case(_commissioner),
    "charter:provider-remind": Case(_provider, method="post", success=302, effect=_provider_reminded),
    "charter:provider-remove": Case(_provider, method="post", success=302, effect=_provider_gone),
    "charter:provider-requests": Case(lambda w: {"slug": w.school_a.slug}),
    # Only the provider's own lead answers: officers do not act for providers (404).
    "charter:provider-accept": Case(
        _listed_by_commissioner, method="post", success=302, officer=404, effect=_provider_accepted
    ),
    "charter:provider-decline": Case(
        _listed_by_commissioner, method="post", success=302, officer=404, effect=_provider_gone
    ),
}

EXEMPT = {
    "charter:register-entry": "public by design: an entry on the public register (tests/charter/test_register.py "
    "proves only approved, consenting, not removed pledges are found)",
    "charter:verify-email": "a secret token link for a signatory without an account yet "
    "(tests/charter/test_sign_up.py)",
}
