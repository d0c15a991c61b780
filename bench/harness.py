"""The measurement harness: PPP under gunicorn (DEBUG off, 2 workers, production
settings), loaded by wrk (Debian's `wrk` package) at concurrency 8, each page measured
beside a bare Django view in the same run; signed-in pages also at concurrency 2
(TEAM_CONCURRENCY: one request per worker, what a council's team of officers makes);
query counts captured separately in-process with CaptureQueriesContext; exports timed
to the first byte and to the end, with the workers' memory before and after.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = ROOT / "bench" / "wrk.lua"
CONCURRENCY = 8
# Officers are tens of people, not the public: at concurrency 8 on two workers each request
# waits behind three others, so p95 there is four times a page's own time (throughput,
# not latency). Their pages are also measured with one request per worker, and their
# target (at most 1.5x their stock admin peer, national.PEER_LIMIT) is read there; both
# figures go in the table.
TEAM_CONCURRENCY = 2
STAFF = ("officer", "superuser")
# Public pages: read against the bare view. "pupil" is someone answering a survey on a
# shared classroom device: no account, a session holding their answers so far.
PUBLIC = ("anonymous", "pupil")

# (label, who, path) — `who` is anonymous, officer, superuser or lead; {placeholders}
# come from national_models.bench_targets(); a path "mix:<name>" is traffic that does not
# repeat: each request the next path of national_models.bench_mixes()[name].
PAGES = [
    ("bare Django view", "anonymous", "/__bench__/bare/"),
    ("/award-holders/ (public)", "anonymous", "/award-holders/"),
    ("/award-holders/ search", "anonymous", "/award-holders/?q={name_search}"),
    ("/award-holders/ mix of pages and searches (public)", "anonymous", "mix:award-holders"),
    ("/charter/register/ (public)", "anonymous", "/charter/register/"),
    ("/charter/register/ search", "anonymous", "/charter/register/?q={name_search}"),
    ("/charter/register/ mix of pages and searches (public)", "anonymous", "mix:register"),
    ("/charter/ (public)", "anonymous", "/charter/"),
    ("/verify/<code>/ (public)", "anonymous", "/verify/{certificate_code}/"),
    ("/verify/ 20,000 different certificates (public)", "anonymous", "mix:verify"),
    # What a page drawn for every request costs with no query at all (issue 22's mixes are
    # almost all such pages): Django's own simplest public page, and PPP's empty layout.
    ("stock admin: sign-in page, drawn every time (public)", "anonymous", "/__bench__/admin/login/"),
    ("PPP's layout alone, drawn every time (public)", "anonymous", "/__bench__/layout/"),
    ("/training/ catalogue (public)", "anonymous", "/training/"),
    ("a course page (public)", "anonymous", "/training/courses/{course_slug}/"),
    ("/training/sessions.ics (public)", "anonymous", "/training/sessions.ics"),
    ("/officer/ organisations", "officer", "/officer/"),
    ("/officer/ search", "officer", "/officer/?q={name_search}"),
    ("/officer/ deep page", "officer", "/officer/?page={deep_page}"),
    ("award caseload", "officer", "/award/officer/"),
    ("award caseload, status filter", "officer", "/award/officer/?status=evidencing,assessment"),
    ("charter officer page", "officer", "/charter/officer/"),
    ("training charges (officer)", "officer", "/training/officer/charges/"),
    ("training charges, status filter (officer)", "officer", "/training/officer/charges/?status=not_invoiced"),
    ("training reports (officer)", "officer", "/training/officer/reports/"),
    ("admin evidence list", "superuser", "/admin/accreditation/evidence/"),
    ("admin evidence search", "superuser", "/admin/accreditation/evidence/?q={evidence_search}"),
    ("admin audit events", "superuser", "/admin/audit/auditevent/"),
    ("admin audit search (text)", "superuser", "/admin/audit/auditevent/?q={audit_search}"),
    # The same search with a word that fills the page at both sizes: like for like.
    ("admin audit search (common word)", "superuser", "/admin/audit/auditevent/?q={audit_search_common}"),
    ("admin audit search (email)", "superuser", "/admin/audit/auditevent/?q={audit_email_exact}"),
    ("admin audit action filter", "superuser", "/admin/audit/auditevent/?action={audit_action}"),
    ("admin training bookings", "superuser", "/admin/training/booking/"),
    ("application page, 30 evidence items", "lead", "{application_url}"),
    ("a lead's training record", "lead", "/training/organisations/{lead_slug}/"),
    ("a school's termly incident report", "lead", "/incidents/report/"),
    # Pupil voice (issue 24): the answering pages by the round's link (a whole assembly
    # at once), the school's results for a round of 300 answers, the council's page.
    ("survey start page, by its link (public)", "anonymous", "/survey/{survey_token}/"),
    ("survey question page, answering (public)", "pupil", "/survey/{survey_token}/page/1/"),
    ("survey results, a round of 300 answers (lead)", "lead", "{survey_round_url}"),
    ("surveys council page (officer)", "officer", "/surveys/council/"),
    # The council's incident figures (issue 22): the newest closed term's stored release,
    # every incident and only those meeting the STOP test.
    ("council incident figures, newest term (officer)", "officer", "/incidents/figures/"),
    ("council incident figures, STOP test only (officer)", "officer", "/incidents/figures/?which=bullying"),
    # The peers of the staff pages (issue 21): Django's stock admin change list of the same
    # model showing the same number of rows, on a site of its own (bench/urls.py).
    *[
        (f"stock admin: {model}, {rows} rows", "superuser", f"/__bench__/admin/{app}/{model}/")
        for app, model, rows in (
            ("accounts", "organisation", 25),
            ("accreditation", "application", 25),
            ("accreditation", "evidence", 50),
            ("audit", "auditevent", 50),
            ("charter", "pledge", 25),
            ("training", "charge", 50),
            ("training", "booking", 50),
            ("training", "coursesession", 25),
            ("surveys", "tally", 100),
            ("surveys", "round", 100),
        )
    ],
]
# Each staff page's peer (issue 21: at most PEER_LIMIT times its time, in the same run).
PEERS = {
    "/officer/ organisations": "stock admin: organisation, 25 rows",
    "/officer/ search": "stock admin: organisation, 25 rows",
    "/officer/ deep page": "stock admin: organisation, 25 rows",
    "award caseload": "stock admin: application, 25 rows",
    "award caseload, status filter": "stock admin: application, 25 rows",
    "charter officer page": "stock admin: pledge, 25 rows",
    "training charges (officer)": "stock admin: charge, 50 rows",
    "training charges, status filter (officer)": "stock admin: charge, 50 rows",
    "training reports (officer)": "stock admin: coursesession, 25 rows",
    "admin evidence list": "stock admin: evidence, 50 rows",
    "admin evidence search": "stock admin: evidence, 50 rows",
    "admin audit events": "stock admin: auditevent, 50 rows",
    "admin audit search (text)": "stock admin: auditevent, 50 rows",
    "admin audit search (common word)": "stock admin: auditevent, 50 rows",
    "admin audit search (email)": "stock admin: auditevent, 50 rows",
    "admin audit action filter": "stock admin: auditevent, 50 rows",
    "admin training bookings": "stock admin: booking, 50 rows",
    # A school's lead, not an officer, but issue 24 gives both survey pages a peer.
    "survey results, a round of 300 answers (lead)": "stock admin: tally, 100 rows",
    "surveys council page (officer)": "stock admin: round, 100 rows",
    "council incident figures, newest term (officer)": "stock admin: round, 100 rows",
    "council incident figures, STOP test only (officer)": "stock admin: round, 100 rows",
}
EXPORTS = [
    ("charter register CSV", "officer", "/charter/officer/register.csv"),
    ("caseload CSV", "officer", "/award/officer/?format=csv"),
    ("organisations CSV", "officer", "/officer/organisations.csv"),
    ("training charges CSV", "officer", "/training/officer/charges.csv"),
    ("incidents export (a school's records)", "lead", "/incidents/export.csv"),
    ("council incident figures CSV", "officer", "/incidents/figures.csv"),
]
MIX_DIR = Path("/tmp/ppp-bench-mixes")


def bench_environment(database_url: str) -> dict:
    """Production-like settings: DEBUG off, real (fixed, benchmark-only) secrets, manifest
    static files, HTTPS via one trusted proxy, the shared database cache."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "PPP_TESTING": "false",
        "SECRET_KEY": "bench-only-secret-key-0c7a2d5e9b1f4e8a9d3c6b2a7f5e1d0c-never-in-production",
        "FIELD_ENCRYPTION_KEYS": "YmVuY2gtb25seS1rZXktMzJieXRlcy1sb25nLWtleSE=",
        "FIELD_INDEX_KEY": "bench-only-index-key",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_PROXY_SSL_HEADER_ENABLED": "true",
        "TRUSTED_PROXY_COUNT": "1",
        "STATIC_ROOT": "/tmp/ppp-bench-static",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }


