"""Demo pledges in every state, for `manage.py seed_demo`. Safe to run again: an
organisation that already has a pledge is left alone."""

import datetime

from allauth.account.models import EmailAddress
from django.utils import timezone

from ppp.accounts.models import Membership, Organisation, User
from ppp.discovery import demo_seeders
from ppp.history import record_transition

from . import services
from .models import Charter, CommissionedProvider, Pledge, PledgeCommitment, PledgeEvent

DEMO_PASSWORD = "Peaceful-Places-2026"  # noqa: S105 - fictional demo account, listed in the README
COMMISSIONER_EMAIL = "lead.commissioner@ppp.example"

STATEMENTS = {
    "school_a": "Every child at Abbeygate should feel safe, be heard and belong. We are proud to sign the charter.",
    "commissioner": "We build the charter's four principles into every service we commission for children.",
}


def _details(charter, name, role, *, delivery_role=Pledge.DeliveryRole.DIRECT, children=300, statement=""):
    return services.PledgeDetails(
        delivery_role=delivery_role,
        commitments={c.pk: c.examples.first().text for c in charter.commitments.prefetch_related("examples")},
        children_covered=children,
        staff_covered=max(children // 8, 5),
        signatory_name=name,
        signatory_role=role,
        leader_statement=statement,
        consent_to_list=True,
    )


def _submitted(organisation, charter, details, email) -> Pledge:
    pledge = Pledge(
        organisation=organisation,
        charter=charter,
        status=Pledge.Status.SUBMITTED,
        signatory_email=email,
        submitted_at=timezone.now(),
    )
    services._apply_details(pledge, details)
    pledge.save()
    for pk, text in details.commitments.items():
        PledgeCommitment.objects.create(pledge=pledge, commitment_id=pk, text=text)
    PledgeEvent.objects.create(pledge=pledge, action="signed", to_status=pledge.status)
    return pledge


def _commissioner_lead(organisation) -> User:
    user = User.objects.filter(email__iexact=COMMISSIONER_EMAIL).first()
    if user is None:
        user = User.objects.create_user(
            email=COMMISSIONER_EMAIL, password=DEMO_PASSWORD, full_name="Erin Khan", job_title="Head of commissioning"
        )
    EmailAddress.objects.update_or_create(
        user=user, email=COMMISSIONER_EMAIL, defaults={"verified": True, "primary": True}
    )
    if not organisation.memberships.leads().exists():
        Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": Membership.Role.LEAD})
    return user


def _abbeygate(ctx) -> str:
    """Approved and on the register, with a review the council has answered."""
    charter, officer, today = ctx["charter"], ctx["officer"], timezone.localdate()
    lead = ctx["people"]["lead.a@ppp.example"]
    pledge = services.pledge_create(
        organisation=ctx["orgs"]["school_a"],
        by=lead,
        details=_details(charter, "Alice Ahmed", "Headteacher", children=420, statement=STATEMENTS["school_a"]),
    )
    services.pledge_approve(pledge=pledge, by=officer)
    # Pretend a year went by: the review is due, and Abbeygate sends it.
    Pledge.objects.filter(pk=pledge.pk).update(review_due_on=today + datetime.timedelta(days=20))
    pledge.refresh_from_db()
    answers = {
        c.pk: (
            f"We did what we pledged for '{c.short_title}' and asked our pupils how it went.",
            "We will keep going and ask again next year.",
        )
        for c in charter.commitments.all()
    }
    review = services.review_submit(pledge=pledge, by=lead, answers=answers, consent_to_publish=True)
    services.review_feedback(review=review, by=officer, feedback="A strong year. Thank you for involving pupils.")
    return "approved and reviewed (Abbeygate)"


def _brookfield(ctx) -> str:
    """Waiting for an officer."""
    services.pledge_create(
        organisation=ctx["orgs"]["school_b"],
        by=ctx["people"]["lead.b@ppp.example"],
        details=_details(ctx["charter"], "Chloe Brown", "Principal", children=1100),
    )
    return "awaiting approval (Brookfield)"


def _partner(ctx) -> str:
    """Returned for changes."""
    pledge = services.pledge_create(
        organisation=ctx["orgs"]["partner"],
        by=ctx["people"]["lead.partner@ppp.example"],
        details=_details(ctx["charter"], "Dev Patel", "Director", children=650),
    )
    services.pledge_return(
        pledge=pledge,
        by=ctx["officer"],
        comment="Please say how your youth workers are trained in restorative approaches.",
    )
    return "returned (Leicester Youth Partnership)"


def _little_acorns(ctx) -> str:
    """Approved a while ago, review never sent, so it lapsed."""
    today = timezone.localdate()
    details = _details(ctx["charter"], "Fay Green", "Manager", children=60)
    pledge = _submitted(ctx["orgs"]["nursery"], ctx["charter"], details, "")
    services.pledge_approve(pledge=pledge, by=ctx["officer"])
    Pledge.objects.filter(pk=pledge.pk).update(review_due_on=today - datetime.timedelta(days=75))
    services.pledge_lapse(pledge=pledge, today=today)
    return "lapsed (Little Acorns)"


def _cedar_vale(ctx) -> str:
    """Signed, then withdrawn."""
    details = _details(ctx["charter"], "Gus Hill", "Headteacher", children=120)
    pledge = _submitted(ctx["orgs"]["special"], ctx["charter"], details, "")
    record_transition(
        pledge,
        Pledge.Status.WITHDRAWN,
        action=PledgeEvent.Action.WITHDRAWN,
        note="Signed by mistake; the school will sign after its new policy is agreed.",
    )
    return "withdrawn (Cedar Vale)"


def _commissioner(ctx) -> str:
    """Approved as a commissioner."""
    pledge = services.pledge_create(
        organisation=ctx["orgs"]["commissioner"],
        by=ctx["commissioner_lead"],
        details=_details(
            ctx["charter"],
            "Erin Khan",
            "Head of commissioning",
            delivery_role=Pledge.DeliveryRole.COMMISSIONER,
            children=5000,
            statement=STATEMENTS["commissioner"],
        ),
    )
    services.pledge_approve(pledge=pledge, by=ctx["officer"])
    return "commissioner (approved)"


def _providers(ctx) -> None:
    """The commissioner's providers: some that agreed to share their status, one that has
    not answered, one invited by email."""
    orgs, commissioner_lead = ctx["orgs"], ctx["commissioner_lead"]
    commissioner = orgs["commissioner"]
    if CommissionedProvider.objects.filter(commissioner=commissioner).exists():
        return
    for key in ("school_a", "school_b", "nursery"):
        link = services.provider_add(commissioner=commissioner, by=commissioner_lead, name=orgs[key].name)
        lead = Membership.objects.leads().filter(organisation=orgs[key]).select_related("user").first()
        if key != "school_b" and lead is not None:
            services.provider_accept(provider=link, by=lead.user)
    services.provider_add(
        commissioner=commissioner,
        by=commissioner_lead,
        name="Riverside Youth Club",
        email="hello@riverside-youth.example",
    )


def _westgate(ctx) -> str | None:
    """A new organisation that signed online but has not confirmed its email yet."""
    if Organisation.objects.filter(name="Westgate Children's Home").exists():
        return None
    services.pledge_sign_up(
        organisation_name="Westgate Children's Home",
        kind=Organisation.Kind.CHILDRENS_HOME,
        postcode="LE3 9ZZ",
        address="3 Westgate Close\nLeicester",
        email="manager@westgate-home.example",
        details=_details(ctx["charter"], "Hana Iqbal", "Registered manager", children=8),
    )
    return "awaiting email check (Westgate Children's Home)"


STORIES = {
    "school_a": _abbeygate,
    "school_b": _brookfield,
    "partner": _partner,
    "nursery": _little_acorns,
    "special": _cedar_vale,
    "commissioner": _commissioner,
}


@demo_seeders.register
def seed(demo) -> None:
    charter = Charter.objects.current()
    if charter is None:
        return
    ctx = {
        "charter": charter,
        "orgs": demo.organisations,
        "officer": demo.officer,
        "people": demo.people,
        "commissioner_lead": _commissioner_lead(demo.organisations["commissioner"]),
    }
    created = [
        story(ctx)
        for key, story in STORIES.items()
        if not Pledge.objects.filter(organisation=demo.organisations[key]).exists()
    ]
    _providers(ctx)
    created.append(_westgate(ctx))
    created = [line for line in created if line]
    if created:
        demo.stdout.write("Charter pledges: " + "; ".join(created))
    demo.stdout.write(f"Commissioner lead: {COMMISSIONER_EMAIL} (demo password)")
