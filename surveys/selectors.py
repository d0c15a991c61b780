"""Reads other apps and several pages use: what the award may take from surveys (a round's
summary, figures only, small numbers hidden), the self-review's headline figures, and the
school's home section."""

import copy
import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone

from accreditation.selectors import attached_criterion_codes, last_award_date, scheme_criterion_codes
from ppp.audit.models import AuditEvent
from ppp.home import HomeSection, HomeTask, home_sections
from ppp.offers import (
    CriterionFigures,
    DistanceTravelled,
    EvidenceOffer,
    criterion_figure_sources,
    distance_travelled_sources,
    evidence_offer_sources,
)
from ppp.register import register_note_sources
from ppp.tokens import hash_token

from . import disclosure, permissions
from .models import PUPIL_AUDIENCES, Audience, CouncilRelease, Question, QuestionSet, Response, Round

# The award's criteria about hearing pupils and working with families.
EVIDENCE_CRITERIA = {
    "3.1": "Children and young people feel safe, and this is checked regularly by asking them",
    "3.2": "Children and young people are heard",
    "4.1": "Parents and carers are informed and their views sought",
}
AUDIENCES_FOR = {
    "3.1": PUPIL_AUDIENCES,
    "3.2": PUPIL_AUDIENCES,
    "4.1": {Audience.PARENTS},
}


def award_date(organisation):
    return last_award_date(organisation)


def evidence_title(round_: Round) -> str:
    """The title of a round's summary attached to the award. It names the round's dates and
    answers as they are once it has closed, so a summary attached before the round closed
    (titled by its opening date only) never stands for the final figures: the award page
    recognises what is attached by title (`attached_criterion_codes`)."""
    return (
        f"Survey summary: {round_.audience_label}, {round_.opens_on:%-d %B %Y} to {round_.ended_on:%-d %B %Y}, "
        f"{round_.response_count} answers"
    )


def shows_figures(round_: Round, today: datetime.date | None = None) -> bool:
    """Whether a round's figures can stand for the school: it has closed (early, or its
    closing date has passed) and has at least as many answers as the disclosure rule needs
    to show anything (`disclosure.MIN_GROUP`, 10)."""
    return round_.status(today) == "Closed" and round_.response_count >= disclosure.MIN_GROUP


def not_attachable_message(round_: Round) -> str:
    """Why a round's summary cannot go to the award (`shows_figures` is false)."""
    if round_.status() != "Closed":
        return "This survey round has not closed yet: attach its summary once it has, with its final figures."
    return (
        f"This survey round had {round_.response_count} answers: too few to show any figures, which need at least "
        f"{disclosure.MIN_GROUP}, so its summary cannot be attached."
    )


def _closed(today: datetime.date) -> Q:
    return Q(closed_at__isnull=False) | Q(closes_on__lt=today)


def _latest_rounds(organisation, limit: int = 10) -> list[Round]:
    """The school's rounds whose figures can stand for it (`shows_figures`), the one that
    ended last first: the newest `limit`, a year or two of a school's rounds."""
    today = timezone.localdate()
    rounds = (
        Round.objects.filter(_closed(today), organisation=organisation, response_count__gte=disclosure.MIN_GROUP)
        .select_related("question_set")
        .order_by("-closes_on", "-id")[:limit]
    )
    return sorted(rounds, key=lambda r: (r.ended_on, r.pk), reverse=True)


def _rounds_without_figures(organisation, limit: int = 10) -> list[Round]:
    """The school's rounds that have opened but show no figures yet: still open, or closed
    with fewer answers than the disclosure rule needs, the newest first."""
    today = timezone.localdate()
    return list(
        Round.objects.filter(organisation=organisation, opens_on__lte=today)
        .filter(Q(closed_at__isnull=True, closes_on__gte=today) | Q(response_count__lt=disclosure.MIN_GROUP))
        .select_related("question_set")
        .order_by("-closes_on", "-id")[:limit]
    )


def _dates(round_: Round) -> str:
    return f"{round_.opens_on:%-d %B %Y} to {round_.ended_on:%-d %B %Y}"


def _why_not_shown(round_: Round, today: datetime.date) -> str:
    """A plain sentence on why a newer round's figures are not shown."""
    name = f"The survey of {round_.audience_label.lower()}"
    if round_.is_open(today):
        return (
            f"{name} that opened on {round_.opens_on:%-d %B %Y} is still open: "
            "its figures will show here once it has closed."
        )
    answers = "no answers" if round_.response_count == 0 else f"only {round_.response_count} answers"
    return (
        f"{name} from {_dates(round_)} had {answers}: too few to show any figures, "
        f"which need at least {disclosure.MIN_GROUP}."
    )