class Server:
    """gunicorn with the Procfile's settings except worker recycling (a restart every
    second at the bare view's rate would measure gunicorn's start-up, not PPP). `root` and
    `python` serve another copy of PPP (an earlier commit, `bench/before.py`)."""

    def __init__(self, port: int, env: dict, workers: int = 2, root: Path = ROOT, python: str = sys.executable):
        self.port, self.env, self.workers, self.root, self.python = port, env, workers, root, python
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [
                self.python,
                "-m",
                "gunicorn",
                "ppp.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=self.root,
            env={**os.environ, **self.env},
        )
        for _ in range(300):
            time.sleep(0.2)
            try:
                health = urllib.request.Request(
                    f"http://127.0.0.1:{self.port}/healthz", headers={"X-Forwarded-Proto": "https"}
                )
                with urllib.request.urlopen(health, timeout=5) as r:  # noqa: S310
                    if r.status == 200:
                        break
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
        return self

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(p) for p in out.split()]

    def worker_rss_mb(self) -> dict[int, float]:
        sizes = {}
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes[pid] = int(line.split()[1]) / 1024
            except OSError:
                pass
        return sizes

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def wrk(port: int, path: str, cookie: str, seconds: int, concurrency: int = CONCURRENCY, paths: str = "") -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "--timeout",
            "90s",
            "-s",
            str(WRK_SCRIPT),
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "WRK_COOKIE": cookie, "WRK_PATHS": paths},
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def mix_file(name: str, paths: list[str]) -> str:
    """The file of paths wrk.lua reads for a mix (WRK_PATHS)."""
    MIX_DIR.mkdir(exist_ok=True)
    target = MIX_DIR / f"{name}.txt"
    target.write_text("\n".join(paths) + "\n")
    return str(target)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is the answer, not a step: wrk does not follow one either, so a page that
    sends its visitor elsewhere (a sign-in, two-factor set-up) is reported, not measured."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def probe(port: int, path: str, cookie: str) -> tuple[int, float, int]:
    """One request, redirects not followed: (status, seconds, bytes)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.99.0.1", "Cookie": cookie},
    )
    started = time.perf_counter()
    try:
        with _OPENER.open(request, timeout=300) as response:
            body = response.read()
            return response.status, time.perf_counter() - started, len(body)
    except urllib.error.HTTPError as error:
        return error.code, time.perf_counter() - started, 0


def stream_timing(port: int, path: str, cookie: str) -> dict:
    """Time to the first byte and to the last of one download."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.99.0.2", "Cookie": cookie},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
        first = response.read(1)
        first_at = time.perf_counter() - started
        size = len(first)
        while chunk := response.read(65536):
            size += len(chunk)
        return {
            "status": response.status,
            "first_byte_ms": first_at * 1000,
            "total_ms": (time.perf_counter() - started) * 1000,
            "bytes": size,
            "rows": 0,
        }


