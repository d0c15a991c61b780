"""The README's demo on SQLite, as `make run` runs it (issue 23: "database is locked" 500s):
its own database file made by `migrate` and `seed_demo`, gunicorn with two workers, each
running background work in a thread (PPP_TASKS=thread), and many people at once: sign-ins
(a password checked, a session and the sign-in records written) and pupils' reports (an
incident written, an email to the school's reviewers sent by the runner) all at the same
moment. Every request gets its answer, never a server error; every email goes, once."""

import os
import re
import sqlite3
import subprocess
import sys
import threading

import pytest
import requests

from tests.platform.worker_helpers import ROOT, free_port, wait_for

REPORTS = 12
SIGN_INS = 8


def _run(env, *args, timeout=600):
    return subprocess.run(  # noqa: S603 - our own commands
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    env = {
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
        "DEBUG": "true",
        "PPP_TESTING": "false",
        "INCIDENT_PUPIL_REPORTS_PER_HOUR": "1000",
        "MEDIA_ROOT": str(folder / "media"),
    }
    assert _run(env, "migrate", "--noinput").returncode == 0
    seeded = _run(env, "seed_demo")
    assert seeded.returncode == 0, seeded.stderr
    token = re.search(r"/tell/([\w-]+)/", seeded.stdout).group(1)
    port = free_port()
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "ppp.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base + "/healthz"), timeout=60, every=0.5, message="the demo server")
        yield {"base": base, "token": token, "folder": folder}
    finally:
        server.terminate()
        server.wait(timeout=30)


def _answers(url):
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def _csrf(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _radio(page: str, name: str) -> str:
    """The first choice of a radio group."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and 'type="radio"' in tag:
            return re.search(r'value="([^"]*)"', tag).group(1)
    raise AssertionError(f"no {name} radios")


def _report(base, token, n, results):
    session = requests.Session()
    page = session.get(f"{base}/tell/{token}/", timeout=60).text
    data = {
        "csrfmiddlewaretoken": _csrf(page),
        "submission": re.search(r'name="submission" value="([^"]+)"', page).group(1),  # one report per page
        "what_happened": f"Someone took my bag at break ({n})",
        "where": _radio(page, "where"),
        "when": _radio(page, "when"),
        "who": "",
        "tell_name": "no",
    }
    results.append(session.post(f"{base}/tell/{token}/", data=data, timeout=60).status_code)


def _sign_in(base, n, results):
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=60).text
    email = ["lead.a@ppp.example", "member.a@ppp.example", "lead.b@ppp.example", "lead.partner@ppp.example"][n % 4]
    data = {"csrfmiddlewaretoken": _csrf(page), "login": email, "password": "Peaceful-Places-2026"}
    response = session.post(f"{base}/accounts/login/", data=data, timeout=60, allow_redirects=False)
    results.append(response.status_code)


def test_many_people_at_once_on_the_sqlite_demo_get_answers_and_every_email_goes_once(demo):
    base, token, folder = demo["base"], demo["token"], demo["folder"]
    database = sqlite3.connect(folder / "demo.sqlite3")
    emails_before = database.execute("SELECT count(*) FROM notifications_email").fetchone()[0]
    incidents_before = database.execute("SELECT count(*) FROM incidents_incident").fetchone()[0]
    reports, sign_ins = [], []
    threads = [threading.Thread(target=_report, args=(base, token, n, reports)) for n in range(REPORTS)]
    threads += [threading.Thread(target=_sign_in, args=(base, n, sign_ins)) for n in range(SIGN_INS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert reports == [200] * REPORTS, (reports, (folder / "server.log").read_text()[-3000:])
    assert sign_ins == [302] * SIGN_INS, (sign_ins, (folder / "server.log").read_text()[-3000:])
    assert database.execute("SELECT count(*) FROM incidents_incident").fetchone()[0] == incidents_before + REPORTS

    def all_sent():
        rows = database.execute("SELECT status, count(*) FROM notifications_email GROUP BY status").fetchall()
        return dict(rows).get("sent", 0) == emails_before + REPORTS and len(rows) == 1

    try:
        wait_for(all_sent, timeout=120, every=0.5, message="the web processes' runners to send every email")
    except AssertionError:
        rows = database.execute("SELECT status, attempts, last_error FROM notifications_email").fetchall()
        raise AssertionError((rows, (folder / "server.log").read_text()[-5000:])) from None
    log = (folder / "server.log").read_text()  # the demo prints emails (the console backend)
    assert log.count("Subject: A pupil has sent a report through your reporting link") == REPORTS
    assert "database is locked" not in log and "Traceback" not in log
