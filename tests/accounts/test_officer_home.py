import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ppp.accounts.models import Membership, Organisation
from tests.factories import MembershipFactory, OrganisationFactory

URL = reverse("accounts:officer-home")


def test_anonymous_is_sent_to_sign_in(client, db):
    assert client.get(URL)["Location"].startswith(reverse("account_login"))


def test_school_staff_cannot_see_the_officer_pages(client, alice):
    assert client.get(URL).status_code == 302
    client.force_login(alice)
    assert client.get(URL).status_code == 403


def test_officer_sees_every_organisation_with_its_lead(client, officer, alice, school_a, charlie, school_b):
    client.force_login(officer)
    body = client.get(URL).content.decode()
    assert school_a.name in body and school_b.name in body
    assert str(alice) in body


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"kind": "secondary"}, "Hollybrook Academy", "Willowbank Primary"),
        ({"status": "closed"}, "Fernhill PRU", "Willowbank Primary"),
        ({"local_authority": "Leicestershire"}, "Oakfield County Primary", "Willowbank Primary"),
        ({"q": "willow"}, "Willowbank Primary", "Hollybrook Academy"),
        ({"q": "LE2 8"}, "Hollybrook Academy", "Willowbank Primary"),
        ({"q": "990777"}, "Oakfield County Primary", "Willowbank Primary"),
    ],
)
def test_officer_filters_and_searches(client, officer, query, shown, hidden):
    OrganisationFactory(name="Willowbank Primary", postcode="LE2 1XY")
    OrganisationFactory(name="Hollybrook Academy", kind=Organisation.Kind.SECONDARY, postcode="LE2 8AB")
    OrganisationFactory(name="Fernhill PRU", status=Organisation.Status.CLOSED)
    OrganisationFactory(name="Oakfield County Primary", local_authority="Leicestershire", urn="990777")
    client.force_login(officer)
    body = client.get(URL, query).content.decode()
    assert shown in body
    assert hidden not in body


def test_a_bad_filter_value_is_not_an_error(client, officer, school_a):
    client.force_login(officer)
    response = client.get(URL, {"kind": "spaceship", "page": "999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_list_is_paginated_and_keeps_filters(client, officer):
    OrganisationFactory.create_batch(30, kind=Organisation.Kind.PRIMARY)
    client.force_login(officer)
    body = client.get(URL, {"kind": "primary"}).content.decode()
    assert "Page 1 of 2" in body
    assert "?kind=primary&amp;page=2" in body
    assert "Page 2 of 2" in client.get(URL, {"kind": "primary", "page": 2}).content.decode()


def test_query_count_does_not_grow_with_organisations(client, officer):
    def seed(n):
        for organisation in OrganisationFactory.create_batch(n):
            MembershipFactory(organisation=organisation, role=Membership.Role.LEAD)
            MembershipFactory(organisation=organisation)

    client.force_login(officer)
    seed(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).status_code == 200
    seed(49)
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200
    assert len(many) == len(one) <= 12, [q["sql"] for q in many.captured_queries]


def test_organisation_page_queries_do_not_grow_with_members(client, alice, school_a):
    from ppp.accounts.services import invitation_create

    client.force_login(alice)
    with CaptureQueriesContext(connection) as one:
        assert client.get(school_a.get_absolute_url()).status_code == 200
    for n in range(30):
        MembershipFactory(organisation=school_a)
        invitation_create(organisation=school_a, email=f"new{n}@a.example", role="member", by=alice)
    with CaptureQueriesContext(connection) as many:
        assert client.get(school_a.get_absolute_url()).status_code == 200
    assert len(many) == len(one)


def test_member_counts_are_each_organisations_own(client, officer, alice, bob, school_a, charlie, school_b):
    client.force_login(officer)
    page = client.get(URL).context["page"]
    counts = {o.name: o.member_count for o in page}
    assert counts[school_a.name] == 2 and counts[school_b.name] == 1


def test_past_the_cap_the_list_says_more_and_stops(client, officer, monkeypatch):
    from ppp.pagination import CappedPaginator

    original = CappedPaginator.__init__

    def small_cap(self, *args, **kwargs):
        original(self, *args, **{**kwargs, "cap": 30})

    monkeypatch.setattr(CappedPaginator, "__init__", small_cap)
    OrganisationFactory.create_batch(40)
    client.force_login(officer)
    body = client.get(URL).content.decode()
    assert "More than 30 organisations" in body
    assert "Page 1 of 2" in body
    assert "Page 2 of 2" in client.get(URL, {"page": 50}).content.decode()


def test_officers_download_the_filtered_organisations_as_a_streamed_csv(client, officer, django_assert_max_num_queries):
    import csv
    import io

    from ppp.audit.models import AuditEvent

    OrganisationFactory(name="=Willowbank Primary", postcode="LE2 1XY")
    OrganisationFactory(name="Hollybrook Academy", kind=Organisation.Kind.SECONDARY)
    client.force_login(officer)
    url = reverse("accounts:officer-organisations-csv")
    response = client.get(url, {"kind": "primary"})
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert table[0][:3] == ["Name", "URN", "Kind"]
    assert [row[0] for row in table[1:]] == ["'=Willowbank Primary"]
    assert table[1][2] == "Primary school"
    assert AuditEvent.objects.filter(action="organisations.export", actor=officer).exists()
    OrganisationFactory.create_batch(40)
    with django_assert_max_num_queries(8):
        response = client.get(url)
        assert len(b"".join(response.streaming_content).decode().splitlines()) == 43


def test_the_csv_is_for_officers_only(client, alice):
    client.force_login(alice)
    assert client.get(reverse("accounts:officer-organisations-csv")).status_code == 403
