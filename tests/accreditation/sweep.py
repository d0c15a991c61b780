import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from accreditation import services
from accreditation.models import ActionItem, Application, Award, Evidence, Scheme, Visit
from tests.accreditation import factories as f
from tests.factories import make_officer
from tests.security.sweeping import Case


def _app(w):
    return {"pk": f.apply(w.school_a, w.alice).public_id}


def _evidencing(w):
    return f.evidencing(w.school_a, w.alice, w.officer)


def _evidence(w):
    return {"pk": f.statement(_evidencing(w), w.alice).public_id}


def _evidence_application(w):
    application = _evidencing(w)
    f.statement(application, w.alice)
    return {"pk": application.public_id}


def _file_evidence(w):
    application = _evidencing(w)
    first = application.scheme.standards.first().criteria.first()
    evidence = services.evidence_add(
        application=application,
        by=w.alice,
        criteria=[first],
        title="Policy",
        kind=Evidence.Kind.FILE,
        file=ContentFile(f.PDF, name="policy.pdf"),
        original_filename="policy.pdf",
        content_type="application/pdf",
        size=len(f.PDF),
    )
    return {"pk": evidence.public_id}


def _scheduled_visit(w):
    application = f.apply(w.school_a, w.alice)
    visit = services.visit_schedule(
        application=application,
        by=w.officer,
        kind=Visit.Kind.INITIAL,
        mode=Visit.Mode.ONLINE,
        starts_at=timezone.now() + datetime.timedelta(days=3),
    )
    return {"pk": visit.public_id}


def _completed_visit(w):
    return {"pk": f.initial_visit_done(f.apply(w.school_a, w.alice), w.officer).public_id}


def _action(w):
    application = f.planning(w.school_a, w.alice, w.officer)
    item = services.action_item_save(
        application=application, by=w.alice, action="Do it", owner="Head", due_date=timezone.localdate()
    )
    return {"pk": item.public_id}


def _ready_to_submit(w):
    application = _evidencing(w)
    f.all_evidence(application, w.alice, accept=False)
    return {"pk": application.public_id}


def _status_is(status):
    return lambda w, kw: Application.objects.get(public_id=kw["pk"]).status == status


def _planning_with_actions(w):
    application = f.planning(w.school_a, w.alice, w.officer)
    services.action_item_save(
        application=application, by=w.alice, action="Do it", owner="Head", due_date=timezone.localdate()
    )
    return {"pk": application.public_id}


def _assessment(w):
    return {"pk": f.assessment(w.school_a, w.alice, w.officer).public_id}


def _awaiting_ratification(w):
    application = f.assessment(w.school_a, w.alice, w.officer)
    Scheme.objects.filter(pk=application.scheme_id).update(requires_ratification=True)
    application.scheme.refresh_from_db()
    services.application_award(application=application, by=make_officer("first-officer@example.org"))
    return {"pk": application.public_id}


def _ratified(w, kw):
    return Award.objects.filter(application__public_id=kw["pk"], status=Award.Status.ISSUED).exists()


def _assigned_to_officer(w, kw):
    return Application.objects.get(public_id=kw["pk"]).assigned_officer_id == w.officer.pk


def _action_gone(w, kw):
    return not ActionItem.objects.filter(public_id=kw["pk"]).exists()


def _submitted_evidence(w):
    evidence = f.statement(_evidencing(w), w.alice)
    services.evidence_submit(evidence=evidence, by=w.alice)
    return {"pk": evidence.public_id}


def _evidence_status(status):
    return lambda w, kw: Evidence.objects.get(public_id=kw["pk"]).status == status


def _requested_visit(w):
    application = f.apply(w.school_a, w.alice)
    soon = timezone.now() + datetime.timedelta(days=5)
    visit = services.visit_request(
        application=application,
        by=w.alice,
        kind=Visit.Kind.INITIAL,
        mode=Visit.Mode.ONLINE,
        preferred=[soon, soon + datetime.timedelta(days=1)],
    )
    return {"pk": visit.public_id}


