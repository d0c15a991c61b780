import re

import pytest
from django.db import OperationalError
from django.urls import reverse

PUBLIC = ["home", "accessibility", "privacy", "cookies", "account_login", "account_reset_password"]


def h1_count(body: str) -> int:
    return len(re.findall(r"<h1[\s>]", body))


@pytest.mark.parametrize("name", PUBLIC)
def test_public_pages_have_one_h1_and_a_title(client, db, name):
    response = client.get(reverse(name))
    body = response.content.decode()
    assert response.status_code == 200
    assert h1_count(body) == 1
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1).strip()
    assert title.endswith("Positive and Peaceful Places – Leicester City Council")
    assert len(title) > len("Positive and Peaceful Places – Leicester City Council") + 5


def test_signed_in_pages_have_one_h1(client, alice, school_a):
    client.force_login(alice)
    for url in (school_a.get_absolute_url(), reverse("accounts:account"), reverse("accounts:organisation-list")):
        assert h1_count(client.get(url).content.decode()) == 1, url


def test_pages_send_the_security_headers(client, db):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_home_page_explains_the_award_and_the_charter(client, db):
    body = client.get("/").content.decode()
    assert "Anti-Bullying Charter" in body
    assert "<strong>S</strong>everal" in body and "<strong>S</strong>tart" in body
    assert "Leicester City Council" in body


def test_unknown_pages_get_the_styled_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "govuk-template" in response.content.decode()


def test_wrong_method_is_405(client, db):
    assert client.post(reverse("home")).status_code == 405
    assert client.delete(reverse("healthz")).status_code == 405


def test_error_pages_render(client, db, rf):
    from ppp import views

    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert b"problem with your request" in views.bad_request(request).content
    assert b"do not have permission" in views.permission_denied(request).content
    assert views.server_error(request).status_code == 500
    assert b"problem with the service" in views.server_error(request).content


def test_healthz_is_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_does_not(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr("ppp.views.connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
