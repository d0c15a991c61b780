"""The SEND Support training programme: courses, their sessions, the places schools book
on them, what happened on the day, certificates, evaluations and charges.

A booking moves through these states, always through `training.services`:

    (booked) ──places left──▶ confirmed          (booked) ──session full──▶ waitlisted
    waitlisted ──a confirmed place is cancelled, or capacity rises──▶ confirmed
    confirmed or waitlisted ──cancel──▶ cancelled  (late: inside the notice period, chargeable)

A session is scheduled, then completed (attendance recorded) or cancelled. Every change
writes a `BookingEvent` or a `SessionEvent` through `ppp.history.record_transition`.
"""

import datetime
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from ppp.accounts.models import Organisation, OrganisationOwnedQuerySet
from ppp.history import HistoryEntry
from ppp.tokens import hash_token


class Delivery(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    EITHER = "either", "In person or online"


class TrainingAccount(models.Model):
    """What the training service knows about an organisation: whether it buys the
    council's traded-services agreement, which sets the price it pays per place."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="training_account")
    buys_traded_services = models.BooleanField(
        "buys the traded-services agreement",
        default=False,
        help_text="Schools with the council's traded-services agreement pay the traded price per place.",
    )
    finance_contact = models.EmailField(
        blank=True, help_text="Where the council's finance team sends invoices for training."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name"]

    def __str__(self):
        return f"Training account of {self.organisation}"


class Audience(models.Model):
    """Who a course is for: teachers, teaching assistants, SENCOs, governors…"""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class CourseQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Course(models.Model):
    slug = models.SlugField(max_length=80, unique=True, help_text="The course's address: /training/courses/<slug>/.")
    title = models.CharField(max_length=200, unique=True)
    summary = models.CharField(max_length=300, help_text="One or two sentences for the catalogue.")
    description = models.TextField(help_text="Blank lines make paragraphs.")
    audiences = models.ManyToManyField(Audience, related_name="courses", blank=True)
    duration = models.CharField(max_length=100, help_text="For example: One day, 9:30am to 3:30pm.")
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.IN_PERSON)
    price_traded = models.DecimalField(
        "price per place (traded services)",
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="For organisations that buy the council's traded-services agreement.",
    )
    price_standard = models.DecimalField(
        "price per place (others)", max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    prerequisites = models.TextField(blank=True)
    learning_outcomes = models.TextField("what participants learn", blank=True, help_text="One outcome per line.")
    is_active = models.BooleanField("shown in the catalogue", default=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_traded__gte=0) & Q(price_standard__gte=0), name="course_prices_not_negative"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("training:course", kwargs={"slug": self.slug})

    @property
    def outcomes(self) -> list[str]:
        return [line.strip(" -•") for line in self.learning_outcomes.splitlines() if line.strip(" -•")]

    def price_for(self, organisation: Organisation | None, *, traded: bool | None = None) -> Decimal:
        """The price per place `organisation` pays (traded when it buys traded services)."""
        if traded is None:
            account = getattr(organisation, "training_account", None) if organisation else None
            traded = bool(account and account.buys_traded_services)
        return self.price_traded if traded else self.price_standard


class SessionQuerySet(models.QuerySet):
    def upcoming(self):
        return self.filter(status=CourseSession.Status.SCHEDULED, starts_at__gt=timezone.now())

    def with_counts(self):
        """Annotate confirmed, waitlisted and places_left, in the same query."""
        return self.annotate(
            confirmed_count=Count("bookings", filter=Q(bookings__status=Booking.Status.CONFIRMED), distinct=True),
            waitlisted_count=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITLISTED), distinct=True),
        ).annotate(places_left_count=F("capacity") - F("confirmed_count"))


class CourseSession(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    mode = models.CharField("delivered", max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    venue = models.CharField(max_length=200, blank=True, help_text="Where, for sessions in person.")
    venue_address = models.TextField(blank=True)
    joining_link = models.URLField(
        max_length=500, blank=True, help_text="For online sessions. Shown only to confirmed attendees' organisations."
    )
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(500)])
    minimum_numbers = models.PositiveSmallIntegerField(
        default=0, help_text="Below this 10 days before, the officer is asked to confirm or cancel the session."
    )
    trainer = models.CharField(max_length=150, blank=True)
    booking_deadline = models.DateTimeField(help_text="No bookings after this.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    go_ahead_confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When an officer confirmed the session runs despite low numbers."
    )
    notes = models.TextField("notes for attendees", blank=True)
    cancellation_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = "session"
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            # The charges page and CSV, newest session first: walked backwards, each
            # session's charges then found by their session index.
            models.Index(fields=["starts_at", "id"], name="session_starts_id"),
        ]
        constraints = [
            # Each says what is wrong in the service's words, never its name (the admin and
            # any ModelForm show `violation_error_message`).
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
                violation_error_message="The session must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="session_capacity_positive",
                violation_error_message="The session must have at least 1 place.",
            ),
            models.CheckConstraint(
                condition=Q(minimum_numbers__lte=F("capacity")),
                name="session_minimum_within_capacity",
                violation_error_message="The minimum numbers cannot be more than the capacity.",
            ),
            models.CheckConstraint(
                condition=Q(booking_deadline__lte=F("starts_at")),
                name="session_deadline_before_start",
                violation_error_message="The booking deadline must be before the session starts.",
            ),
        ]

    def __str__(self):
        return f"{self.course.title}, {timezone.localtime(self.starts_at):%-d %B %Y}"

    def get_absolute_url(self):
        return reverse("training:session", kwargs={"session": self.public_id})

    @property
    def is_bookable(self) -> bool:
        return self.status == self.Status.SCHEDULED and timezone.now() < self.booking_deadline

    @property
    def has_started(self) -> bool:
        return timezone.now() >= self.starts_at

    @property
    def where(self) -> str:
        return "Online" if self.mode == self.Mode.ONLINE else (self.venue or "Venue to be confirmed")

    @property
    def places_left(self) -> int:
        confirmed = getattr(self, "confirmed_count", None)
        if confirmed is None:
            confirmed = self.bookings.filter(status=Booking.Status.CONFIRMED).count()
        return max(self.capacity - confirmed, 0)

    @property
    def term(self) -> str:
        return term_of(timezone.localtime(self.starts_at).date())


def term_of(day: datetime.date) -> str:
    """The school term a day falls in: "Autumn 2026", "Spring 2027", "Summer 2027"."""
    if day.month >= 9:
        return f"Autumn {day.year}"
    if day.month <= 3:
        return f"Spring {day.year}"
    return f"Summer {day.year}"


class SessionEvent(HistoryEntry):
    class Action(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CHANGED = "changed", "Details changed"
        CAPACITY = "capacity", "Capacity changed"
        GO_AHEAD = "go_ahead", "Confirmed to go ahead"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"
        ATTENDANCE = "attendance", "Attendance recorded"
        CERTIFICATES = "certificates", "Certificates issued"

    session = models.ForeignKey(CourseSession, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40, choices=Action.choices)
    subject_field = "session"


class BookingQuerySet(OrganisationOwnedQuerySet):
    def confirmed(self):
        return self.filter(status=Booking.Status.CONFIRMED)

    def waitlisted(self):
        return self.filter(status=Booking.Status.WAITLISTED)

    def active(self):
        return self.exclude(status=Booking.Status.CANCELLED)

    def completed(self):
        """Places where the attendee was there: the training record."""
        return self.filter(attendance=Booking.Attendance.ATTENDED, session__status=CourseSession.Status.COMPLETED)


class Booking(models.Model):
    """One named attendee's place on a session, booked by a school's lead or member."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        WAITLISTED = "waitlisted", "Waiting list"
        CANCELLED = "cancelled", "Cancelled"

    class Role(models.TextChoices):
        TEACHER = "teacher", "Teacher"
        TEACHING_ASSISTANT = "teaching_assistant", "Teaching assistant"
        SENCO = "senco", "SENCO"
        LEADER = "leader", "Senior leader"
        MIDDAY_SUPERVISOR = "midday_supervisor", "Midday supervisor"
        SUPPORT_STAFF = "support_staff", "Other support staff"
        GOVERNOR = "governor", "Governor or trustee"
        OTHER = "other", "Other"

    class Attendance(models.TextChoices):
        NOT_RECORDED = "not_recorded", "Not recorded"
        ATTENDED = "attended", "Attended"
        ABSENT = "absent", "Absent"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(CourseSession, on_delete=models.PROTECT, related_name="bookings")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="training_bookings")
    attendee_name = models.CharField("attendee's full name", max_length=150)
    attendee_email = models.EmailField("attendee's email address")
    attendee_role = models.CharField("attendee's role", max_length=30, choices=Role.choices)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    attendance = models.CharField(max_length=20, choices=Attendance.choices, default=Attendance.NOT_RECORDED)
    price = models.DecimalField("price per place", max_digits=8, decimal_places=2)
    late_cancellation = models.BooleanField(
        default=False, help_text="Cancelled inside the notice period while confirmed: chargeable."
    )
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["session", "status"]),
            models.Index(fields=["organisation", "status"]),
            # The admin's bookings list, in its default order (Meta.ordering).
            models.Index(fields=["created_at", "id"], name="booking_created_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                "session",
                Lower("attendee_email"),
                condition=~Q(status="cancelled"),
                name="booking_one_place_per_attendee",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="booking_price_not_negative"),
        ]

    def __str__(self):
        return f"{self.attendee_name} on {self.session}"

    def get_absolute_url(self):
        return reverse("training:booking", kwargs={"booking": self.public_id})

    @property
    def is_chargeable(self) -> bool:
        return self.status == self.Status.CONFIRMED or self.late_cancellation

    @property
    def counts_for_award(self) -> str:
        """The award criterion this completed training shows: 2.4 for governors, 2.1 for staff."""
        return "2.4" if self.attendee_role == self.Role.GOVERNOR else "2.1"


