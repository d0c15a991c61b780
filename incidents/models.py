"""Bullying incidents: what a school records, monitors and reviews, what pupils tell it
through its private reporting link, and who on its staff may see which record.

Privacy is the first rule here:

- officers never see a record: every QuerySet's `for_user` is empty for them
  (`officers_see_all = False`, and incident QuerySets refuse officers outright);
- free text about children (descriptions, actions, outcomes, notes, pupils' messages,
  pupil references) is stored encrypted (`ppp.crypto.EncryptedTextField`); a pupil
  reference is matched through its keyed hash (`pupil_index`), never searched as text;
- secrets (the school's reporting link, a pupil's follow-up code) are stored hashed;
- nothing here writes `status`: `incidents.services` does, through `record_transition`.
"""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ppp.accounts.models import Membership, OrganisationOwnedQuerySet
from ppp.crypto import EncryptedTextField
from ppp.history import HistoryEntry
from ppp.tokens import hash_token

from .terms import TERMS


def normalise_code(code: str) -> str:
    """A follow-up code as typed ("k7qm 4xtd-9hrw…") in its one form: Crockford's base 32,
    upper case, without spaces or dashes, with the letters people mistake for digits mapped."""
    code = "".join(code.split()).replace("-", "").upper()
    return code.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def hash_code(code: str) -> str:
    """A pupil's follow-up code as stored."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


# Staff permissions, per membership


class IncidentRoleQuerySet(OrganisationOwnedQuerySet):
    organisation_lookup = "membership__organisation"
    officers_see_all = False


class IncidentRole(models.Model):
    """What a member of staff may do with their school's incidents, granted by the lead.
    The lead always has both; a membership without a row has neither."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="incident_role")
    can_record = models.BooleanField(
        "records incidents", default=False, help_text="Records incidents and sees the ones they recorded."
    )
    can_review = models.BooleanField(
        "reviews incidents",
        default=False,
        help_text="Sees every incident of the school, triages pupils' reports, reviews and resolves.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = IncidentRoleQuerySet.as_manager()

    def __str__(self):
        return f"Incident role of membership {self.membership_id}"


# Choices


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    UNDER_REVIEW = "under_review", "Under review"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class ReportedBy(models.TextChoices):
    STAFF = "staff", "Staff"
    PUPIL = "pupil", "A pupil"
    PARENT_CARER = "parent_carer", "Parent or carer"
    OTHER = "other", "Someone else"


class Location(models.TextChoices):
    CLASSROOM = "classroom", "Classroom"
    CORRIDOR = "corridor", "Corridor"
    PLAYGROUND = "playground", "Playground"
    TOILETS = "toilets", "Toilets"
    DINING_HALL = "dining_hall", "Dining hall"
    JOURNEY = "journey", "Journey to or from school"
    ONLINE = "online", "Online"
    OFF_SITE = "off_site", "Off site"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class Mode(models.TextChoices):
    FACE_TO_FACE = "face_to_face", "Face to face"
    ONLINE = "online", "Online"
    BOTH = "both", "Both"


class Form(models.TextChoices):
    PHYSICAL = "physical", "Physical"
    VERBAL = "verbal", "Verbal"
    RELATIONAL = "relational", "Relational or indirect"
    ONLINE = "online", "Online or cyber"
    SEXUAL = "sexual", "Sexual"
    BELONGINGS = "belongings", "Damage to belongings"


class Category(models.TextChoices):
    RACE = "race", "Race or ethnicity"
    RELIGION = "religion", "Religion or belief"
    DISABILITY = "disability", "Disability or SEND"
    SEXUAL_ORIENTATION = "sexual_orientation", "Sexual orientation"
    GENDER_IDENTITY = "gender_identity", "Gender identity"
    SEX = "sex", "Sex or sexism"
    APPEARANCE = "appearance", "Appearance"
    CARE = "care", "Being in care or a young carer"
    OTHER = "other", "Other prejudice"


class Classification(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not yet assessed"
    BULLYING = "bullying", "Bullying"
    ONE_OFF = "one_off", "One-off incident"
    CONFLICT = "conflict", "Conflict or falling out"


class InformedHow(models.TextChoices):
    PHONE = "phone", "Phone call"
    IN_PERSON = "in_person", "In person or at a meeting"
    WRITING = "writing", "Email or letter"
    MESSAGE = "message", "School app or text message"
    OTHER = "other", "Another way"


class PupilWhen(models.TextChoices):
    TODAY = "today", "Today"
    YESTERDAY = "yesterday", "Yesterday"
    THIS_WEEK = "this_week", "Earlier this week"
    BEFORE = "before", "Before this week"
    KEEPS_HAPPENING = "keeps_happening", "It keeps happening"
    NOT_SURE = "not_sure", "I'm not sure"


class YearGroup(models.TextChoices):
    NURSERY = "nursery", "Nursery"
    RECEPTION = "reception", "Reception"
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
    NOT_KNOWN = "not_known", "Not known"


class Role(models.TextChoices):
    TARGET = "target", "Target"
    ALLEGED_PERPETRATOR = "alleged_perpetrator", "Alleged perpetrator"
    WITNESS = "witness", "Witness"
    REPORTER = "reporter", "Reporter"


# Each form and prejudice category is a yes/no column, so the figures count them all in one pass.
FORM_FIELDS = {value: f"form_{value}" for value in Form.values}
CATEGORY_FIELDS = {value: f"category_{value}" for value in Category.values}
OPEN_STATUSES = [Status.OPEN, Status.UNDER_REVIEW]


# Incidents


class IncidentQuerySet(OrganisationOwnedQuerySet):
    """Who sees which record: the school's lead and its reviewers see all of the school's
    incidents; a recorder sees the ones they recorded; anyone else (other staff, other
    schools, council officers, whatever else they are) sees none."""

    officers_see_all = False

    def for_user(self, user):
        if not user.is_authenticated or not user.is_active or user.is_officer:
            return self.none()
        memberships = Membership.objects.filter(user=user)
        everything = memberships.filter(Q(role=Membership.Role.LEAD) | Q(incident_role__can_review=True))
        own = memberships.filter(incident_role__can_record=True)
        return self.filter(
            Q(organisation__in=everything.values("organisation"))
            | Q(organisation__in=own.values("organisation"), recorded_by=user)
        )

    def assessed(self):
        """Triaged records (a pupil's report not yet looked at, or dismissed, is not counted)."""
        return self.exclude(classification=Classification.NOT_ASSESSED)

    def review_overdue(self, today):
        return self.filter(status__in=OPEN_STATUSES, review_date__lt=today)


class Incident(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="incidents")
    reference = models.CharField(max_length=12, help_text="The school's own number, e.g. 2026-0042.")
    occurred_at = models.DateTimeField("when it happened", null=True, blank=True)
    # When the school was told (the form's date, today unless said otherwise); the days to
    # resolve count from it. `reported_at` is when the record was made on PPP.
    reported_on = models.DateField("when it was reported", default=timezone.localdate)
    reported_at = models.DateTimeField("when it was recorded", default=timezone.now)
    reported_by = models.CharField(max_length=20, choices=ReportedBy.choices, default=ReportedBy.STAFF)
    location = models.CharField(max_length=20, choices=Location.choices, default=Location.NOT_KNOWN)
    mode = models.CharField("face to face or online", max_length=20, choices=Mode.choices, blank=True)

    form_physical = models.BooleanField(Form.PHYSICAL.label, default=False)
    form_verbal = models.BooleanField(Form.VERBAL.label, default=False)
    form_relational = models.BooleanField(Form.RELATIONAL.label, default=False)
    form_online = models.BooleanField(Form.ONLINE.label, default=False)
    form_sexual = models.BooleanField(Form.SEXUAL.label, default=False)
    form_belongings = models.BooleanField(Form.BELONGINGS.label, default=False)

    category_race = models.BooleanField(Category.RACE.label, default=False)
    category_religion = models.BooleanField(Category.RELIGION.label, default=False)
    category_disability = models.BooleanField(Category.DISABILITY.label, default=False)
    category_sexual_orientation = models.BooleanField(Category.SEXUAL_ORIENTATION.label, default=False)
    category_gender_identity = models.BooleanField(Category.GENDER_IDENTITY.label, default=False)
    category_sex = models.BooleanField(Category.SEX.label, default=False)
    category_appearance = models.BooleanField(Category.APPEARANCE.label, default=False)
    category_care = models.BooleanField(Category.CARE.label, default=False)
    category_other = models.BooleanField(Category.OTHER.label, default=False)

    description = EncryptedTextField("what happened", null=True, blank=True)
    # The STOP test (Several Times On Purpose) and an imbalance of power: unknown until assessed.
    stop_several_times = models.BooleanField("happened several times", null=True, blank=True)
    stop_on_purpose = models.BooleanField("done on purpose", null=True, blank=True)
    stop_power_imbalance = models.BooleanField("imbalance of power", null=True, blank=True)
    classification = models.CharField(
        max_length=20, choices=Classification.choices, default=Classification.NOT_ASSESSED
    )

    immediate_action = EncryptedTextField("immediate action", null=True, blank=True)
    restorative_used = models.BooleanField("restorative approach used", default=False)
    parents_informed = models.BooleanField("parents or carers informed", null=True, blank=True)
    parents_informed_on = models.DateField("date parents or carers were informed", null=True, blank=True)
    parents_informed_how = models.CharField(max_length=20, choices=InformedHow.choices, blank=True)
    review_date = models.DateField(null=True, blank=True)
    outcome = EncryptedTextField(null=True, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    is_repeat = models.BooleanField(
        "repeat", default=False, help_text="A target of this incident was a target in the 12 months before."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    # A pupil's report through the school's link
    pupil_when = models.CharField(
        "when the pupil said it happened", max_length=20, choices=PupilWhen.choices, blank=True
    )
    pupil_who = EncryptedTextField("who the pupil said was involved", null=True, blank=True)
    reporter_name = EncryptedTextField("the pupil's name and class, if they gave them", null=True, blank=True)
    pupil_code_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    last_pupil_message_at = models.DateTimeField(null=True, blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="incident_unique_reference"),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=models.F("reported_at")),
                name="incident_resolved_after_reported",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "-reported_at"], name="incident_org_reported"),
            models.Index(fields=["occurred_at"], name="incident_occurred"),
            # The list, in the order of its "Happened" column.
            models.Index(fields=["organisation", "-occurred_at"], name="incident_org_occurred"),
            models.Index(fields=["status", "review_date"], name="incident_status_review"),
            models.Index(fields=["closed_at"], name="incident_closed"),
        ]

    def __str__(self):
        return f"Incident {self.reference}"

    def get_absolute_url(self):
        return reverse("incidents:detail", kwargs={"pk": self.public_id})

    @property
    def forms(self) -> list[str]:
        return [value for value, field in FORM_FIELDS.items() if getattr(self, field)]

    @property
    def categories(self) -> list[str]:
        return [value for value, field in CATEGORY_FIELDS.items() if getattr(self, field)]

    @property
    def form_labels(self) -> list[str]:
        return [Form(value).label for value in self.forms]

    @property
    def category_labels(self) -> list[str]:
        return [Category(value).label for value in self.categories]

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def review_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.review_date is not None and self.review_date < today

    @property
    def from_pupil(self) -> bool:
        """The report came through the pupils' private link, so it has a conversation.

        Keyed on the report (its code), never on "Who reported it?": staff may change that
        field at triage or edit, and the pupil's words and replies must stay on the record.
        Anonymising clears the code, and with it the conversation."""
        return self.pupil_code_hash is not None


