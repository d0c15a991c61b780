from django.contrib.auth.models import Group
from django.urls import reverse

from ppp.accounts.models import OFFICERS_GROUP, Organisation
from ppp.audit.models import AuditEvent
from tests.factories import UserFactory, make_officer


def test_the_officers_group_exists_with_model_permissions(db):
    codenames = set(Group.objects.get(name=OFFICERS_GROUP).permissions.values_list("codename", flat=True))
    assert {"view_organisation", "change_organisation", "view_membership", "view_invitation"} <= codenames
    assert "change_membership" not in codenames
    assert "delete_organisation" not in codenames


def test_the_admin_is_titled_and_lists_organisations_for_officers(client, officer, school_a):
    client.force_login(officer)
    home = client.get("/admin/").content.decode()
    assert "PPP administration" in home
    page = client.get(reverse("admin:accounts_organisation_changelist"), {"q": "School A"})
    assert page.status_code == 200
    assert school_a.name in page.content.decode()
    for name in ("accounts_user", "accounts_membership", "accounts_invitation"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_staff_without_two_factor_cannot_reach_the_admin(client, db):
    officer = make_officer(with_totp=False)
    client.force_login(officer)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_school_staff_cannot_use_the_admin(client, alice):
    client.force_login(alice)
    assert client.get("/admin/", follow=True).status_code == 403


def test_admin_sign_in_goes_through_the_site_sign_in(client, db):
    response = client.get("/admin/login/")
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_changes_are_audited(client, officer, school_a):
    client.force_login(officer)
    url = reverse("admin:accounts_organisation_change", args=[school_a.pk])
    form = {
        "name": "School A Renamed",
        "urn": school_a.urn,
        "kind": school_a.kind,
        "phase": school_a.phase,
        "local_authority": school_a.local_authority,
        "address": "",
        "postcode": school_a.postcode,
        "status": "open",
        "website": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organisation.objects.get(pk=school_a.pk).name == "School A Renamed"
    event = AuditEvent.objects.get(action="admin.change")
    assert event.actor == officer
    assert event.detail["object"] == "School A Renamed"


def test_only_superusers_read_the_audit_trail_and_nobody_edits_it(client, officer, db):
    client.force_login(officer)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 403
    root = UserFactory(is_staff=True, is_superuser=True)
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(root, "JBSWY3DPEHPK3PXP")
    client.force_login(root)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    event = AuditEvent.objects.first()
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    if event:
        assert (
            client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
        )


def test_officers_cannot_raise_anyones_privileges(client, officer, alice):
    client.force_login(officer)
    own = client.post(reverse("admin:accounts_user_change", args=[officer.pk]), {"is_superuser": "on"})
    assert own.status_code == 403  # staff records are for superusers
    officer.refresh_from_db()
    assert not officer.is_superuser
    page = client.get(reverse("admin:accounts_user_change", args=[alice.pk])).content.decode()
    assert 'name="is_superuser"' not in page and 'name="is_staff"' not in page and 'name="email"' not in page
    client.post(
        reverse("admin:accounts_user_change", args=[alice.pk]),
        {
            "full_name": "Alice Renamed",
            "job_title": "Head",
            "is_active": "on",
            "is_superuser": "on",
            "is_staff": "on",
            "email": "attacker@example.org",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    alice.refresh_from_db()
    assert (alice.full_name, alice.is_superuser, alice.is_staff, alice.email) == (
        "Alice Renamed",
        False,
        False,
        "alice@a.example",
    )
    assert client.get(f"/admin/accounts/user/{alice.pk}/password/").status_code == 403
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403


def test_officers_cannot_edit_memberships_in_the_admin(client, officer, alice):
    client.force_login(officer)
    membership = alice.memberships.get()
    response = client.post(
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        {"user": alice.pk, "organisation": membership.organisation_id, "role": "member"},
    )
    assert response.status_code == 403
    assert alice.memberships.get().role == "lead"
