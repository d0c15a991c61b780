"""The national benchmark (issue 13): build a national-size dataset, then measure every
busy page under gunicorn against a bare Django view in the same run.

    python bench/national.py build --scale 1.0            # ppp_national, about 30 minutes (13 GB)
    python bench/national.py build --scale 0.1            # ppp_national_10, about 2 minutes
    python bench/national.py build --scale 1.0 --only surveys   # replace the survey rows only
    python bench/national.py build --scale 1.0 --only releases  # publish every closed term's council figures again
    python bench/national.py check-surveys --scale 0.1    # recount the tallies from the answers
    python bench/national.py measure                      # both, and the growth 10 % -> 100 %
    python bench/national.py explain --scale 1.0          # EXPLAIN (ANALYZE, BUFFERS) of each page's queries

`make bench-national` builds whichever dataset is missing and measures both. The server
is PostgreSQL at BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432); each
dataset is its own database, dropped and migrated from scratch by `build`.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
# The datasets' database names: PREFIX (100 %) and PREFIX_10 (10 %).
PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "ppp_national")


def database_name(scale: float) -> str:
    return PREFIX if scale == 1.0 else f"{PREFIX}_{round(scale * 100)}"


def database_url(scale: float) -> str:
    return f"{SERVER}/{database_name(scale)}"


def setup_django(url: str):
    from bench.harness import bench_environment

    os.environ.update(bench_environment(url))
    import django

    django.setup()


def exists(scale: float) -> bool:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database_name(scale)]).fetchone() is not None
        )


# Stages that can be built into an existing dataset on their own (`build --only`): each
# replaces its own rows and nothing else.
STAGES = ("surveys", "releases")


def build_stage(scale: float, seed: int, stage: str):
    """Replace one stage's rows in a built dataset, leaving everything else as it is."""
    if not exists(scale):
        raise SystemExit(f"{database_name(scale)} does not exist: build it first (without --only).")
    setup_django(database_url(scale))
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    from bench.national_models import National

    national = National(scale=scale, seed=seed)
    getattr(national, stage)()
    if stage == "surveys":  # the council's survey figures are made from the rounds just replaced
        national.releases()
    print(f"{database_name(scale)}: {stage} built in {time.perf_counter() - started:.0f} s")
    if stage == "surveys" and scale <= 0.1:
        check_surveys(scale)
    with connection.cursor() as cursor:
        # As `build` does: the planner's statistics and the visibility map brought up to
        # date, also for what the migrations just filled (a sort key filled by UPDATE and
        # not vacuumed made a deep page's index-only scan read the table: 14 ms, not 2).
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"{database_name(scale)}: {cursor.fetchone()[0]}")


def check_surveys(scale: float):
    """Recount every round's tallies from its answers and compare (exits 1 on a difference)."""
    if "DJANGO_SETTINGS_MODULE" not in os.environ:
        setup_django(database_url(scale))
    from bench.national_models import National

    started = time.perf_counter()
    problems = National(scale=scale, seed=0).check_surveys()
    took = time.perf_counter() - started
    if problems:
        raise SystemExit(f"{database_name(scale)}: surveys do not add up: {'; '.join(problems)}")
    print(f"{database_name(scale)}: every tally matches a recount of the answers ({took:.0f} s)")


def build(scale: float, seed: int):
    import psycopg

    name = database_name(scale)
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    setup_django(database_url(scale))
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"{name}: migrated in {time.perf_counter() - started:.1f} s; building at scale {scale}, seed {seed}")
    from bench.national_models import National

    National(scale=scale, seed=seed).build()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(f"{name}: built in {time.perf_counter() - started:.0f} s ({size})")


def collectstatic(url: str):
    if Path("/tmp/ppp-bench-static/staticfiles.json").exists():
        return
    from bench.harness import bench_environment

    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env={**os.environ, **bench_environment(url)},
        check=True,
    )


def measure_one(scale: float, port: int, seconds: int, only, label: str, before_ref: str | None = None):
    url = database_url(scale)
    collectstatic(url)
    before = None
    if before_ref:
        from bench.before import prepare

        before = prepare(before_ref, url)
    setup_django(url)
    from bench.harness import measure

    print(f"{database_name(scale)} (scale {scale}) on port {port}:", flush=True)
    results = measure(database_url=url, port=port, seconds=seconds, only=only, before=before)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{label}-{database_name(scale)}.json").write_text(json.dumps(results, indent=1))


