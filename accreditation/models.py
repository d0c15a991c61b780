"""The Positive and Peaceful Places award: schemes and criteria, applications and their
workflow, visits, self-review, action plans, evidence and awards.

Every status change goes through `accreditation.services`; nothing here writes `status`.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ppp.accounts.models import OrganisationOwnedQuerySet, User
from ppp.history import HistoryEntry
from ppp.postgres import TrigramIndex

FROZEN_MESSAGE = (
    "{scheme} is {status}: schools work under it, so its rules, standards and criteria cannot change. "
    "Make a new version of the scheme and publish that instead."
)


class FrozenSchemeError(ValidationError):
    """Something tried to change a published (or retired) scheme's rules."""


def _changed(instance, fields: list[str]) -> list[str]:
    """The `fields` of a saved `instance` whose values differ from the database's."""
    if instance.pk is None:
        return []
    stored = type(instance)._base_manager.filter(pk=instance.pk).values(*fields).first()
    if stored is None:
        return []
    return [name for name in fields if stored[name] != getattr(instance, name)]


class FrozenWhenPublished(models.Model):
    """A scheme's parts are frozen once it is published: what schools answered keeps its
    meaning. `FROZEN_FIELDS` list what cannot change; adding or deleting is refused too.
    The guard is in `clean()` (admin forms) and in `save()`/`delete()` (everything else)."""

    FROZEN_FIELDS: list[str] = []

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        problem = self.frozen_problem()
        if problem:
            raise FrozenSchemeError(problem)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        scheme = self.frozen_scheme()
        if scheme is not None:
            raise FrozenSchemeError(FROZEN_MESSAGE.format(scheme=scheme, status=scheme.get_status_display().lower()))
        return super().delete(*args, **kwargs)

    def clean(self):
        super().clean()
        problem = self.frozen_problem()
        if problem:
            raise ValidationError(problem)

    def frozen_scheme(self) -> "Scheme | None":
        """The scheme this belongs to if it is no longer a draft (as stored, not as edited)."""
        raise NotImplementedError

    def frozen_problem(self) -> str | None:
        scheme = self.frozen_scheme()
        if scheme is None:
            return None
        if self.pk is None or _changed(self, self.FROZEN_FIELDS):
            return FROZEN_MESSAGE.format(scheme=scheme, status=scheme.get_status_display().lower())
        return None


class Scheme(FrozenWhenPublished):
    # Everything that decides how an application runs; the description may still be improved.
    FROZEN_FIELDS = [
        "name",
        "version",
        "validity_months",
        "levels",
        "requires_ratification",
        "requires_pledge",
    ]

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    name = models.CharField(max_length=150)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(blank=True)
    validity_months = models.PositiveIntegerField(
        "award validity (months)", default=36, help_text="How long an award on this scheme lasts."
    )
    levels = models.CharField(
        max_length=200,
        blank=True,
        help_text="Award levels, lowest first, separated by commas (e.g. Bronze, Silver, Gold). Blank: no levels.",
    )
    requires_ratification = models.BooleanField(
        default=False, help_text="A second officer must ratify each award before the certificate is issued."
    )
    requires_pledge = models.BooleanField(
        default=False, help_text="Schools must have an approved Anti-Bullying Charter pledge before applying."
    )
    published_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-published_on", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="scheme_unique_name_version"),
        ]

    def __str__(self):
        return f"{self.name} (version {self.version})"

    @property
    def level_choices(self) -> list[str]:
        return [level.strip() for level in self.levels.split(",") if level.strip()]

    def frozen_scheme(self):
        if self.pk is None:
            return None
        stored = Scheme._base_manager.filter(pk=self.pk).values_list("status", flat=True).first()
        return self if stored not in (None, Scheme.Status.DRAFT) else None

    def frozen_problem(self):
        # Published is for good (it may retire): a draft again could be edited under the
        # schools working to it, and the award pages remember a published scheme's criteria.
        if self.status == Scheme.Status.DRAFT and self.frozen_scheme() is not None:
            return f"{self} has been published, so it cannot become a draft again. Make a new version instead."
        return super().frozen_problem()

    @classmethod
    def current(cls):
        return cls.objects.filter(status=cls.Status.PUBLISHED).order_by("-published_on", "-version").first()


