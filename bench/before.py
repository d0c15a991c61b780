"""An earlier commit of PPP, served beside the current one against the same dataset, for a
before-and-after table from one run (`national.py measure --before REF`).

    python bench/national.py measure --before 3ad910f     # issue 21: before its removals
    python bench/national.py measure --before d1bae8b     # issue 22: before its rounds

`prepare(ref)` unpacks the commit (`git archive`, nothing in this checkout changes) into
/tmp/ppp-bench-before-<commit>, gives it its own virtualenv with the dependencies that
commit declared (they differ: django-tasks then, Procrastinate now), the GOV.UK Frontend
build of this checkout when package.json is unchanged, and its own collected static files.
Its server reads the same database and the same cache table, with its own cache key prefix
(an earlier copy may keep pages in another shape under the same keys).

It works while the earlier code can read the current schema: migrations since then may add
tables and columns (an earlier copy never reads them) but must not drop or rename what it
reads. `prepare` refuses a commit whose migrations the current ones removed or renamed.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The pages of issue 13's table in bench/README.md (platform, charter, award, admin) and of
# issue 22's (incidents, training, the public mixes): what an earlier copy is measured on
# (with --only, those of them chosen), and issue 24's answering pages. The peers are unchanged.
PAGES = {
    "bare Django view",
    "/award-holders/ (public)",
    "/award-holders/ search",
    "/charter/register/ (public)",
    "/charter/register/ search",
    "/charter/ (public)",
    "/verify/<code>/ (public)",
    "/officer/ organisations",
    "/officer/ search",
    "/officer/ deep page",
    "award caseload",
    "award caseload, status filter",
    "charter officer page",
    "admin evidence list",
    "admin evidence search",
    "admin audit events",
    "admin audit search (text)",
    "admin audit search (common word)",
    "admin audit search (email)",
    "admin audit action filter",
    "application page, 30 evidence items",
    # Issue 22's table: incidents and training at national scale, and the public pages under
    # traffic that does not repeat (`measure --before d1bae8b`: the code before its rounds).
    "/award-holders/ mix of pages and searches (public)",
    "/charter/register/ mix of pages and searches (public)",
    "/verify/ 20,000 different certificates (public)",
    "/training/ catalogue (public)",
    "a course page (public)",
    "/training/sessions.ics (public)",
    "training charges (officer)",
    "training charges, status filter (officer)",
    "training reports (officer)",
    "admin training bookings",
    "a lead's training record",
    "a school's termly incident report",
    "council incident figures, newest term (officer)",
    "council incident figures, STOP test only (officer)",
    # Issue 24's hot public path: a whole assembly answering (`measure --before 999f975`).
    "survey start page, by its link (public)",
    "survey question page, answering (public)",
}
SETTINGS = '''"""Written by bench/before.py: the benchmark's settings with a cache key prefix of its own."""

from bench.settings import *  # noqa: F403

for _alias in CACHES:  # noqa: F405
    CACHES[_alias] = {**CACHES[_alias], "KEY_PREFIX": "before"}  # noqa: F405
'''


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def _check_schema(commit: str) -> None:
    """Refuse a commit whose migrations are no longer all there: the current schema may
    have dropped or renamed what that code reads."""
    then = set(_git("ls-tree", "-r", "--name-only", commit).splitlines())
    now = set(_git("ls-tree", "-r", "--name-only", "HEAD").splitlines())
    gone = sorted(p for p in then - now if "/migrations/0" in p)
    if gone:
        raise SystemExit(f"{commit[:10]}'s migrations {gone} are not in HEAD: its schema may not be the current one's")
    changed = _git("diff", "--name-only", commit, "HEAD", "--", "*/migrations/0*").splitlines()
    for path in changed:
        if path in then:
            raise SystemExit(f"{path} changed since {commit[:10]}: compare the schema by hand")
        text = (ROOT / path).read_text()
        for operation in ("RemoveField", "RenameField", "DeleteModel", "RenameModel", "AlterModelTable"):
            if f"migrations.{operation}(" in text:
                raise SystemExit(f"{path} ({operation}) since {commit[:10]}: the earlier code may read what it removed")


def prepare(ref: str, database_url: str) -> dict:
    """The earlier copy of PPP at `ref`, ready to serve: the `before` of harness.measure."""
    commit = _git("rev-parse", "--verify", f"{ref}^{{commit}}")
    _check_schema(commit)
    root = Path(f"/tmp/ppp-bench-before-{commit[:10]}")
    python = root / ".venv" / "bin" / "python"
    if not (root / ".venv" / ".installed").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
        if _git("diff", "--name-only", commit, "HEAD", "--", "package.json", "package-lock.json"):
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=root, check=True)
            subprocess.run([sys.executable, "scripts/build_frontend.py"], cwd=root, check=True)
        else:
            shutil.copytree(ROOT / "build", root / "build")
        subprocess.run([sys.executable, "-m", "venv", str(root / ".venv")], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-e", str(root)], check=True)
        (root / ".venv" / ".installed").touch()
    (root / "bench" / "before_settings.py").write_text(SETTINGS)
    from bench.harness import bench_environment

    env = {
        "DJANGO_SETTINGS_MODULE": "bench.before_settings",
        "STATIC_ROOT": f"/tmp/ppp-bench-static-before-{commit[:10]}",
    }
    if not Path(env["STATIC_ROOT"], "staticfiles.json").exists():
        subprocess.run(
            [str(python), "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=root,
            env={**os.environ, **bench_environment(database_url), **env},
            check=True,
        )
    return {"ref": commit, "env": env, "server": {"root": root, "python": str(python)}, "pages": PAGES}
