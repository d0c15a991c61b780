"""Every survey URL with an object argument. Council officers get 404 on all of them: a
school's round, its results and what pupils wrote are the school's alone."""

from ppp.audit.models import AuditEvent
from surveys.models import Round
from tests.security.sweeping import Case
from tests.surveys.factories import answer_many, open_round


def _round(w):
    round_, token = open_round(w.school_a, w.alice)
    w.survey_token = token
    return {"pk": round_.public_id}


def _answered(w):
    round_, token = open_round(w.school_a, w.alice)
    answer_many(round_, 12)
    w.survey_token = token
    return round_


def _with_answers(w):
    return {"pk": _answered(w).public_id}


def _attachable(w):
    """A round closed with enough answers to show figures: only such a round's summary goes
    to the award."""
    from django.utils import timezone

    from tests.accreditation import factories as award

    application = award.evidencing(w.school_a, w.alice, w.officer)
    round_ = _answered(w)
    Round.objects.filter(pk=round_.pk).update(closed_at=timezone.now())
    return {"pk": round_.public_id, "application": application.public_id, "criterion": "3.1"}


def _closed(w, kwargs):
    return Round.objects.get(public_id=kwargs["pk"]).closed_at is not None


def _on_register(w, kwargs):
    return Round.objects.get(public_id=kwargs["pk"]).on_register


def _printed(w, kwargs):
    return AuditEvent.objects.filter(action="surveys.poster_printed").exists()


def _attached(w, kwargs):
    from accreditation.models import Evidence

    return Evidence.objects.filter(application__public_id=kwargs["application"]).exists()


NO = 404

SWEEP = {
    "surveys:round": Case(_with_answers, officer=NO),
    "surveys:round-extend": Case(_round, officer=NO),
    "surveys:round-close": Case(_round, method="post", success=302, officer=NO, effect=_closed),
    "surveys:round-register": Case(
        _round, method="post", data={"on_register": "on"}, success=302, officer=NO, effect=_on_register
    ),
    "surveys:round-poster": Case(
        _round, method="post", data=lambda w: {"link": w.survey_token}, officer=NO, effect=_printed
    ),
    "surveys:round-pdf": Case(_with_answers, officer=NO),
    "surveys:round-comments": Case(_with_answers, officer=NO),
    "surveys:award-attach": Case(_attachable, method="post", success=302, officer=NO, effect=_attached),
}

EXEMPT = {
    "surveys:answer-start": "a round's secret survey link, public by design, no sign-in "
    "(tests/surveys/test_answering.py: unknown token 404, closed round 410)",
    "surveys:answer-page": "a page of a round's public survey (tests/surveys/test_answering.py)",
    "surveys:answer-send": "sending a round's public survey (tests/surveys/test_answering.py)",
    "surveys:answer-next": "clearing a device for the next person (tests/surveys/test_answering.py)",
}
