"""Pupil voice: question sets the council keeps, rounds a school runs, and the answers.

Answers are stored compactly (one `Response` row per person, the choices as a small JSON
object) and counted as they arrive into `Tally` rows, in the same transaction, so no page
ever reads the answers themselves (docs/adr/0066). Nothing in a response says who sent it:
no account, no address, no time of day (the date only).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ppp.accounts.models import OrganisationOwnedQuerySet
from ppp.crypto import EncryptedCharField, EncryptedTextField
from ppp.tokens import hash_token

from .question_content import RATHER_NOT_SAY


class Audience(models.TextChoices):
    PUPILS_5_7 = "pupils_5_7", "Pupils aged 5 to 7"
    PUPILS_7_11 = "pupils_7_11", "Pupils aged 7 to 11"
    PUPILS_11_18 = "pupils_11_18", "Pupils aged 11 to 18"
    PARENTS = "parents", "Parents and carers"
    STAFF = "staff", "Staff"


PUPIL_AUDIENCES = {Audience.PUPILS_5_7, Audience.PUPILS_7_11, Audience.PUPILS_11_18}


class YearGroup(models.TextChoices):
    RECEPTION = "R", "Reception"
    Y1 = "1", "Year 1"
    Y2 = "2", "Year 2"
    Y3 = "3", "Year 3"
    Y4 = "4", "Year 4"
    Y5 = "5", "Year 5"
    Y6 = "6", "Year 6"
    Y7 = "7", "Year 7"
    Y8 = "8", "Year 8"
    Y9 = "9", "Year 9"
    Y10 = "10", "Year 10"
    Y11 = "11", "Year 11"
    Y12 = "12", "Year 12"
    Y13 = "13", "Year 13"


YEAR_ORDER = {code: n for n, code in enumerate(YearGroup.values)}
# The year groups each pupils' question set is written for, with a year either side for
# children at the edge of an age band (a Year 3 class of seven- and eight-year-olds).
AUDIENCE_YEARS = {
    "pupils_5_7": ["R", "1", "2", "3"],
    "pupils_7_11": ["2", "3", "4", "5", "6", "7"],
    "pupils_11_18": ["6", "7", "8", "9", "10", "11", "12", "13"],
}


def years_outside(audience: str, year_groups) -> list[str]:
    """The year groups of `year_groups` that a round for `audience` does not ask (its age
    band, a year either side): a Year 12 in a survey written for five-year-olds."""
    allowed = AUDIENCE_YEARS.get(audience)
    return [] if allowed is None else [y for y in year_groups if y not in allowed]


def years_message(audience: str, outside) -> str:
    labels = dict(YearGroup.choices)
    allowed = AUDIENCE_YEARS[audience]
    return (
        f"{', '.join(labels[y] for y in outside)} {'is' if len(outside) == 1 else 'are'} not in the age band of "
        f"this survey. Choose from {labels[allowed[0]]} to {labels[allowed[-1]]}, or choose the survey for their age"
    )


FROZEN_MESSAGE = (
    "{qs} is published: schools' answers keep its meaning, so its questions cannot change. "
    "Make a new draft version and publish that instead."
)


class FrozenQuestionSetError(ValidationError):
    """Something tried to change a published question set."""


class QuestionSet(models.Model):
    """One version of the questions for one audience. A draft can be changed; once
    published it is frozen (its questions, their order and their choices)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    audience = models.CharField(max_length=20, choices=Audience.choices)
    version = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=100)
    faces = models.BooleanField(
        default=False, help_text="Show a faces scale and one question a page (for the youngest pupils)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["audience", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["audience", "version"], name="questionset_unique_version"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="questionset_published_has_date"
            ),
        ]

    def __str__(self):
        return f"{self.title}, version {self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = QuestionSet.objects.filter(pk=self.pk).values("status", "audience", "version", "faces").first()
            if (
                stored
                and stored["status"] == self.Status.PUBLISHED
                and (
                    self.status != stored["status"]
                    or (self.audience, self.version, self.faces)
                    != (stored["audience"], stored["version"], stored["faces"])
                )
            ):
                raise FrozenQuestionSetError(FROZEN_MESSAGE.format(qs=self))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise FrozenQuestionSetError(FROZEN_MESSAGE.format(qs=self))
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Choose one"
        MULTIPLE = "multiple", "Choose all that apply"

    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(help_text="1 for the first question.")
    code = models.SlugField(
        max_length=40, help_text="The same code across versions and ages lets results be compared (safe_school)."
    )
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    choices = models.JSONField(help_text=f'The answers, in order; the last is always "{RATHER_NOT_SAY}".')
    positive = models.JSONField(
        default=list, blank=True, help_text="Positions (from 0) of the answers counted in the headline figure."
    )

    class Meta:
        ordering = ["question_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question_set", "position"], name="question_unique_position"),
            models.UniqueConstraint(fields=["question_set", "code"], name="question_unique_code"),
            models.CheckConstraint(condition=Q(position__gte=1), name="question_position_from_one"),
        ]

    def __str__(self):
        return f"{self.position}. {self.text}"

    def save(self, *args, **kwargs):
        problem = self.frozen_problem()
        if problem:
            raise FrozenQuestionSetError(problem)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        problem = self.frozen_problem()
        if problem:
            raise FrozenQuestionSetError(problem)
        return super().delete(*args, **kwargs)

    def clean(self):
        super().clean()
        problem = self.frozen_problem()
        if problem:
            raise ValidationError(problem)
        if not isinstance(self.choices, list) or len(self.choices) < 2 or self.choices[-1] != RATHER_NOT_SAY:
            raise ValidationError({"choices": f'Give at least one answer, and "{RATHER_NOT_SAY}" last.'})
        if not isinstance(self.positive, list) or any(
            not isinstance(p, int) or not 0 <= p < len(self.choices) - 1 for p in self.positive
        ):
            raise ValidationError({"positive": "Give positions of answers in the list (from 0)."})

    def frozen_problem(self) -> str | None:
        stored_set = None
        if self.pk is not None:
            stored_set = Question.objects.filter(pk=self.pk).values_list("question_set_id", flat=True).first()
        for set_id in {i for i in (stored_set, self.question_set_id) if i is not None}:
            qs = QuestionSet.objects.filter(pk=set_id).first()
            if qs is not None and qs.is_published:
                return FROZEN_MESSAGE.format(qs=qs)
        return None

    @property
    def rather_not_say(self) -> int:
        return len(self.choices) - 1


