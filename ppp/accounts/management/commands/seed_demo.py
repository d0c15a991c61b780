"""Fictional demo data so every page has something to show. Safe to run again.

The platform seeds organisations and people; then each domain app that has a
`<app>/demo.py` gets its turn: `seed(demo: DemoData)` must be idempotent too.
"""

from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from ppp.accounts.models import OFFICERS_GROUP, Membership, Organisation, User
from ppp.discovery import demo_seeders
from ppp.mail import no_email

DEMO_PASSWORD = "Peaceful-Places-2026"  # noqa: S105 - fictional demo accounts, listed in the README

ORGANISATIONS = [
    # key, name, kind, phase, urn, address, postcode
    (
        "school_a",
        "Abbeygate Primary School",
        Organisation.Kind.PRIMARY,
        "Primary",
        "990001",
        "1 Abbeygate Road\nLeicester",
        "LE1 1AA",
    ),
    (
        "school_b",
        "Brookfield Academy",
        Organisation.Kind.SECONDARY,
        "Secondary",
        "990002",
        "20 Brook Lane\nLeicester",
        "LE2 2BB",
    ),
    (
        "partner",
        "Leicester Youth Partnership",
        Organisation.Kind.PARTNER_AGENCY,
        "",
        None,
        "5 Market Street\nLeicester",
        "LE1 5CC",
    ),
    (
        "nursery",
        "Little Acorns Nursery",
        Organisation.Kind.NURSERY,
        "Nursery",
        "990003",
        "8 Oak Avenue\nLeicester",
        "LE3 3DD",
    ),
    (
        "special",
        "Cedar Vale Special School",
        Organisation.Kind.SPECIAL,
        "Not applicable",
        "990004",
        "14 Cedar Way\nLeicester",
        "LE4 4EE",
    ),
    (
        "commissioner",
        "Leicester Children's Services Commissioning",
        Organisation.Kind.COMMISSIONER,
        "",
        None,
        "City Hall\nLeicester",
        "LE1 1FZ",
    ),
]

PEOPLE = [
    # email, full name, organisation key, role
    ("lead.a@ppp.example", "Alice Ahmed", "school_a", Membership.Role.LEAD),
    ("member.a@ppp.example", "Ben Adams", "school_a", Membership.Role.MEMBER),
    ("lead.b@ppp.example", "Chloe Brown", "school_b", Membership.Role.LEAD),
    ("lead.partner@ppp.example", "Dev Patel", "partner", Membership.Role.LEAD),
]

OFFICER_EMAIL = "officer@ppp.example"


@dataclass
class DemoData:
    """What the domain apps' demo seeds build on."""

    organisations: dict[str, Organisation]  # keys as in ORGANISATIONS: school_a, school_b, partner, ...
    people: dict[str, User]  # by email
    officer: User
    stdout: object
    # What one app's seed made that a later one uses (seeds run in INSTALLED_APPS order),
    # e.g. "reporting_link:school_a": school A's pupils' reporting link, made by incidents.
    links: dict[str, str] = field(default_factory=dict)


class Command(BaseCommand):
    help = "Load fictional demo organisations and accounts (see the README). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Never do this on the live service.",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password, so it only runs with DEBUG on. "
                "Use --force if you really mean to load demo data here."
            )
        # Demo data must never email anyone: the services it calls queue no emails while
        # it runs (ppp.mail.no_email), and any sent at once go nowhere.
        no_mail = override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
        with no_mail, no_email(), transaction.atomic():
            organisations = self.seed_organisations()
            self.seed_people(organisations)
            officer = self.seed_officer()
            uri = self.officer_totp_uri(officer)
            people = {u.email: u for u in User.objects.filter(email__in=[p[0] for p in PEOPLE] + [OFFICER_EMAIL])}
            demo = DemoData(organisations=organisations, people=people, officer=officer, stdout=self.stdout)
            for _label, seed in demo_seeders.all():
                seed(demo)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Demo password for every account: {DEMO_PASSWORD}")
        self.stdout.write(f"Officer {OFFICER_EMAIL} signs in with a TOTP code from this authenticator:")
        self.stdout.write(f"  {uri}")

    def seed_organisations(self) -> dict[str, Organisation]:
        organisations = {}
        for key, name, kind, phase, urn, address, postcode in ORGANISATIONS:
            lookup: dict[str, Any] = {"urn": urn} if urn else {"name": name}
            organisation, _ = Organisation.objects.update_or_create(
                **lookup,
                defaults={
                    "name": name,
                    "kind": kind,
                    "phase": phase,
                    "address": address,
                    "postcode": postcode,
                    "local_authority": "Leicester",
                    "status": Organisation.Status.OPEN,
                },
            )
            organisations[key] = organisation
        return organisations

    def demo_user(self, email: str, full_name: str, **extra) -> User:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=DEMO_PASSWORD, full_name=full_name, **extra)
        else:
            user.set_password(DEMO_PASSWORD)
            user.full_name = full_name
            for field, value in extra.items():
                setattr(user, field, value)
            user.save()
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def seed_people(self, organisations):
        for email, full_name, key, role in PEOPLE:
            user = self.demo_user(email, full_name)
            organisation = organisations[key]
            if role == Membership.Role.LEAD:
                organisation.memberships.filter(role=Membership.Role.LEAD).exclude(user=user).update(
                    role=Membership.Role.MEMBER
                )
            Membership.objects.update_or_create(user=user, organisation=organisation, defaults={"role": role})

    def seed_officer(self) -> User:
        officer = self.demo_user(OFFICER_EMAIL, "Olivia Officer", is_staff=True, job_title="Anti-bullying officer")
        officer.groups.add(Group.objects.get(name=OFFICERS_GROUP))
        if not Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(officer, generate_totp_secret())
        if not Authenticator.objects.filter(user=officer, type=Authenticator.Type.RECOVERY_CODES).exists():
            RecoveryCodes.activate(officer)
        return officer

    def officer_totp_uri(self, officer: User) -> str:
        authenticator = Authenticator.objects.get(user=officer, type=Authenticator.Type.TOTP)
        adapter = get_mfa_adapter()
        secret = adapter.decrypt(authenticator.data["secret"])
        return adapter.build_totp_url(officer, secret)
