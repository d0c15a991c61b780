import re
from pathlib import Path

import pytest
from django.db import OperationalError
from django.urls import reverse

PUBLIC = ["home", "accessibility", "privacy", "cookies", "contact", "account_login", "account_reset_password"]


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


# Trust: who runs the service, how to reach them, its own favicon, a description of each page


def _description(body: str) -> str:
    return re.search(r'<meta name="description" content="([^"]*)">', body).group(1)


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("home", "Anti-Bullying Charter and Positive and Peaceful Places award"),
        ("charter:index", "four principles"),
        ("charter:register", "public register"),
        ("accreditation:award-holders", "hold Leicester City Council's Positive and Peaceful Places"),
        ("certificates:verify-lookup", "is genuine and current"),
        ("accessibility", "How accessible"),
        ("privacy", "data controller"),
        ("contact", "How to contact"),
    ],
)
def test_public_pages_describe_themselves(client, db, name, words):
    description = _description(client.get(reverse(name)).content.decode())
    assert words in description
    assert 50 < len(description) < 300


def test_every_page_has_a_description_and_ppps_own_favicon(client, db):
    body = client.get(reverse("cookies")).content.decode()
    assert "Positive and Peaceful Places is Leicester City Council" in _description(body)
    assert 'href="/static/ppp/favicon.svg" type="image/svg+xml"' in body
    assert 'href="/static/ppp/favicon.ico"' in body
    assert "govuk/assets/images/favicon" not in body  # never the crown


def test_the_favicon_files_are_ppps_mark():
    from PIL import Image

    from ppp import brand

    static = Path(__file__).resolve().parent.parent / "static" / "ppp"
    assert (static / "favicon.svg").read_text() == brand.mark_svg(size=32, rounded=True)
    ico = Image.open(static / "favicon.ico")
    assert ico.format == "ICO" and {(16, 16), (32, 32), (48, 48)} <= set(ico.info["sizes"])
    assert Image.open(static / "apple-touch-icon.png").size == (180, 180)


@pytest.mark.parametrize("name", ["home", "charter:index", "accessibility", "privacy", "contact"])
def test_trust_pages_give_the_contact_details_from_settings(client, db, settings, name):
    settings.CONTACT_EMAIL = "antibullying@leicester.example"
    settings.CONTACT_PHONE = "0116 000 0000"
    settings.CONTACT_ADDRESS = "City Hall, 115 Charles Street, Leicester, LE1 1FZ"
    body = client.get(reverse(name)).content.decode()
    main = body.split('<main class="govuk-main-wrapper" id="main-content">')[1].split("</main>")[0]
    assert 'href="mailto:antibullying@leicester.example"' in main
    assert "0116 000 0000" in main
    assert "City Hall, 115 Charles Street, Leicester, LE1 1FZ" in main


def test_the_contact_details_default_to_the_council(client, db):
    main = client.get(reverse("contact")).content.decode()
    assert "ppp@leicester.gov.uk" in main and "0116 454 1000" in main and "LE1 1FZ" in main


def test_the_accessibility_statement_follows_the_statutory_model(client, db):
    body = client.get(reverse("accessibility")).content.decode()
    for heading in (
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Non-compliance with the accessibility regulations",
        "Disproportionate burden",
        "Preparation of this accessibility statement",
    ):
        assert f">{heading}</h" in body, heading
    assert "partially compliant with the" in body
    assert "Equality and Human Rights Commission (EHRC)" in body
    assert "Equality Advisory and Support Service (EASS)" in body
    assert "Equality Commission for Northern Ireland (ECNI)" in body
    assert "This statement was prepared on" in body


def test_the_privacy_notice_names_the_controller_and_the_ico(client, db, settings):
    settings.DATA_PROTECTION_EMAIL = "dpo@leicester.example"
    body = client.get(reverse("privacy")).content.decode()
    assert "Leicester City Council is the data controller" in body
    assert 'href="mailto:dpo@leicester.example"' in body
    assert "Information Commissioner's Office" in body and "0303 123 1113" in body
    assert "ico.org.uk/make-a-complaint" in body


def test_the_footer_links_to_the_contact_page_and_the_certificate_check(client, db):
    footer = client.get("/").content.decode().split('<footer class="govuk-template__footer">')[1]
    assert f'href="{reverse("contact")}"' in footer
    assert f'href="{reverse("certificates:verify-lookup")}"' in footer
