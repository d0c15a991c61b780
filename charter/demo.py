"""Demo pledges in every state, for `manage.py seed_demo`. Safe to run again: an
organisation that already has a pledge is left alone."""

import datetime

from allauth.account.models import EmailAddress
from django.utils import timezone

from ppp.accounts.models import Membership, Organisation, User
from ppp.discovery import demo_seeders

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


@demo_seeders.register
def seed(demo) -> None:
    charter = Charter.objects.current()
    if charter is None:
        return
    orgs, officer, people = demo.organisations, demo.officer, demo.people
    today = timezone.localdate()
    commissioner_lead = _commissioner_lead(orgs["commissioner"])
    created = []

    def fresh(key):
        return not Pledge.objects.filter(organisation=orgs[key]).exists()

    # Abbeygate: approved and on the register, with a review the council has answered.
    if fresh("school_a"):
        lead = people["lead.a@ppp.example"]
        pledge = services.pledge_create(
            organisation=orgs["school_a"],
            by=lead,
            details=_details(charter, "Alice Ahmed", "Headteacher", children=420, statement=STATEMENTS["school_a"]),
        )
        services.pledge_approve(pledge=pledge, by=officer)
        pledge.refresh_from_db()
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
        created.append("approved and reviewed (Abbeygate)")

    # Brookfield: waiting for an officer.
    if fresh("school_b"):
        services.pledge_create(
            organisation=orgs["school_b"],
            by=people["lead.b@ppp.example"],
            details=_details(charter, "Chloe Brown", "Principal", children=1100),
        )
        created.append("awaiting approval (Brookfield)")

    # Leicester Youth Partnership: returned for changes.
    if fresh("partner"):
        pledge = services.pledge_create(
            organisation=orgs["partner"],
            by=people["lead.partner@ppp.example"],
            details=_details(charter, "Dev Patel", "Director", children=650),
        )
        services.pledge_return(
            pledge=pledge,
            by=officer,
            comment="Please say how your youth workers are trained in restorative approaches.",
        )
        created.append("returned (Leicester Youth Partnership)")

    # Little Acorns: approved a while ago, review never sent, so it lapsed.
    if fresh("nursery"):
        pledge = _submitted(orgs["nursery"], charter, _details(charter, "Fay Green", "Manager", children=60), "")
        services.pledge_approve(pledge=pledge, by=officer)
        Pledge.objects.filter(pk=pledge.pk).update(review_due_on=today - datetime.timedelta(days=75))
        services.pledge_lapse(pledge=pledge, today=today)
        created.append("lapsed (Little Acorns)")

    # Cedar Vale: signed, then withdrawn.
    if fresh("special"):
        pledge = _submitted(orgs["special"], charter, _details(charter, "Gus Hill", "Headteacher", children=120), "")
        Pledge.objects.filter(pk=pledge.pk).update(status=Pledge.Status.WITHDRAWN)
        PledgeEvent.objects.create(
            pledge=pledge,
            action="withdrawn",
            from_status=Pledge.Status.SUBMITTED,
            to_status=Pledge.Status.WITHDRAWN,
            note="Signed by mistake; the school will sign after its new policy is agreed.",
        )
        created.append("withdrawn (Cedar Vale)")

    # The commissioner: approved, with providers that have and have not pledged.
    if fresh("commissioner"):
        pledge = services.pledge_create(
            organisation=orgs["commissioner"],
            by=commissioner_lead,
            details=_details(
                charter,
                "Erin Khan",
                "Head of commissioning",
                delivery_role=Pledge.DeliveryRole.COMMISSIONER,
                children=5000,
                statement=STATEMENTS["commissioner"],
            ),
        )
        services.pledge_approve(pledge=pledge, by=officer)
        created.append("commissioner (approved)")
    commissioner = orgs["commissioner"]
    if not CommissionedProvider.objects.filter(commissioner=commissioner).exists():
        for key in ("school_a", "school_b", "nursery"):
            link = services.provider_add(commissioner=commissioner, by=commissioner_lead, name=orgs[key].name)
            # School A and the nursery agreed to share their charter status; Brookfield has not answered yet.
            lead = Membership.objects.leads().filter(organisation=orgs[key]).select_related("user").first()
            if key != "school_b" and lead is not None:
                services.provider_accept(provider=link, by=lead.user)
        services.provider_add(
            commissioner=commissioner,
            by=commissioner_lead,
            name="Riverside Youth Club",
            email="hello@riverside-youth.example",
        )

    # A new organisation that signed online but has not confirmed its email yet.
    if not Organisation.objects.filter(name="Westgate Children's Home").exists():
        services.pledge_sign_up(
            organisation_name="Westgate Children's Home",
            kind=Organisation.Kind.CHILDRENS_HOME,
            postcode="LE3 9ZZ",
            address="3 Westgate Close\nLeicester",
            email="manager@westgate-home.example",
            details=_details(charter, "Hana Iqbal", "Registered manager", children=8),
        )
        created.append("awaiting email check (Westgate Children's Home)")

    if created:
        demo.stdout.write("Charter pledges: " + "; ".join(created))
    demo.stdout.write(f"Commissioner lead: {COMMISSIONER_EMAIL} (demo password)")