class RoundQuerySet(OrganisationOwnedQuerySet):
    """A school's rounds are its own: council officers see participation and the figures
    across schools (reports.py), never a school's round or its results."""

    officers_see_all = False

    def for_user(self, user):
        if getattr(user, "is_officer", False):
            return self.none()
        return super().for_user(user)

    def by_token(self, token: str):
        return self.filter(token_hash=hash_token(token))


class Round(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="survey_rounds")
    question_set = models.ForeignKey(QuestionSet, on_delete=models.PROTECT, related_name="rounds")
    opens_on = models.DateField()
    closes_on = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When the lead closed it early.")
    year_groups = models.JSONField(default=list, blank=True)
    class_labels = models.JSONField(default=list, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    # The school's own reporting link, shown on every page of the survey (optional).
    reporting_url = EncryptedCharField(max_length=300, null=True, blank=True)
    response_count = models.PositiveIntegerField(default=0)
    on_register = models.BooleanField(
        default=False,
        help_text="The organisation agreed that the charter register may say it asked its pupils this year.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="round_closes_after_opening")
        ]
        indexes = [
            models.Index(fields=["organisation", "opens_on"], name="round_org_opens"),
            # The terms rounds with answers ended in (reports.terms_with_rounds): first,
            # last, and one probe a term, never a walk of every round.
            models.Index(fields=["closes_on"], condition=Q(response_count__gt=0), name="round_answered_closes"),
        ]

    def __str__(self):
        return f"{self.question_set.get_audience_display()}, {self.opens_on:%-d %B %Y}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("surveys:round", kwargs={"pk": self.public_id})

    @property
    def audience(self) -> str:
        return self.question_set.audience

    @property
    def audience_label(self) -> str:
        return self.question_set.get_audience_display()

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.closed_at is None and self.opens_on <= today <= self.closes_on

    def status(self, today=None) -> str:
        today = today or timezone.localdate()
        if self.closed_at is not None or today > self.closes_on:
            return "Closed"
        return "Open" if today >= self.opens_on else "Not open yet"

    @property
    def ended_on(self):
        """The last day answers could be given."""
        if self.closed_at is not None:
            return min(timezone.localtime(self.closed_at).date(), self.closes_on)
        return self.closes_on


class ResponseQuerySet(OrganisationOwnedQuerySet):
    organisation_lookup = "round__organisation"
    officers_see_all = False

    def for_user(self, user):
        if getattr(user, "is_officer", False):
            return self.none()
        return super().for_user(user)


class Response(models.Model):
    """One person's answers: `answers` maps a question's position to the chosen answers'
    positions ({"1": [0], "5": [1, 3]}); a skipped question is absent."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="responses")
    submission_key = models.CharField(max_length=64)
    year_group = models.CharField(max_length=2, choices=YearGroup.choices, blank=True)
    class_label = models.CharField(max_length=40, blank=True)
    answers = models.JSONField(default=dict)
    submitted_on = models.DateField(default=timezone.localdate)
    comment = EncryptedTextField(null=True, blank=True)
    comment_flagged = models.BooleanField(default=False)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "submission_key"], name="response_once_per_key"),
        ]
        indexes = [
            models.Index(
                fields=["round", "submitted_on"], condition=Q(comment__isnull=False), name="response_with_comment"
            )
        ]

    def __str__(self):
        return f"Response {self.pk} to {self.round_id}"


RESPONDENTS = 0  # Tally.question for "how many answered at all" in a group
ANSWERED = 999  # Tally.choice for "answered this question" (the base of "choose all that apply")


class Tally(models.Model):
    """How many chose `choice` of question `question` (its position) in one group (year
    group and class label) of a round; question 0, choice 0 counts the people in the
    group, and choice 999 of a question how many answered it. Kept in step with each response, in its transaction."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="tallies")
    year_group = models.CharField(max_length=2, blank=True)
    class_label = models.CharField(max_length=40, blank=True)
    question = models.PositiveSmallIntegerField()
    choice = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "year_group", "class_label", "question", "choice"], name="tally_unique_cell"
            )
        ]

    def __str__(self):
        return f"{self.round_id} {self.year_group} {self.question}:{self.choice} = {self.count}"


