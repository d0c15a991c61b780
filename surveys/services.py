"""Every write with a rule: question sets (officers), rounds (the school's lead), and
answers (anyone holding a round's link).

An answer is stored once per submission key (the key is made when the person starts and
kept in their session): the round's row is locked first, the key checked, the response
written and its tallies counted in the same transaction (docs/adr/0066). A double click, a
page sent again or a retrying proxy finds the key and stores nothing more.
"""

import datetime
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ppp.audit.services import audit_record
from ppp.errors import DomainError
from ppp.pagecache import invalidate_on_commit
from ppp.tokens import hash_token, new_token

from . import permissions
from .models import (
    ANSWERED,
    PUPIL_AUDIENCES,
    RESPONDENTS,
    Question,
    QuestionSet,
    Response,
    Round,
    Tally,
    YearGroup,
    years_message,
    years_outside,
)
from .question_content import FIRST_VERSIONS, RATHER_NOT_SAY

MAX_COMMENT = 2000
MAX_DAYS_OPEN = 92


class SurveyError(DomainError):
    pass


class AlreadySent(SurveyError):
    """These answers were stored already (the same submission key)."""


# Question sets (the council's)


def load_first_versions(question_set_model=QuestionSet, question_model=Question) -> None:
    """Version 1 of each audience's questions (question_content.py), published. Idempotent;
    the data migration calls it with its historical models."""
    now = timezone.now()
    for audience, title, faces, questions in FIRST_VERSIONS:
        qs, created = question_set_model.objects.get_or_create(
            audience=audience,
            version=1,
            defaults={"title": title, "faces": faces, "status": "draft"},
        )
        if not created:
            continue
        for position, (code, text, kind, choices, positive) in enumerate(questions, start=1):
            question_model.objects.create(
                question_set=qs,
                position=position,
                code=code,
                text=text,
                kind=kind,
                choices=[*choices, RATHER_NOT_SAY],
                positive=positive,
            )
        qs.status, qs.published_at = "published", now
        qs.save()


@transaction.atomic
def question_set_publish(*, question_set: QuestionSet, by) -> QuestionSet:
    question_set = QuestionSet.objects.select_for_update().get(pk=question_set.pk)
    if not by.is_officer:
        raise SurveyError("Only council officers publish question sets.")
    if question_set.is_published:
        raise SurveyError(f"{question_set} is already published.")
    questions = list(question_set.questions.all())
    if not questions:
        raise SurveyError("Add at least one question before publishing.")
    for question in questions:
        question.full_clean()
    question_set.status, question_set.published_at = QuestionSet.Status.PUBLISHED, timezone.now()
    question_set.save()
    audit_record("surveys.question_set_published", actor=by, target=question_set)
    return question_set


@transaction.atomic
def question_set_new_draft(*, question_set: QuestionSet, by) -> QuestionSet:
    """A new draft version for the same audience, starting from `question_set`'s questions."""
    if not by.is_officer:
        raise SurveyError("Only council officers draft question sets.")
    latest = QuestionSet.objects.select_for_update().filter(audience=question_set.audience).order_by("-version")[0]
    draft = QuestionSet.objects.create(
        audience=question_set.audience, version=latest.version + 1, title=question_set.title, faces=question_set.faces
    )
    Question.objects.bulk_create(
        Question(
            question_set=draft,
            position=q.position,
            code=q.code,
            text=q.text,
            kind=q.kind,
            choices=q.choices,
            positive=q.positive,
        )
        for q in question_set.questions.all()
    )
    audit_record("surveys.question_set_drafted", actor=by, target=draft)
    return draft


def current_question_set(audience: str) -> QuestionSet | None:
    return (
        QuestionSet.objects.filter(audience=audience, status=QuestionSet.Status.PUBLISHED).order_by("-version").first()
    )


# Rounds (the school's lead)


def _check_dates(opens_on: datetime.date, closes_on: datetime.date) -> None:
    if closes_on < opens_on:
        raise SurveyError("The closing date must be on or after the opening date.")
    if (closes_on - opens_on).days > MAX_DAYS_OPEN:
        raise SurveyError(f"A round can be open for at most {MAX_DAYS_OPEN} days.")


REGISTER_PAGE = "charter-register"  # the public register's cached pages (ppp.pagecache)


