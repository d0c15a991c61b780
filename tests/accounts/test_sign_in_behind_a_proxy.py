"""Issue 19 §3: behind the README's proxy (TRUSTED_PROXY_COUNT=1) allauth's sign-in limits
count each person's own address, as PPP's own limits do, so one client cannot lock out
everyone else, a school's busy morning is not refused, and a refusal is PPP's GOV.UK page."""

import pytest
from django.test import Client

from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
PROXY = "10.0.0.2"


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings, db):
    from django.core.cache import cache

    settings.TRUSTED_PROXY_COUNT = 1
    cache.clear()


def through_the_proxy(address: str, written_by_client: str = "") -> Client:
    """A browser at `address`; the proxy appends it to whatever X-Forwarded-For the client sent."""
    forwarded = f"{written_by_client}, {address}" if written_by_client else address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def test_one_client_hammering_sign_in_cannot_lock_out_another():
    alice, bob = UserFactory(), UserFactory()
    attacker = through_the_proxy("198.51.100.7")
    answers = [
        attacker.post(LOGIN, {"login": f"nobody{n}@example.org", "password": "wrong"}).status_code for n in range(35)
    ]
    assert answers.count(429) >= 5  # the attacker is limited…
    # …and cannot dodge it by writing their own X-Forwarded-For entries.
    spoofing = through_the_proxy("198.51.100.7", written_by_client="192.0.2.1")
    refused = spoofing.post(LOGIN, {"login": "nobody@example.org", "password": "wrong"})
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "Too many requests" in body and "govuk-heading-l" in body  # PPP's GOV.UK page, not a bare one
    assert refused["Retry-After"] == "60"

    for person, address in ((alice, "203.0.113.5"), (bob, "203.0.113.6")):
        signed_in = through_the_proxy(address).post(LOGIN, {"login": person.email, "password": PASSWORD})
        assert signed_in.status_code == 302, f"{person.email} was refused: {signed_in.status_code}"


def test_a_hundred_people_from_a_hundred_addresses_sign_in_within_a_minute():
    people = UserFactory.create_batch(100)
    for n, person in enumerate(people):
        signed_in = through_the_proxy(f"203.0.113.{n + 1}").post(LOGIN, {"login": person.email, "password": PASSWORD})
        assert signed_in.status_code == 302, f"person {n + 1} of 100 was refused: {signed_in.status_code}"
