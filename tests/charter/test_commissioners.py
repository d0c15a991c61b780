import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from charter import selectors, services
from charter.models import CommissionedProvider, Pledge
from charter.services import CharterError
from tests.charter.factories import PledgeFactory, approved_pledge, details, due_pledge
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def commissioner(school_a):
    PledgeFactory(organisation=school_a, status=Pledge.Status.APPROVED, delivery_role=Pledge.DeliveryRole.COMMISSIONER)
    return school_a


def test_a_commissioner_sees_only_public_facts_until_a_provider_agrees(
    client, alice, commissioner, school_b, charlie, django_capture_on_commit_callbacks
):
    """Listing an organisation as a provider shows the commissioner nothing the public
    register does not, until the provider's lead agrees to share its charter status."""
    pledged = OrganisationFactory(name="Pledged Provider")
    approved_pledge(pledged)
    due = OrganisationFactory(name="Due Provider")
    due_pledge(due, consent_to_list=False)
    with django_capture_on_commit_callbacks(execute=True):
        for org in (pledged, due, school_b):
            services.provider_add(commissioner=commissioner, by=alice, name=org.name, email="typed@anyone.example")
        services.provider_add(commissioner=commissioner, by=alice, name="New Youth Club", email="hi@club.example")
    # The provider on PPP is asked through its own lead, never at an address the commissioner typed.
    assert [m.to for m in mail.outbox if "lists" in m.subject and school_b.name in m.subject] == [[charlie.email]]
    assert not any("typed@anyone.example" in m.to for m in mail.outbox)
    assert mail.outbox[-1].to == ["hi@club.example"]

    states = {p.name: p.state for p in selectors.providers_with_status(commissioner, timezone.localdate())}
    assert states == {
        "Pledged Provider": "on the register",
        "Due Provider": "not on the register",  # its pledge is approved, but not listed publicly
        school_b.name: "not on the register",
        "New Youth Club": "not signed",
    }
    client.force_login(alice)
    body = client.get(reverse("charter:providers", kwargs={"slug": commissioner.slug})).content.decode()
    assert "Due for review" not in body and "have not yet agreed to share" in body

    # Due Provider's lead agrees: the commissioner now sees the review falling due.
    from tests.factories import MembershipFactory

    due_lead = MembershipFactory(organisation=due, role="lead").user
    link = CommissionedProvider.objects.get(provider=due)
    client.force_login(due_lead)
    page = client.get(reverse("charter:provider-requests", kwargs={"slug": due.slug})).content.decode()
    assert commissioner.name in page and "waiting for your answer" in page
    client.post(reverse("charter:provider-accept", kwargs={"provider": link.public_id}))
    states = {p.name: p.state for p in selectors.providers_with_status(commissioner, timezone.localdate())}
    assert states["Due Provider"] == "due for review"

    # Another organisation's lead cannot answer for it.
    client.force_login(charlie)
    response = client.post(reverse("charter:provider-decline", kwargs={"provider": link.public_id}))
    assert response.status_code == 404
    assert CommissionedProvider.objects.filter(pk=link.pk).exists()


def test_a_provider_declines_and_drops_off_the_list(alice, commissioner, school_b, charlie):
    link = services.provider_add(commissioner=commissioner, by=alice, name=school_b.name)
    with pytest.raises(CharterError, match="provider's lead"):
        services.provider_decline(provider=link, by=alice)
    services.provider_decline(provider=link, by=charlie)
    assert not CommissionedProvider.objects.filter(commissioner=commissioner).exists()


def test_an_unknown_provider_needs_an_email(alice, commissioner):
    with pytest.raises(CharterError, match="email"):
        services.provider_add(commissioner=commissioner, by=alice, name="Nobody Known")


def test_a_non_commissioner_cannot_list_providers(client, charlie, school_b):
    PledgeFactory(organisation=school_b, status=Pledge.Status.APPROVED)
    with pytest.raises(CharterError, match="commissioner"):
        services.provider_add(commissioner=school_b, by=charlie, name="X", email="x@example.org")
    client.force_login(charlie)
    assert client.get(reverse("charter:providers", kwargs={"slug": school_b.slug})).status_code == 404


def test_a_commissioner_sees_only_its_own_providers(client, alice, charlie, commissioner, school_b):
    PledgeFactory(organisation=school_b, status=Pledge.Status.APPROVED, delivery_role=Pledge.DeliveryRole.BOTH)
    mine = services.provider_add(commissioner=commissioner, by=alice, name="Mine", email="mine@example.org")
    services.provider_add(commissioner=school_b, by=charlie, name="Theirs", email="theirs@example.org")
    client.force_login(alice)
    body = client.get(reverse("charter:providers", kwargs={"slug": commissioner.slug})).content.decode()
    assert "Mine" in body and "Theirs" not in body
    assert client.get(reverse("charter:providers", kwargs={"slug": school_b.slug})).status_code == 404
    client.force_login(charlie)
    response = client.post(reverse("charter:provider-remind", kwargs={"provider": mine.public_id}))
    assert response.status_code == 404