@evidence_offer_sources.register
def award_evidence_offers(application, user, evidence) -> list[EvidenceOffer]:
    """For the school's award page: attach the summary of the latest round that has closed
    with enough answers to show figures (`shows_figures`) for each audience to the criteria
    it shows, unless that summary is already attached."""
    organisation = application.organisation
    if not permissions.can_run_surveys(user, organisation):
        return []
    codes = scheme_criterion_codes(application.scheme, EVIDENCE_CRITERIA)
    if not codes:
        return []
    offers = []
    rounds = _latest_rounds(organisation)
    for code in sorted(codes):
        round_ = next((r for r in rounds if r.audience in AUDIENCES_FOR[code]), None)
        if round_ is None:
            continue
        title = evidence_title(round_)
        if code in attached_criterion_codes(application, evidence, title=title):
            continue
        offers.append(
            EvidenceOffer(
                criterion_code=code,
                title=(
                    f"The survey of {round_.audience_label.lower()} from {_dates(round_)} "
                    f"(closed, {round_.response_count} answers)"
                ),
                summary="Figures only, with small numbers hidden: no answers, no free text.",
                attach_url=reverse(
                    "surveys:award-attach",
                    kwargs={"pk": round_.public_id, "application": application.public_id, "criterion": code},
                ),
                button="Attach the survey summary",
                preview_url=reverse("surveys:round-pdf", kwargs={"pk": round_.public_id}),
            )
        )
    return offers


@criterion_figure_sources.register
def criterion_figures(application, user) -> list[CriterionFigures]:
    """For the self-review, beside each criterion surveys speak to: the headline figures of
    the latest round that has closed with enough answers to show figures (`shows_figures`),
    each naming the answer it counts, and a plain note on any newer round that is still
    open or had too few answers (so the figures shown are not taken for the newest)."""
    from .reports import round_results

    organisation = application.organisation
    if not permissions.can_run_surveys(user, organisation):
        return []
    codes = scheme_criterion_codes(application.scheme, EVIDENCE_CRITERIA)
    if not codes:
        return []
    today = timezone.localdate()
    rounds = _latest_rounds(organisation)
    pending = _rounds_without_figures(organisation)
    results_of: dict[int, list[str]] = {}
    out = []
    for code in sorted(codes):
        audiences = AUDIENCES_FOR[code]
        round_ = next((r for r in rounds if r.audience in audiences), None)
        newer = [
            r
            for r in pending
            if r.audience in audiences
            and (round_ is None or r.is_open(today) or (r.ended_on, r.pk) > (round_.ended_on, round_.pk))
        ]
        notes = [_why_not_shown(r, today) for r in newer[:3]]
        lines: list[str] = []
        if round_ is not None:
            if round_.pk not in results_of:
                results_of[round_.pk] = [
                    f"{r.question.text} {r.positive_percent}% answered {r.counted} "
                    f"({r.positive_count} of {r.positive_base})."
                    for r in round_results(round_).questions
                    if r.has_headline and r.positive_percent is not None
                ][:4]
            lines = results_of[round_.pk]
        if round_ is not None and lines:
            if notes:
                notes.append("So the figures above are from the latest survey that has closed with enough answers.")
            out.append(
                CriterionFigures(
                    criterion_code=code,
                    title=f"Latest closed survey of {round_.audience_label.lower()} ({_dates(round_)})",
                    lines=lines,
                    url=round_.get_absolute_url(),
                    notes=notes,
                )
            )
        elif notes:
            out.append(
                CriterionFigures(
                    criterion_code=code,
                    title="No survey figures to show yet",
                    lines=[],
                    url=newer[0].get_absolute_url(),
                    notes=notes,
                )
            )
    return out


@distance_travelled_sources.register
def distance_since_award(application, user) -> list[DistanceTravelled]:
    """For the re-accreditation page: for each audience, the latest round opened since the
    last award that has closed with enough answers to show figures (`shows_figures`),
    against the last round before the award, headline question by question, with whether
    the change is more than chance (reports.change_sentence). The school's staff only."""
    from .reports import distance_travelled, round_results

    organisation = application.organisation
    if not permissions.can_run_surveys(user, organisation):
        return []
    awarded_on = award_date(organisation)
    if awarded_on is None:
        return []
    out, seen = [], set()
    for round_ in _latest_rounds(organisation):
        if round_.audience in seen or round_.opens_on < awarded_on:
            continue
        seen.add(round_.audience)
        results = round_results(round_)
        distance_travelled(results, awarded_on)
        lines, before = [], None
        for result in results.questions:
            earlier = [c for c in result.comparisons if c.other.closes_on < awarded_on]
            if earlier:
                comparison = max(earlier, key=lambda c: (c.other.closes_on, c.other.pk))
                before = comparison.other
                lines.append(f"{result.question.text} {comparison.sentence}")
        if lines and before is not None:
            out.append(
                DistanceTravelled(
                    title=(
                        f"Survey of {round_.audience_label.lower()}: {round_.opens_on:%B %Y} against "
                        f"{before.opens_on:%B %Y}, before the award"
                    ),
                    lines=lines,
                    url=round_.get_absolute_url(),
                )
            )
    return out


