"""Read-only figures from the tallies (never from the answers): a round's results for its
school, the distance travelled since earlier rounds, and the council's figures across
schools. Every table passes through `disclosure.protect` before anything shows it.

Distance travelled compares the share of positive answers ("feel safe": yes or mostly)
between two rounds with a two-sided two-proportion z test at the 5% level (docs/adr/0068):
a change is called "more than chance" when |z| ≥ 1.96, and only when both rounds' figures
are shown under the disclosure rule.
"""

import hashlib
import math
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Exists, Max, Min, OuterRef, Subquery, Sum

from incidents.selectors import Term

from . import disclosure
from .models import ANSWERED, PUPIL_AUDIENCES, RESPONDENTS, Question, QuestionSet, Round, Tally, YearGroup

Z_95 = 1.96


@dataclass
class QuestionResult:
    question: Question
    table: disclosure.Table
    positive_count: int | None
    positive_base: int | None
    positive_true: tuple[int, int] = (0, 0)
    comparisons: list = field(default_factory=list)
    class_table: disclosure.Table | None = None  # by class or group, from the same release

    @property
    def positive_percent(self) -> int | None:
        return disclosure.percent(self.positive_count, self.positive_base)

    @property
    def counted(self) -> str:
        """The answers the headline figure counts, quoted: “No”, or “Always” or “Most of the time”."""
        return answer_counted(self.question)

    @property
    def has_headline(self) -> bool:
        return bool(self.question.positive)

    @staticmethod
    def _rows(t: disclosure.Table):
        return [
            (label, base, [(c, disclosure.percent(c, base)) for c in cells])
            for label, base, cells in zip(t.row_labels, t.bases, t.cells, strict=True)
        ]

    def rows(self):
        """(label, base, [(count, percent), …]) for the template, hidden figures as None."""
        return self._rows(self.table)

    def class_rows(self):
        return self._rows(self.class_table) if self.class_table is not None else []

    def total(self):
        t = self.table
        return t.total_base, [(c, disclosure.percent(c, t.total_base)) for c in t.total_cells]


@dataclass
class Comparison:
    label: str  # "since the first round (March 2025)"
    other: Round
    before: int | None  # percent
    after: int | None
    sentence: str


@dataclass
class RoundResults:
    round: Round
    respondents: int | None
    questions: list[QuestionResult]
    by_class: bool = False


NO_CLASS = "No class or group given"


def answer_counted(question: Question) -> str:
    """The answers a question's headline figure counts, each quoted, in plain words:
    “No”; “Yes” or “Mostly”; “Always”, “Most of the time” or “Sometimes”. A reversed
    question ("Have you been bullied this term?") counts “No”, so every figure names it."""
    quoted = [f"“{question.choices[c]}”" for c in question.positive]
    if len(quoted) <= 1:
        return "".join(quoted)
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def _group_label(code: str) -> str:
    return dict(YearGroup.choices).get(code, "Everyone") if code else "Everyone"


def _tally_rows(round_: Round):
    """{(year_group, class_label, question, choice): count}: one query."""
    rows = Tally.objects.filter(round=round_).values_list("year_group", "class_label", "question", "choice", "count")
    return {(yg, cl, q, c): n for yg, cl, q, c, n in rows}


def _groups(round_: Round, counts) -> list[str]:
    if round_.question_set.audience in PUPIL_AUDIENCES:
        seen = {yg for yg, _cl, q, _c in counts if q == RESPONDENTS}
        return sorted(set(round_.year_groups) | seen, key=lambda code: YearGroup.values.index(code) if code else 99)
    return [""]


def _classes(round_: Round, counts) -> list[str]:
    """The round's classes or groups in the lead's order, then "none given" if anyone chose
    none; [] when the round asked for none."""
    seen = {cl for _yg, cl, q, _c in counts if q == RESPONDENTS}
    if not round_.class_labels and not seen - {""}:
        return []
    labels = list(round_.class_labels) + sorted(seen - set(round_.class_labels) - {""})
    return [*labels, ""] if "" in seen else labels


