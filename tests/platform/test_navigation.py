"""The header's service navigation: each person's own work first, the current section marked."""

import re

from django.urls import reverse


def menu(client, path):
    body = client.get(path).content.decode()
    nav = body[body.index('id="navigation"') : body.index("</ul>", body.index('id="navigation"'))]
    items = [re.sub(r"<[^>]+>", "", item).split(" for ")[0].strip() for item in re.findall(r"<li.*?</li>", nav, re.S)]
    current = re.findall(r'aria-current="(page|true)"><strong[^>]*>([^<]+)</strong>', nav)
    return items, current


def test_the_public_see_the_charter_training_and_award_holders(client, db):
    items, current = menu(client, reverse("charter:register"))
    assert items == ["Charter", "Training", "Award holders", "Sign in"]
    assert current == [("true", "Charter")]  # the register is part of the charter


def test_a_lead_starts_from_their_home(client, alice, school_a):
    client.force_login(alice)
    items, current = menu(client, reverse("accounts:home"))
    assert items[:4] == ["Home", "Award", "Charter", "Training"]
    assert items[-2:] == ["Your account", "Sign out"]
    assert current == [("page", "Home")]
    assert menu(client, reverse("accreditation:dashboard"))[1] == [("page", "Award")]


def test_an_officer_starts_from_the_caseload_and_sees_no_school_links(client, officer):
    client.force_login(officer)
    items, current = menu(client, reverse("accreditation:caseload"))
    assert items[:4] == ["Caseload", "Organisations", "Pledges", "Training"]
    assert "Home" not in items and "Charter" not in items and "Award" not in items
    assert current == [("page", "Caseload")]
    assert menu(client, reverse("accounts:officer-home"))[1] == [("page", "Organisations")]
    assert menu(client, reverse("incidents:figures"))[1] == [("page", "Incident figures")]
    assert "Pupil voice" in items
    assert menu(client, reverse("surveys:council"))[1] == [("page", "Pupil voice")]


def test_a_lead_finds_their_surveys_on_their_home(client, alice, school_a):
    client.force_login(alice)
    body = client.get(reverse("accounts:home")).content.decode()
    assert reverse("surveys:list") in body
