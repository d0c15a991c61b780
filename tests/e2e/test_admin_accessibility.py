"""The Django admin as officers use it: axe finds nothing on the index, on every list
with filters (their links big enough to press), and on a change form."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.e2e.test_award_journey import sign_in
from tests.factories import OrganisationFactory, make_officer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_admin_has_no_axe_violations(page, live_server, axe_check):
    officer = make_officer("admin-axe@example.org")
    officer.is_superuser = True
    officer.save()
    organisation = OrganisationFactory(name="Axe Primary School")
    sign_in(page, live_server, officer.email, totp=True)
    urls = [reverse("admin:index")]
    urls += [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model, model_admin in admin.site._registry.items()
        if model_admin.list_filter or model_admin.list_editable
    ]
    urls.append(reverse("admin:accounts_organisation_change", args=[organisation.pk]))
    problems = []
    for url in urls:
        page.goto(f"{live_server.url}{url}")
        try:
            axe_check(page)
        except AssertionError as error:  # every page's findings at once, not the first alone
            problems.append(str(error).split("\nassert")[0])
    assert not problems, "\n".join(problems)
