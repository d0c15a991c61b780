"""The Anti-Bullying Charter: its versions, the organisations' pledges to it, their
annual reviews and the providers a commissioner funds.

A pledge moves through these states, always through `charter.services`:

    awaiting email check ──email verified──▶ submitted ──approve──▶ approved
    submitted ──return (comment)──▶ returned ──resubmit──▶ submitted
    approved ──review overdue by more than CHARTER_LAPSE_AFTER_DAYS──▶ lapsed ──renew──▶ submitted
    any state but withdrawn ──withdraw──▶ withdrawn

Every change writes a `PledgeEvent` (the pledge's history, through ppp.history).
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from ppp.accounts.models import Organisation, OrganisationOwnedQuerySet
from ppp.history import HistoryEntry
from ppp.postgres import TrigramIndex


class CharterQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Charter.Status.PUBLISHED)

    def current(self):
        """The charter organisations sign today: the latest published version."""
        return self.published().order_by("-published_on", "-version").first()


class Charter(models.Model):
    """One version of the charter's text. Officers draft later versions in the admin."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    version = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200, default="Leicester's Anti-Bullying Charter")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_on = models.DateField(null=True, blank=True)
    definition = models.TextField(help_text="How the council recognises bullying.")
    definition_source = models.CharField(max_length=200, blank=True)
    stop_introduction = models.TextField(blank=True)
    stop_several = models.CharField(max_length=100, default="Several Times On Purpose")
    stop_start = models.CharField(max_length=100, default="Start Telling Other People")
    principles_introduction = models.TextField(blank=True)
    commitments_introduction = models.TextField(default="These principles are demonstrated when:")
    delivery_guidance = models.TextField(
        blank=True, help_text="How partners deliver the charter according to their role. Blank lines make paragraphs."
    )
    contacts = models.TextField(blank=True, help_text="Who to contact about the charter, one per line.")

    objects = CharterQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_on__isnull=False), name="charter_published_has_date"
            ),
        ]

    def __str__(self):
        return f"{self.title} (version {self.version})"


class Principle(models.Model):
    """One of the "We believe…" statements. **Words** between double asterisks are emphasised."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="principles")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()

    class Meta:
        ordering = ["charter", "order", "pk"]

    def __str__(self):
        return self.text.replace("**", "")[:80]


class Commitment(models.Model):
    """One of the "These principles are demonstrated when…" statements, with guidance."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="commitments")
    order = models.PositiveSmallIntegerField(default=0)
    short_title = models.CharField(max_length=100, help_text="A few words, e.g. 'Policies and processes'.")
    text = models.TextField()
    guidance = models.TextField(blank=True, help_text="Blank lines make paragraphs; lines starting '- ' make a list.")

    class Meta:
        ordering = ["charter", "order", "pk"]

    def __str__(self):
        return self.short_title


class ExamplePledge(models.Model):
    """An example of how an organisation might demonstrate a commitment, curated by officers."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="examples")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    is_active = models.BooleanField("shown to organisations", default=True)

    class Meta:
        ordering = ["commitment", "order", "pk"]

    def __str__(self):
        return self.text[:80]


# What the public register shows: approved, consenting, not removed by an officer. Its
# queryset and its partial indexes share this one condition.
ON_REGISTER = Q(status="approved", consent_to_list=True, removed_from_register_at__isnull=True)


class PledgeQuerySet(OrganisationOwnedQuerySet):
    def current(self):
        """Pledges that still stand (everything but withdrawn)."""
        return self.exclude(status=Pledge.Status.WITHDRAWN)

    def on_register(self):
        """What the public register shows: approved, consenting, not removed by an officer."""
        return self.filter(ON_REGISTER)

    def in_register_order(self):
        """By the organisation's name, then id: the register's order, read from the pledge's
        own index (`sort_name`, ADR 0022) so that a deep page joins nothing before its OFFSET."""
        return self.order_by("sort_name", "pk")

    def renamed(self):
        """Pledges whose `sort_name` is not their organisation's name: renamed by a write that
        sends no post_save (an import)."""
        return self.exclude(sort_name=F("organisation__name"))

    def take_organisation_names(self) -> int:
        """Give these pledges their organisation's name as `sort_name`, in one UPDATE."""
        return self.update(
            sort_name=Subquery(Organisation.objects.filter(pk=OuterRef("organisation_id")).values("name")[:1])
        )

    def awaiting_approval(self):
        return self.filter(status=Pledge.Status.SUBMITTED).order_by("submitted_at", "pk")


