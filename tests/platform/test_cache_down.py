"""With the cache down (CACHES pointed at a Redis nobody serves), PPP is slower, never
broken: the suite's key journeys still work, every change is saved and its email sent,
public pages are drawn fresh, and each rate limit fails the way it says (ppp/ratelimit.py).
"""

import socket

import pytest
from django.core import mail
from django.core.cache import caches
from django.urls import reverse

from accreditation.models import Application
from charter import services as charter_services
from charter.models import Pledge
from ppp.certificates.models import IssuedCertificate
from tests.accounts.test_sign_in import totp_code
from tests.accreditation import factories as f
from tests.charter.factories import PledgeFactory
from tests.charter.test_sign_up import sign_up_data
from tests.factories import PASSWORD, make_officer
from tests.incidents.factories import reporting_link

pytestmark = pytest.mark.django_db


def _nobody_listening() -> str:
    """redis:// on a local port nothing serves (bound for a moment, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def _redis(backend: str, location: str) -> dict:
    return {"BACKEND": backend, "LOCATION": location, "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}


@pytest.fixture
def cache_down(settings):
    """PPP as configured for Redis (ppp/settings.py), with Redis gone; the public page cache
    and the rate limits on, as in production."""
    location = _nobody_listening()
    settings.CACHES = {
        "default": _redis("ppp.cache.RedisCache", location),
        "ratelimit": _redis("django.core.cache.backends.redis.RedisCache", location),
    }
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    settings.RATELIMIT_ENABLE = True
    return location


def test_the_fixture_really_has_no_cache(cache_down):
    from redis.exceptions import ConnectionError as RedisConnectionError

    with pytest.raises(RedisConnectionError):
        caches["ratelimit"].get("anything")
    assert caches["default"].get("anything", "missed") == "missed"
    caches["default"].set("anything", 1)  # dropped, not raised
    assert caches["default"].add("anything", 1) is True  # as if it were the first


def test_a_school_lead_signs_in(client, cache_down, alice):
    response = client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("portal"))["Location"] == reverse("accounts:home")
    assert client.get(reverse("accounts:home")).status_code == 200


def test_an_officer_signs_in_with_their_two_factor_code(client, cache_down):
    officer = make_officer(email="second.officer@example.org")
    response = client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert client.get(reverse("accreditation:caseload")).status_code == 200


def test_wrong_passwords_still_lock_the_account(client, cache_down, alice):
    """The lock is counted in the database (django-axes), not in the cache."""
    for _ in range(5):
        client.post(reverse("account_login"), {"login": alice.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_public_pages_are_drawn_fresh(client, cache_down, alice, officer, school_a):
    application = f.accredited(school_a, alice, officer)
    certificate = IssuedCertificate.objects.get(pk=application.award.certificate_id)
    PledgeFactory(organisation=school_a, status=Pledge.Status.APPROVED)
    pages = [
        reverse("certificates:verify", kwargs={"code": certificate.code}),
        reverse("accreditation:award-holders"),
        reverse("charter:register"),
        reverse("charter:index"),
    ]
    for url in pages:
        for _ in range(2):  # the second visitor too: nothing was kept
            response = client.get(url)
            assert response.status_code == 200, url
            assert school_a.name in response.content.decode() or url == pages[-1]


def test_the_award_page_and_an_application_submitted_with_its_email(
    client, cache_down, alice, officer, school_a, django_capture_on_commit_callbacks
):
    application = f.evidencing(school_a, alice, officer)
    f.all_evidence(application, alice, officer, accept=False)
    client.force_login(alice)
    page = client.get(application.get_absolute_url())
    assert page.status_code == 200 and "Submit for assessment" in page.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accreditation:application-submit", args=[application.public_id]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.ASSESSMENT
    assert len(mail.outbox) == 1 and "submitted for assessment" in mail.outbox[0].subject  # to the officers


def test_a_change_whose_cache_write_fails_after_the_commit_is_saved_and_emailed(
    settings, officer, school_a, alice, django_capture_on_commit_callbacks
):
    """The bug this guards against: with a plain Redis cache that raises, the public pages'
    forgetting ran after the commit before the email and failed, so a saved approval turned
    into an error page and its email was lost. It is a robust callback now."""
    location = _nobody_listening()
    settings.CACHES = {
        "default": _redis("django.core.cache.backends.redis.RedisCache", location),
        "ratelimit": _redis("django.core.cache.backends.redis.RedisCache", location),
    }
    pledge = PledgeFactory(organisation=school_a, status=Pledge.Status.SUBMITTED)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        charter_services.pledge_approve(pledge=pledge, by=officer)
    assert len(callbacks) >= 2  # forgetting the register, then the email
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.APPROVED
    assert len(mail.outbox) == 1 and "approved" in mail.outbox[0].subject


def test_rate_limits_that_protect_pages_and_pupils_let_people_through(client, cache_down, school_a, alice):
    """Checks of certificates and the pupils' form allow when nothing can count them."""
    url = reverse("certificates:verify", kwargs={"code": "PPP-AAAA-BBBB-CCCC"})
    assert [client.get(url).status_code for _ in range(35)] == [404] * 35  # 30 a minute, uncounted
    _link, token = reporting_link(school_a, alice)
    page = client.get(reverse("incidents:tell", kwargs={"token": token}))
    assert page.status_code == 200


def test_a_pupils_report_gets_through(client, cache_down, school_a, alice, django_capture_on_commit_callbacks):
    from incidents.models import Incident

    _link, token = reporting_link(school_a, alice)
    data = {
        "what_happened": "Two girls in my class keep calling me names.",
        "where": "classroom",
        "when": "keeps_happening",
        "who": "",
        "tell_name": "no",
        "submission": "b" * 32,
    }
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("incidents:tell", kwargs={"token": token}), data)
    assert sent.status_code == 200 and "Thank you for telling us" in sent.content.decode()
    assert Incident.objects.filter(organisation=school_a).count() == 1


def test_a_strangers_sign_up_is_refused_while_nothing_can_count_them(client, cache_down):
    """Each sign-up emails an address a stranger typed: with the cache down none is taken,
    rather than any number. The form itself still opens."""
    assert client.get(reverse("charter:sign")).status_code == 200
    response = client.post(reverse("charter:sign"), sign_up_data())
    assert response.status_code == 429
    assert not Pledge.objects.exists() and not mail.outbox


def test_a_locked_account_is_not_emailed_once_per_attempt(client, cache_down, alice):
    """axes repeats its lock-out signal at every attempt; the one-email-per-lock-out note is
    in the cache, so with the cache down the owner is not emailed at all (the lock holds)."""
    for _ in range(8):
        client.post(reverse("account_login"), {"login": alice.email, "password": "wrong"})
    assert not [m for m in mail.outbox if "locked" in m.subject]
