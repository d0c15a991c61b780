import datetime

import factory
from django.utils import timezone

from charter.models import Charter, CommissionedProvider, Pledge, PledgeCommitment, PledgeEvent
from charter.services import PledgeDetails, next_review_due
from tests.factories import OrganisationFactory, UserFactory


def current_charter() -> Charter:
    return Charter.objects.current()


def details(charter: Charter | None = None, **overrides) -> PledgeDetails:
    charter = charter or current_charter()
    fields = {
        "delivery_role": Pledge.DeliveryRole.DIRECT,
        "commitments": {c.pk: f"We will show '{c.short_title}' by doing it." for c in charter.commitments.all()},
        "children_covered": 300,
        "staff_covered": 40,
        "signatory_name": "Alice Lead",
        "signatory_role": "Headteacher",
        "leader_statement": "We are proud to sign.",
        "consent_to_list": True,
    }
    return PledgeDetails(**{**fields, **overrides})


def form_data(charter: Charter | None = None, **overrides) -> dict:
    """POST data for PledgeForm."""
    charter = charter or current_charter()
    data = {
        "delivery_role": "direct",
        "children_covered": "300",
        "staff_covered": "40",
        "signatory_name": "Alice Lead",
        "signatory_role": "Headteacher",
        "leader_statement": "We are proud to sign.",
        "consent_to_list": "on",
    }
    for c in charter.commitments.all():
        data[f"commitment_{c.pk}"] = f"We will show '{c.short_title}' by doing it."
    data.update(overrides)
    return data


class PledgeFactory(factory.django.DjangoModelFactory):
    """A pledge in `status`, with a text for every commitment of the current charter."""

    class Meta:
        model = Pledge
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    charter = factory.LazyFunction(current_charter)
    status = Pledge.Status.SUBMITTED
    delivery_role = Pledge.DeliveryRole.DIRECT
    signatory_name = "Sam Signatory"
    signatory_role = "Headteacher"
    signatory_email = factory.Sequence(lambda n: f"signatory{n}@example.org")
    children_covered = 250
    staff_covered = 30
    leader_statement = "Every child should feel safe here."
    signed_on = factory.LazyFunction(timezone.localdate)
    consent_to_list = True
    submitted_at = factory.LazyFunction(timezone.now)
    approved_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == Pledge.Status.APPROVED else None)
    review_due_on = factory.LazyAttribute(
        lambda o: next_review_due(timezone.localdate()) if o.status in ("approved", "lapsed") else None
    )

    @factory.post_generation
    def commitments(self, create, extracted, **kwargs):
        for commitment in self.charter.commitments.all():
            PledgeCommitment.objects.create(pledge=self, commitment=commitment, text=f"Our plan for {commitment}.")
        PledgeEvent.objects.create(pledge=self, action="signed", to_status=self.status)


def approved_pledge(organisation, **kwargs) -> Pledge:
    return PledgeFactory(organisation=organisation, status=Pledge.Status.APPROVED, **kwargs)


def due_pledge(organisation, days=10, **kwargs) -> Pledge:
    return approved_pledge(organisation, review_due_on=timezone.localdate() + datetime.timedelta(days=days), **kwargs)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionedProvider

    commissioner = factory.SubFactory(OrganisationFactory)
    provider = factory.SubFactory(OrganisationFactory)
    name = factory.LazyAttribute(lambda o: o.provider.name if o.provider else "New Provider")
    email = ""
    added_by = factory.SubFactory(UserFactory)