class Pledge(models.Model):
    class Status(models.TextChoices):
        UNVERIFIED = "unverified", "Awaiting email check"
        SUBMITTED = "submitted", "Awaiting approval"
        RETURNED = "returned", "Returned for changes"
        APPROVED = "approved", "Approved"
        LAPSED = "lapsed", "Lapsed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class DeliveryRole(models.TextChoices):
        DIRECT = "direct", "Direct service to children and young people"
        COMMISSIONER = "commissioner", "Commissioner of services"
        BOTH = "both", "Both"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="pledges")
    # The organisation's name, kept here so that the register's order and its search by
    # name are indexes of the pledges' own (ADR 0022): filled by save(), kept in step with
    # every rename by charter.signals. Never shown: the register draws organisation.name.
    sort_name = models.CharField(max_length=200, default="", editable=False)
    charter = models.ForeignKey(Charter, on_delete=models.PROTECT, related_name="pledges")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    delivery_role = models.CharField(max_length=12, choices=DeliveryRole.choices)
    signatory_name = models.CharField(max_length=150)
    signatory_role = models.CharField("signatory's role", max_length=150)
    signatory_email = models.EmailField()
    children_covered = models.PositiveIntegerField("children and young people covered")
    staff_covered = models.PositiveIntegerField("staff covered")
    leader_statement = models.TextField("statement from the organisation's leader", blank=True)
    signed_on = models.DateField()
    consent_to_list = models.BooleanField("listed on the public register", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    review_due_on = models.DateField(null=True, blank=True)
    removed_from_register_at = models.DateTimeField(null=True, blank=True)
    removed_from_register_reason = models.TextField(blank=True)
    verification_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    verification_expires_at = models.DateTimeField(null=True, blank=True)

    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "review_due_on"]),
            models.Index(fields=["verification_token_hash"]),
            # The officers' queue (oldest first) and the public register, partial so they
            # hold only the rows those pages read.
            models.Index(fields=["submitted_at", "id"], condition=Q(status="submitted"), name="pledge_awaiting_queue"),
            models.Index(fields=["organisation"], condition=ON_REGISTER, name="pledge_on_register"),
            # The register's pages in order: an OFFSET reads this index's entries only.
            models.Index(fields=["sort_name", "id"], condition=ON_REGISTER, name="pledge_register_order"),
            # The register's search by name, on the same copy: no join to the organisations.
            TrigramIndex("sort_name", condition=ON_REGISTER, name="pledge_register_name_trgm"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=~Q(status="withdrawn"),
                name="pledge_one_current_per_organisation",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(review_due_on__isnull=False),
                name="pledge_approved_has_review_date",
            ),
        ]
        permissions = [("approve_pledge", "Can approve, return and remove pledges")]

    def __str__(self):
        return f"{self.organisation}'s pledge ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        if not self.sort_name and self.organisation_id:
            self.sort_name = self.organisation.name
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sort_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("charter:pledge-detail", kwargs={"pledge": self.public_id})

    @property
    def on_register(self) -> bool:
        return self.status == self.Status.APPROVED and self.consent_to_list and not self.removed_from_register_at

    def review_window_open(self, today) -> bool:
        """The annual review can be sent from CHARTER_REVIEW_WINDOW_DAYS before it is due."""
        return (
            self.status == self.Status.APPROVED
            and self.review_due_on is not None
            and self.review_due_on - datetime.timedelta(days=settings.CHARTER_REVIEW_WINDOW_DAYS) <= today
        )


