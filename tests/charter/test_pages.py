"""The pledge's pages through HTTP, the public register and the officers' page."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.models import Pledge
from tests.charter.factories import PledgeFactory, approved_pledge, due_pledge, form_data
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def h1_count(body):
    return body.count("<h1")


def test_the_charter_page_shows_the_charter(client):
    body = client.get(reverse("charter:index")).content.decode()
    assert h1_count(body) == 1
    assert "Several Times On Purpose" in body and "Start Telling Other People" in body
    assert "<strong>feel safe</strong>" in body
    assert "Restorative Justice Council" in body
    assert "bhavin.pathak@leicester.gov.uk" in body


def test_the_register_lists_approved_consenting_pledges_only(client, school_a, school_b):
    approved_pledge(school_a)
    approved_pledge(school_b, consent_to_list=False)
    PledgeFactory(organisation=OrganisationFactory(name="Waiting School"))
    body = client.get(reverse("charter:register")).content.decode()
    assert school_a.name in body and school_b.name not in body and "Waiting School" not in body


def test_the_kept_register_forgets_as_soon_as_a_pledge_is_approved(
    client, officer, school_a, settings, django_capture_on_commit_callbacks
):
    from charter import services

    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    pledge = PledgeFactory(organisation=school_a)
    url = reverse("charter:register")
    assert school_a.name not in client.get(url).content.decode()  # now kept in the cache
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, by=officer)
    assert school_a.name in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        Pledge.objects.get(pk=pledge.pk).delete()  # the admin's way: a signal, not a service
    assert school_a.name not in client.get(url).content.decode()


def test_the_register_searches_and_filters(client):
    approved_pledge(
        OrganisationFactory(name="Oak Nursery", kind="nursery", local_authority="Leicester", postcode="LE2 2BB")
    )
    approved_pledge(OrganisationFactory(name="Elm Academy", kind="secondary", local_authority="Rutland"))
    url = reverse("charter:register")
    assert "Elm Academy" not in client.get(url, {"q": "oak"}).content.decode()
    for postcode in ("LE2 2BB", "le22bb", "LE2"):  # typed with its space or without
        body = client.get(url, {"q": postcode}).content.decode()
        assert "Oak Nursery" in body and "Elm Academy" not in body, postcode
    body = client.get(url, {"kind": "secondary"}).content.decode()
    assert "Elm Academy" in body and "Oak Nursery" not in body
    body = client.get(url, {"area": "Leicester"}).content.decode()
    assert "Oak Nursery" in body and "Elm Academy" not in body


def test_a_register_entry_shows_the_pledge_and_published_progress(client, alice, school_a):
    from charter.services import review_submit

    pledge = due_pledge(school_a)
    answers = {c.pk: ("We trained all midday supervisors", "Next: parents") for c in pledge.charter.commitments.all()}
    review_submit(pledge=pledge, by=alice, answers=answers, consent_to_publish=True)
    body = client.get(reverse("charter:register-entry", kwargs={"pledge": pledge.public_id})).content.decode()
    assert h1_count(body) == 1 and "What we pledged" in body and "We trained all midday supervisors" in body


def test_unpublished_progress_stays_private(client, alice, school_a):
    from charter.services import review_submit

    pledge = due_pledge(school_a)
    answers = {c.pk: ("Secret progress", "Next") for c in pledge.charter.commitments.all()}
    review_submit(pledge=pledge, by=alice, answers=answers, consent_to_publish=False)
    body = client.get(reverse("charter:register-entry", kwargs={"pledge": pledge.public_id})).content.decode()
    assert "Secret progress" not in body


def test_an_entry_not_on_the_register_is_404(client, school_a):
    pledge = PledgeFactory(organisation=school_a)
    assert client.get(reverse("charter:register-entry", kwargs={"pledge": pledge.public_id})).status_code == 404


def make_register(n):
    for i in range(n):
        pledge = approved_pledge(OrganisationFactory(name=f"Org {i:03}"))
        pledge.reviews.create(
            due_on=pledge.review_due_on, submitted_by=pledge.created_by or _user(), consent_to_publish=True
        )


def _user():
    from tests.factories import UserFactory

    return UserFactory()


def test_register_queries_do_not_grow_with_pledges(client, django_assert_max_num_queries):
    make_register(1)
    with django_assert_max_num_queries(8) as one:
        client.get(reverse("charter:register"))
    make_register(49)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("charter:register"))
    assert response.content.decode().count('<h2 class="govuk-summary-card__title"') == 20
    with django_assert_max_num_queries(len(one.captured_queries)):  # the last page too
        response = client.get(reverse("charter:register"), {"page": 3})
    assert response.content.decode().count('<h2 class="govuk-summary-card__title"') == 10


def test_officer_page_queries_do_not_grow_with_pledges(client, officer, django_assert_max_num_queries):
    def spread(n):
        for i in range(n):
            org = OrganisationFactory(kind=["primary", "nursery", "youth_service"][i % 3])
            PledgeFactory(organisation=org, status=["submitted", "approved", "lapsed", "returned"][i % 4])

    client.force_login(officer)
    spread(1)
    with django_assert_max_num_queries(30) as one:
        assert client.get(reverse("charter:officer-home")).status_code == 200
    spread(49)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("charter:officer-home"))
    assert h1_count(response.content.decode()) == 1


def test_officer_page_and_csv_are_for_officers_only(client, alice):
    client.force_login(alice)
    assert client.get(reverse("charter:officer-home")).status_code == 403
    assert client.get(reverse("charter:register-csv")).status_code == 403


def test_the_register_list_is_one_query_for_its_rows_and_says_who_has_published_progress(
    client, alice, school_a, django_assert_max_num_queries
):
    from charter.services import review_submit

    pledge = due_pledge(school_a)
    answers = {c.pk: ("Done", "Next") for c in pledge.charter.commitments.all()}
    review_submit(pledge=pledge, by=alice, answers=answers, consent_to_publish=True)
    make_register(3)
    client.get(reverse("charter:register"))
    # the count, the page (with whether each has published progress), the register's notes,
    # the filter panel (kept or drawn: the areas and the cache) and nothing per entry
    with django_assert_max_num_queries(6) as page:
        body = client.get(reverse("charter:register")).content.decode()
    assert body.count(" and has done</a>") == 4  # make_register's pledges have published reviews too
    rows = [q["sql"] for q in page.captured_queries if '"charter_pledge"."public_id"' in q["sql"]]
    assert len(rows) == 1 and '"leader_statement"' in rows[0] and '"address"' not in rows[0]


def test_the_register_filter_panel_is_drawn_once_for_each_set_of_choices(
    client, officer, settings, django_capture_on_commit_callbacks
):
    """Pages of results and searches with the same choices share one kept panel: the list of
    areas is not read again; a pledge approved in a new area forgets it with the pages."""
    from charter import services

    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    for i in range(45):
        approved_pledge(OrganisationFactory(name=f"Org {i:03}", local_authority="Rutland"))
    url = reverse("charter:register")
    first = client.get(url, {"page": 1}).content.decode()
    with CaptureQueriesContext(connection) as second_page:
        second = client.get(url, {"page": 2}).content.decode()
    assert not any("DISTINCT" in q["sql"] and "local_authority" in q["sql"] for q in second_page.captured_queries)
    panel = first[first.index('<form method="get"') : first.index("</form>")]
    assert panel == second[second.index('<form method="get"') : second.index("</form>")]
    assert '<option value="Rutland">Rutland</option>' in panel
    with CaptureQueriesContext(connection) as search:
        found = client.get(url, {"q": "Org 04"}).content.decode()
    assert not any("DISTINCT" in q["sql"] and "local_authority" in q["sql"] for q in search.captured_queries)
    assert 'name="q" value="Org 04"' in found and '<option value="Rutland">Rutland</option>' in found
    chosen = client.get(url, {"area": "Rutland", "page": 2}).content.decode()
    assert '<option value="Rutland" selected>Rutland</option>' in chosen
    pledge = PledgeFactory(organisation=OrganisationFactory(name="New Place", local_authority="Bury"))
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, by=officer)
    assert '<option value="Bury">Bury</option>' in client.get(url, {"page": 3}).content.decode()


def test_the_register_exports_as_csv(client, officer):
    approved_pledge(OrganisationFactory(name="=cmd|' /C calc'!A0"))
    approved_pledge(OrganisationFactory(name="Quiet School"), consent_to_list=False)
    client.force_login(officer)
    response = client.get(reverse("charter:register-csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Organisation" and len(rows) == 2
    assert rows[1][0].startswith("'=")  # no spreadsheet formulas
    assert rows[1][7] == "Direct service to children and young people"


def test_the_register_export_reads_a_fixed_number_of_queries(client, officer, django_assert_max_num_queries):
    for n in range(30):
        approved_pledge(OrganisationFactory(name=f"School {n}"))
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("charter:register-csv"))
        rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 31


def test_the_officers_count_tables_are_kept_and_forgotten_when_a_pledge_changes(
    client, officer, school_a, django_capture_on_commit_callbacks
):
    """The two count tables are a fragment kept under the register's version: a second view
    does not count the pledges again, and approving a pledge (which replaces the version)
    shows at once."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from charter import services

    pledge = PledgeFactory(organisation=school_a)
    client.force_login(officer)

    def view():
        with CaptureQueriesContext(connection) as queries:
            body = client.get(reverse("charter:officer-home")).content.decode()
        counts = [q for q in queries.captured_queries if "GROUP BY" in q["sql"] and "charter_pledge" in q["sql"]]
        approved = int(re.search(r"Primary school</th>\s*<td[^>]*>(\d+)</td>", body).group(1))
        return approved, len(counts)

    assert view() == (0, 2)  # drawn: both tables counted
    assert view() == (0, 0)  # kept
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_approve(pledge=pledge, by=officer)
    assert view() == (1, 2)  # the version changed: counted again