def _visit_in_the_past(w):
    visit = Visit.objects.get(public_id=_scheduled_visit(w)["pk"])
    Visit.objects.filter(pk=visit.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    return {"pk": visit.public_id}


def _visit_status(status):
    return lambda w, kw: Visit.objects.get(public_id=kw["pk"]).status == status


SWEEP = {
    "accreditation:application-detail": Case(_app),
    "accreditation:application-assign": Case(
        _app,
        method="post",
        success=302,
        owner="officer",
        data=lambda w: {"assign-officer": w.officer.pk},
        effect=_assigned_to_officer,
    ),
    "accreditation:application-agree-plan": Case(
        _planning_with_actions,
        method="post",
        success=302,
        owner="officer",
        effect=_status_is(Application.Status.EVIDENCING),
    ),
    # The lead submits; an officer pressing it is refused with a message and nothing changes.
    "accreditation:application-submit": Case(
        _ready_to_submit,
        method="post",
        success=302,
        effect=_status_is(Application.Status.ASSESSMENT),
        officer_may=False,
    ),
    "accreditation:application-return": Case(
        _assessment,
        method="post",
        success=302,
        owner="officer",
        data={"return-note": "A parent survey, please."},
        effect=_status_is(Application.Status.EVIDENCING),
    ),
    "accreditation:application-award": Case(
        _assessment, method="post", success=302, owner="officer", effect=_status_is(Application.Status.ACCREDITED)
    ),
    "accreditation:application-ratify": Case(
        _awaiting_ratification, method="post", success=302, owner="officer", effect=_ratified
    ),
    "accreditation:application-withdraw": Case(
        _app,
        method="post",
        success=302,
        data={"withdraw-reason": "Closing"},
        effect=_status_is(Application.Status.WITHDRAWN),
    ),
    "accreditation:self-review": Case(_app),
    "accreditation:action-plan": Case(_app),
    "accreditation:action-plan-csv": Case(_app),
    "accreditation:action-plan-pdf": Case(_app),
    "accreditation:evidence-add": Case(lambda w: {"pk": _evidencing(w).public_id}, owner="bob"),
    "accreditation:visit-new": Case(_app),
    "accreditation:award-logo": Case(lambda w: {"pk": f.accredited(w.school_a, w.alice, w.officer).public_id}),
    "accreditation:award-logo-png": Case(lambda w: {"pk": f.accredited(w.school_a, w.alice, w.officer).public_id}),
    "accreditation:action-edit": Case(_action, owner="bob"),
    "accreditation:action-delete": Case(_action, method="post", success=302, owner="bob", effect=_action_gone),
    "accreditation:evidence-detail": Case(_evidence, owner="bob"),
    "accreditation:evidence-edit": Case(_evidence, owner="bob"),
    "accreditation:evidence-download": Case(_file_evidence, owner="bob"),
    # The lead submits evidence; officers do not submit it for the school.
    "accreditation:evidence-submit": Case(
        _evidence, method="post", success=302, effect=_evidence_status(Evidence.Status.SUBMITTED), officer_may=False
    ),
    # The lead's page to submit several drafts at once; officers do not submit for the school.
    "accreditation:evidence-submit-drafts": Case(_evidence_application, officer=403),
    "accreditation:evidence-review": Case(
        _submitted_evidence,
        method="post",
        success=302,
        owner="officer",
        data={"review-decision": "accepted", "review-seen_status": "submitted"},
        effect=_evidence_status(Evidence.Status.ACCEPTED),
    ),
    "accreditation:visit-detail": Case(_scheduled_visit),
    "accreditation:visit-confirm": Case(
        _requested_visit,
        method="post",
        success=302,
        owner="officer",
        data={"confirm-choice": "0", "confirm-mode": "online", "confirm-duration_minutes": "90"},
        effect=_visit_status(Visit.Status.SCHEDULED),
    ),
    "accreditation:visit-record": Case(
        _visit_in_the_past,
        method="post",
        success=302,
        owner="officer",
        data={
            "record-report": "A good visit.",
            # When it happened: yesterday morning (the form offers the booked time; any past time will do).
            **dict(
                zip(
                    ("record-date_0", "record-date_1", "record-date_2"),
                    f"{timezone.localdate() - datetime.timedelta(days=1):%-d %-m %Y}".split(),
                    strict=True,
                )
            ),
            "record-time": "10:00",
        },
        effect=_visit_status(Visit.Status.COMPLETED),
    ),
    "accreditation:visit-cancel": Case(
        _scheduled_visit,
        method="post",
        success=302,
        data={"cancel-reason": "Snow"},
        effect=_visit_status(Visit.Status.CANCELLED),
    ),
    "accreditation:visit-ics": Case(_scheduled_visit),
    "accreditation:visit-report": Case(_completed_visit),
}
