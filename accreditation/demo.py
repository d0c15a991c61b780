"""Demo award data: a school in every state, so every page has something to show.

Built through the services (so timelines and history are real), with visit dates moved
into the past where a visit must have happened. Skips any school that already has an
application, so running seed_demo again changes nothing.
"""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from ppp.accounts.models import Membership, Organisation, User
from ppp.dates import add_months
from ppp.discovery import demo_seeders

from . import services
from .models import Application, Criterion, Evidence, LegacyAward, Scheme, SelfReview, Visit

PASSWORD = "Peaceful-Places-2026"  # noqa: S105 - the demo password the README lists

EXTRA_SCHOOLS = [
    # key, name, kind, urn, postcode, lead email, lead name
    (
        "dovecote",
        "Dovecote Primary School",
        Organisation.Kind.PRIMARY,
        "990005",
        "LE5 5GG",
        "lead.dovecote@ppp.example",
        "Dee Okafor",
    ),
    (
        "elmfield",
        "Elmfield Community College",
        Organisation.Kind.SECONDARY,
        "990006",
        "LE3 6HH",
        "lead.elmfield@ppp.example",
        "Eli Novak",
    ),
    (
        "foxglove",
        "Foxglove Infant School",
        Organisation.Kind.PRIMARY,
        "990007",
        "LE4 7JJ",
        "lead.foxglove@ppp.example",
        "Fay Singh",
    ),
]
OTHER_LEADS = {
    "nursery": ("lead.nursery@ppp.example", "Nina Holt"),
    "special": ("lead.special@ppp.example", "Sam Reid"),
}


def _lead(organisation, email, name) -> User:
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=PASSWORD, full_name=name
    )
    if not organisation.memberships.leads().exists():
        Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": Membership.Role.LEAD})
    return organisation.memberships.leads().get().user


def _apply(organisation, lead, **extra) -> Application:
    return services.application_apply(
        organisation=organisation,
        scheme=Scheme.current(),
        by=lead,
        contact_name=lead.get_full_name(),
        contact_email=lead.email,
        accept_terms=True,
        purchase_order=f"PO-{organisation.urn or '0000'}",
        **extra,
    )


def _visit_done(application, officer, kind=Visit.Kind.INITIAL, days_ago=20, report="") -> Visit:
    visit = services.visit_schedule(
        application=application,
        by=officer,
        kind=kind,
        mode=Visit.Mode.IN_PERSON,
        starts_at=timezone.now() + datetime.timedelta(days=1),
        location=application.organisation.address.replace("\n", ", "),
        attendees="Headteacher, anti-bullying lead, two pupil ambassadors",
    )
    # A visit in school hours, `days_ago` days back (not at whatever time the demo was loaded).
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    at_ten = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    Visit.objects.filter(pk=visit.pk).update(starts_at=at_ten)
    return services.visit_complete(
        visit=visit,
        by=officer,
        report=report
        or "A warm welcome. The school has a clear anti-bullying policy and pupils spoke confidently about "
        "who they would tell. Next steps: bring incident records into one place and survey parents.",
        outcome="Planning agreed.",
        notes="Strong leadership commitment.",
    )


def _plan(application, lead, officer, agree=True):
    criteria = Criterion.objects.filter(standard__scheme=application.scheme)
    ratings = {}
    for index, criterion in enumerate(criteria):
        rating = [SelfReview.Rating.DEVELOPING, SelfReview.Rating.ESTABLISHED, SelfReview.Rating.EMBEDDED][index % 3]
        ratings[criterion.pk] = (rating, "Discussed at the initial visit.")
    services.self_review_save(application=application, by=lead, ratings=ratings)
    services.action_items_from_self_review(
        application=application, by=lead, due_date=timezone.localdate() + datetime.timedelta(days=60)
    )
    services.action_item_save(
        application=application,
        by=lead,
        criterion=criteria.first(),
        action="Present the termly incident report to governors",
        owner="Headteacher",
        due_date=timezone.localdate() - datetime.timedelta(days=7),
        success_measure="Minutes record the discussion and actions",
    )
    if agree:
        services.action_plan_agree(application=application, by=officer)