class BookingEvent(HistoryEntry):
    class Action(models.TextChoices):
        BOOKED = "booked", "Place confirmed"
        WAITLISTED = "waitlisted", "Put on the waiting list"
        PROMOTED = "promoted", "Moved from the waiting list to a confirmed place"
        CANCELLED = "cancelled", "Cancelled"
        LATE_CANCELLED = "late_cancelled", "Cancelled inside the notice period (chargeable)"
        SESSION_CANCELLED = "session_cancelled", "Session cancelled by the council"
        SUBSTITUTED = "substituted", "Attendee changed"
        ATTENDANCE = "attendance", "Attendance recorded"
        CERTIFICATE = "certificate", "Certificate issued"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40, choices=Action.choices)
    subject_field = "booking"


class CourseTermCount(models.Model):
    """The officers' course-and-term report, kept: per course and school term (of the
    session's local start), its sessions and places counted as the report shows them.
    Every service that changes a session or a place adds its difference in the same
    transaction (`training/counts.py`); `manage.py rebuild_training_counts` recounts."""

    class Season(models.IntegerChoices):
        SPRING = 0, "Spring"
        SUMMER = 1, "Summer"
        AUTUMN = 2, "Autumn"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    season = models.PositiveSmallIntegerField(choices=Season.choices)
    sessions = models.IntegerField("sessions not cancelled", default=0)
    cancelled = models.IntegerField("sessions cancelled", default=0)
    capacity = models.IntegerField("places offered (sessions not cancelled)", default=0)
    confirmed = models.IntegerField("confirmed places", default=0)
    attended = models.IntegerField(default=0)
    absent = models.IntegerField("absent (confirmed places)", default=0)
    waitlisted = models.IntegerField("places ever waitlisted", default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "year", "season"], name="coursetermcount_once"),
        ]

    def __str__(self):
        return f"{self.course_id} {self.get_season_display()} {self.year}"


