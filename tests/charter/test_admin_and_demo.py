from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from charter.models import Charter, CommissionedProvider, Pledge, Review
from ppp.accounts.models import OFFICERS_GROUP
from tests.charter.factories import PledgeFactory, approved_pledge

pytestmark = pytest.mark.django_db


def test_officers_have_the_charter_permissions():
    codenames = set(Group.objects.get(name=OFFICERS_GROUP).permissions.values_list("codename", flat=True))
    assert {"change_charter", "add_examplepledge", "view_pledge", "approve_pledge", "change_review"} <= codenames
    assert "delete_pledge" not in codenames


def test_officers_use_the_charter_admin(client, officer, school_a):
    pledge = approved_pledge(school_a)
    client.force_login(officer)
    for name in ("charter", "examplepledge", "pledge", "review"):
        assert client.get(reverse(f"admin:charter_{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:charter_pledge_change", args=[pledge.pk])).status_code == 200
    charter = Charter.objects.current()
    assert client.get(reverse("admin:charter_charter_change", args=[charter.pk])).status_code == 200


def test_the_admin_approve_action_goes_through_the_service(client, officer, school_a):
    pledge = PledgeFactory(organisation=school_a)
    client.force_login(officer)
    client.post(
        reverse("admin:charter_pledge_changelist"),
        {"action": "approve", "_selected_action": [pledge.pk]},
    )
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.APPROVED
    assert pledge.events.last().action == "approved"


def test_a_draft_charter_is_published_with_the_admin_action(client, officer):
    current = Charter.objects.current()
    draft = Charter.objects.create(version=2, definition=current.definition)
    for principle in current.principles.all():
        draft.principles.create(order=principle.order, text=principle.text)
    for commitment in current.commitments.all():
        draft.commitments.create(order=commitment.order, short_title=commitment.short_title, text=commitment.text)
    client.force_login(officer)
    client.post(reverse("admin:charter_charter_changelist"), {"action": "publish", "_selected_action": [draft.pk]})
    assert Charter.objects.current() == draft


def test_seed_demo_adds_pledges_in_every_state_and_is_idempotent(settings, demo):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())  # again, on the session's demo data
    statuses = set(Pledge.objects.values_list("status", flat=True))
    assert statuses == {"unverified", "submitted", "returned", "approved", "lapsed", "withdrawn"}
    assert Pledge.objects.count() == 7
    assert Review.objects.filter(feedback_at__isnull=False).count() == 1
    assert CommissionedProvider.objects.count() == 4