def _stored_scheme(scheme_id) -> "Scheme | None":
    scheme = Scheme._base_manager.filter(pk=scheme_id).first() if scheme_id else None
    return scheme if scheme is not None and scheme.status != Scheme.Status.DRAFT else None


class Standard(FrozenWhenPublished):
    FROZEN_FIELDS = ["scheme_id", "number", "title", "description"]

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="standards")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["scheme", "number"]
        constraints = [models.UniqueConstraint(fields=["scheme", "number"], name="standard_unique_number")]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def frozen_scheme(self):
        # The scheme it belongs to as stored (moving it onto a draft is a change too).
        stored = Standard._base_manager.filter(pk=self.pk).values_list("scheme_id", flat=True).first()
        return _stored_scheme(stored) or _stored_scheme(self.scheme_id)


class Criterion(FrozenWhenPublished):
    # What schools answered; guidance and examples of evidence may still be improved.
    FROZEN_FIELDS = ["standard_id", "code", "order", "statement", "evidence_required"]

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="criteria")
    code = models.CharField(max_length=10, help_text="e.g. 2.3")
    order = models.PositiveSmallIntegerField(default=0)
    statement = models.TextField()
    guidance = models.TextField(blank=True)
    evidence_examples = models.TextField("examples of evidence", blank=True)
    evidence_required = models.BooleanField(default=True)

    class Meta:
        ordering = ["standard__number", "order", "code"]
        verbose_name_plural = "criteria"
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="criterion_unique_code")]

    def __str__(self):
        return f"{self.code} {self.statement[:80]}"

    def frozen_scheme(self):
        stored = Criterion._base_manager.filter(pk=self.pk).values_list("standard__scheme_id", flat=True).first()
        current = Standard._base_manager.filter(pk=self.standard_id).values_list("scheme_id", flat=True).first()
        return _stored_scheme(stored) or _stored_scheme(current)


class ApplicationQuerySet(OrganisationOwnedQuerySet):
    def open(self):
        return self.filter(status__in=Application.OPEN_STATUSES)


class Application(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        PLANNING = "planning", "Planning"
        EVIDENCING = "evidencing", "Gathering evidence"
        ASSESSMENT = "assessment", "Assessment"
        ACCREDITED = "accredited", "Accredited"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Expired"

    OPEN_STATUSES = [Status.APPLIED, Status.PLANNING, Status.EVIDENCING, Status.ASSESSMENT]

    class Kind(models.TextChoices):
        NEW = "new", "New award"
        REACCREDITATION = "reaccreditation", "Re-accreditation"

    class Package(models.TextChoices):
        STANDARD = "standard", "Standard package"
        BESPOKE = "bespoke", "Bespoke package"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="applications")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="applications")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NEW)
    previous_application = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reaccreditations"
    )
    previous_legacy_award = models.ForeignKey(
        "LegacyAward", on_delete=models.PROTECT, null=True, blank=True, related_name="reaccreditations"
    )
    package = models.CharField(max_length=10, choices=Package.choices, default=Package.STANDARD)
    bespoke_note = models.TextField("what the school wants from a bespoke package", blank=True)
    agreed_price = models.PositiveIntegerField(
        "agreed price (£)",
        null=True,
        blank=True,
        help_text="The standard package's price when the school applied. For a bespoke package, "
        "enter the price once the school has accepted it.",
    )
    purchase_order = models.CharField("purchase order number", max_length=50, blank=True)
    contact_name = models.CharField(max_length=150)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=30, blank=True)
    terms_accepted_at = models.DateTimeField()
    assigned_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="caseload"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPLIED)
    action_plan_agreed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(default=timezone.now)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "last_activity_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(status__in=["applied", "planning", "evidencing", "assessment"]),
                name="application_one_open_per_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} — {self.scheme.name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("accreditation:application-detail", kwargs={"pk": self.public_id})

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ApplicationEvent(HistoryEntry):
    """The application's history (ppp.history): every step of the workflow."""

    class Action(models.TextChoices):
        APPLIED = "applied", "Applied"
        ASSIGNED = "assigned", "Officer assigned"
        PLANNING = "planning", "Initial visit done: planning"
        PLAN_AGREED = "plan_agreed", "Action plan agreed: gathering evidence"
        SUBMITTED = "submitted", "Submitted for assessment"
        RETURNED = "returned", "More evidence asked for"
        ACCREDITED = "accredited", "Accredited"
        AWARD_CANCELLED = "award_cancelled", "Award not ratified: cancelled"
        WITHDRAWN = "withdrawn", "Withdrawn"
        EXPIRED = "expired", "Award expired"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=40, choices=Action.choices)
    subject_field = "application"

    class Meta(HistoryEntry.Meta):
        pass


