"""The migrations that add the lists' sort keys (ADR 0022) fill them for the pledges and
awards already there: each takes its organisation's name, whatever its status."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = [("charter", "0007_review_queue_index"), ("accreditation", "0009_application_agreed_price")]
AFTER = [("charter", "0008_register_order"), ("accreditation", "0010_award_holders_order")]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_pledges_and_awards_take_their_organisations_names():
    # Made as they are today, before going back (saving one keeps the sort keys in step).
    lead_id = UserFactory(email="old-lead@example.org").pk
    oak, elm = OrganisationFactory(name="Oak School"), OrganisationFactory(name="Elm Nursery")
    old = _migrate(BEFORE)
    try:
        Pledge = old.get_model("charter", "Pledge")
        Charter = old.get_model("charter", "Charter")
        Application = old.get_model("accreditation", "Application")
        Scheme = old.get_model("accreditation", "Scheme")
        Award = old.get_model("accreditation", "Award")
        lead = old.get_model("accounts", "User").objects.get(pk=lead_id)
        pledges = {}
        for organisation, status in ((oak, "approved"), (elm, "submitted")):
            pledges[organisation.name] = Pledge.objects.create(
                organisation_id=organisation.pk,
                charter=Charter.objects.first(),
                status=status,
                delivery_role="direct",
                signatory_name="Sam",
                signatory_role="Head",
                signatory_email="sam@example.org",
                children_covered=100,
                staff_covered=10,
                signed_on=datetime.date(2026, 1, 1),
                consent_to_list=True,
                review_due_on=datetime.date(2027, 1, 1),
            ).pk
        application = Application.objects.create(
            organisation_id=oak.pk,
            scheme=Scheme.objects.first(),
            contact_name="Lead",
            contact_email="old-lead@example.org",
            terms_accepted_at=timezone.now(),
            created_by=lead,
            status="accredited",
        )
        award = Award.objects.create(
            application=application,
            awarded_on=datetime.date(2026, 10, 1),
            expires_on=datetime.date(2029, 10, 1),
            status="issued",
            awarded_by=lead,
        ).pk
    finally:
        new = _migrate(AFTER)
    Pledge = new.get_model("charter", "Pledge")
    assert {name: Pledge.objects.get(pk=pk).sort_name for name, pk in pledges.items()} == {
        "Oak School": "Oak School",
        "Elm Nursery": "Elm Nursery",
    }
    assert new.get_model("accreditation", "Award").objects.get(pk=award).holder_name == "Oak School"
