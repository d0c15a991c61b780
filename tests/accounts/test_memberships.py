from django.core import mail
from django.urls import reverse

from ppp.accounts.models import Membership
from ppp.audit.models import AuditEvent


def remove_url(membership):
    return reverse(
        "accounts:membership-remove",
        kwargs={"slug": membership.organisation.slug, "membership": membership.public_id},
    )


def make_lead_url(membership):
    return reverse(
        "accounts:membership-make-lead",
        kwargs={"slug": membership.organisation.slug, "membership": membership.public_id},
    )


def test_lead_removes_a_member(client, alice, bob, school_a):
    membership = Membership.objects.get(user=bob)
    client.force_login(alice)
    response = client.post(remove_url(membership))
    assert response.status_code == 302
    assert not Membership.objects.filter(user=bob).exists()
    assert AuditEvent.objects.filter(action="membership.remove", organisation=school_a, actor=alice).exists()


def test_removing_asks_are_you_sure_first(client, alice, bob):
    client.force_login(alice)
    response = client.get(remove_url(Membership.objects.get(user=bob)))
    page = response.content.decode()
    assert "Are you sure you want to remove Bob Member from School A Primary?" in page
    assert "can no longer sign in to work for School A Primary" in page
    assert "Yes, remove Bob Member" in page
    assert Membership.objects.filter(user=bob).exists()


def test_making_a_lead_asks_are_you_sure_first(client, alice, bob):
    client.force_login(alice)
    page = client.get(make_lead_url(Membership.objects.get(user=bob))).content.decode()
    assert "Are you sure you want to make Bob Member the lead for School A Primary?" in page
    assert "The current lead stays on as a member" in page
    assert Membership.objects.get(user=bob).role == Membership.Role.MEMBER


def test_a_member_is_not_shown_the_confirmation_page(client, alice, bob):
    client.force_login(bob)
    assert client.get(remove_url(Membership.objects.get(user=alice))).status_code == 403


def test_a_member_cannot_remove_anyone(client, alice, bob):
    client.force_login(bob)
    client.post(remove_url(Membership.objects.get(user=alice)))
    assert Membership.objects.filter(user=alice).exists()


def test_the_lead_cannot_be_removed(client, officer, alice):
    client.force_login(officer)
    response = client.post(remove_url(Membership.objects.get(user=alice)), follow=True)
    assert "Hand the lead role to another member first" in response.content.decode()
    assert Membership.objects.filter(user=alice).exists()


def test_lead_hands_the_role_to_a_member_and_stays_on(client, alice, bob, school_a, django_capture_on_commit_callbacks):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(make_lead_url(Membership.objects.get(user=bob))).status_code == 302
    assert Membership.objects.get(user=bob).role == Membership.Role.LEAD
    assert Membership.objects.get(user=alice).role == Membership.Role.MEMBER
    assert school_a.memberships.leads().count() == 1
    # The new lead is told, with what being lead means and where to start.
    told = mail.outbox[-1]
    assert told.to == [bob.email] and told.subject == f"You are now the lead for {school_a} in PPP"
    assert "has made you the lead" in told.body and school_a.get_absolute_url() in told.body


def test_officer_appoints_a_lead_when_there_is_none(client, officer, bob):
    client.force_login(officer)
    client.post(make_lead_url(Membership.objects.get(user=bob)))
    assert Membership.objects.get(user=bob).role == Membership.Role.LEAD


def test_removed_member_lands_on_a_page_that_explains(client, alice, bob):
    Membership.objects.filter(user=bob).delete()
    client.force_login(bob)
    response = client.get(reverse("portal"), follow=True)
    assert response.status_code == 200
    assert "You are not part of an organisation yet" in response.content.decode()


def test_members_switch_between_organisations(client, bob, school_a, school_b):
    Membership.objects.create(user=bob, organisation=school_b)
    client.force_login(bob)
    assert client.get(reverse("portal"))["Location"] == reverse("accounts:home")
    assert "School A Primary" in client.get(reverse("accounts:home")).content.decode()
    response = client.post(reverse("accounts:organisation-switch"), {"organisation": school_b.slug})
    assert response["Location"] == reverse("accounts:home")
    home = client.get(reverse("accounts:home")).content.decode()
    assert '<span class="govuk-caption-l">School B Academy</span>' in home


def test_switching_to_an_organisation_you_are_not_in_is_404(client, bob, school_b):
    client.force_login(bob)
    assert client.post(reverse("accounts:organisation-switch"), {"organisation": school_b.slug}).status_code == 404


def test_an_officer_hands_an_organisation_to_its_real_lead(
    client, officer, alice, bob, school_a, django_capture_on_commit_callbacks
):
    from django.core import mail

    from ppp.accounts.models import Invitation
    from ppp.audit.models import AuditEvent

    client.force_login(officer)
    url = reverse("accounts:organisation-hand-over", kwargs={"slug": school_a.slug})
    page = client.get(url).content.decode()
    assert "will be removed from" in page and alice.email in page
    response = client.post(url, {"email": "", "reason": ""})
    assert "Enter the email address of the real lead" in response.content.decode()
    assert "Enter why you are handing the organisation over" in response.content.decode()
    assert Membership.objects.filter(user=alice, organisation=school_a, role="lead").exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"email": "Real.Head@A.example", "full_name": "Real Head", "reason": "Signed up by a stranger"}
        )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=alice, organisation=school_a).exists()
    assert Membership.objects.filter(user=bob, organisation=school_a).exists()
    invitation = Invitation.objects.pending().get(organisation=school_a)
    assert invitation.email == "real.head@a.example" and invitation.role == "lead"
    assert mail.outbox[-1].to == ["real.head@a.example"]
    assert AuditEvent.objects.filter(action="organisation.hand_over", detail__reason="Signed up by a stranger").exists()


def test_handing_over_to_an_existing_member_makes_them_lead(
    officer, alice, bob, school_a, django_capture_on_commit_callbacks
):
    from ppp.accounts.services import organisation_hand_over

    with django_capture_on_commit_callbacks(execute=True):
        organisation_hand_over(organisation=school_a, email=bob.email, reason="The head left", by=officer)
    assert Membership.objects.get(user=bob, organisation=school_a).role == "lead"
    assert mail.outbox[-1].to == [bob.email] and "has made you the lead" in mail.outbox[-1].body
    assert not Membership.objects.filter(user=alice, organisation=school_a).exists()


def test_only_officers_hand_organisations_over(client, alice, school_a):
    client.force_login(alice)
    assert client.get(reverse("accounts:organisation-hand-over", kwargs={"slug": school_a.slug})).status_code == 403


def test_a_page_reads_a_persons_membership_once_and_the_next_request_sees_a_change(client, alice, bob, officer):
    """Memberships are remembered on the request's person for that request only
    (RememberMembershipsMiddleware): the award page checks many rules with one read, and a
    member made lead is a lead on the very next page, on whichever server serves it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.accreditation import factories as f

    application = f.evidencing(alice.memberships.get().organisation, alice, officer)
    f.all_evidence(application, alice, officer, accept=False)
    client.force_login(bob)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(application.get_absolute_url()).content.decode()
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "accounts_membership"')]
    # The header's (which organisation the person works for) and the rules' (their
    # membership of this school), however many rules the page asks.
    assert len(reads) == 2
    assert "Your lead submits them" in page and "Submit for assessment</button>" not in page

    Membership.objects.filter(user=alice).update(role=Membership.Role.MEMBER)
    Membership.objects.filter(user=bob).update(role=Membership.Role.LEAD)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Submit for assessment</button>" in page