# The targets (issue 21 "Performance targets", replacing issue 13's milliseconds): public
# pages keep PUBLIC_SHARE % of the bare view's requests a second at concurrency 8; each
# staff page costs at most PEER_LIMIT times its peer (harness.PEERS: Django's stock admin
# change list of the same model and rows) at TEAM_CONCURRENCY in the same run; growth from
# 10 % to 100 % at most GROWTH_LIMIT for pages that draw the same rows at both sizes; and
# the same number of queries at both sizes.
PUBLIC_SHARE = 30
PEER_LIMIT = 1.5
GROWTH_LIMIT = 1.3
# Pages that draw more rows at 100 % than at 10 % (a search finding 10 times as many, every
# upcoming session, a school's whole history): their growth is not like for like.
NOT_LIKE_FOR_LIKE = {
    "/award-holders/ search",
    "/charter/register/ search",
    "/officer/ search",
    "/officer/ deep page",
    "admin evidence search",
    "admin audit search (text)",
    "/training/sessions.ics (public)",
}


def _own_time(figures: dict) -> dict:
    """A signed-in page's own time (one request per worker), or the page's figures (also
    when the run at concurrency 2 finished no request: a peer slower than its seconds)."""
    team = figures.get("team")
    return team if team and team.get("p50_ms") else figures


def target_met(page: str, big: dict, small: dict | None, peer: dict | None, growth: float | None) -> str:
    """'yes', or what missed, for one page's figures at 100 % (and 10 %)."""
    from bench.harness import PEERS, PUBLIC, STAFF

    if page == "bare Django view" or page.startswith(("stock admin:", "PPP's layout alone")):
        return "(peer)"
    misses = []
    for size, figures in (("100 %", big), ("10 %", small)):
        # Every answer under load must be the page (wrk counts the answers of 400 and over), and
        # so must the request whose queries are counted: a redirect measured is not the page.
        if figures is not None and (figures.get("bad_status") or figures.get("query_status", 200) != 200):
            errors, status = figures.get("bad_status", 0), figures.get("query_status", 200)
            misses.append(f"not the page at {size} ({errors} errors, queries read on a {status})")
    if big.get("who") in PUBLIC and big.get("share", 100) < PUBLIC_SHARE:
        misses.append(f"{big['share']:.0f} % of bare < {PUBLIC_SHARE}")
    if big.get("who") in STAFF or page in PEERS:
        if peer is None or "p50_ms" not in peer:
            misses.append("no peer measured")
        else:
            ratio = _own_time(big)["p50_ms"] / _own_time(peer)["p50_ms"]
            if ratio > PEER_LIMIT:
                misses.append(f"{ratio:.2f}× its peer > {PEER_LIMIT}")
    if growth is not None and growth > GROWTH_LIMIT and page not in NOT_LIKE_FOR_LIKE:
        misses.append(f"grew {growth:.2f}×")
    if small is not None and "queries" in small and small["queries"] != big["queries"]:
        misses.append(f"queries {small['queries']} → {big['queries']}")
    return "yes" if not misses else "**no**: " + ", ".join(misses)


def saved_runs(label: str, scales: list[float]) -> dict[float, dict]:
    """The saved results of the run called `label`, by scale (only the scales it measured)."""
    data = {}
    for scale in scales:
        path = RESULTS / f"{label}-{database_name(scale)}.json"
        if path.exists():
            data[scale] = json.loads(path.read_text())
    return data