PROTECTED_CACHE_SECONDS = 60 * 60 * 24 * 30


def _protected(inputs) -> list[list[disclosure.Table]]:
    """Each question's protected views (`disclosure.protect_views`), kept in the cache under
    a key made from the figures themselves and the rule's version: the exact check runs an
    integer program per hidden cell, a second or two for a big round, so a page shows the
    same round again without solving it again; any new answer, recount or rule change makes
    a new key (docs/adr/0070)."""
    described = repr(
        [
            ([(g.labels, g.counts, g.bases, sorted(g.withheld_rows)) for g in groupings], partition, cross)
            for groupings, partition, cross in inputs
        ]
    )
    key = "surveys:protected:" + hashlib.sha256(f"{disclosure.CODE_VERSION}|{described}".encode()).hexdigest()
    found = cache.get(key)
    if found is not None:
        return found
    tables = [
        disclosure.protect_views(groupings, partition=partition, cross=cross) for groupings, partition, cross in inputs
    ]
    cache.set(key, tables, PROTECTED_CACHE_SECONDS)
    return tables


def round_results(round_: Round, questions: list[Question] | None = None) -> RoundResults:
    """The round's figures by year group and, if it asked for them, by class or group: both
    views and the total are one system under the disclosure rule (`protect_views`), with the
    people in each year group and class as the cross-tabulation a reader may know."""
    counts = _tally_rows(round_)
    groups = _groups(round_, counts)
    classes = _classes(round_, counts)
    pairs = sorted(
        {(yg, cl) for yg, cl, q, _c in counts if q == RESPONDENTS and yg in groups and cl in classes},
        key=lambda pair: (groups.index(pair[0]), classes.index(pair[1])),
    )
    if questions is None:
        questions = list(round_.question_set.questions.all())
    single = Question.Kind.SINGLE
    inputs = []
    for question in questions:
        q, n_choices = question.position, len(question.choices)

        def cell(year_groups, class_labels, c, q=q):
            return sum(counts.get((yg, cl, q, c), 0) for yg in year_groups for cl in class_labels)

        def row(year_groups, class_labels, q=q, kind=question.kind, n=n_choices):
            cells = [cell(year_groups, class_labels, c) for c in range(n)]
            return cells, sum(cells) if kind == single else cell(year_groups, class_labels, ANSWERED)

        every_class = classes or [""]
        by_year = [row([g], every_class) for g in groups]
        groupings = [
            disclosure.Grouping([_group_label(g) for g in groups], [r[0] for r in by_year], [r[1] for r in by_year])
        ]
        cross = None
        if classes:
            by_class = [row(groups, [cl]) for cl in classes]
            groupings.append(
                disclosure.Grouping(
                    [cl or NO_CLASS for cl in classes], [r[0] for r in by_class], [r[1] for r in by_class]
                )
            )
            cross = {(groups.index(yg), classes.index(cl)): row([yg], [cl]) for yg, cl in pairs}
        inputs.append((groupings, question.kind == single, cross))
    results: list[QuestionResult] = []
    for question, tables, (groupings, _partition, _cross) in zip(questions, _protected(inputs), inputs, strict=True):
        table = tables[0]
        matrix, bases = groupings[0].counts, groupings[0].bases
        true_positive = sum(sum(r[c] for c in question.positive) for r in matrix)
        shown_positive = None
        if question.positive and table.total_base is not None:
            parts = [table.total_cells[c] for c in question.positive]
            if all(p is not None for p in parts):
                shown_positive = sum(parts)
        results.append(
            QuestionResult(
                question=question,
                table=table,
                positive_count=shown_positive,
                positive_base=table.total_base if shown_positive is not None else None,
                positive_true=(true_positive, sum(bases)),
                class_table=tables[1] if len(tables) > 1 else None,
            )
        )
    respondents_true = sum(n for (_yg, _cl, q, _c), n in counts.items() if q == RESPONDENTS)
    respondents = respondents_true if respondents_true >= disclosure.MIN_GROUP else None
    return RoundResults(round=round_, respondents=respondents, questions=results, by_class=bool(classes))


