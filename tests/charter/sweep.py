from charter.models import Pledge
from tests.charter.factories import PledgeFactory, ProviderFactory, approved_pledge, due_pledge
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
    return {"provider": ProviderFactory(commissioner=w.school_a, added_by=w.alice).public_id}


SWEEP = {
    # Officers do not sign, change or review an organisation's pledge for it: 403.
    "charter:organisation-sign": Case(lambda w: {"slug": w.school_a.slug}, officer=403),
    "charter:pledge-detail": Case(_pledge()),
    "charter:pledge-edit": Case(_pledge(Pledge.Status.RETURNED), officer=403),
    "charter:pledge-withdraw": Case(_pledge(), method="post", success=302),
    "charter:pledge-listing": Case(_pledge(), method="post", success=302, data={"consent": "0"}),
    "charter:pledge-approve": Case(_pledge(), method="post", success=302, owner="officer"),
    "charter:pledge-return": Case(_pledge(), method="post", success=302, owner="officer", data={"comment": "Fix it"}),
    "charter:pledge-remove": Case(_approved, method="post", success=302, owner="officer", data={"reason": "Closed"}),
    "charter:pledge-restore": Case(_approved, method="post", success=302, owner="officer"),
    "charter:review-create": Case(_due, officer=403),
    "charter:review-detail": Case(_review),
    "charter:review-feedback": Case(_review, method="post", success=302, owner="officer", data={"feedback": "Good"}),
    "charter:providers": Case(_commissioner),
    "charter:provider-remind": Case(_provider, method="post", success=302),
    "charter:provider-remove": Case(_provider, method="post", success=302),
}

EXEMPT = {
    "charter:register-entry": "public by design: an entry on the public register (tests/charter/test_register.py "
    "proves only approved, consenting, not removed pledges are found)",
    "charter:verify-email": "a secret token link for a signatory without an account yet "
    "(tests/charter/test_sign_up.py)",
}