class PledgeCommitment(models.Model):
    """How the organisation will demonstrate one commitment."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="commitments")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()

    class Meta:
        ordering = ["commitment__order", "commitment__pk"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "commitment"], name="pledge_commitment_unique"),
        ]

    def __str__(self):
        return f"{self.commitment}: {self.text[:60]}"


class PledgeEventQuerySet(OrganisationOwnedQuerySet):
    organisation_lookup = "pledge__organisation"


class PledgeEvent(HistoryEntry):
    """The pledge's history: one row per change, with who, when and why (ppp.history)."""

    class Action(models.TextChoices):
        SIGNED = "signed", "Signed the charter"
        EMAIL_VERIFIED = "email_verified", "Email address confirmed; sent to the council"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned for changes"
        RESUBMITTED = "resubmitted", "Changed and resubmitted"
        RENEWED = "renewed", "Renewed and resubmitted"
        WITHDRAWN = "withdrawn", "Withdrawn"
        LAPSED = "lapsed", "Lapsed: annual review overdue"
        REVIEWED = "reviewed", "Annual review submitted"
        REVIEW_FEEDBACK = "review_feedback", "Council feedback on the review"
        REMOVED_FROM_REGISTER = "removed_from_register", "Removed from the public register"
        RESTORED_TO_REGISTER = "restored_to_register", "Put back on the public register"
        LISTING_CONSENT_GIVEN = "listing_consent_given", "Agreed to be listed on the public register"
        LISTING_CONSENT_WITHDRAWN = "listing_consent_withdrawn", "Asked to be taken off the public register"

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40, choices=Action.choices)
    subject_field = "pledge"

    objects = PledgeEventQuerySet.as_manager()

    class Meta(HistoryEntry.Meta):
        pass


class ReviewQuerySet(OrganisationOwnedQuerySet):
    organisation_lookup = "pledge__organisation"


class Review(models.Model):
    """The annual self-assessment: per commitment, what was done and what is next."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="reviews")
    due_on = models.DateField()
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    consent_to_publish = models.BooleanField("show what was done on the public register", default=False)
    feedback = models.TextField(blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    feedback_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        # The officers' queue of reviews waiting for feedback, oldest first.
        indexes = [
            models.Index(
                fields=["submitted_at", "id"], condition=Q(feedback_at__isnull=True), name="review_awaiting_feedback"
            )
        ]

    def __str__(self):
        return f"Review of {self.pledge.organisation} due {self.due_on:%d %B %Y}"

    def get_absolute_url(self):
        return reverse("charter:review-detail", kwargs={"review": self.public_id})


class ReviewAnswer(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="answers")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="+")
    done = models.TextField("what was done")
    next_steps = models.TextField("what is next")

    class Meta:
        ordering = ["commitment__order", "commitment__pk"]
        constraints = [models.UniqueConstraint(fields=["review", "commitment"], name="review_answer_unique")]

    def __str__(self):
        return f"{self.commitment}: {self.done[:60]}"


class ProviderQuerySet(OrganisationOwnedQuerySet):
    organisation_lookup = "commissioner"

    def for_provider(self, user):
        """The commissioners that list `user`'s own organisations as their providers (for
        the provider to accept or decline). Officers do not act for providers."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(provider__memberships__user=user)

    def awaiting_acceptance(self):
        return self.filter(provider__isnull=False, accepted_at__isnull=True)


class CommissionedProvider(models.Model):
    """A provider a commissioner funds: an organisation on PPP, or one invited by name and email."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    commissioner = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="commissioned_providers")
    provider = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="commissioners"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    # Until the provider's lead accepts, the commissioner sees only what the public register shows.
    accepted_at = models.DateTimeField("provider agreed to share its charter status", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commissioner", "provider"],
                condition=Q(provider__isnull=False),
                name="provider_unique_per_commissioner",
            ),
            models.CheckConstraint(
                condition=Q(provider__isnull=False) | ~Q(email=""), name="provider_has_organisation_or_email"
            ),
        ]

    def __str__(self):
        return f"{self.name} (commissioned by {self.commissioner})"