def test_the_officers_lists_show_ten_and_link_to_the_rest(client, officer):
    from charter.models import Pledge
    from tests.charter.factories import PledgeFactory as Factory

    for n in range(25):
        Factory(organisation=OrganisationFactory(name=f"Waiting {n:02}"), status=Pledge.Status.SUBMITTED)
    client.force_login(officer)
    page = client.get(reverse("charter:officer-home")).content.decode()
    assert page.count("Waiting ") == 10
    assert "Showing the first 10." in page and "?status__exact=submitted" in page


def test_officer_approves_from_the_pledge_page(client, officer, school_a):
    pledge = PledgeFactory(organisation=school_a)
    client.force_login(officer)
    body = client.get(pledge.get_absolute_url()).content.decode()
    assert "Approve the pledge" in body
    client.post(reverse("charter:pledge-approve", kwargs={"pledge": pledge.public_id}))
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.APPROVED
    body = client.get(pledge.get_absolute_url()).content.decode()
    assert "Download the pledge certificate" in body


def test_a_lead_cannot_approve_their_own_pledge(client, alice, school_a):
    pledge = PledgeFactory(organisation=school_a)
    client.force_login(alice)
    client.post(reverse("charter:pledge-approve", kwargs={"pledge": pledge.public_id}))
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED


def test_return_without_a_comment_changes_nothing(client, officer, school_a):
    pledge = PledgeFactory(organisation=school_a)
    client.force_login(officer)
    response = client.post(reverse("charter:pledge-return", kwargs={"pledge": pledge.public_id}), {"comment": ""})
    page = response.content.decode()
    assert "<title>Error:" in page
    assert "Say what the organisation needs to change" in page
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED


def test_approving_asks_are_you_sure_and_says_what_happens(client, officer, school_a):
    pledge = PledgeFactory(organisation=school_a, consent_to_list=True)
    client.force_login(officer)
    page = client.get(reverse("charter:pledge-approve", kwargs={"pledge": pledge.public_id})).content.decode()
    assert "Are you sure you want to approve School A Primary&#x27;s pledge?" in page
    assert "It is listed on the public register." in page
    assert "Its first annual review is due on" in page
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED


def test_withdrawing_asks_are_you_sure_and_warns(client, alice, school_a):
    pledge = PledgeFactory(organisation=school_a, status=Pledge.Status.APPROVED)
    client.force_login(alice)
    page = client.get(reverse("charter:pledge-withdraw", kwargs={"pledge": pledge.public_id})).content.decode()
    assert "Are you sure you want to withdraw your pledge?" in page
    assert "Withdrawing cannot be undone." in page
    assert "Yes, withdraw our pledge" in page
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.APPROVED


