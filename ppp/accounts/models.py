"""Who uses PPP: people (User), the settings they work for (Organisation) and how
they belong to them (Membership), plus the invitations that bring them in.

Tenancy lives here: every organisation-owned QuerySet has `for_user(user)`, which gives
officers everything, members their own organisations' rows and everyone else nothing.
"""

import uuid
from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify

from ppp.postgres import TrigramIndex
from ppp.tokens import hash_token, new_token

from .permissions import OFFICERS_GROUP


class UserQuerySet(models.QuerySet):
    def officers(self):
        """Council officers, as `User.is_officer` defines them: active, and superusers or
        staff in the Council officers group."""
        in_group = models.Exists(
            User.groups.through.objects.filter(user=models.OuterRef("pk"), group__name=OFFICERS_GROUP)
        )
        return self.filter(is_active=True).filter(models.Q(is_superuser=True) | models.Q(in_group, is_staff=True))


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]  # too dynamic for django-stubs
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Email is the login, unique whatever its case."""

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField("full name", max_length=150, blank=True)
    job_title = models.CharField("job title", max_length=150, blank=True)
    is_staff = models.BooleanField("staff status", default=False, help_text="Council staff who may use the admin site.")
    is_active = models.BooleanField("active", default=True)
    date_joined = models.DateTimeField("date joined", default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        # Officers are found among 50,000 and more users (officers(), the officer choices of
        # every filter) through the few staff and superusers, not by reading every user.
        indexes = [
            models.Index(
                fields=["id"],
                condition=models.Q(is_staff=True) | models.Q(is_superuser=True),
                name="user_staff_or_superuser",
            )
        ]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @cached_property
    def is_officer(self) -> bool:
        """A council officer: a superuser, or staff in the Council officers group."""
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return self.is_staff and self.groups.filter(name=OFFICERS_GROUP).exists()

    @cached_property
    def needs_mfa(self) -> bool:
        """Officers, staff and superusers must use two-factor authentication."""
        return self.is_staff or self.is_superuser


class OrganisationOwnedQuerySet(models.QuerySet):
    """Tenancy, one rule in one place: `for_user(user)` gives officers every row,
    members the rows of their own organisations, and everyone else nothing.

    Every organisation-owned model's QuerySet subclasses this and names the path from
    the model to its Organisation in `organisation_lookup` (e.g. "application__organisation").
    Models officers must never see (identifiable incident records) set `officers_see_all = False`.
    """

    organisation_lookup = "organisation"
    officers_see_all = True

    def for_user(self, user):
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if self.officers_see_all and user.is_officer:
            return self
        return self.filter(
            **{f"{self.organisation_lookup}__in": Membership.objects.filter(user=user).values("organisation")}
        )


def organisation_of(obj) -> "Organisation | None":
    """The organisation an object belongs to, by the path its QuerySet names
    (`organisation_lookup`): an Evidence's is its application's organisation."""
    if isinstance(obj, Organisation):
        return obj
    manager = getattr(obj.__class__, "_default_manager", None)  # __class__, not type(): lazy users
    lookup = getattr(manager.get_queryset(), "organisation_lookup", None) if manager is not None else None
    if lookup is None:
        return getattr(obj, "organisation", None)
    value = obj
    for part in lookup.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


class OrganisationQuerySet(OrganisationOwnedQuerySet):
    organisation_lookup = "pk"

    def open(self):
        return self.filter(status=Organisation.Status.OPEN)


class Organisation(models.Model):
    """A school, setting, service, agency or commissioner ("setting" in the charter)."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", "Primary school"
        SECONDARY = "secondary", "Secondary school"
        ALL_THROUGH = "all_through", "All-through school"
        SPECIAL = "special", "Special school"
        NURSERY = "nursery", "Nursery or early years setting"
        ALTERNATIVE_PROVISION = "alternative_provision", "Alternative provision"
        COLLEGE = "college", "College"
        YOUTH_SERVICE = "youth_service", "Youth service"
        CHILDRENS_HOME = "childrens_home", "Residential children's home"
        PARTNER_AGENCY = "partner_agency", "Partner agency"
        COMMISSIONER = "commissioner", "Commissioner"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True, editable=False)
    urn = models.CharField(
        "DfE URN",
        max_length=8,
        blank=True,
        null=True,
        unique=True,
        help_text="The school's unique reference number from Get Information About Schools.",
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    phase = models.CharField(max_length=60, blank=True, help_text="For example Primary, Secondary, 16 plus.")
    local_authority = models.CharField(max_length=100, blank=True, default="Leicester")
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    website = models.URLField(blank=True)
    # Made by a public charter sign-up and not yet confirmed by an officer: it blocks no
    # other sign-up, and the URN it gave is only claimed until its pledge is approved.
    provisional = models.BooleanField(
        "signed up online, not yet approved",
        default=False,
        help_text="Made by a public charter sign-up. It becomes a confirmed organisation when its pledge is approved.",
    )
    claimed_urn = models.CharField("URN given at sign-up", max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["local_authority"]),
            # The award holders' area filter matches the local authority whatever its case.
            models.Index(Upper("local_authority"), name="organisation_area_upper"),
            # Lists are in name order (the officers' list pages through it by index), and
            # searched by any part of the name or the start of the postcode (trigram
            # indexes on PostgreSQL, which `icontains` and `istartswith` use).
            models.Index(fields=["name", "id"], name="organisation_name_id"),
            TrigramIndex("name", name="organisation_name_trgm"),
            TrigramIndex("postcode", name="organisation_postcode_trgm"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(urn=""), name="organisation_urn_not_blank"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.urn:
            self.urn = None
        if not self.slug:
            self.slug = Organisation.unique_slug(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("accounts:organisation-detail", kwargs={"slug": self.slug})

    @staticmethod
    def unique_slug(name: str, taken: set[str] | None = None) -> str:
        """A slug for `name` that no organisation (nor anything in `taken`) uses yet."""
        base = slugify(name)[:200] or "organisation"
        candidate, n = base, 1
        while (taken is not None and candidate in taken) or Organisation.objects.filter(slug=candidate).exists():
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    @property
    def takes_the_award(self) -> bool:
        """The award is for schools and settings that work with children; partner agencies
        and commissioners pledge to the charter but are not accredited."""
        return self.kind not in {self.Kind.PARTNER_AGENCY, self.Kind.COMMISSIONER}

    @property
    def is_school(self) -> bool:
        return self.kind in {
            self.Kind.PRIMARY,
            self.Kind.SECONDARY,
            self.Kind.ALL_THROUGH,
            self.Kind.SPECIAL,
            self.Kind.NURSERY,
            self.Kind.ALTERNATIVE_PROVISION,
            self.Kind.COLLEGE,
        }


class MembershipQuerySet(OrganisationOwnedQuerySet):
    def leads(self):
        return self.filter(role=Membership.Role.LEAD)


class Membership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Lead"
        MEMBER = "member", "Member"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_organisation"),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(role="lead"),
                name="membership_one_lead_per_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} of {self.organisation}"

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD


class InvitationQuerySet(OrganisationOwnedQuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())

    def by_token(self, token: str):
        return self.filter(token_hash=hash_token(token))


class Invitation(models.Model):
    """An emailed, single-use, expiring link that brings a person into an organisation.

    Only a hash of the token is stored, so a database leak does not leak live links.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.email} to {self.organisation}"

    def set_new_token(self) -> str:
        """Give the invitation a fresh token; returns the token (the only time it is known)."""
        token = new_token()
        self.token_hash = hash_token(token)
        self.expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
        return token

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
