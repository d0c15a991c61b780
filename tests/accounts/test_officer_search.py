"""The officers' one search box finds organisations, applications and pledges by name,
URN, postcode or reference — and is for officers only."""

import pytest
from django.urls import reverse

from ppp.accounts.models import Membership
from tests.accreditation.factories import apply
from tests.certificates.factories import issue_for
from tests.charter.factories import PledgeFactory
from tests.factories import MembershipFactory, OrganisationFactory

SEARCH = reverse("accounts:officer-search")


@pytest.fixture
def abbeygate(db):
    return OrganisationFactory(name="Abbeygate Primary School", urn="120001", postcode="LE1 5AA")


def results(client, q):
    response = client.get(SEARCH, {"q": q})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "q", ["abbeygate", "Abbeygate  primary", "120001", "LE1 5AA", "le1 5aa", "LE15AA", "le15aa", "LE1"]
)
def test_an_organisation_is_found_by_name_urn_or_postcode(client, officer, abbeygate, q):
    client.force_login(officer)
    page = results(client, q)
    assert "Abbeygate Primary School" in page
    assert abbeygate.get_absolute_url() in page


def test_applications_and_pledges_are_found_with_their_status(client, officer, alice, school_a, school_b):
    lead_app = apply(school_a, alice)
    pledge = PledgeFactory(organisation=school_a)
    client.force_login(officer)
    page = results(client, "School A Primary")
    assert "Award applications" in page and lead_app.get_absolute_url() in page
    assert "Charter pledges" in page and pledge.get_absolute_url() in page
    assert "School B Academy" not in page


def test_a_reference_pasted_from_an_address_finds_its_application(client, officer, alice, school_a):
    application = apply(school_a, alice)
    client.force_login(officer)
    page = results(client, f"http://127.0.0.1:8000{application.get_absolute_url()}")
    assert application.get_absolute_url() in page


def test_nothing_found_says_what_to_try(client, officer, abbeygate):
    client.force_login(officer)
    assert "Nothing matches “Zanzibar”" in results(client, "Zanzibar")


@pytest.mark.parametrize(
    ("q", "message"),
    [("", "Enter a name, URN, postcode or reference"), ("a", "Search must be 2 characters or more")],
)
def test_an_empty_or_too_short_search_gets_a_govuk_error(client, officer, q, message):
    client.force_login(officer)
    page = results(client, q)
    assert "<title>Error:" in page
    assert message in page
    assert 'href="#search_q"' in page


def test_an_empty_page_has_no_error(client, officer):
    client.force_login(officer)
    page = client.get(SEARCH).content.decode()
    assert "There is a problem" not in page


def test_long_result_lists_say_there_are_more(client, officer):
    for n in range(25):
        OrganisationFactory(name=f"Meadow School {n}")
    client.force_login(officer)
    page = results(client, "meadow")
    assert page.count("Meadow School") == 20
    assert "Only the first 20 are shown" in page


def test_search_reads_a_fixed_number_of_queries(client, officer, alice, school_a, django_assert_num_queries):
    for n in range(5):
        school = OrganisationFactory(name=f"Meadow School {n}")
        apply(school, MembershipFactory(organisation=school, role=Membership.Role.LEAD).user)
        PledgeFactory(organisation=OrganisationFactory(name=f"Meadow Nursery {n}"))
    client.force_login(officer)
    client.get(SEARCH, {"q": "meadow"})
    # Session, user, its authenticator and group, one query per source (three), the page's membership.
    with django_assert_num_queries(8):
        client.get(SEARCH, {"q": "meadow"})


def test_school_staff_cannot_search(client, alice):
    client.force_login(alice)
    assert client.get(SEARCH, {"q": "School"}).status_code == 403


def test_the_caseload_has_the_search_box(client, officer):
    client.force_login(officer)
    assert f'action="{SEARCH}"' in client.get(reverse("accreditation:caseload")).content.decode()


@pytest.mark.parametrize("q", ["riverside scouts", "scout riverside", "Riverside  Scout groups"])
def test_words_in_any_order_and_plurals_find_the_name(client, officer, q):
    scouts = OrganisationFactory(name="Riverside Scout Group")
    OrganisationFactory(name="Riverside Primary School")
    client.force_login(officer)
    page = results(client, q)
    assert scouts.get_absolute_url() in page
    assert "Riverside Primary School" not in page


@pytest.mark.parametrize("q", ["st marys academies", "nurseries"])
def test_plural_endings_are_understood(client, officer, q):
    OrganisationFactory(name="St Mary's Academy Nursery")
    client.force_login(officer)
    assert "St Mary&#x27;s Academy Nursery" in results(client, q)


def test_a_certificate_code_finds_what_it_was_issued_for(client, officer, school_a):
    certificate = issue_for(school_a, officer)  # the organisation stands in as what it was issued for
    client.force_login(officer)
    typed = certificate.code.removeprefix("PPP-").replace("-", " ").lower()  # as read off the paper
    page = results(client, typed)
    assert "Certificates" in page and certificate.code in page
    assert school_a.get_absolute_url() in page and "Valid" in page