ASKED_PUPILS = "Asked its pupils this year"


@register_note_sources.register
def register_notes(organisation_ids) -> dict[int, list[str]]:
    """For the public charter register: "Asked its pupils this year" where the organisation
    opened a pupil round in the last year and agreed, on that round, that the register may
    say so. Never a figure. One query for the whole page of entries."""
    today = timezone.localdate()
    asked = (
        Round.objects.filter(
            organisation_id__in=organisation_ids,
            on_register=True,
            question_set__audience__in=PUPIL_AUDIENCES,
            opens_on__lte=today,
            opens_on__gt=today - datetime.timedelta(days=365),
        )
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    return {organisation_id: [ASKED_PUPILS] for organisation_id in asked}


# What the comments page records in the audit trail when someone reads a round's free
# text, with the newest flagged answer it held (views.round_comments): the home page tells
# each reader of flagged answers that came in since they last read that round's.
COMMENTS_READ = "surveys.comments_view"


def comment_counts(rounds):
    """`rounds` (a Round QuerySet) with `comments` (answers with free text still held) and
    `flagged` (those flagged as suggesting a child may be at risk), counted in the same query
    through the free-text index."""

    def count(**filters):
        held = Response.objects.filter(round=OuterRef("pk"), comment__isnull=False, **filters)
        counted = held.order_by().values("round").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return rounds.annotate(comments=count(), flagged=count(comment_flagged=True))


def flagged_unread(user, organisation) -> list[tuple[Round, int]]:
    """The school's rounds holding free text flagged as suggesting a child may be at risk that
    came in since `user` last read the round's free text, newest round first, each with how
    many such answers. 2 queries, 3 when there are some, however many rounds and answers."""
    seen = dict(
        AuditEvent.objects.filter(actor=user, action=COMMENTS_READ, organisation=organisation)
        .annotate(upto=Cast(KeyTextTransform("flagged_upto", "detail"), IntegerField()))
        .order_by()
        .values("target_id")
        .annotate(seen=Max("upto"))
        .values_list("target_id", "seen")
    )
    flagged = Response.objects.filter(
        round__organisation=organisation, comment_flagged=True, comment__isnull=False
    ).values_list("round_id", "pk")
    unread: dict[int, int] = {}
    for round_id, pk in flagged:
        if pk > (seen.get(str(round_id)) or 0):
            unread[round_id] = unread.get(round_id, 0) + 1
    if not unread:
        return []
    rounds = Round.objects.filter(organisation=organisation, pk__in=unread).select_related("question_set")
    return [(r, unread[r.pk]) for r in rounds.order_by("-opens_on", "-id")]


def flagged_task(round_: Round, count: int) -> HomeTask:
    answers = "1 answer" if count == 1 else f"{count} answers"
    return HomeTask(
        f"{answers} flagged as suggesting a child may be at risk in the survey of "
        f"{round_.audience_label.lower()} from {round_.opens_on:%-d %B %Y}: read them",
        reverse("surveys:round-comments", kwargs={"pk": round_.public_id}),
        detail="Found by a list of words: it misses some and flags harmless uses. Read everything pupils wrote.",
    )


@home_sections.register
def home_section(user, membership) -> HomeSection | None:
    """For the lead (who runs surveys) and the staff who read pupils' free text: flagged
    answers they have not read yet, the lead's open rounds, and where the surveys are."""
    organisation = membership.organisation
    runs = permissions.can_run_surveys(user, organisation)
    reads = permissions.can_read_comments(user, organisation)
    if not (runs or reads):
        return None
    tasks = [flagged_task(round_, count) for round_, count in flagged_unread(user, organisation)] if reads else []
    if not runs:
        links = [HomeTask("What pupils wrote in your school's surveys", reverse("surveys:list"))]
        return HomeSection("Pupil voice surveys", tasks=tasks, links=links)
    today = timezone.localdate()
    open_rounds = list(
        Round.objects.filter(organisation=organisation, closes_on__gte=today, closed_at=None).select_related(
            "question_set"
        )
    )
    tasks += [
        HomeTask(
            f"Survey of {r.audience_label.lower()} open until {r.closes_on:%-d %B}: {r.response_count} answers so far",
            r.get_absolute_url(),
        )
        for r in open_rounds
        if r.opens_on <= today
    ]
    links = [HomeTask("Surveys", reverse("surveys:list")), HomeTask("Open a survey round", reverse("surveys:new"))]
    return HomeSection("Pupil voice surveys", tasks=tasks, links=links)


# The council page's choice of figures (docs/surveys.md, "Council figures")


def council_choice(audience: str | None, term_slug: str | None):
    """(audience, term, terms, release) for the council page: the terms that rounds ended
    in or that have a release, newest first, as `incidents.terms.Term`; the term and
    audience asked for, else the newest term with published figures (for the audience
    asked for, else for any, pupils aged 11 to 18 first), so an officer sees figures first;
    and that term's stored release for the audience, or None. 3 queries, whatever the
    number of rounds."""
    from incidents.selectors import Term

    from .reports import terms_with_rounds

    published = list(CouncilRelease.objects.exclude(figures={}).values_list("year", "term", "audience"))
    terms = sorted(
        {t for t in map(Term.from_slug, terms_with_rounds()) if t is not None} | {Term(y, k) for y, k, _a in published},
        key=lambda t: t.start,
        reverse=True,
    )
    audience = audience if audience in Audience.values else None
    term = Term.from_slug(term_slug or "")
    if term not in terms:
        term = None
    if term is None:
        newest = sorted(
            ((Term(y, k), a) for y, k, a in published if audience in (None, a)),
            key=lambda pair: (pair[0].start, pair[1] == Audience.PUPILS_11_18, -Audience.values.index(pair[1])),
            reverse=True,
        )
        if newest:
            term, audience = newest[0][0], audience or newest[0][1]
        elif terms:
            term = terms[0]
    audience = audience or Audience.PUPILS_11_18
    release = None
    if term is not None:
        release = (
            CouncilRelease.objects.filter(year=term.year, term=term.key, audience=audience).defer("system").first()
        )
    return audience, term, terms, release


# A published question set never changes (QuestionSet.frozen_problem refuses any change), so
# its questions are kept in the shared cache under the set's id and the moment it was
# published (a new set, or a set published again, is another key; nothing to forget). The
# answering pages read them on every request (bench/FINDINGS.md, issue 24). The shared
# cache, not a per-process memo: nothing is kept in a process (ADR 0002).
def questions_of(question_set: QuestionSet) -> list[Question]:
    """The set's questions in order: from the cache for a published (frozen) set, else read."""
    if not question_set.is_published or question_set.published_at is None:
        return list(question_set.questions.all())
    key = f"surveys:questions:{question_set.pk}:{question_set.published_at.timestamp()}"
    questions = cache.get(key)
    if questions is None:  # not kept yet, or the cache is down (an empty cache, ADR 0002)
        questions = list(question_set.questions.all())
        cache.set(key, questions, timeout=None)
    return list(questions)


# The answering pages find their round by the link's hash on every request they draw. The
# round (with its school and question set) and its questions are kept in the shared cache
# under the hash (docs/adr/0026), and forgotten whenever the round or its school is saved
# (surveys.signals: services, the admin, commands). What is kept is the round as it was
# saved, never whether it is open: the pages work that out from its dates on each request,
# so a round stops taking answers on its closing date whatever the cache holds. The school's
# reporting link stays encrypted in the cache as in its column (ADR 0008), decrypted when
# read. Kept at most ROUND_SECONDS as well, in case a change bypasses `save()`.
ROUND_SECONDS = 60 * 60
_REPORTING_URL = Round._meta.get_field("reporting_url")


def round_key(token_hash: str) -> str:
    return f"surveys:answering-round:{token_hash}"


def forget_rounds(*token_hashes: str) -> None:
    cache.delete_many([round_key(h) for h in token_hashes])


@dataclass
class AnsweringRound:
    round: Round
    questions: list[Question]


def answering_round(token: str) -> AnsweringRound | None:
    """The round a link opens, with its school, question set and questions in order, or
    None. One cache read when the round is kept, else two queries (and the questions' cache
    read)."""
    if not token or len(token) > 100:
        return None
    token_hash = hash_token(token)
    key = round_key(token_hash)
    entry = cache.get(key)
    if entry is not None:
        round_, questions = entry
        round_.reporting_url = _REPORTING_URL.to_python(round_.reporting_url)
    else:
        round_ = Round.objects.filter(token_hash=token_hash).select_related("organisation", "question_set").first()
        if round_ is None:
            return None
        questions = questions_of(round_.question_set)
        entry = copy.copy(round_)
        entry.reporting_url = _REPORTING_URL.get_prep_value(round_.reporting_url)  # ciphertext, or None
        cache.set(key, (entry, questions), ROUND_SECONDS)
    return AnsweringRound(round_, questions)