class InvolvementQuerySet(OrganisationOwnedQuerySet):
    organisation_lookup = "incident__organisation"
    officers_see_all = False

    def for_user(self, user):
        return self.filter(incident__in=Incident.objects.for_user(user))


class Involvement(models.Model):
    """A pupil in an incident, by the school's own reference or initials (never a name)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="involvements")
    pupil_reference = EncryptedTextField(null=True, blank=True)
    # blind_index(pupil_reference): finds the same pupil across incidents without decrypting.
    pupil_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    year_group = models.CharField(max_length=20, choices=YearGroup.choices, default=YearGroup.NOT_KNOWN)
    send = models.BooleanField("SEND", default=False, help_text="Has special educational needs or a disability.")
    role = models.CharField(max_length=30, choices=Role.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvolvementQuerySet.as_manager()
    # Which column is the keyed hash of which (manage.py check_encrypted_data checks FIELD_INDEX_KEY with it).
    blind_indexes = {"pupil_index": "pupil_reference"}

    class Meta:
        ordering = ["incident", "created_at", "id"]
        constraints = [
            # One pupil once in each part on a record (an anonymised reference is empty).
            models.UniqueConstraint(
                fields=["incident", "pupil_index", "role"],
                condition=~Q(pupil_index=""),
                name="involvement_unique_pupil_role",
            ),
        ]
        indexes = [
            models.Index(fields=["role", "pupil_index"], name="involvement_role_pupil"),
            # A school's report reads its targets through its incidents: this covers it (PostgreSQL).
            models.Index(
                fields=["incident", "role"],
                include=["year_group", "pupil_index", "id"],
                name="involvement_incident_role",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} in incident {self.incident.reference}"

    def get_absolute_url(self):
        return reverse("incidents:involvement-edit", kwargs={"pk": self.public_id})


class PupilMessageQuerySet(InvolvementQuerySet):
    pass


class PupilMessage(models.Model):
    """The private conversation between a pupil who reported and the school."""

    class Sender(models.TextChoices):
        PUPIL = "pupil", "Pupil"
        SCHOOL = "school", "School"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="messages")
    sender = models.CharField(max_length=10, choices=Sender.choices)
    body = EncryptedTextField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = PupilMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Message from the {self.sender} on incident {self.incident_id}"


class IncidentNote(models.Model):
    """Something staff did or learnt after the record was made (follow-up, a conversation)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="notes")
    body = EncryptedTextField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = PupilMessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Note on incident {self.incident_id}"