class CertificateBatch(models.Model):
    """One request to issue attendance certificates for a whole session, done by the
    task worker (`training.tasks.issue_session_certificates`); the officer watches it.

    It works through the attended places in id order and writes down the last one done
    (`last_booking_id`) with each certificate, in one transaction: run again after a
    crash it carries on from there, and no place is counted or issued twice. The worker
    writes `heartbeat_at` as it goes, so a batch that has stopped moving shows as stuck."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "In progress"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    # Tries (a crash or an error each) before a batch shows as failed.
    MAX_ATTEMPTS = 5

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(CourseSession, on_delete=models.PROTECT, related_name="certificate_batches")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    already_issued = models.PositiveIntegerField(default=0)
    last_booking_id = models.BigIntegerField(default=0, help_text="The last attended place done, in id order")
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "certificate batches"

    def __str__(self):
        return f"Certificates for {self.session} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("training:batch", kwargs={"batch": self.public_id})

    @property
    def done_count(self) -> int:
        return self.issued + self.already_issued

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def is_stuck(self) -> bool:
        """Under way, but nothing has moved for longer than a worker takes to be noticed
        dead and its work picked up again (WORKER_STALLED_SECONDS, with room to spare)."""
        if self.is_finished:
            return False
        last = self.heartbeat_at or self.created_at
        return timezone.now() - last > datetime.timedelta(seconds=4 * settings.WORKER_STALLED_SECONDS + 60)

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class EvaluationQuerySet(OrganisationOwnedQuerySet):
    organisation_lookup = "booking__organisation"

    def by_token(self, token: str):
        return self.filter(token_hash=hash_token(token))

    def submitted(self):
        return self.filter(submitted_at__isnull=False)


class Evaluation(models.Model):
    """One attendee's view of a session, given through a private link sent after it.
    Only a hash of the link's token is stored."""

    class Usefulness(models.IntegerChoices):
        VERY = 5, "Very useful"
        QUITE = 4, "Quite useful"
        SOMEWHAT = 3, "Somewhat useful"
        NOT_VERY = 2, "Not very useful"
        NOT_AT_ALL = 1, "Not useful at all"

    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="evaluation")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    usefulness = models.PositiveSmallIntegerField(
        choices=Usefulness.choices, null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    will_change = models.TextField("what they will change", blank=True)
    comments = models.TextField(blank=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(usefulness__isnull=False),
                name="evaluation_submitted_has_usefulness",
            ),
        ]

    def __str__(self):
        return f"Evaluation by {self.booking.attendee_name}"

    def set_new_token(self) -> str:
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        return token

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None and timezone.now() < self.sent_at + datetime.timedelta(
            days=settings.TRAINING_EVALUATION_OPEN_DAYS
        )