class VisitQuerySet(OrganisationOwnedQuerySet):
    organisation_lookup = "application__organisation"


class Visit(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial visit"
        MONITORING = "monitoring", "Monitoring visit"
        ASSESSMENT = "assessment", "Assessment visit"

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Dates offered"
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    preferred_1 = models.DateTimeField("first choice", null=True, blank=True)
    preferred_2 = models.DateTimeField("second choice", null=True, blank=True)
    preferred_3 = models.DateTimeField("third choice", null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(default=90)
    location = models.CharField(max_length=200, blank=True, help_text="Address or meeting link")
    attendees = models.TextField(blank=True)
    notes = models.TextField("officer's notes", blank=True)
    outcome = models.TextField(blank=True)
    report = models.TextField("visit report for the school", blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "created_at"]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="visit_status_starts"),
            # The caseload's "visit dates to confirm", oldest first.
            models.Index(fields=["created_at", "id"], condition=Q(status="requested"), name="visit_requested_queue"),
        ]

    def __str__(self):
        when = timezone.localtime(self.starts_at).strftime("%-d %b %Y %H:%M") if self.starts_at else "date to agree"
        return f"{self.get_kind_display()}, {when}"

    def get_absolute_url(self):
        return reverse("accreditation:visit-detail", kwargs={"pk": self.public_id})

    @property
    def preferred_dates(self):
        return [d for d in (self.preferred_1, self.preferred_2, self.preferred_3) if d]


class VisitEvent(HistoryEntry):
    """A visit's history: dates offered, booked, confirmed, moved (with why), recorded, cancelled."""

    class Action(models.TextChoices):
        REQUESTED = "requested", "Dates offered by the school"
        BOOKED = "booked", "Booked"
        CONFIRMED = "confirmed", "Date confirmed"
        MOVED = "moved", "Moved"
        RECORDED = "recorded", "Visit recorded"
        CANCELLED = "cancelled", "Cancelled"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=40, choices=Action.choices)
    subject_field = "visit"

    class Meta(HistoryEntry.Meta):
        pass


class SelfReviewQuerySet(OrganisationOwnedQuerySet):
    organisation_lookup = "application__organisation"