class CouncilRelease(models.Model):
    """The council's figures for one audience in one closed term, computed once and never
    changed (like the incident figures, `incidents.FiguresRelease`, docs/adr/0071): every
    headline question's kind-of-setting and area tables protected together, checked
    exactly before they were stored (`surveys.releases`). The council page and its CSV read
    `figures` only, whatever the number of rounds; `system` keeps each question's published
    figures and relations to check again."""

    year = models.PositiveSmallIntegerField(help_text="The academic year (2025 for 2025/26).")
    term = models.CharField(max_length=10)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    rule_version = models.CharField(max_length=100)
    published_at = models.DateTimeField(default=timezone.now)
    settings_count = models.PositiveIntegerField(help_text="Settings whose rounds the release counts.")
    figures = models.JSONField(default=dict, help_text="What is shown: each question's rows by kind and by area.")
    system = models.JSONField(default=list, help_text="Each question's published figures and relations.")

    class Meta:
        ordering = ["-year", "-published_at"]
        constraints = [models.UniqueConstraint(fields=["year", "term", "audience"], name="survey_council_release_once")]

    def __str__(self):
        return f"Pupil voice figures, {self.get_audience_display()}, {self.period.label}"

    @property
    def period(self):
        from incidents.selectors import Term

        return Term(self.year, self.term)

    @property
    def published(self) -> bool:
        return bool(self.figures.get("kind"))