@transaction.atomic
def round_open(
    *,
    organisation,
    audience: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    year_groups: list[str],
    class_labels: list[str],
    reporting_url: str = "",
    on_register: bool = False,
    by,
    request=None,
) -> tuple[Round, str]:
    """A new round; returns it and its link's token, which is never stored (only its hash)
    and cannot be shown again."""
    permissions.can_run_surveys.require(by, organisation, SurveyError)
    if opens_on < timezone.localdate():
        raise SurveyError("The opening date must be today or in the future.")
    _check_dates(opens_on, closes_on)
    question_set = current_question_set(audience)
    if question_set is None:
        raise SurveyError("There is no published question set for this audience yet.")
    if audience in PUPIL_AUDIENCES:
        if not year_groups:
            raise SurveyError("Choose the year groups you are asking.")
        if set(year_groups) - set(YearGroup.values):
            raise SurveyError("Choose year groups from the list.")
        if outside := years_outside(audience, year_groups):
            raise SurveyError(years_message(audience, outside) + ".")
    else:
        year_groups = []
        on_register = False  # the register says "asked its pupils": pupil rounds only
    token = new_token()
    round_ = Round.objects.create(
        organisation=organisation,
        question_set=question_set,
        opens_on=opens_on,
        closes_on=closes_on,
        year_groups=sorted(set(year_groups), key=YearGroup.values.index),
        class_labels=class_labels,
        token_hash=hash_token(token),
        reporting_url=reporting_url or None,
        on_register=on_register,
        created_by=by,
    )
    if on_register:
        invalidate_on_commit(REGISTER_PAGE)
    audit_record("surveys.round_opened", actor=by, target=round_, organisation=organisation, request=request)
    return round_, token


@transaction.atomic
def round_close(*, round: Round, by, request=None) -> Round:
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    permissions.can_run_surveys.require(by, round_.organisation, SurveyError)
    if round_.status() == "Closed":
        raise SurveyError("This round has already closed.")
    round_.closed_at = timezone.now()
    if round_.opens_on > timezone.localdate():
        round_.opens_on = round_.closes_on = timezone.localdate()
    round_.save(update_fields=["closed_at", "opens_on", "closes_on"])
    audit_record("surveys.round_closed", actor=by, target=round_, organisation=round_.organisation, request=request)
    return round_


@transaction.atomic
def round_extend(*, round: Round, closes_on: datetime.date, by, request=None) -> Round:
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    permissions.can_run_surveys.require(by, round_.organisation, SurveyError)
    if round_.closed_at is not None:
        raise SurveyError("This round was closed early; open a new round instead.")
    if closes_on <= round_.closes_on:
        raise SurveyError("The new closing date must be after the current one.")
    if closes_on < timezone.localdate():
        raise SurveyError("The new closing date must be today or in the future.")
    _check_dates(round_.opens_on, closes_on)
    round_.closes_on = closes_on
    round_.save(update_fields=["closes_on"])
    audit_record("surveys.round_extended", actor=by, target=round_, organisation=round_.organisation, request=request)
    return round_


@transaction.atomic
def round_register_note(*, round: Round, on_register: bool, by, request=None) -> Round:
    """Say (or stop saying) on the charter register that the school asked its pupils this
    year, while a pupil round is open or not yet open."""
    round_ = Round.objects.select_for_update().select_related("question_set").get(pk=round.pk)
    permissions.can_run_surveys.require(by, round_.organisation, SurveyError)
    if round_.question_set.audience not in PUPIL_AUDIENCES:
        raise SurveyError("Only a survey of pupils can go on the charter register.")
    if round_.status() == "Closed":
        raise SurveyError("This round has closed, so its register note cannot change.")
    if round_.on_register != on_register:
        round_.on_register = on_register
        round_.save(update_fields=["on_register"])
        invalidate_on_commit(REGISTER_PAGE)
        audit_record(
            "surveys.register_note_changed",
            actor=by,
            target=round_,
            organisation=round_.organisation,
            request=request,
            on_register=on_register,
        )
    return round_


def round_for_token(token: str) -> Round | None:
    if not token or len(token) > 100:
        return None
    return Round.objects.by_token(token).select_related("organisation", "question_set").first()


# Answering, by anyone holding a round's link


