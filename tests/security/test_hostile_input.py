"""Each server error issue 20's fuzzer found, sent again: now a message, a 400 or a 404."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from accreditation.models import Application, Evidence
from tests.accreditation import factories as award
from tests.training.factories import book, make_session

pytestmark = pytest.mark.django_db

NUL = "\x00"


@pytest.fixture
def client(client):
    client.raise_request_exception = False
    return client


def test_an_admin_action_on_ids_that_are_not_ids_selects_nothing(client, officer, school_a, alice):
    client.force_login(officer)
    for value in ["abc", "99999999999999999999999", NUL.join("12")]:
        response = client.post(
            reverse("admin:accreditation_application_changelist"),
            {"action": "delete_selected", "_selected_action": [value]},
        )
        assert response.status_code in (200, 302, 400), value


def test_an_admin_form_sent_back_with_a_non_numeric_autocomplete_value_says_so(client, officer, school_a):
    client.force_login(officer)
    response = client.post(
        reverse("admin:training_coursesession_add"),
        {"course": "abc", "starts_at_0": "x", "capacity": "z"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_an_admin_date_hierarchy_with_an_impossible_year_is_not_a_server_error(client, officer):
    client.force_login(officer)
    url = reverse("admin:training_coursesession_changelist")
    for query in ["starts_at__year=99999", "starts_at__year=9999&starts_at__month=12", "starts_at__year=-1"]:
        assert client.get(f"{url}?{query}").status_code in (200, 302), query


def test_nul_characters_in_a_form_a_next_address_or_a_filter_get_a_400(client, officer, alice, school_a):
    application = award.planning(school_a, alice, officer)
    client.force_login(alice)
    self_review = reverse("accreditation:self-review", args=[application.public_id])
    assert client.post(self_review, {"rating_1": NUL, "notes": "a" + NUL}).status_code == 400
    assert client.get(reverse("incidents:access-log") + "?who=" + NUL).status_code == 400
    assert client.get("/organisations/" + NUL + "/").status_code in (400, 404)
    client.force_login(officer)
    charges = reverse("training:charges")
    assert client.post(charges, {"next": "/x" + NUL}).status_code == 400
    assert client.get(charges + "?next=" + NUL).status_code == 400


def test_the_admin_page_of_evidence_with_a_file_links_to_the_checked_download(client, officer, alice, school_a):
    application = award.evidencing(school_a, alice, officer)
    evidence = Evidence.objects.create(
        application=application,
        title="Policy",
        kind=Evidence.Kind.FILE,
        original_filename="policy.pdf",
        created_by=alice,
    )
    evidence.file.save("policy.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    client.force_login(officer)
    page = client.get(reverse("admin:accreditation_evidence_change", args=[evidence.pk]))
    assert page.status_code == 200
    assert reverse("accreditation:evidence-download", args=[evidence.public_id]) in page.content.decode()
    assert Application.objects.count() == 1


def test_the_booking_limit_counts_bookings_per_person_not_page_views(client, alice, bob, school_a, settings):
    session = make_session(capacity=100)
    url = reverse("training:book", args=[session.public_id])
    client.force_login(alice)
    for _ in range(40):  # looking at the form is not booking
        assert client.get(url).status_code == 200
    book(session, school_a, alice)  # and the limit belongs to the person booking, not the school's address
    client.force_login(bob)
    assert client.get(url).status_code == 200