class IncidentEvent(HistoryEntry):
    """The record's history: every step and every edit (which fields changed, by whom, when).

    `changes` lists the fields that changed: for choices and dates their old and new value,
    for free text only that it changed (free text never sits in this plain column);
    `previous_text` keeps the earlier wording of changed free text, encrypted."""

    class Action(models.TextChoices):
        RECORDED = "recorded", "Recorded"
        REPORTED = "reported", "Reported by a pupil through the school's link"
        TRIAGED = "triaged", "Triaged and opened"
        UPDATED = "updated", "Changed"
        REVIEW_SET = "review_set", "Review set"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"
        DISMISSED = "dismissed", "Closed without recording an incident"
        REOPENED = "reopened", "Reopened"
        INVOLVEMENT_ADDED = "involvement_added", "Person involved added"
        INVOLVEMENT_CHANGED = "involvement_changed", "Person involved changed"
        INVOLVEMENT_REMOVED = "involvement_removed", "Person involved removed"
        REPLIED = "replied", "Replied to the pupil"
        PUPIL_ADDED = "pupil_added", "The pupil added more"
        NOTE_ADDED = "note_added", "Note added"
        REPEAT_FLAGGED = "repeat_flagged", "Marked as a repeat"
        REPEAT_CLEARED = "repeat_cleared", "No longer a repeat"
        ANONYMISED = "anonymised", "Anonymised under the retention policy"
        DATA_FIX = "data_fix", "Corrected by a system administrator"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=40, choices=Action.choices)
    changes = models.JSONField(default=list, blank=True)
    previous_text = EncryptedTextField(null=True, blank=True)
    private_note = EncryptedTextField("reason", null=True, blank=True)

    subject_field = "incident"