class ChargeQuerySet(OrganisationOwnedQuerySet):
    pass


class Charge(models.Model):
    """What an organisation owes for one session: confirmed places (attended or not) plus
    late cancellations, at the price per place it booked at. Made when the session is
    completed; the finance team invoices from the CSV."""

    class Status(models.TextChoices):
        NOT_INVOICED = "not_invoiced", "Not invoiced"
        INVOICED = "invoiced", "Invoiced"
        PAID = "paid", "Paid"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="training_charges")
    session = models.ForeignKey(CourseSession, on_delete=models.PROTECT, related_name="charges")
    places = models.PositiveIntegerField("confirmed places", default=0)
    no_shows = models.PositiveIntegerField(default=0, help_text="Confirmed places whose attendee did not come.")
    late_cancellations = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_INVOICED)
    invoice_reference = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ChargeQuerySet.as_manager()

    class Meta:
        ordering = ["-session__starts_at", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "session"], name="charge_one_per_organisation_session"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="charge_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.organisation} – {self.session}: £{self.amount}"

    @property
    def billable_places(self) -> int:
        return self.places + self.late_cancellations


class ChargeEvent(HistoryEntry):
    class Action(models.TextChoices):
        RAISED = "raised", "Charge raised"
        INVOICED = "invoiced", "Invoiced"
        PAID = "paid", "Paid"
        REOPENED = "reopened", "Back to not invoiced"

    charge = models.ForeignKey(Charge, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40, choices=Action.choices)
    subject_field = "charge"