def sessions() -> dict[str, str]:
    """A signed-in session cookie for each role, made through Django's test client against
    the benchmark database (the servers share its session table and SECRET_KEY)."""
    from django.test import Client

    cookies = {"anonymous": "", "pupil": f"sessionid={pupil_session()}"}
    for who, user in bench_users().items():
        client = Client()
        client.force_login(user)
        cookies[who] = f"sessionid={client.cookies['sessionid'].value}"
    return cookies


def pupil_session() -> str:
    """A session key for someone part-way through the bench school's open survey round
    (started, year group chosen, nothing answered yet), as the start page leaves it."""
    from django.contrib.sessions.backends.db import SessionStore

    from surveys.answer_views import SESSION
    from surveys.models import Round

    from . import national_models as data

    round_ = Round.objects.by_token(data.BENCH_SURVEY_TOKEN).first()
    if round_ is None:
        return "no-survey-round"
    session = SessionStore()
    session[SESSION] = {
        "round": round_.pk,
        "key": "bench-pupil-key",
        "year_group": (round_.year_groups or [""])[0],
        "class_label": "",
        "answers": {},
    }
    session.create()
    return session.session_key


def signed_in_client(who: str, users: dict, address: str = "10.98.0.1"):
    """A test client for `who`: signed in (officer, superuser, lead), a pupil part-way
    through a survey, or anonymous."""
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_X_FORWARDED_PROTO="https", HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_FOR=address)
    if who == "pupil":
        client.cookies[settings.SESSION_COOKIE_NAME] = pupil_session()
    elif who != "anonymous":
        client.force_login(users[who])
    return client


def query_count(path: str, who: str, users: dict) -> tuple[int, float, int]:
    """(queries, milliseconds of SQL, status) for one in-process request, after one warm-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in_client(who, users)
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
    return len(captured), sql_ms, response.status_code


def bench_users() -> dict:
    """The bench's signed-in people, each with two-factor set up: officers must have it, and
    so must the lead, who reads incident records (ADR 0031); without it every page they ask
    for is the redirect to setting it up (a dataset built before the build gave it them)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from ppp.accounts.models import User

    from . import national_models as data

    users = {
        "officer": User.objects.get(email=data.BENCH_OFFICER),
        "superuser": User.objects.get(email=data.BENCH_SUPERUSER),
        "lead": User.objects.get(email=data.BENCH_LEAD),
    }
    for user in users.values():
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
    return users


