import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group

from ppp.accounts.models import OFFICERS_GROUP, Membership, Organisation, User

PASSWORD = "Correct-Horse-Battery-9"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    # Plain names: a Faker name such as "O'Brien" is HTML-escaped on pages and breaks text checks.
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test School {n}")
    kind = Organisation.Kind.PRIMARY
    phase = "Primary"
    urn = factory.Sequence(lambda n: f"{800000 + n}")
    local_authority = "Leicester"
    postcode = "LE1 1AA"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


def make_officer(email="officer@example.org", *, with_totp=True) -> User:
    officer = UserFactory(email=email, is_staff=True, full_name="Olivia Officer")
    group, _ = Group.objects.get_or_create(name=OFFICERS_GROUP)
    officer.groups.add(group)
    if with_totp:
        TOTP.activate(officer, TOTP_SECRET)
    return officer


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
