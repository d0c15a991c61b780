"""Build applications in any state through the real services."""

import datetime

from django.utils import timezone

from accreditation import services
from accreditation.models import Application, Award, Criterion, Evidence, Scheme, Visit
from ppp.certificates.services import certificate_issue
from tests.factories import MembershipFactory, OrganisationFactory

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)


def one_page_pdf() -> bytes:
    """A real (blank, one-page) PDF: uploads are parsed, so a fragment would be refused."""
    import io

    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True)
    return buffer.getvalue()


PDF = one_page_pdf()


def apply(organisation, lead, **extra) -> Application:
    return services.application_apply(
        organisation=organisation,
        scheme=Scheme.current(),
        by=lead,
        contact_name="Alice",
        contact_email=lead.email,
        accept_terms=True,
        **extra,
    )


def initial_visit_done(application, officer) -> Visit:
    visit = services.visit_schedule(
        application=application,
        by=officer,
        kind=Visit.Kind.INITIAL,
        mode=Visit.Mode.IN_PERSON,
        starts_at=timezone.now() + datetime.timedelta(days=1),
    )
    Visit.objects.filter(pk=visit.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    return services.visit_complete(visit=visit, by=officer, report="Good start.")


def planning(organisation, lead, officer) -> Application:
    application = apply(organisation, lead)
    initial_visit_done(application, officer)
    application.refresh_from_db()
    return application


def evidencing(organisation, lead, officer) -> Application:
    application = planning(organisation, lead, officer)
    services.action_item_save(
        application=application,
        by=lead,
        action="Write the policy",
        owner="Head",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    services.action_plan_agree(application=application, by=officer)
    application.refresh_from_db()
    return application


def statement(application, by, criteria=None, title="Our practice") -> Evidence:
    criteria = criteria or [Criterion.objects.filter(standard__scheme=application.scheme).first()]
    return services.evidence_add(
        application=application,
        by=by,
        criteria=criteria,
        title=title,
        kind=Evidence.Kind.STATEMENT,
        statement="What we do.",
    )


def all_evidence(application, lead, officer=None, accept=True):
    items = []
    for criterion in Criterion.objects.filter(standard__scheme=application.scheme):
        evidence = statement(application, lead, [criterion], f"For {criterion.code}")
        services.evidence_submit(evidence=evidence, by=lead)
        if officer and accept:
            services.evidence_review(evidence=evidence, by=officer, decision="accepted", seen_status="submitted")
        items.append(evidence)
    return items


def assessment(organisation, lead, officer) -> Application:
    application = evidencing(organisation, lead, officer)
    all_evidence(application, lead, officer)
    services.application_submit(application=application, by=lead)
    application.refresh_from_db()
    return application


def accredited(organisation, lead, officer, **award) -> Application:
    application = assessment(organisation, lead, officer)
    services.application_award(application=application, by=officer, **award)
    application.refresh_from_db()
    return application


def _bare_application(status: str, officer) -> Application:
    school = OrganisationFactory()
    lead = MembershipFactory(organisation=school, role="lead").user
    return Application.objects.create(
        organisation=school,
        scheme=Scheme.current(),
        contact_name="x",
        contact_email=lead.email,
        terms_accepted_at=timezone.now(),
        created_by=lead,
        status=status,
        assigned_officer=officer,
    )


def many_accredited(n: int, officer) -> None:
    """`n` accredited schools, built directly (quick) for query-count tests."""
    today = timezone.localdate()
    for _ in range(n):
        application = _bare_application(Application.Status.ACCREDITED, officer)
        award = Award.objects.create(
            application=application,
            awarded_on=today,
            status=Award.Status.ISSUED,
            expires_on=today + datetime.timedelta(days=60),
            awarded_by=officer,
        )
        school = application.organisation
        award.certificate = certificate_issue(
            source=award,
            kind="award",
            holder=school.name,
            title="PPP Award",
            valid_from=today,
            by=officer,
            organisation=school,
        )
        award.save()


def many_evidencing(n: int, officer) -> None:
    """`n` schools gathering evidence, each with an item waiting and a visit this week."""
    for _ in range(n):
        application = _bare_application(Application.Status.EVIDENCING, officer)
        evidence = Evidence.objects.create(
            application=application,
            title="Item",
            kind="statement",
            statement="x",
            status=Evidence.Status.SUBMITTED,
            submitted_at=timezone.now(),
            created_by=application.created_by,
        )
        evidence.criteria.set([Criterion.objects.filter(standard__scheme=application.scheme).first()])
        Visit.objects.create(
            application=application,
            kind="monitoring",
            status=Visit.Status.SCHEDULED,
            starts_at=timezone.now() + datetime.timedelta(days=2),
        )
