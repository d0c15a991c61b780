from tests.accreditation import factories as award
from tests.security.sweeping import Case

from .factories import book, completed_session, make_session


def _booking(w):
    return {"booking": book(make_session(), w.school_a, w.alice)[0].public_id}


def _record(w):
    return {"slug": w.school_a.slug}


def _attach(w):
    application = award.evidencing(w.school_a, w.alice, w.officer)
    completed_session(w.school_a, w.alice, w.officer, attended=1)
    return {"application": application.public_id, "criterion": "2.1"}


def _training_evidence_attached(w, kw):
    from accreditation.models import Evidence

    return Evidence.objects.filter(application__public_id=kw["application"], criteria__code="2.1").exists()


OFFICERS_ONLY = (
    "officers only, and not organisation-owned: officer_required gives anyone else signed in a 403 "
    "(tests/training/test_officer_pages.py walks every officer URL for each role)"
)

SWEEP = {
    "training:booking": Case(_booking),
    "training:booking-cancel": Case(_booking, owner="bob"),
    "training:booking-substitute": Case(_booking, owner="bob"),
    "training:record": Case(_record),
    "training:record-csv": Case(_record, owner="bob"),
    # Officers may look at a school's award but do not attach its evidence: they are sent back with a message.
    "training:award-attach": Case(
        _attach, method="post", success=302, effect=_training_evidence_attached, officer_may=False
    ),
}

EXEMPT = {
    "training:course": "public by design: a course page of the catalogue",
    "training:session": "public by design: a session's details; its joining link shows only to a confirmed "
    "attendee's organisation (tests/training/test_pages.py proves it)",
    "training:book": "any school's lead or member books a public session for their own organisation; the "
    "organisation comes from the signed-in membership, never the URL (tests/training/test_pages.py)",
    "training:evaluate": "a secret token link for one attendee without an account (tests/training/test_pages.py)",
    "training:register": OFFICERS_ONLY,
    "training:attendance": OFFICERS_ONLY,
    "training:complete": OFFICERS_ONLY,
    "training:certificates": OFFICERS_ONLY,
    "training:sign-in-sheet": OFFICERS_ONLY,
    "training:session-cancel": OFFICERS_ONLY,
    "training:capacity": OFFICERS_ONLY,
    "training:go-ahead": OFFICERS_ONLY,
    "training:session-evaluations": OFFICERS_ONLY,
    "training:batch": OFFICERS_ONLY,
    "training:batch-retry": OFFICERS_ONLY,
    "training:batch-cancel": OFFICERS_ONLY,
    "training:course-evaluations": OFFICERS_ONLY,
    "training:charge-mark": OFFICERS_ONLY,
}