def two_proportion_z(x1: int, n1: int, x2: int, n2: int) -> float | None:
    """The two-proportion z statistic (pooled), or None when it cannot be computed."""
    if n1 == 0 or n2 == 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return 0.0
    return (x2 / n2 - x1 / n1) / spread


def change_sentence(before: QuestionResult, after: QuestionResult) -> str:
    x1, n1, x2, n2 = before.positive_count, before.positive_base, after.positive_count, after.positive_base
    b, a = before.positive_percent, after.positive_percent
    if x1 is None or n1 is None or x2 is None or n2 is None or a is None or b is None:
        return "Not enough answers in one of the rounds to compare."
    z = two_proportion_z(x1, n1, x2, n2)
    share = f"The share who answered {after.counted} went from {b}% to {a}%"
    if z is None or abs(z) < Z_95:
        return f"{share}: a change this size could be chance (two-proportion z test, 95% level)."
    way = "up" if a > b else "down"
    return f"{share}: {way}, more than chance alone would explain (two-proportion z test, 95% level)."


def comparison_rounds(round_: Round, award_date=None) -> list[tuple[str, Round]]:
    """The school's first round for the same audience, and its last round that ended before
    its last award (if either is an earlier round than this one)."""
    earlier = Round.objects.filter(
        organisation_id=round_.organisation_id,
        question_set__audience=round_.question_set.audience,
        opens_on__lt=round_.opens_on,
    ).select_related("question_set")
    found = []
    first = earlier.order_by("opens_on", "id").first()
    if first is not None:
        found.append((f"Since the first round ({first.opens_on:%B %Y})", first))
    if award_date is not None:
        before_award = earlier.filter(closes_on__lt=award_date).order_by("-closes_on", "-id").first()
        if before_award is not None and (first is None or before_award.pk != first.pk):
            found.append((f"Since the round before the last award ({before_award.opens_on:%B %Y})", before_award))
        elif before_award is not None and first is not None:
            found[0] = (f"Since the first round, also the last before the award ({first.opens_on:%B %Y})", first)
    return found


def distance_travelled(results: RoundResults, award_date=None) -> list[tuple[str, Round]]:
    """Adds each headline question's comparisons to `results` (by question code, so other
    versions of the questions compare); returns the rounds compared with."""
    rounds = comparison_rounds(results.round, award_date)
    for label, other in rounds:
        other_results = round_results(other)
        by_code = {r.question.code: r for r in other_results.questions}
        for result in results.questions:
            before = by_code.get(result.question.code)
            if not result.has_headline or before is None or not before.has_headline:
                continue
            result.comparisons.append(
                Comparison(
                    label=label,
                    other=other,
                    before=before.positive_percent,
                    after=result.positive_percent,
                    sentence=change_sentence(before, result),
                )
            )
    return rounds


# The council's figures across schools


@dataclass
class CouncilRow:
    label: str
    settings: int
    base: int | None
    positive: int | None

    @property
    def percent(self):
        return disclosure.percent(self.positive, self.base)


@dataclass
class CouncilFigures:
    audience: str
    term: str
    question_rows: list[tuple[str, list[CouncilRow]]]
    enough: bool
    tables: list = field(default_factory=list, repr=False)  # the protected tables, for the exact check
    counted: list[str] = field(default_factory=list)  # each question's answer counted (`answer_counted`)

    def questions(self) -> list[tuple[str, str, list[CouncilRow]]]:
        """(question, answer counted, rows) for the page and the CSV."""
        counted = self.counted + [""] * (len(self.question_rows) - len(self.counted))
        return [(text, answer, rows) for (text, rows), answer in zip(self.question_rows, counted, strict=False)]


