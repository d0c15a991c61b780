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


def test_removing_needs_post(client, alice, bob):
    client.force_login(alice)
    assert client.get(remove_url(Membership.objects.get(user=bob))).status_code == 405
    assert Membership.objects.filter(user=bob).exists()


def test_a_member_cannot_remove_anyone(client, alice, bob):
    client.force_login(bob)
    client.post(remove_url(Membership.objects.get(user=alice)))
    assert Membership.objects.filter(user=alice).exists()


def test_the_lead_cannot_be_removed(client, officer, alice):
    client.force_login(officer)
    response = client.post(remove_url(Membership.objects.get(user=alice)), follow=True)
    assert "Hand the lead role to another member first" in response.content.decode()
    assert Membership.objects.filter(user=alice).exists()


def test_lead_hands_the_role_to_a_member_and_stays_on(client, alice, bob, school_a):
    client.force_login(alice)
    assert client.post(make_lead_url(Membership.objects.get(user=bob))).status_code == 302
    assert Membership.objects.get(user=bob).role == Membership.Role.LEAD
    assert Membership.objects.get(user=alice).role == Membership.Role.MEMBER
    assert school_a.memberships.leads().count() == 1


def test_officer_appoints_a_lead_when_there_is_none(client, officer, bob):
    client.force_login(officer)
    client.post(make_lead_url(Membership.objects.get(user=bob)))
    assert Membership.objects.get(user=bob).role == Membership.Role.LEAD


def test_removed_member_lands_on_a_page_that_explains(client, alice, bob):
    Membership.objects.filter(user=bob).delete()
    client.force_login(bob)
    response = client.get(reverse("portal"))
    assert response.status_code == 200
    assert "You are not part of an organisation yet" in response.content.decode()


def test_members_switch_between_organisations(client, bob, school_a, school_b):
    Membership.objects.create(user=bob, organisation=school_b)
    client.force_login(bob)
    assert client.get(reverse("portal"))["Location"] == school_a.get_absolute_url()
    response = client.post(reverse("accounts:organisation-switch"), {"organisation": school_b.slug})
    assert response["Location"] == school_b.get_absolute_url()
    assert client.get(reverse("portal"))["Location"] == school_b.get_absolute_url()


def test_switching_to_an_organisation_you_are_not_in_is_404(client, bob, school_b):
    client.force_login(bob)
    assert client.post(reverse("accounts:organisation-switch"), {"organisation": school_b.slug}).status_code == 404
