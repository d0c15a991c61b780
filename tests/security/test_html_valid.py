"""Every page of the tenancy sweep, and every page without arguments, as the Nu HTML
Checker sees it: 0 errors. One checker run for all the pages (the browser tests check the
pages they visit the same way: tests/e2e/conftest.py)."""

import re

import pytest
from django.db import transaction
from django.urls import reverse

from tests import nu_checker

from .test_tenancy import SWEEP, world  # noqa: F401 - the fixture
from .urls import all_patterns

# Pages without arguments, by who may see them. The admin is Django's own markup.
SKIP = re.compile(r"^(admin:|.*download|.*export|.*csv|.*ics|.*pdf|.*print|healthz|robots|.*favicon|.*logo)")


def _html(response) -> bool:
    return response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")


@pytest.fixture
def pages(tmp_path):
    saved = []

    def save(label, response):
        if _html(response):
            path = tmp_path / f"{len(saved):04d}-{re.sub(r'[^a-z0-9]+', '-', label.lower())[:80]}.html"
            path.write_bytes(response.content)
            saved.append(path)

    save.saved = saved
    return save


@pytest.mark.skipif(
    not nu_checker.available(), reason="the Nu HTML Checker needs Java: apt-get install default-jre-headless"
)
def test_every_page_has_no_nu_html_checker_errors(client, world, pages):  # noqa: F811
    plain = sorted(
        p.name for p in all_patterns() if not p.takes_arguments and p.name != "<unnamed>" and not SKIP.match(p.name)
    )
    for who in (None, world.alice, world.officer):
        client.logout()
        if who is not None:
            client.force_login(who)
        for name in plain:
            try:
                url = reverse(name)
            except Exception:  # noqa: BLE001, S112 - a pattern that needs a query string, or a regex one
                continue
            pages(f"{who or 'anonymous'}-{name}", client.get(url))
    for name, case in sorted(SWEEP.items()):
        if case.method != "get" or SKIP.match(name):
            continue
        for who in {case.owner, "officer"}:
            client.force_login(getattr(world, who))
            with transaction.atomic():
                kwargs = case.kwargs(world)
                pages(f"{who}-{name}", client.get(reverse(name, kwargs=kwargs)))
                transaction.set_rollback(True)
    assert len(pages.saved) > 50
    found = nu_checker.errors(pages.saved)
    assert not found, f"{len(found)} Nu HTML Checker errors:\n" + "\n".join(found[:80])


def _check(tmp_path, html: bytes):
    page = tmp_path / "page.html"
    page.write_bytes(html)
    return nu_checker.errors([page]) if nu_checker.available() else []


def test_the_recovery_codes_page_shows_the_ten_codes_in_a_textarea(client, tmp_path, db):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from tests.factories import PASSWORD, make_officer

    officer = make_officer()
    codes = RecoveryCodes.activate(officer).get_unused_codes()
    client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    from tests.factories import TOTP_SECRET

    code = format_hotp_value(hotp_value(TOTP_SECRET, next(iter(yield_hotp_counters_from_time()))))
    client.post(reverse("mfa_authenticate"), {"code": code})
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="textarea"' not in page
    box = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1)
    assert len(codes) == 10 and box.split() == codes
    assert not _check(tmp_path, response.content)


def test_moving_an_online_visit_never_puts_prose_in_the_link_box(client, alice, school_a, officer, tmp_path):
    import datetime

    from django.utils import timezone

    from accreditation.models import Visit
    from tests.accreditation.factories import evidencing

    application = evidencing(school_a, alice, officer)
    visit = Visit.objects.create(
        application=application,
        kind=Visit.Kind.MONITORING,
        mode=Visit.Mode.ONLINE,
        status=Visit.Status.SCHEDULED,
        location="Teams: link to follow by email",
        starts_at=timezone.now() + datetime.timedelta(days=5),
    )
    client.force_login(officer)
    response = client.get(visit.get_absolute_url())
    page = response.content.decode()
    links = re.findall(r'<input[^>]*type="url"[^>]*>', page)
    assert links and all("link to follow" not in box for box in links)
    assert not _check(tmp_path, response.content)


def test_an_officer_removing_a_pledge_from_the_register_gets_one_form(client, officer, school_a, tmp_path):
    from charter.models import Pledge
    from tests.charter.factories import PledgeFactory

    pledge = PledgeFactory(organisation=school_a, status=Pledge.Status.APPROVED)
    client.force_login(officer)
    response = client.get(pledge.get_absolute_url())
    page = response.content.decode()
    assert reverse("charter:pledge-remove", args=[pledge.public_id]) in page
    assert not _check(tmp_path, response.content)