def clean_answers(questions: list[Question], raw: dict) -> dict[str, list[int]]:
    """Only answers to real questions with real choices (one for a single-choice question);
    anything else is dropped, as a skipped question."""
    by_position = {q.position: q for q in questions}
    clean = {}
    for key, value in (raw or {}).items():
        try:
            position = int(key)
        except (TypeError, ValueError):
            continue
        question = by_position.get(position)
        if question is None or not isinstance(value, list):
            continue
        chosen = sorted({c for c in value if isinstance(c, int) and 0 <= c < len(question.choices)})
        if not chosen:
            continue
        if question.kind == Question.Kind.SINGLE and len(chosen) != 1:
            continue
        if question.rather_not_say in chosen and len(chosen) > 1:
            chosen = [question.rather_not_say]
        clean[str(position)] = chosen
    return clean


RISK_WORDS_FILE = "risk_words.txt"


def risk_words() -> list[str]:
    """The documented word list (surveys/risk_words.txt): words and phrases that may mean a
    child is at risk. Read each time (it is small); no memo."""
    from pathlib import Path

    path = Path(__file__).with_name(RISK_WORDS_FILE)
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip().lower() for line in lines if line.strip() and not line.startswith("#")]


def _plain(text: str) -> str:
    return text.lower().replace("'", "").replace("\u2019", "")


def _words(text: str) -> str:
    """The text as lower-case words separated by single spaces, apostrophes dropped (so
    "don't", "don’t" and "dont" read the same) and anything else between words a space
    ("self-harm" is "self harm")."""
    return " ".join(re.findall(r"[a-z]+", _plain(text)))


def _entry_pattern(entry: str) -> str:
    """An entry of the list as a pattern: its words in order, each whole, where a word
    ending in * is a stem that takes any ending ("hurt* me": hurt me, hurts me, hurting me)."""
    return " ".join(
        re.escape(word.rstrip("*")) + ("[a-z]*" if word.endswith("*") else "")
        for word in re.findall(r"[a-z]+\*?", _plain(entry))
    )


def suggests_risk(text: str) -> bool:
    """Whether `text` holds an entry of the word list, matched as whole words (docs/surveys.md)."""
    patterns = [_entry_pattern(entry) for entry in risk_words()]
    pattern = r"\b(?:" + "|".join(p for p in patterns if p) + r")\b"
    return re.search(pattern, _words(text)) is not None


def _count(round_: Round, year_group: str, class_label: str, cells: list[tuple[int, int]]) -> None:
    """Add one to each (question, choice) cell of the group, creating cells as needed, in
    one statement (INSERT … ON CONFLICT, which PostgreSQL and SQLite both speak)."""
    table = Tally._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s, 1)"] * len(cells))
    params: list[int | str] = []
    for question, choice in cells:
        params += [round_.pk, year_group, class_label, question, choice]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (round_id, year_group, class_label, question, choice, count) "  # noqa: S608
            f"VALUES {values} ON CONFLICT (round_id, year_group, class_label, question, choice) "
            f"DO UPDATE SET count = {table}.count + 1",
            params,
        )


@transaction.atomic
def response_submit(
    *,
    round: Round,
    submission_key: str,
    year_group: str = "",
    class_label: str = "",
    answers: dict,
    comment: str = "",
) -> Response:
    """Store one person's answers and count them. Raises AlreadySent for a key already
    used, SurveyError when the round is not open."""
    round_ = Round.objects.select_for_update().select_related("question_set").get(pk=round.pk)  # parent first
    if not round_.is_open():
        raise SurveyError("This survey has closed. Thank you for wanting to take part.")
    if not submission_key or len(submission_key) > 64:
        raise SurveyError("Start the survey again from its link.")
    if Response.objects.filter(round=round_, submission_key=submission_key).exists():
        raise AlreadySent("These answers were sent already.")
    if round_.question_set.audience in PUPIL_AUDIENCES:
        if year_group not in round_.year_groups:
            raise SurveyError("Choose your year group.")
    else:
        year_group = ""
    if class_label and class_label not in round_.class_labels:
        class_label = ""
    questions = list(round_.question_set.questions.all())
    clean = clean_answers(questions, answers)
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise SurveyError(f"What you write must be {MAX_COMMENT:,} characters or fewer.")
    if not clean and not comment:
        raise SurveyError("Answer at least one question, or choose “I'd rather not say”.")
    response = Response.objects.create(
        round=round_,
        submission_key=submission_key,
        year_group=year_group,
        class_label=class_label,
        answers=clean,
        comment=comment or None,
        comment_flagged=bool(comment) and suggests_risk(comment),
    )
    _count(round_, year_group, class_label, _cells(clean))
    Round.objects.filter(pk=round_.pk).update(response_count=F("response_count") + 1)
    return response