def _evidence_for_all(application, lead, officer, *, accept=True, leave_changes=0):
    """One statement per criterion, submitted; accepted unless told otherwise."""
    items = []
    for criterion in Criterion.objects.filter(standard__scheme=application.scheme):
        evidence = services.evidence_add(
            application=application,
            by=lead,
            criteria=[criterion],
            title=f"How we meet {criterion.code}",
            kind=Evidence.Kind.STATEMENT,
            statement=f"Our practice for {criterion.code}: {criterion.statement}",
        )
        services.evidence_submit(evidence=evidence, by=lead)
        items.append(evidence)
    for index, evidence in enumerate(items):
        if index < leave_changes:
            services.evidence_review(
                evidence=evidence,
                by=officer,
                decision=Evidence.Status.CHANGES_REQUESTED,
                comment="Please add the date the governors agreed this, and a copy of the minutes.",
                seen_status=Evidence.Status.SUBMITTED,
            )
        elif accept:
            services.evidence_review(
                evidence=evidence, by=officer, decision=Evidence.Status.ACCEPTED, seen_status=Evidence.Status.SUBMITTED
            )
    return items


def _schools(demo) -> dict[str, Organisation]:
    organisations = dict(demo.organisations)
    for key, name, kind, urn, postcode, email, lead_name in EXTRA_SCHOOLS:
        organisation, _ = Organisation.objects.update_or_create(
            urn=urn,
            defaults={
                "name": name,
                "kind": kind,
                "postcode": postcode,
                "local_authority": "Leicester",
                "address": f"{name}\nLeicester",
                "phase": "Primary" if kind == "primary" else "Secondary",
            },
        )
        organisations[key] = organisation
        _lead(organisation, email, lead_name)
    for key, (email, lead_name) in OTHER_LEADS.items():
        _lead(organisations[key], email, lead_name)
    return organisations


def _lead_of(organisation) -> User:
    return organisation.memberships.leads().get().user


def _little_acorns(organisation, officer, demo):
    """Withdrew an earlier application, has just applied again, not yet assigned."""
    lead = _lead_of(organisation)
    earlier = _apply(organisation, lead)
    services.application_withdraw(
        application=earlier, by=lead, reason="Our lead went on maternity leave; we will apply again."
    )
    _apply(organisation, lead)


def _cedar_vale(organisation, officer, demo):
    """Assigned; the school has offered dates for the initial visit."""
    lead = _lead_of(organisation)
    application = _apply(
        organisation,
        lead,
        package=Application.Package.BESPOKE,
        bespoke_note="Support adapting the policy for pupils with complex needs.",
    )
    services.application_assign(application=application, officer=officer, by=officer)
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    services.visit_request(
        application=application,
        by=lead,
        kind=Visit.Kind.INITIAL,
        mode=Visit.Mode.IN_PERSON,
        preferred=[now + datetime.timedelta(days=8, hours=1), now + datetime.timedelta(days=9, hours=2)],
        note="Our SENCo and deputy head will join.",
    )