class SelfReview(models.Model):
    class Rating(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        DEVELOPING = "developing", "Developing"
        ESTABLISHED = "established", "Established"
        EMBEDDED = "embedded", "Embedded"

    # What each rating means, shown above the self-review so every school rates alike.
    MEANINGS = {
        Rating.NOT_STARTED: "Nothing is in place for this yet.",
        Rating.DEVELOPING: "You have started: a plan, a draft policy or some practice, but it is not yet "
        "consistent across the school or setting.",
        Rating.ESTABLISHED: "It happens consistently across the school or setting, and you can show it: "
        "a policy in use, records, what children and staff say.",
        Rating.EMBEDDED: "It is part of everyday culture and has lasted: children, families and staff "
        "can describe it, you review it, and it improves from what you learn.",
    }

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="self_reviews")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(max_length=20, choices=Rating.choices, default=Rating.NOT_STARTED)
    commentary = models.TextField(blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = SelfReviewQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="selfreview_one_per_criterion"),
        ]

    def __str__(self):
        return f"{self.criterion.code}: {self.get_rating_display()}"


class ActionItemQuerySet(OrganisationOwnedQuerySet):
    organisation_lookup = "application__organisation"

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.filter(due_date__lt=today).exclude(status=ActionItem.Status.DONE)


class ActionItem(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="action_items")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.TextField()
    owner = models.CharField("who will do it", max_length=150)
    due_date = models.DateField()
    success_measure = models.TextField("how you will know it has worked", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionItemQuerySet.as_manager()
    # Every version of every item, deleted ones too (django-simple-history): the plan's
    # "Changes to the plan" list. Services set `_history_user`; the rows outlive the item.
    history = HistoricalRecords(excluded_fields=["updated_at"], cascade_delete_history=False)
    # Set before saving: django-simple-history records who made the change.
    _history_user: User | None

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self):
        return self.action[:80]

    def get_absolute_url(self):
        return reverse("accreditation:action-edit", kwargs={"pk": self.public_id})

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.DONE and self.due_date < timezone.localdate()


class EvidenceQuerySet(OrganisationOwnedQuerySet):
    organisation_lookup = "application__organisation"


def private_storage():
    """Evidence files live in the "private" storage: never under a public URL."""
    return storages["private"]


def evidence_upload_to(instance, filename):
    # Renamed on disk: the school's file name is kept only in the database.
    return f"evidence/{instance.application.public_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    class Kind(models.TextChoices):
        FILE = "file", "File"
        LINK = "link", "Link"
        STATEMENT = "statement", "Written statement"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=evidence_upload_to, storage=private_storage, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    url = models.URLField("link", max_length=500, blank=True)
    statement = models.TextField(blank=True)
    criteria = models.ManyToManyField(Criterion, related_name="evidence")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    carried_forward_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_forward_to"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The pks of the criteria it shows, when read by selectors.application_evidence.
    criterion_ids: set[int]

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "evidence"
        indexes = [
            # The officers' queue of evidence waiting (oldest first) and each application's
            # waiting count: partial, so they stay small however much evidence is accepted.
            models.Index(fields=["submitted_at", "id"], condition=Q(status="submitted"), name="evidence_waiting_queue"),
            models.Index(fields=["application"], condition=Q(status="submitted"), name="evidence_waiting_by_app"),
            models.Index(fields=["created_at", "id"], name="evidence_created"),  # the admin's list
            TrigramIndex("title", name="evidence_title_trgm"),  # the admin's search
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("accreditation:evidence-detail", kwargs={"pk": self.public_id})


class EvidenceEvent(HistoryEntry):
    """The history of one item of evidence: added, changed, submitted, reviewed, answered."""

    class Action(models.TextChoices):
        CREATED = "created", "Added"
        EDITED = "edited", "Changed"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        RESPONDED = "responded", "School responded"
        CARRIED_FORWARD = "carried_forward", "Carried forward from the previous award"

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40, choices=Action.choices)
    subject_field = "evidence"

    class Meta(HistoryEntry.Meta):
        pass