def _cells(answers: dict) -> list[tuple[int, int]]:
    """The tally cells one response counts in: the group's head count, and each chosen
    answer and "answered" of each question it answered (as `response_submit` counts them)."""
    return [(RESPONDENTS, 0)] + [(int(q), c) for q, chosen in answers.items() for c in [*chosen, ANSWERED]]


@dataclass(frozen=True)
class TallyDifference:
    year_group: str
    class_label: str
    question: int
    choice: int
    stored: int
    counted: int

    def __str__(self):
        group = ", ".join(
            part
            for part in (
                dict(YearGroup.choices).get(self.year_group, ""),
                f"class or group {self.class_label}" if self.class_label else "",
            )
            if part
        )
        if self.question == RESPONDENTS:
            what = "people who answered"
        elif self.choice == ANSWERED:
            what = f"question {self.question}, answered at all"
        else:
            what = f"question {self.question}, answer {self.choice + 1}"
        return f"{group or 'Everyone'}: {what}: stored {self.stored}, counted {self.counted}"


@transaction.atomic
def round_tallies_rebuild(*, round: Round, dry_run: bool = False) -> tuple[list[TallyDifference], int, int]:
    """Recount a round's tallies from its stored answers (after a bulk load, or to check
    nothing drifted). Locks the round first, as answering does, so no answer arrives
    half-way. Returns the cells that differ, and the stored and counted number of answers;
    with `dry_run` changes nothing. Running it again finds nothing."""
    round_ = Round.objects.select_for_update().get(pk=round.pk)
    counted: dict[tuple[str, str, int, int], int] = {}
    responses = Response.objects.filter(round=round_).values_list("year_group", "class_label", "answers")
    people = 0
    for year_group, class_label, answers in responses.iterator(chunk_size=2000):
        people += 1
        for question, choice in _cells(answers or {}):
            key = (year_group, class_label, question, choice)
            counted[key] = counted.get(key, 0) + 1
    stored = {
        (t.year_group, t.class_label, t.question, t.choice): t
        for t in Tally.objects.filter(round=round_).only("year_group", "class_label", "question", "choice", "count")
    }
    differences = [
        TallyDifference(*key, stored=stored[key].count if key in stored else 0, counted=counted.get(key, 0))
        for key in sorted(set(counted) | set(stored))
        if (stored[key].count if key in stored else 0) != counted.get(key, 0)
    ]
    if dry_run or (not differences and round_.response_count == people):
        return differences, round_.response_count, people
    changed = []
    for difference in differences:
        key = (difference.year_group, difference.class_label, difference.question, difference.choice)
        if key in stored:
            stored[key].count = difference.counted
            changed.append(stored[key])
        else:
            Tally.objects.create(
                round=round_,
                year_group=key[0],
                class_label=key[1],
                question=key[2],
                choice=key[3],
                count=difference.counted,
            )
    Tally.objects.bulk_update(changed, ["count"], batch_size=1000)
    Tally.objects.filter(round=round_, count=0).delete()
    stored_people, round_.response_count = round_.response_count, people
    round_.save(update_fields=["response_count"])
    audit_record(
        "surveys.tallies_rebuilt",
        target=round_,
        cells_changed=len(differences),
        answers=people,
    )
    return differences, stored_people, people


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


# Retention


def comments_remove_expired(*, today: datetime.date | None = None, dry_run: bool = False) -> int:
    """Remove free text from rounds that ended more than SURVEY_COMMENT_RETENTION_DAYS ago
    (the answers' counts stay). Returns how many were (or would be) removed."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=settings.SURVEY_COMMENT_RETENTION_DAYS)
    expired = Response.objects.filter(comment__isnull=False, round__closes_on__lt=cutoff)
    if dry_run:
        return expired.count()
    total = 0
    while True:
        with transaction.atomic():
            ids = list(expired.values_list("pk", flat=True)[:500])
            if not ids:
                break
            total += Response.objects.filter(pk__in=ids).update(comment=None, comment_flagged=False)
    if total:  # as incidents' retention does: what was removed, when, under which period
        audit_record(
            "surveys.comments_removed",
            removed=total,
            retention_days=settings.SURVEY_COMMENT_RETENTION_DAYS,
            closed_before=cutoff.isoformat(),
        )
    return total