def table(label: str, scales: list[float]) -> str:
    """The figures of a run at each scale, with the target each page meets: staff pages are
    compared with their peer at TEAM_CONCURRENCY (their own time, not a queue), public
    pages with the bare view at concurrency 8."""
    from bench.harness import PEERS, STAFF

    data = saved_runs(label, scales)
    if not data:
        return ""
    small, big = min(data), max(data)
    lines = [
        f"| page | p50 ms {int(small * 100)} % | % of bare {int(small * 100)} % | p50 / p95 ms 100 % | req/s 100 % "
        f"| % of bare 100 % | p50 ms at 2, 100 % | × peer 100 % | queries | growth p50 | target met |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for page in data[big]["pages"]:
        cells = []
        for scale in (small, big):
            figures = data[scale]["pages"].get(page, {})
            bare = data[scale]["pages"].get("bare Django view", {}).get("rps") or 1
            if "p50_ms" in figures:
                figures["share"] = 100 * figures["rps"] / bare
            cells.append(figures)
        s, b = cells
        if "p50_ms" not in b:
            lines.append(f"| {page} | | | ({b.get('status', '–')}) | | | | | | | |")
            continue
        staff = b.get("who") in STAFF or page in PEERS
        own_s, own_b = _own_time(s) if "p50_ms" in s else None, _own_time(b)
        growth = own_b["p50_ms"] / own_s["p50_ms"] if own_s else None
        peer = data[big]["pages"].get(PEERS.get(page, ""), None)
        ratio = own_b["p50_ms"] / _own_time(peer)["p50_ms"] if staff and peer and "p50_ms" in peer else None
        row = [
            f"`{page}`" if page.startswith("/") else page,
            f"{s['p50_ms']:.1f}" if "p50_ms" in s else "–",
            f"{s['share']:.1f}" if "p50_ms" in s else "–",
            f"{b['p50_ms']:.1f} / {b['p95_ms']:.1f}",
            f"{b['rps']:.1f}",
            f"{b['share']:.1f}",
            f"{b['team']['p50_ms']:.1f}" if "team" in b else "",
            f"{ratio:.2f}×" if ratio else "",
            f"{s.get('queries', '–')} / {b['queries']}",
            f"{growth:.2f}×" if growth else "–",
            target_met(page, b, s if "p50_ms" in s else None, peer, growth),
        ]
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    lines += [
        "",
        "| export | first byte ms 100 % | all ms 100 % | MB | worker memory growth MB | queries | all ms 10 % |",
        "|---|---|---|---|---|---|---|",
    ]
    for export, figures in data[big]["exports"].items():
        if "total_ms" not in figures:
            lines.append(f"| {export} | ({figures.get('status')}) | | | | | |")
            continue
        small_total = data[small]["exports"].get(export, {}).get("total_ms")
        lines.append(
            f"| {export} | {figures['first_byte_ms']:.0f} | {figures['total_ms']:.0f} | {figures['bytes'] / 1e6:.1f} "
            f"| {figures['rss_growth_mb']:.1f} | {figures['queries']} | "
            f"{f'{small_total:.0f}' if small_total else '–'} |"
        )
    return "\n".join(lines)


def before_table(label: str, scales: list[float]) -> str:
    """A run with --before: each page on the earlier commit and on the current code, served
    side by side and measured back to back, against the limits (public pages against each
    server's own bare view; staff pages against the stock admin peer of the same run)."""
    from bench.harness import PEERS, STAFF

    data = saved_runs(label, scales)
    if not data:
        return ""
    small, big = min(data), max(data)
    lines = [
        f"| page | before / after p50 ms at 8, {int(small * 100)} % | before / after % of bare, {int(small * 100)} % "
        "| before / after p50 ms at 8, 100 % | before / after % of bare, 100 % | before / after p50 ms at 2, 100 % "
        "| before / after × peer, 100 % | before / after growth | within the limits before / after |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def share(figures, run, server):
        bare = run["pages"].get("bare Django view", {})
        bare = bare.get("before", {}) if server == "before" else bare
        return 100 * figures["rps"] / bare["rps"] if bare.get("rps") else None

    def cell(pair, fmt):
        return " / ".join(fmt(v) if v is not None else "–" for v in pair)

    for page, after_big in data[big]["pages"].items():
        before_big = after_big.get("before")
        if before_big is None or "p50_ms" not in after_big:
            continue
        after_small = data[small]["pages"].get(page, {}) if small != big else after_big
        before_small = after_small.get("before", {})
        staff = after_big.get("who") in STAFF or page in PEERS
        peer = data[big]["pages"].get(PEERS.get(page, ""), {})
        figures = {}
        for server, b, s_ in (("before", before_big, before_small), ("after", after_big, after_small)):
            ok = "p50_ms" in b
            own_b = _own_time(b) if ok else None
            own_s = _own_time(s_) if "p50_ms" in s_ else None
            growth = own_b["p50_ms"] / own_s["p50_ms"] if own_b and own_s else None
            ratio = own_b["p50_ms"] / _own_time(peer)["p50_ms"] if ok and staff and "p50_ms" in peer else None
            b_share = share(b, data[big], server) if ok else None
            verdict = "–"
            if ok:
                b = {**b, "share": b_share if b_share is not None else 100, "who": after_big.get("who")}
                verdict = target_met(page, b, None, peer if staff else None, growth)
            figures[server] = {
                "p50_small": s_.get("p50_ms"),
                "share_small": share(s_, data[small], server) if "p50_ms" in s_ else None,
                "p50": b.get("p50_ms"),
                "share": b_share,
                "team": b.get("team", {}).get("p50_ms"),
                "ratio": ratio,
                "growth": growth,
                "verdict": verdict,
            }
        both = {key: (figures["before"][key], figures["after"][key]) for key in figures["after"]}
        lines.append(
            "| "
            + " | ".join(
                [
                    f"`{page}`" if page.startswith("/") else page,
                    cell(both["p50_small"], lambda v: f"{v:.1f}"),
                    cell(both["share_small"], lambda v: f"{v:.1f}"),
                    cell(both["p50"], lambda v: f"{v:.1f}"),
                    cell(both["share"], lambda v: f"{v:.1f}"),
                    cell(both["team"], lambda v: f"{v:.1f}") if staff or after_big.get("who") == "lead" else "",
                    cell(both["ratio"], lambda v: f"{v:.2f}×") if staff else "",
                    cell(both["growth"], lambda v: f"{v:.2f}×"),
                    f"{figures['before']['verdict']} / {figures['after']['verdict']}",
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def compare(before: str, afters: list[str], scales: list[float]) -> str:
    """Before and after, per page at 100 %, with each run's growth from 10 % to 100 %."""

    def figures(runs, page, kind="pages"):
        """The latest run (of `runs`) that measured `page` at both scales."""
        for data in reversed(runs):
            if all(page in data.get(s, {}).get(kind, {}) for s in scales):
                return data
        return None

    old, new = saved_runs(before, scales), [saved_runs(a, scales) for a in afters]
    small, big = min(scales), max(scales)
    lines = [
        "| page | before p50 / p95 ms | before % of bare | before growth | after p50 / p95 ms | after req/s | "
        "after % of bare | after growth | queries after | SQL ms before → after (10 % / 100 %) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]

    def row(data, page):
        f, g = data[big]["pages"].get(page, {}), data[small]["pages"].get(page, {})
        if "p50_ms" not in f:
            return None
        bare = data[big]["pages"]["bare Django view"]["rps"]
        growth = f"{f['p50_ms'] / g['p50_ms']:.2f}×" if "p50_ms" in g else "–"
        return f, bare, growth

    for page in old[big]["pages"]:
        before_row = row(old, page)
        data = figures(new, page)
        after_row = row(data, page) if data else None
        if before_row is None or after_row is None:
            continue
        (b, bare_b, growth_b), (a, bare_a, growth_a) = before_row, after_row
        name = f"`{page}`" if page.startswith("/") else page
        sql_before = old[small]["pages"][page].get("sql_ms", 0), b.get("sql_ms", 0)
        sql_after = data[small]["pages"][page].get("sql_ms", 0), a.get("sql_ms", 0)
        sql = f"{sql_before[0]:.0f} / {sql_before[1]:.0f} → {sql_after[0]:.0f} / {sql_after[1]:.0f}"
        lines.append(
            f"| {name} | {b['p50_ms']:.0f} / {b['p95_ms']:.0f} | {100 * b['rps'] / bare_b:.1f} | {growth_b} "
            f"| {a['p50_ms']:.0f} / {a['p95_ms']:.0f} | {a['rps']:.0f} | {100 * a['rps'] / bare_a:.1f} | {growth_a} "
            f"| {a['queries']} | {sql} |"
        )
    lines += [
        "",
        "| export (100 %) | before first byte / all ms, worker MB | after first byte / all ms, worker MB |",
        "|---|---|---|",
    ]
    for export, b in old[big]["exports"].items():
        data = figures(new, export, "exports")
        a = data[big]["exports"][export] if data else {}
        if "total_ms" not in a:
            continue
        before_cell = (
            f"{b['first_byte_ms']:.0f} / {b['total_ms']:.0f}, +{b['rss_growth_mb']:.0f}" if "total_ms" in b else "(new)"
        )
        lines.append(
            f"| {export} | {before_cell} | {a['first_byte_ms']:.0f} / {a['total_ms']:.0f}, +{a['rss_growth_mb']:.0f} |"
        )
    return "\n".join(lines)


def explain(scale: float, only):
    """Each page's queries, the slowest first, with EXPLAIN (ANALYZE, BUFFERS) of the
    slowest three, into bench/results/plans-<database>.txt."""
    url = database_url(scale)
    collectstatic(url)
    setup_django(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench import national_models as data
    from bench.harness import EXPORTS, PAGES, bench_users, signed_in_client

    targets = data.bench_targets()
    mixes = data.bench_mixes()
    users = bench_users()
    out = []
    for label, who, path in PAGES + EXPORTS:
        if only and not any(o in label for o in only):
            continue
        path = mixes[path.removeprefix("mix:")][0] if path.startswith("mix:") else path.format(**targets)
        client = signed_in_client(who, users, "10.97.0.1")
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
        queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
        total = sum(float(q["time"]) for q in queries) * 1000
        out.append(f"\n{'=' * 100}\n{label}  {path}  status {response.status_code}")
        out.append(f"{len(queries)} queries, {total:.1f} ms of SQL\n")
        for q in queries[:8]:
            out.append(f"  {float(q['time']) * 1000:9.1f} ms  {q['sql'][:300]}")
        for q in queries[:3]:
            if float(q["time"]) * 1000 < 2 or not q["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
            out.append(f"\n--- {float(q['time']) * 1000:.1f} ms:\n{q['sql']}\n{plan}\n")
        print(f"{label}: {len(queries)} queries, {total:.1f} ms SQL", flush=True)
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / f"plans-{database_name(scale)}.txt"
    target.write_text("\n".join(out))
    print(f"plans in {target}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="drop, migrate and fill one dataset")
    b.add_argument("--scale", type=float, default=1.0)
    b.add_argument("--seed", type=int, default=13)
    b.add_argument("--only", choices=STAGES, help="replace one stage's rows in an existing dataset, nothing else")
    k = sub.add_parser("check-surveys", help="recount the survey tallies from the answers and compare")
    k.add_argument("--scale", type=float, default=0.1)
    m = sub.add_parser("measure", help="measure every page on each dataset (building missing ones)")
    m.add_argument("--scales", default="0.1,1.0")
    m.add_argument("--seconds", type=int, default=10)
    m.add_argument("--port", type=int, default=8201)
    m.add_argument("--only", nargs="*", help="measure only pages whose label contains one of these")
    m.add_argument("--label", default="latest", help="name of this run's results (e.g. before, after)")
    m.add_argument("--seed", type=int, default=13)
    m.add_argument("--before", help="also serve this earlier commit beside the current code (bench/before.py)")
    one = sub.add_parser("measure-one")
    one.add_argument("--scale", type=float, required=True)
    one.add_argument("--seconds", type=int, default=10)
    one.add_argument("--port", type=int, default=8201)
    one.add_argument("--only", nargs="*")
    one.add_argument("--label", default="latest")
    one.add_argument("--before")
    t = sub.add_parser("table", help="print the table of a run's results")
    t.add_argument("--label", default="latest")
    t.add_argument("--scales", default="0.1,1.0")
    t.add_argument("--before", action="store_true", help="also the before-and-after table of a run with --before")
    c = sub.add_parser("compare", help="before and after at 100 %%, from saved runs")
    c.add_argument("--before", default="before")
    c.add_argument("--after", nargs="+", default=["after"], help="later runs override earlier ones per page")
    c.add_argument("--scales", default="0.1,1.0")
    e = sub.add_parser("explain", help="capture each page's SQL and EXPLAIN ANALYZE the slowest")
    e.add_argument("--scale", type=float, default=1.0)
    e.add_argument("--only", nargs="*")
    args = parser.parse_args()

    if args.command == "build" and args.only:
        build_stage(args.scale, args.seed, args.only)
    elif args.command == "build":
        build(args.scale, args.seed)
    elif args.command == "check-surveys":
        check_surveys(args.scale)
    elif args.command == "measure":
        scales = [float(s) for s in args.scales.split(",")]
        for scale in scales:
            if not exists(scale):
                subprocess.run(
                    [sys.executable, __file__, "build", "--scale", str(scale), "--seed", str(args.seed)], check=True
                )
        for scale in scales:
            command = [sys.executable, __file__, "measure-one", "--scale", str(scale), "--seconds", str(args.seconds)]
            command += ["--port", str(args.port), "--label", args.label] + (["--only", *args.only] if args.only else [])
            command += ["--before", args.before] if args.before else []
            subprocess.run(command, check=True)
        print()
        print(table(args.label, scales))
        if args.before:
            print()
            print(before_table(args.label, scales))
    elif args.command == "measure-one":
        measure_one(args.scale, args.port, args.seconds, args.only, args.label, args.before)
    elif args.command == "table":
        print(table(args.label, [float(s) for s in args.scales.split(",")]))
        if args.before:
            print()
            print(before_table(args.label, [float(s) for s in args.scales.split(",")]))
    elif args.command == "compare":
        print(compare(args.before, args.after, [float(x) for x in args.scales.split(",")]))
    elif args.command == "explain":
        explain(args.scale, args.only)


if __name__ == "__main__":
    main()