def test_a_confirmation_page_someone_may_not_use_sends_them_back_with_the_reason(client, alice, school_a):
    pledge = PledgeFactory(organisation=school_a)
    client.force_login(alice)
    response = client.get(reverse("charter:pledge-approve", kwargs={"pledge": pledge.public_id}), follow=True)
    assert response.redirect_chain[-1][0] == pledge.get_absolute_url()
    assert "Only a council officer can approve a pledge" in response.content.decode()


def test_a_returned_pledge_shows_the_councils_comment_at_the_top(client, officer, alice, school_a):
    pledge = PledgeFactory(organisation=school_a)
    client.force_login(officer)
    client.post(reverse("charter:pledge-return", kwargs={"pledge": pledge.public_id}), {"comment": "Name your lead."})
    client.force_login(alice)
    page = client.get(pledge.get_absolute_url()).content.decode()
    banner = page.index("Changes asked for")
    assert banner < page.index("Status</dt>")
    assert page.index("Name your lead.") > banner
    assert "Change the pledge and resubmit it" in page


def test_the_lead_renews_a_lapsed_pledge(client, alice, school_a):
    pledge = PledgeFactory(organisation=school_a, status=Pledge.Status.LAPSED)
    client.force_login(alice)
    url = reverse("charter:pledge-edit", kwargs={"pledge": pledge.public_id})
    assert "Renew your pledge" in client.get(url).content.decode()
    client.post(url, form_data())
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED
    assert pledge.events.last().action == "renewed"


def test_the_lead_sends_the_review_and_the_officer_answers(client, alice, officer, school_a):
    pledge = due_pledge(school_a)
    client.force_login(alice)
    url = reverse("charter:review-create", kwargs={"pledge": pledge.public_id})
    data = {}
    for c in pledge.charter.commitments.all():
        data[f"done_{c.pk}"] = "Done it"
        data[f"next_{c.pk}"] = "More"
    response = client.post(url, data)
    review = pledge.reviews.get()
    assert response["Location"] == review.get_absolute_url()
    client.force_login(officer)
    client.post(reverse("charter:review-feedback", kwargs={"review": review.public_id}), {"feedback": "Good work"})
    review.refresh_from_db()
    assert review.feedback == "Good work"


def test_pages_have_one_h1(client, alice, officer, school_a):
    pledge = due_pledge(school_a)
    client.force_login(alice)
    for url in (
        pledge.get_absolute_url(),
        reverse("charter:review-create", kwargs={"pledge": pledge.public_id}),
        reverse("charter:index"),
        reverse("charter:register"),
    ):
        assert h1_count(client.get(url).content.decode()) == 1, url


def test_labels_built_from_charter_text_are_escaped(client, alice, school_a):
    from charter.models import Charter

    commitment = Charter.objects.current().commitments.first()
    commitment.short_title = '<img src=x onerror="alert(1)">'
    type(commitment).objects.filter(pk=commitment.pk).update(short_title=commitment.short_title)
    client.force_login(alice)
    body = client.get(reverse("charter:organisation-sign", kwargs={"slug": school_a.slug})).content.decode()
    assert "<img src=x" not in body
    assert "How will you show this? &lt;img src=x onerror=" in body


def test_the_register_reads_its_areas_once_and_keeps_them_for_every_area_chosen(client, settings):
    """Choosing an area checks it against the areas and draws the panel with them: one read,
    kept under the register's version, so the next area chosen (a panel not drawn yet) reads
    none. Approving a pledge forgets them with the pages (the test above)."""
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    approved_pledge(OrganisationFactory(name="Oak", local_authority="Rutland"))
    approved_pledge(OrganisationFactory(name="Elm", local_authority="Bury"))
    url = reverse("charter:register")

    def area_reads(area):
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url, {"area": area}).content.decode()
        assert f'<option value="{area}" selected>{area}</option>' in body
        return sum('DISTINCT "accounts_organisation"."local_authority"' in q["sql"] for q in queries.captured_queries)

    assert area_reads("Rutland") == 1
    assert area_reads("Bury") == 0
