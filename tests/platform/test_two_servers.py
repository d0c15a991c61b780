"""Limits, sign-ins and uploads hold across servers: two gunicorn servers (four
processes) share one database, one cache and one S3 bucket, as they would behind a load
balancer."""

import re
import time

import requests
from django.core.cache import cache
from django_ratelimit.core import _get_window

from tests.accounts.test_sign_in import totp_code
from tests.factories import PASSWORD, make_officer


def _wait_for_a_fresh_window(period=60, needed=15):
    """The limit counts in fixed windows: start well inside one, so all requests share it."""
    left = _get_window("127.0.0.1", period) - time.time()
    if left < needed:
        time.sleep(left + 1)


def _csrf(session, url) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(url).text).group(1)


def _real_password(user, settings):
    """The servers use the real password hashers, not the tests' fast one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def _sign_in(session, base, email):
    token = _csrf(session, f"{base}/accounts/login/")
    return session.post(
        f"{base}/accounts/login/",
        data={"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
    )


def test_the_verify_limit_holds_across_two_servers(two_servers):
    cache.clear()
    _wait_for_a_fresh_window()
    answers = [
        requests.get(f"{two_servers[n % 2]}/verify/PPP-2345-6789-ABCD/", timeout=10).status_code for n in range(80)
    ]
    assert answers.count(429) == 50, answers
    assert answers.count(404) == 30


def test_a_totp_code_used_on_one_server_is_refused_on_the_other(two_servers, settings):
    cache.clear()
    officer = _real_password(make_officer("servers@example.org"), settings)
    first, second = requests.Session(), requests.Session()
    for session, base in ((first, two_servers[0]), (second, two_servers[1])):
        assert _sign_in(session, base, officer.email).headers["Location"] == "/accounts/2fa/authenticate/"
    code = totp_code()
    for session, base, expected in ((first, two_servers[0], 302), (second, two_servers[1], 200)):
        url = f"{base}/accounts/2fa/authenticate/"
        response = session.post(
            url,
            data={"code": code, "csrfmiddlewaretoken": _csrf(session, url)},
            headers={"Referer": url},
            allow_redirects=False,
        )
        assert response.status_code == expected


def test_a_session_started_on_one_server_works_on_the_other(two_servers, alice, school_a, settings):
    cache.clear()
    _real_password(alice, settings)
    session = requests.Session()
    assert _sign_in(session, two_servers[0], alice.email).status_code == 302
    page = session.get(f"{two_servers[1]}{school_a.get_absolute_url()}", allow_redirects=False)
    assert page.status_code == 200
    assert school_a.name in page.text


def test_evidence_uploaded_on_one_server_downloads_from_the_other(
    two_servers, s3_bucket, alice, school_a, officer, settings
):
    import boto3
    from django.urls import reverse
    from django.utils import timezone

    from accreditation.models import Application, Evidence, Scheme
    from tests.accreditation import factories as award

    # Made directly in its evidencing state: this test is about files, not the workflow.
    application = Application.objects.create(
        organisation=school_a,
        scheme=Scheme.current(),
        contact_name="Alice Lead",
        contact_email=alice.email,
        terms_accepted_at=timezone.now(),
        action_plan_agreed_at=timezone.now(),
        created_by=alice,
        assigned_officer=officer,
        status=Application.Status.EVIDENCING,
    )
    criterion = application.scheme.standards.first().criteria.first()
    cache.clear()
    _real_password(alice, settings)
    session = requests.Session()
    assert _sign_in(session, two_servers[0], alice.email).status_code == 302
    add = f"{two_servers[0]}{reverse('accreditation:evidence-add', kwargs={'pk': application.public_id})}"
    response = session.post(
        add,
        data={
            "title": "Policy",
            "kind": "file",
            "criteria": [criterion.pk],
            "csrfmiddlewaretoken": _csrf(session, add),
        },
        files={"file": ("Our Policy.pdf", award.PDF, "application/pdf")},
        headers={"Referer": add},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:2000]
    evidence = Evidence.objects.get(application=application)
    download = session.get(
        f"{two_servers[1]}{reverse('accreditation:evidence-download', kwargs={'pk': evidence.public_id})}",
        allow_redirects=False,
    )
    assert download.status_code == 200
    assert download.content == award.PDF
    assert download.headers["Content-Disposition"].startswith('attachment; filename="Our Policy.pdf"')
    # It is in the bucket, not on either server's disk.
    endpoint, bucket = s3_bucket
    keys = [
        o["Key"]
        for o in boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
        )
        .list_objects_v2(Bucket=bucket)
        .get("Contents", [])
    ]
    assert any(key.endswith(evidence.file.name) for key in keys), keys