class ReferenceCounter(models.Model):
    """The last reference number a school used in a year (2026-0042), taken under a row lock."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="reference_counter_unique")]

    def __str__(self):
        return f"{self.organisation_id}/{self.year}: {self.last}"


# The pupils' reporting link


class ReportingLinkQuerySet(OrganisationOwnedQuerySet):
    officers_see_all = False

    def active(self):
        return self.filter(retired_at__isnull=True)

    def by_token(self, token: str):
        return self.filter(token_hash=hash_token(token))


class ReportingLink(models.Model):
    """A school's secret address for pupils' reports. Only a hash of the token is kept;
    a rotated link stays, retired, so an old poster can say it no longer works."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="reporting_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = ReportingLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(retired_at__isnull=True), name="reporting_link_one_active"
            )
        ]

    def __str__(self):
        return f"Reporting link of {self.organisation} from {self.created_at:%-d %b %Y}"


# The council's figures, added up ahead of time


class MonthlyFigures(models.Model):
    """How many assessed incidents a school recorded in one month with one STOP result,
    by where, form, category and the year groups of the pupils targeted. Derived from the
    records (`incidents.figures.refresh`, called by every service that changes what is
    counted), so the council's figures add up a few thousand rows rather than every
    incident: `make bench-incidents` shows why. `manage.py rebuild_incident_figures`
    recomputes it all."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month (local time) the incidents happened.")
    classification = models.CharField(max_length=20, choices=Classification.choices)
    incidents = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month", "classification"], name="monthly_figures_unique")
        ]
        indexes = [models.Index(fields=["month", "classification"], name="monthly_figures_month")]

    def __str__(self):
        return f"{self.organisation_id} {self.month:%Y-%m} {self.classification}: {self.incidents}"


FIGURE_COLUMNS = {
    **{f"at_{value}": ("location", value) for value in Location.values},
    **{f"form_{value}": ("form", value) for value in Form.values},
    **{f"category_{value}": ("category", value) for value in Category.values},
    "category_none": ("category", "none"),
    **{f"targets_{value}": ("year_group", value) for value in YearGroup.values},
}
for _name in FIGURE_COLUMNS:
    MonthlyFigures.add_to_class(_name, models.PositiveIntegerField(default=0))


class FiguresRelease(models.Model):
    """The council's figures for one closed term, computed once and never changed: every
    view of the term (each table by month and for the term, all incidents and bullying
    only) suppressed together under the disclosure rule and checked before it was stored
    (`incidents.releases`, docs/figures.md). The officer page and the CSV read it."""

    year = models.PositiveSmallIntegerField(help_text="The academic year (2025 for 2025/26).")
    term = models.CharField(max_length=10, choices=[(key, label) for key, label, _m in TERMS])
    rule_version = models.CharField(max_length=100)
    published_at = models.DateTimeField(default=timezone.now)
    settings_count = models.PositiveIntegerField(help_text="Settings whose incidents the release counts.")
    tables = models.JSONField(default=list, help_text="What is shown: every table, its figures as published.")
    system = models.JSONField(default=dict, help_text="The published figures and their relations, to check again.")
    published = models.BooleanField(
        default=False, help_text="Whether it has figures: a term with too few settings is released with none."
    )

    class Meta:
        ordering = ["-year", "-published_at"]
        constraints = [models.UniqueConstraint(fields=["year", "term"], name="figures_release_once")]

    def __str__(self):
        return f"Incident figures, {self.period.label}"

    @property
    def period(self):
        from .terms import Term

        return Term(self.year, self.term)