MIN_SETTINGS = 5
# What the council's figures may be grouped by: the organisation's field, and its heading.
COUNCIL_GROUPINGS = {"kind": ("kind", "Kind of setting"), "area": ("local_authority", "Area")}
NO_AREA = "Area not recorded"


def terms_with_rounds() -> list[str]:
    """Academic terms (2025-26 autumn) that rounds with answers ended in, newest first. Two
    queries however many rounds there are (a national year has about 50,000): the first and
    last closing dates (two probes of the partial index `round_answered_closes`), then, in
    one query, whether each term between them has such a round (an index probe a term).
    Reading every round's date instead grew with the rounds (bench/FINDINGS.md, issue 24)."""
    answered = Round.objects.filter(response_count__gt=0).order_by()
    bounds = answered.aggregate(first=Min("closes_on"), last=Max("closes_on"))
    if bounds["first"] is None:
        return []
    first, terms = Term.of(bounds["first"]), [Term.of(bounds["last"])]
    while terms[-1] != first:
        terms.append(terms[-1].previous())
    has = {
        f"t{i}": Exists(answered.filter(closes_on__gte=term.start, closes_on__lt=term.end))
        for i, term in enumerate(terms)
    }
    found = answered.annotate(**has).values(*has)[:1].get()
    return [term.slug for i, term in enumerate(terms) if found[f"t{i}"]]


@dataclass
class CouncilViews:
    """A term's council figures for one audience, every view: for each headline question
    its rows by kind of setting and by area (`rows[by]`, the total last) and the one
    protected system behind both (`tables`, for the exact check)."""

    audience: str
    term: str
    settings_count: int
    enough: bool
    questions: list[tuple[str, dict[str, list[CouncilRow]]]]
    tables: list[list[disclosure.Table]]
    counted: list[str] = field(default_factory=list)  # each question's answer counted

    def figures(self, by: str) -> CouncilFigures:
        return CouncilFigures(
            audience=self.audience,
            term=self.term,
            question_rows=[(text, rows[by]) for text, rows in self.questions],
            enough=self.enough,
            tables=[views[0 if by == "kind" else 1] for views in self.tables],
            counted=self.counted,
        )


