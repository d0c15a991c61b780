"""Every incident URL with an object argument. Council officers get 404 on all of them:
officers never see an identifiable incident (their `for_user` is empty). Each POST case
names its effect (checked after every request); tests/incidents/test_pages.py has more."""

from incidents import services
from incidents.models import Incident, IncidentNote, IncidentRole, PupilMessage, Status
from tests.incidents.factories import involve, pupil_report, record, triage
from tests.security.sweeping import Case


def _open(w):
    return {"pk": record(w.school_a, w.alice).public_id}


def _new(w):
    incident, _code = pupil_report(w.school_a, w.alice)
    return {"pk": incident.public_id}


def _from_pupil(w):
    incident, _code = pupil_report(w.school_a, w.alice)
    triage(incident, w.alice)
    return {"pk": incident.public_id}


def _resolved(w):
    incident = record(w.school_a, w.alice)
    services.incident_resolve(incident=incident, by=w.alice, outcome="It stopped.")
    return {"pk": incident.public_id}


def _involvement(w):
    return {"pk": involve(record(w.school_a, w.alice), w.alice, "AB").public_id}


def _application(w):
    from tests.accreditation import factories as award

    return {"application": award.evidencing(w.school_a, w.alice, w.officer).public_id, "criterion": "1.2"}


def _bob_membership(w):
    return {"pk": w.bob.memberships.get(organisation=w.school_a).public_id}


def _bob_role_data(w):
    return {f"{w.bob.memberships.get(organisation=w.school_a).public_id}-can_record": "on"}


def _closed(w, kwargs):
    return Incident.objects.get(public_id=kwargs["pk"]).status == Status.CLOSED


def _noted(w, kwargs):
    return IncidentNote.objects.filter(incident__public_id=kwargs["pk"]).exists()


def _replied(w, kwargs):
    return PupilMessage.objects.filter(incident__public_id=kwargs["pk"], sender=PupilMessage.Sender.SCHOOL).exists()


def _attached(w, kwargs):
    from accreditation.models import Evidence

    return Evidence.objects.filter(application__public_id=kwargs["application"]).exists()


def _granted(w, kwargs):
    return IncidentRole.objects.filter(membership__public_id=kwargs["pk"], can_record=True).exists()


NO = 404  # what an officer gets on every incident URL

SWEEP = {
    "incidents:detail": Case(_open, officer=NO),
    "incidents:edit": Case(_open, officer=NO),
    "incidents:triage": Case(_new, officer=NO),
    "incidents:dismiss": Case(_new, officer=NO),
    "incidents:review": Case(_open, officer=NO),
    "incidents:resolve": Case(_open, officer=NO),
    "incidents:close": Case(_resolved, method="post", success=302, officer=NO, effect=_closed),
    "incidents:reopen": Case(_resolved, officer=NO),
    "incidents:note-add": Case(
        _open, method="post", success=302, data={"body": "Spoke to AB."}, officer=NO, effect=_noted
    ),
    "incidents:reply": Case(
        _from_pupil, method="post", success=302, data={"body": "Thank you."}, officer=NO, effect=_replied
    ),
    "incidents:print": Case(_open, officer=NO),
    "incidents:involvement-new": Case(_open, officer=NO),
    "incidents:involvement-edit": Case(_involvement, officer=NO),
    "incidents:pupil-history": Case(_involvement, officer=NO),
    "incidents:involvement-remove": Case(_involvement, officer=NO),
    "incidents:award-attach": Case(_application, method="post", success=302, officer=NO, effect=_attached),
    "incidents:role-set": Case(
        _bob_membership, method="post", success=302, data=_bob_role_data, officer=NO, effect=_granted
    ),
}

EXEMPT = {
    "incidents:tell": "a pupil's secret reporting link, public by design, no sign-in "
    "(tests/incidents/test_tell.py: unknown token 404, retired link 410, nothing stored on bad input)",
}