def _load(port: int, who: str, path: str, paths: str, cookie: str, seconds: int) -> dict:
    """One page under wrk at CONCURRENCY (and, signed in, at TEAM_CONCURRENCY) on one server."""
    status, first, _ = probe(port, path, cookie)
    probe(port, path, cookie)  # both workers warm
    if status != 200:
        return {"status": status, "path": path}
    duration = int(min(60, max(seconds, first * 6)))
    figures = wrk(port, path, cookie, duration, paths=paths)
    if who not in PUBLIC:  # signed-in pages: officers, and a school's staff for comparison
        figures["team"] = wrk(port, path, cookie, duration, concurrency=TEAM_CONCURRENCY, paths=paths)
    figures.update(path=path, who=who, status=status, single_ms=first * 1000)
    return figures


def measure(
    *, database_url: str, port: int, seconds: int, only: list[str] | None = None, before: dict | None = None
) -> dict:
    """Every page of PAGES and EXPORTS against one database; returns the figures. With
    `before` (`bench/before.py`: an earlier commit's copy of PPP), the pages that copy has
    (before["pages"]) are also measured on it, served beside this one on port + 1, each page
    on the earlier copy just before this one, so that drift on a shared machine touches both
    alike; their figures go under the page's "before"."""
    from . import national_models as data

    targets = data.bench_targets()
    mixes = data.bench_mixes()
    cookies = sessions()
    users = bench_users()
    # The machine is shared: the load before the run says how much else was running.
    results = {"pages": {}, "exports": {}, "load_average_before": os.getloadavg()}
    pages = [(label, who, path.format(**targets)) for label, who, path in PAGES]
    exports = [(label, who, path.format(**targets)) for label, who, path in EXPORTS]
    if only:
        pages = [p for p in pages if p[0] == "bare Django view" or any(o in p[0] for o in only)]
        exports = [e for e in exports if any(o in e[0] for o in only)]
    with contextlib.ExitStack() as servers:
        server = servers.enter_context(Server(port, bench_environment(database_url)))
        if before is not None:
            servers.enter_context(
                Server(port + 1, {**bench_environment(database_url), **before["env"]}, **before["server"])
            )
            results["before"] = before["ref"]
        for label, who, path in pages:
            paths, name = "", ""
            if path.startswith("mix:"):
                name = path.removeprefix("mix:")
                paths, path = mix_file(name, mixes[name]), mixes[name][0]
            earlier = None
            if before is not None and label in before["pages"]:
                earlier = _load(port + 1, who, path, paths, cookies[who], seconds)
            figures = _load(port, who, path, paths, cookies[who], seconds)
            if "p50_ms" not in figures:
                print(f"  {label}: {path} answered {figures['status']}", flush=True)
                results["pages"][label] = figures
                continue
            queries, sql_ms, status = query_count(path, who, users)
            figures.update(queries=queries, sql_ms=sql_ms, query_status=status)
            if paths:
                figures.update(mix=len(mixes[name]), path=f"mix:{name}")
            if earlier is not None:
                figures["before"] = earlier
            results["pages"][label] = figures
            print(
                f"  {label:40} p50 {figures['p50_ms']:8.1f} ms  p95 {figures['p95_ms']:8.1f} ms  "
                f"{figures['rps']:8.1f} req/s  {queries:3} queries"
                + (f"  (at {TEAM_CONCURRENCY}: p95 {figures['team']['p95_ms']:.1f} ms)" if "team" in figures else "")
                + (
                    f"  [before: p50 {earlier['p50_ms']:.1f} ms, {earlier['rps']:.1f} req/s]"
                    if earlier and "p50_ms" in earlier
                    else (f"  [before: {earlier.get('status')}]" if earlier else "")
                ),
                flush=True,
            )
        for label, who, path in exports:
            before = server.worker_rss_mb()
            try:
                figures = stream_timing(port, path, cookies[who])
            except urllib.error.HTTPError as error:
                results["exports"][label] = {"status": error.code, "path": path}
                print(f"  {label}: {path} answered {error.code}", flush=True)
                continue
            after = server.worker_rss_mb()
            grown = max((after.get(pid, 0) - before.get(pid, 0) for pid in after), default=0)
            queries, sql_ms, _ = query_count(path, who, users)
            figures.update(path=path, rss_growth_mb=grown, rss_after_mb=max(after.values(), default=0), queries=queries)
            results["exports"][label] = figures
            print(
                f"  {label:40} first byte {figures['first_byte_ms']:8.1f} ms  all {figures['total_ms']:8.1f} ms  "
                f"{figures['bytes'] / 1e6:6.1f} MB  worker +{grown:6.1f} MB  {queries} queries",
                flush=True,
            )
    results["load_average_after"] = os.getloadavg()
    print(f"  load average before {results['load_average_before']}, after {results['load_average_after']}", flush=True)
    return results