def _abbeygate(organisation, officer, demo):
    """School A: evidencing, some evidence accepted, one item needs changes, a member's
    draft, an overdue action, a monitoring visit next week."""
    lead = _lead_of(organisation)
    application = _apply(organisation, lead)
    services.application_assign(application=application, officer=officer, by=officer)
    _visit_done(application, officer, days_ago=40)
    _plan(application, lead, officer)
    criteria = list(Criterion.objects.filter(standard__scheme=application.scheme)[:5])
    policy = services.evidence_add(
        application=application,
        by=lead,
        criteria=criteria[:1],
        title="Anti-bullying policy 2026",
        kind=Evidence.Kind.FILE,
        file=ContentFile(_DEMO_PDF, name="policy.pdf"),
        original_filename="Anti-bullying policy 2026.pdf",
        content_type="application/pdf",
        size=len(_DEMO_PDF),
    )
    _submit_and_review(policy, lead, officer, Evidence.Status.ACCEPTED)
    records = services.evidence_add(
        application=application,
        by=lead,
        criteria=criteria[1:2],
        title="How we record incidents",
        kind=Evidence.Kind.STATEMENT,
        statement="All incidents are logged by the class teacher on the day.",
    )
    _submit_and_review(
        records,
        lead,
        officer,
        Evidence.Status.CHANGES_REQUESTED,
        "Please include an anonymised example record and say who reviews the log.",
    )
    survey = services.evidence_add(
        application=application,
        by=lead,
        criteria=criteria[2:3],
        title="Pupil survey results",
        kind=Evidence.Kind.LINK,
        url="https://example.org/abbeygate/pupil-survey-2026",
    )
    services.evidence_submit(evidence=survey, by=lead)
    member = demo.people.get("member.a@ppp.example")
    if member:
        services.evidence_add(
            application=application,
            by=member,
            criteria=criteria[3:4],
            title="Governor minutes (draft)",
            kind=Evidence.Kind.STATEMENT,
            statement="Minutes of the spring term meeting to follow.",
        )
    services.visit_schedule(
        application=application,
        by=officer,
        kind=Visit.Kind.MONITORING,
        mode=Visit.Mode.ONLINE,
        starts_at=timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + datetime.timedelta(days=6),
        location="Microsoft Teams (link sent by email)",
    )


def _submit_and_review(evidence, lead, officer, decision, comment=""):
    services.evidence_submit(evidence=evidence, by=lead)
    services.evidence_review(
        evidence=evidence, by=officer, decision=decision, comment=comment, seen_status=Evidence.Status.SUBMITTED
    )


def _submitted_for_assessment(organisation, officer, visit_days_ago) -> Application:
    lead = _lead_of(organisation)
    application = _apply(organisation, lead)
    services.application_assign(application=application, officer=officer, by=officer)
    _visit_done(application, officer, days_ago=visit_days_ago)
    _plan(application, lead, officer)
    _evidence_for_all(application, lead, officer)
    services.application_submit(application=application, by=lead)
    return application


def _dovecote(organisation, officer, demo):
    """Submitted for assessment, evidence accepted: ready to award."""
    _submitted_for_assessment(organisation, officer, 120)


def _brookfield(organisation, officer, demo):
    """School B: accredited a month ago, with a certificate."""
    application = _submitted_for_assessment(organisation, officer, 200)
    awarded_on = timezone.localdate() - datetime.timedelta(days=30)
    services.application_award(application=application, by=officer, awarded_on=awarded_on)


def _elmfield(organisation, officer, demo):
    """Accredited about three years ago, expiring within 90 days (it can re-accredit now)."""
    application = _submitted_for_assessment(organisation, officer, 400)
    awarded_on = add_months(timezone.localdate(), -application.scheme.validity_months) + datetime.timedelta(days=45)
    services.application_award(application=application, by=officer, awarded_on=awarded_on)


def _foxglove(organisation, officer, demo):
    """Accredited four years ago; the award has expired."""
    today = timezone.localdate()
    application = _submitted_for_assessment(organisation, officer, 1500)
    award = services.application_award(
        application=application, by=officer, awarded_on=today - datetime.timedelta(days=4 * 365)
    )
    services.award_expire(award=award, today=today)


STORIES = {
    "nursery": _little_acorns,
    "special": _cedar_vale,
    "school_a": _abbeygate,
    "dovecote": _dovecote,
    "school_b": _brookfield,
    "elmfield": _elmfield,
    "foxglove": _foxglove,
}


@demo_seeders.register
def seed(demo):
    organisations = _schools(demo)
    for key, story in STORIES.items():
        if not Application.objects.filter(organisation=organisations[key]).exists():
            story(organisations[key], demo.officer, demo)
    # Foxglove also held the council's earlier award, before PPP.
    LegacyAward.objects.get_or_create(
        organisation=organisations["foxglove"],
        defaults={
            "awarded_on": datetime.date(2022, 7, 1),
            "expires_on": datetime.date(2025, 7, 1),
            "level": "Silver",
            "notes": "Imported from the 2022 award list.",
        },
    )
    demo.stdout.write("Award demo: schools in every state of the workflow.")


# A tiny valid PDF, for the demo's uploaded policy.
_DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