class AwardQuerySet(OrganisationOwnedQuerySet):
    organisation_lookup = "application__organisation"

    def current(self, today=None):
        today = today or timezone.localdate()
        return self.filter(status=Award.Status.ISSUED, expires_on__gte=today)

    def renamed(self):
        """Awards whose `holder_name` is not their organisation's name: renamed by a write
        that sends no post_save (an import)."""
        return self.exclude(holder_name=F("application__organisation__name"))

    def take_holder_names(self) -> int:
        """Give these awards their organisation's name as `holder_name`, in one UPDATE."""
        return self.update(
            holder_name=Subquery(
                Application.objects.filter(pk=OuterRef("application_id")).values("organisation__name")[:1]
            )
        )

    def in_holder_order(self):
        """By the holder's name, then id: the award holders' order, read from the award's own
        index (`holder_name`, ADR 0022) so that a deep page joins nothing before its OFFSET."""
        return self.order_by("holder_name", "pk")


class Award(models.Model):
    class Status(models.TextChoices):
        AWAITING_RATIFICATION = "awaiting_ratification", "Awaiting ratification"
        ISSUED = "issued", "Issued"
        SUPERSEDED = "superseded", "Superseded by a re-accreditation"
        EXPIRED = "expired", "Expired"

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    # The holder's (the application's organisation's) name, kept here so that the award
    # holders' order and their search by name are indexes of the awards' own (ADR 0022):
    # filled by save(), kept in step with every rename by accreditation.signals. Never shown.
    holder_name = models.CharField(max_length=200, default="", editable=False)
    level = models.CharField(max_length=50, blank=True)
    awarded_on = models.DateField()
    expires_on = models.DateField()
    status = models.CharField(max_length=30, choices=Status.choices)
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ratified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ratified_at = models.DateTimeField(null=True, blank=True)
    certificate = models.ForeignKey(
        "certificates.IssuedCertificate", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["-awarded_on"]
        constraints = [
            models.CheckConstraint(condition=Q(expires_on__gt=models.F("awarded_on")), name="award_expires_after"),
        ]
        # The caseload's "awards expiring", soonest first, and the expiry job.
        indexes = [
            models.Index(fields=["status", "expires_on"], name="award_status_expires"),
            # The award holders in order: an OFFSET reads this index's entries only (the
            # expiry date is in it, so that current() needs no row either).
            models.Index(
                fields=["holder_name", "id", "expires_on"], condition=Q(status="issued"), name="award_holders_order"
            ),
            # The award holders' search by name: the issued awards whose copy matches, with no
            # join to the organisations (a count over every application otherwise).
            TrigramIndex("holder_name", condition=Q(status="issued"), name="award_holder_name_trgm"),
        ]

    def __str__(self):
        return f"{self.application.organisation}: {self.level or 'award'} until {self.expires_on:%d %b %Y}"

    def save(self, *args, **kwargs):
        if not self.holder_name and self.application_id:
            self.holder_name = self.application.organisation.name
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "holder_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.application.get_absolute_url()


class AwardEvent(HistoryEntry):
    """An award's history: made, ratified, its certificate issued, superseded, expired."""

    class Action(models.TextChoices):
        MADE = "made", "Award made"
        RATIFIED = "ratified", "Ratified by a second officer"
        ISSUED = "issued", "Certificate issued"
        SUPERSEDED = "superseded", "Superseded by a re-accreditation"
        EXPIRED = "expired", "Expired"

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=40, choices=Action.choices)
    subject_field = "award"

    class Meta(HistoryEntry.Meta):
        pass


class LegacyAwardQuerySet(OrganisationOwnedQuerySet):
    pass


class LegacyAward(models.Model):
    """An award held under the council's earlier anti-bullying scheme, before PPP."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="legacy_awards")
    scheme_name = models.CharField(max_length=150, default="Leicester Anti-Bullying Award")
    level = models.CharField(max_length=50, blank=True)
    awarded_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    invited_at = models.DateTimeField("invited to re-accredit", null=True, blank=True)

    objects = LegacyAwardQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "-awarded_on"]

    def __str__(self):
        return f"{self.organisation}: {self.scheme_name} ({self.awarded_on:%Y})"
