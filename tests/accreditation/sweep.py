import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from accreditation import services
from accreditation.models import Application, Evidence, Visit
from tests.accreditation import factories as f
from tests.security.sweeping import Case


def _app(w):
    return {"pk": f.apply(w.school_a, w.alice).public_id}


def _evidencing(w):
    return f.evidencing(w.school_a, w.alice, w.officer)


def _evidence(w):
    return {"pk": f.statement(_evidencing(w), w.alice).public_id}


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
    return {"pk": application.public_id, "action": "submit"}


def _in_assessment(w, kw):
    return Application.objects.get(public_id=kw["pk"]).status == Application.Status.ASSESSMENT


SWEEP = {
    "accreditation:application-detail": Case(_app),
    "accreditation:application-action": Case(
        _ready_to_submit, method="post", success=302, effect=_in_assessment, officer_may=False
    ),
    "accreditation:self-review": Case(_app),
    "accreditation:action-plan": Case(_app),
    "accreditation:action-plan-csv": Case(_app),
    "accreditation:action-plan-pdf": Case(_app),
    "accreditation:evidence-add": Case(lambda w: {"pk": _evidencing(w).public_id}, owner="bob"),
    "accreditation:visit-new": Case(_app),
    "accreditation:award-logo": Case(lambda w: {"pk": f.accredited(w.school_a, w.alice, w.officer).public_id}),
    "accreditation:action-edit": Case(_action, owner="bob"),
    "accreditation:evidence-detail": Case(_evidence, owner="bob"),
    "accreditation:evidence-edit": Case(_evidence, owner="bob"),
    "accreditation:evidence-download": Case(_file_evidence, owner="bob"),
    "accreditation:visit-detail": Case(_scheduled_visit),
    "accreditation:visit-ics": Case(_scheduled_visit),
    "accreditation:visit-report": Case(_completed_visit),
}