def test_a_reminder_goes_once_a_week(alice, commissioner, school_b, django_capture_on_commit_callbacks):
    from ppp.accounts.models import Membership
    from tests.factories import MembershipFactory

    lead = MembershipFactory(organisation=school_b, role=Membership.Role.LEAD, user__email="lead@b.example").user
    provider = services.provider_add(commissioner=commissioner, by=alice, name=school_b.name)
    services.provider_accept(provider=provider, by=lead)
    with django_capture_on_commit_callbacks(execute=True):
        services.provider_remind(provider=provider, by=alice)
    assert mail.outbox[-1].to == ["lead@b.example"]
    with pytest.raises(CharterError, match="Wait a week"):
        services.provider_remind(provider=provider, by=alice)


def test_an_invited_provider_is_linked_when_it_registers(alice, commissioner, client):
    services.provider_add(commissioner=commissioner, by=alice, name="Riverside", email="boss@riverside.example")
    signup = services.pledge_sign_up(
        organisation_name="Riverside Youth Club",
        kind="youth_service",
        postcode="LE2 1AB",
        email="boss@riverside.example",
        details=details(),
    )
    services.pledge_verify_email(pledge=signup.pledge, password="a-long-Secret-phrase-42")
    assert CommissionedProvider.objects.get(name="Riverside").provider == signup.pledge.organisation


def test_the_providers_page_queries_do_not_grow_with_providers(client, alice, commissioner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.charter.factories import ProviderFactory

    def add(n):
        for _ in range(n):
            provider = OrganisationFactory()
            approved_pledge(provider)
            ProviderFactory(commissioner=commissioner, provider=provider)
            ProviderFactory(commissioner=commissioner, provider=None, name="New one", email="x@example.org")

    url = reverse("charter:providers", kwargs={"slug": commissioner.slug})
    client.force_login(alice)
    add(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add(25)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


def test_no_reminders_until_the_organisation_agrees_to_be_listed(
    client, alice, commissioner, school_b, charlie, django_capture_on_commit_callbacks
):
    """Issue 19: a commissioner cannot add any organisation and send it reminders: the
    organisation's lead agrees first (the request is the only email before that)."""
    provider = services.provider_add(commissioner=commissioner, by=alice, name=school_b.name)
    assert provider.provider == school_b and provider.accepted_at is None
    with pytest.raises(CharterError, match="has not agreed yet"):
        services.provider_remind(provider=provider, by=alice)
    client.force_login(alice)
    page = client.get(reverse("charter:providers", kwargs={"slug": commissioner.slug})).content.decode()
    assert "Send a reminder" not in page
    response = client.post(reverse("charter:provider-remind", kwargs={"provider": provider.public_id}), follow=True)
    assert "has not agreed yet" in response.content.decode()
    provider.refresh_from_db()
    assert provider.last_reminded_at is None
    services.provider_accept(provider=provider, by=charlie)
    with django_capture_on_commit_callbacks(execute=True):
        services.provider_remind(provider=provider, by=alice)
    assert mail.outbox[-1].to == [charlie.email]


def _add(client, commissioner, **data):
    url = reverse("charter:providers", kwargs={"slug": commissioner.slug})
    return client.post(url, {"name": "", "urn": "", "email": "", **data})


def test_close_names_are_offered_before_inviting_a_new_organisation(client, alice, commissioner):
    elmfield = OrganisationFactory(name="Elmfield Sixth Form College", postcode="LE3 9QP")
    client.force_login(alice)
    response = _add(client, commissioner, name="elmfield colleges", email="office@elmfield.example")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Did you mean one of these?" in body and "Elmfield Sixth Form College, LE3 9QP" in body
    assert "None of these: invite elmfield colleges as a new organisation" in body
    assert not CommissionedProvider.objects.exists()
    # They meant the one already here: it is linked, and asked to agree (no invitation sent).
    typed = {"name": "elmfield colleges", "email": "office@elmfield.example"}
    response = _add(client, commissioner, **typed, match=elmfield.slug)
    assert response.status_code == 302
    link = CommissionedProvider.objects.get()
    assert link.provider == elmfield and link.accepted_at is None
    assert not any("office@elmfield.example" in m.to for m in mail.outbox)


def test_none_of_these_invites_a_new_organisation(client, alice, commissioner):
    OrganisationFactory(name="Elmfield Sixth Form College")
    client.force_login(alice)
    response = _add(client, commissioner, name="Elmfield College", email="hello@other.example", match="new")
    assert response.status_code == 302
    link = CommissionedProvider.objects.get()
    assert link.provider is None and link.email == "hello@other.example"
    # A slug that was not offered is not taken: the choices are asked again.
    response = _add(client, commissioner, name="Elmfield Coll", email="x@other.example", match="someone-else")
    assert "Did you mean one of these?" in response.content.decode()
    assert CommissionedProvider.objects.count() == 1


def test_a_misspelt_name_finds_the_organisation_through_the_trigram_index(alice, commissioner):
    elmfield = OrganisationFactory(name="Elmfield College")
    with pytest.raises(services.CloseNames) as raised:
        services.provider_add(commissioner=commissioner, by=alice, name="Elmfeild Colege", email="a@b.example")
    assert raised.value.matches == [elmfield]
