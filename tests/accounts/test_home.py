"""The signed-in person's home: what needs them now, from every app, for the
organisation they are working as."""

from django.urls import reverse

from accreditation import services
from charter import services as charter_services
from ppp.accounts.models import Organisation
from tests.accreditation.factories import evidencing, statement
from tests.charter.factories import PledgeFactory

HOME = reverse("accounts:home")


def test_a_new_lead_is_asked_to_apply_and_to_sign(client, alice):
    client.force_login(alice)
    page = client.get(HOME).content.decode()
    assert "What needs you now" in page
    assert "Apply for the Positive and Peaceful Places award" in page
    assert "Sign the Anti-Bullying Charter" in page


def test_a_member_is_told_the_lead_acts(client, bob):
    client.force_login(bob)
    page = client.get(HOME).content.decode()
    assert "Your lead applies for the award." in page
    assert "Your lead signs it." in page
    assert "Apply for the Positive and Peaceful Places award" not in page


def test_returned_evidence_is_a_task_with_the_officers_comment(client, alice, school_a, officer):
    application = evidencing(school_a, alice, officer)
    evidence = statement(application, alice, title="Behaviour policy")
    services.evidence_submit(evidence=evidence, by=alice)
    services.evidence_review(
        evidence=evidence,
        by=officer,
        decision="changes_requested",
        comment="Add the date the governors agreed it.",
        seen_status="submitted",
    )
    client.force_login(alice)
    page = client.get(HOME).content.decode()
    assert "Behaviour policy" in page
    assert "Add the date the governors agreed it." in page
    assert evidence.get_absolute_url() in page


def test_a_returned_pledge_is_a_task_with_the_councils_comment(client, alice, school_a, officer):
    pledge = PledgeFactory(organisation=school_a)
    charter_services.pledge_return(pledge=pledge, by=officer, comment="Name your anti-bullying lead.")
    client.force_login(alice)
    page = client.get(HOME).content.decode()
    assert "Change your pledge as the council asked" in page
    assert "Name your anti-bullying lead." in page


def test_partner_agencies_are_not_offered_the_award(client, alice, school_a):
    school_a.kind = Organisation.Kind.PARTNER_AGENCY
    school_a.save()
    client.force_login(alice)
    page = client.get(HOME).content.decode()
    assert "Positive and Peaceful Places award" not in page
    assert "Sign the Anti-Bullying Charter" in page


def test_officers_are_sent_to_their_caseload(client, officer):
    client.force_login(officer)
    assert client.get(HOME)["Location"] == reverse("accreditation:caseload")


def test_the_home_page_reads_a_bounded_number_of_queries(
    client, alice, school_a, officer, django_assert_max_num_queries
):
    application = evidencing(school_a, alice, officer)
    for n in range(10):
        services.evidence_submit(evidence=statement(application, alice, title=f"Item {n}"), by=alice)
    client.force_login(alice)
    client.get(HOME)
    with django_assert_max_num_queries(25):
        assert client.get(HOME).status_code == 200
