"""The council's pupil voice figures as releases: one per audience and closed term, made
once (docs/adr/0071), as the incident figures are (`incidents.releases`, docs/figures.md).

`publish(term)` counts each audience's figures for the term from the tallies
(`reports.council_views`: every tally of every round that ended in the term, 123,763 rows
at the bench's 10 %), checks each question's system exactly (`ppp.disclosure.check`) and
stores what the page shows (`CouncilRelease.figures`) with the published figures and
relations (`system`) to check again. A release that fails the check is refused and nothing
is stored; a term is published only once it has ended (`is_due`). The council page and its
CSV read the stored release, a few kilobytes, whatever the number of rounds.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents.selectors import Term
from ppp import disclosure as shared
from ppp.accounts.models import Organisation
from ppp.errors import DomainError

from . import disclosure, reports
from .models import Audience, CouncilRelease, Question, QuestionSet

log = logging.getLogger(__name__)


class ReleaseRefused(DomainError):
    """A release cannot be made (the term has not ended) or failed the disclosure check."""


__all__ = ["ReleaseRefused", "due_terms", "figures_of", "is_due", "publish", "stored_published"]


def is_due(term: Term, today: datetime.date | None = None) -> bool:
    """A term's figures may be published once it has ended: every round that ended in it
    has closed, so no answer can change them."""
    return (today or timezone.localdate()) >= term.end


def _stored_rows(rows: list[reports.CouncilRow]) -> list[list]:
    return [[row.label, row.settings, row.base, row.positive] for row in rows]


def publish_audience(term: Term, audience: str, *, today: datetime.date | None = None) -> CouncilRelease:
    """Make the release of `term` for `audience` once: count, check exactly, store. A term
    already released is returned as it is; an open term or a failed check is refused."""
    existing = CouncilRelease.objects.filter(year=term.year, term=term.key, audience=audience).first()
    if existing is not None:
        return existing
    if not is_due(term, today):
        raise ReleaseRefused(f"The figures for the {term.label} cannot be published before the term has ended.")
    views = reports.council_views(audience, term, dict(Organisation.Kind.choices))
    release = CouncilRelease(
        year=term.year,
        term=term.key,
        audience=audience,
        rule_version=disclosure.RULE_VERSION,
        settings_count=views.settings_count,
    )
    if views.enough and views.questions:
        published = [disclosure.release_of(tables[0]) for tables in views.tables]
        problems = [problem for one in published for problem in shared.check(one)]
        if problems:
            log.error("Survey release %s %s refused: %s", term.slug, audience, "; ".join(map(str, problems[:10])))
            raise ReleaseRefused(
                f"The figures for the {term.label} failed the disclosure check and were not published."
            )
        release.figures = {
            by: [[text, _stored_rows(rows[by])] for text, rows in views.questions] for by in reports.COUNCIL_GROUPINGS
        }
        release.figures["counted"] = views.counted  # each question's answer counted, in the same order
        release.system = [shared.stored(one) for one in published]
    try:
        with transaction.atomic():
            release.save()
    except IntegrityError:  # published by another run meanwhile
        return CouncilRelease.objects.get(year=term.year, term=term.key, audience=audience)
    return release


def publish(term: Term, *, today: datetime.date | None = None) -> list[CouncilRelease]:
    """The term's release for every audience (one with no figures where too few settings
    asked it), all or none: if one audience's figures are refused, nothing is stored."""
    with transaction.atomic():
        return [publish_audience(term, audience, today=today) for audience in Audience.values]


def stored_published(release: CouncilRelease) -> list[shared.Published]:
    """Each question's stored figures as a reader has them, for `ppp.disclosure.check`."""
    return [shared.from_stored(release.rule_version, data) for data in release.system]


def figures_of(release: CouncilRelease, by: str) -> reports.CouncilFigures:
    """What the page and the CSV show: the release's rows for one grouping, with the answer
    each question counts."""
    question_rows = [(text, [reports.CouncilRow(*row) for row in rows]) for text, rows in release.figures.get(by, [])]
    counted = release.figures.get("counted")
    if counted is None:
        counted = _counted_by_text(release.audience, [text for text, _rows in question_rows])
    return reports.CouncilFigures(
        audience=release.audience,
        term=release.period.label,
        question_rows=question_rows,
        enough=release.published,
        counted=counted,
    )


def _counted_by_text(audience: str, texts: list[str]) -> list[str]:
    """For a release stored before it kept the answers counted: each question's, from the
    newest published question set of the audience with that question (published sets never
    change). One query, only for such releases."""
    if not texts:
        return []
    found: dict[str, str] = {}
    questions = Question.objects.filter(
        question_set__audience=audience, question_set__status=QuestionSet.Status.PUBLISHED, text__in=texts
    ).order_by("-question_set__version")
    for question in questions:
        if question.positive:
            found.setdefault(question.text, reports.answer_counted(question))
    return [found.get(text, "") for text in texts]


def due_terms(today: datetime.date | None = None) -> list[Term]:
    """Terms that rounds with answers ended in, that have ended, and lack a release for
    some audience, oldest first (2 queries)."""
    today = today or timezone.localdate()
    terms = {term for term in map(Term.from_slug, reports.terms_with_rounds()) if term is not None}
    done: dict[tuple[int, str], int] = {}
    for year, key in CouncilRelease.objects.values_list("year", "term"):
        done[(year, key)] = done.get((year, key), 0) + 1
    due = [t for t in terms if is_due(t, today) and done.get((t.year, t.key), 0) < len(Audience.values)]
    return sorted(due, key=lambda t: t.start)