def council_views(audience: str, term, kind_labels: dict[str, str]) -> CouncilViews:
    """The share giving the answer counted (`answer_counted`) to each headline question, by
    kind of setting and by area, for rounds that ended in `term` (an `incidents.terms.Term`),
    no setting named. A group is shown only when at least 5 settings and 10 answers stand
    behind it (else withheld, `c`), under the shared rule. The kind and area tables of a
    term are one system with the total (`disclosure.protect_views`, the settings of each kind in each area as the
    cross-tabulation an officer knows), so whichever is shown, no hidden figure can be
    worked back by setting it against the other (`disclosure.worked_back`). Reads every
    tally of the term's rounds: made once per closed term (`surveys.releases`)."""
    rounds = Round.objects.filter(
        question_set__audience=audience, closes_on__gte=term.start, closes_on__lt=term.end, response_count__gt=0
    )
    kind_field, area_field = (f"organisation__{COUNCIL_GROUPINGS[g][0]}" for g in ("kind", "area"))
    rows = (
        Tally.objects.filter(round__in=rounds)
        .values_list(f"round__{kind_field}", f"round__{area_field}", "question", "choice")
        .annotate(n=Sum("count"))
        .order_by()
    )
    counts = {(kind, area or "", q, c): n for kind, area, q, c, n in rows}
    settings_per_pair = {
        (kind, area or ""): n
        for kind, area, n in rounds.values_list(kind_field, area_field)
        .annotate(n=Count("organisation", distinct=True))
        .order_by()
    }
    kinds = sorted({kind for kind, _area in settings_per_pair})
    areas = sorted({area for _kind, area in settings_per_pair}, key=lambda area: (area == "", area))
    settings_per = [
        [sum(n for (k, _a), n in settings_per_pair.items() if k == kind) for kind in kinds],
        [sum(n for (_k, a), n in settings_per_pair.items() if a == area) for area in areas],
    ]
    labels = [[kind_labels.get(kind, kind) for kind in kinds], [area or NO_AREA for area in areas]]
    pairs = sorted(settings_per_pair)
    question_set = (
        QuestionSet.objects.filter(audience=audience, status=QuestionSet.Status.PUBLISHED).order_by("-version").first()
    )
    questions = [q for q in question_set.questions.all() if q.positive] if question_set else []
    inputs = []
    for question in questions:

        def row(pairs_in, question=question):
            q = question.position
            choices = [sum(counts.get((*pair, q, c), 0) for pair in pairs_in) for c in range(len(question.choices))]
            positive = sum(choices[c] for c in question.positive)
            single = question.kind == Question.Kind.SINGLE
            base = sum(choices) if single else sum(counts.get((*pair, q, ANSWERED), 0) for pair in pairs_in)
            return [positive, base - positive], base

        groupings = []
        for g, values in enumerate((kinds, areas)):
            by_row = [row([pair for pair in pairs if pair[g] == value]) for value in values]
            few = {r for r, n in enumerate(settings_per[g]) if n < MIN_SETTINGS}
            groupings.append(disclosure.Grouping(labels[g], [r[0] for r in by_row], [r[1] for r in by_row], few))
        cross = {(kinds.index(kind), areas.index(area)): row([(kind, area)]) for kind, area in pairs}
        inputs.append((groupings, True, cross))
    total_settings = sum(settings_per[0])
    enough = total_settings >= MIN_SETTINGS
    out, tables = [], []
    for question, views in zip(questions, _protected(inputs), strict=True):
        by_view = {}
        for shown, by in enumerate(COUNCIL_GROUPINGS):
            table = views[shown]
            council_rows = [
                CouncilRow(label, settings_per[shown][r], table.bases[r], table.cells[r][0])
                for r, label in enumerate(labels[shown])
            ]
            total = CouncilRow(
                "All settings",
                total_settings,
                table.total_base if enough else None,
                table.total_cells[0] if enough else None,
            )
            by_view[by] = [*council_rows, total]
        tables.append(views)
        out.append((question.text, by_view))
    return CouncilViews(
        audience=audience,
        term=term.label,
        settings_count=total_settings,
        enough=enough,
        questions=out,
        tables=tables,
        counted=[answer_counted(question) for question in questions],
    )


def council_figures(audience: str, term_slug: str, kind_labels: dict[str, str], by: str = "kind") -> CouncilFigures:
    """One view (`by`: "kind" or "area") of `council_views`, counted from the tallies now.
    The council page reads the term's stored release instead (`surveys.releases`)."""
    if by not in COUNCIL_GROUPINGS:
        raise ValueError(f"No such grouping: {by!r}")
    term = Term.from_slug(term_slug)
    if term is None:
        raise ValueError(f"No such term: {term_slug!r}")
    return council_views(audience, term, kind_labels).figures(by)


def participation(year_start):
    """Which settings ran a round in the academic year starting `year_start` (a date), with
    how many rounds, in name order (a queryset: the page shows a page of it at a time):
    participation only, never results. Read from the organisations in name order, each
    with whether it opened a round, so a page costs the same whoever took part."""
    from ppp.accounts.models import Organisation

    end = year_start.replace(year=year_start.year + 1)
    rounds = Round.objects.filter(organisation=OuterRef("pk"), opens_on__gte=year_start, opens_on__lt=end)
    counted = rounds.order_by().values("organisation").annotate(n=Count("pk")).values("n")
    return (
        Organisation.objects.filter(Exists(rounds))
        .annotate(rounds=Subquery(counted))
        .order_by("name", "pk")
        .values("name", "kind", "rounds")
    )
