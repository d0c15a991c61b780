"""Confirming it is you again before a change to how the account is protected (allauth's
re-authentication): PPP's words, one primary button, and it works."""

import re

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_officer

LOGIN = "/accounts/login/"


@pytest.mark.parametrize("name", ["account_reauthenticate", "mfa_reauthenticate"])
def test_the_confirm_page_is_in_ppps_words_with_one_primary_button(client, db, name):
    officer = make_officer()
    client.force_login(officer)
    page = client.get(reverse(name)).content.decode()
    assert '<h1 class="govuk-heading-l">Confirm it is you</h1>' in page
    assert "Confirm Access" not in page and "reauthenticate" not in page.lower().replace("/reauthenticate/", "")
    main = page.split('id="main-content"', 1)[1].split("</main>", 1)[0]
    buttons = re.findall(r'<(?:button|a)[^>]*class="govuk-button[^"]*"', main)
    assert len(buttons) == 1 and "govuk-button--secondary" not in buttons[0]
    assert ">Continue</button>" in main


def test_confirming_with_the_password_carries_on(client, db):
    officer = make_officer()
    client.force_login(officer)
    wrong = client.post(reverse("account_reauthenticate"), {"password": "not it"})
    assert wrong.status_code == 200 and "govuk-error-summary" in wrong.content.decode()
    right = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert right.status_code == 302
