"""ppp.admin.ChangelistAtScale: Django's own knobs for the big admin lists (capped counts,
no facets, only the columns shown); Django draws the rows."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib import admin
from django.urls import reverse

from accreditation.models import Evidence
from ppp.pagination import AdminCappedPaginator
from tests.accreditation import factories as f
from tests.factories import TOTP_SECRET, UserFactory


@pytest.fixture
def superuser(db):
    """Only a superuser may delete evidence, so only they see its selection column."""
    user = UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    TOTP.activate(user, TOTP_SECRET)
    return user


def test_a_search_counts_to_a_thousand_and_a_list_to_ten_thousand(rf, officer):
    model_admin = admin.site._registry[Evidence]
    listing, searching = rf.get("/admin/accreditation/evidence/"), rf.get("/admin/accreditation/evidence/?q=x")
    for request in (listing, searching):
        request.user = officer
    queryset = Evidence.objects.all()
    assert model_admin.get_paginator(listing, queryset, 50).cap == AdminCappedPaginator.cap == 10_000
    assert model_admin.get_paginator(searching, queryset, 50).cap == 1_000


def test_the_selected_rows_still_go_to_the_action(client, alice, officer, school_a):
    application = f.apply(school_a, alice)
    client.force_login(officer)
    page = client.get(reverse("admin:accreditation_application_changelist")).content.decode()
    assert f'name="_selected_action" value="{application.pk}"' in page
    assert 'id="nav-sidebar"' not in page  # the list of every model is on the admin's home only
    client.post(
        reverse("admin:accreditation_application_changelist"),
        {"action": "assign_to_me", "_selected_action": [application.pk]},
    )
    application.refresh_from_db()
    assert application.assigned_officer == officer


@pytest.mark.parametrize("query", ["", "?q=policy", "?status__exact=draft&q=policy"])
def test_the_evidence_and_application_lists_queries_do_not_grow_with_rows(
    client, superuser, alice, officer, school_a, query
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    application = f.evidencing(school_a, alice, officer)
    f.statement(application, alice, title="Policy one")
    client.force_login(superuser)
    urls = [reverse(f"admin:accreditation_{model}_changelist") + query for model in ("evidence", "application")]

    def counts():
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    one = counts()
    for n in range(30):
        f.statement(application, alice, title=f"Policy {n}")
    f.many_evidencing(30, officer)
    assert counts() == one


def test_every_list_at_scale_shows_its_rows(client, superuser, alice, officer, school_a):
    """Every big list (capped counts, no facets, only its columns read) draws, with rows:
    fields, relations set and empty, choices, dates, admin methods and the search."""
    from charter.models import Pledge
    from ppp.admin import ChangelistAtScale
    from ppp.audit.models import AuditEvent
    from tests.charter.factories import approved_pledge
    from tests.training.factories import certified_session

    f.accredited(school_a, alice, officer)  # an application, evidence, an award, a certificate
    f.OrganisationFactory(name='Oak <i>"Primary"</i>', urn=None)
    certified_session(school_a, alice, officer)  # a session, bookings, certificates, a charge
    approved_pledge(school_a)
    AuditEvent.objects.create(action="auth.login_failed", target_repr="", detail={"username": "x@example.org"})
    assert Pledge.objects.exists()
    client.force_login(superuser)
    urls = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ChangelistAtScale)
    ]
    urls += [reverse("admin:audit_auditevent_changelist") + "?q=school"]
    for url in urls:
        page = client.get(url).content.decode()
        assert "<tbody>" in page and "<tr" in page.split("<tbody>")[1], url
    assert (
        "Oak &lt;i&gt;&quot;Primary&quot;&lt;/i&gt;"
        in client.get(reverse("admin:accounts_organisation_changelist")).content.decode()
    )
