"""Deal Desk page benchmark: SQL query counts and server time at two data sizes.

Not a test: it seeds a throw-away PostgreSQL database, requests the main pages
through django.test.Client and prints (and writes to bench/results.md) a table of
queries, median and p95 milliseconds. It exits non-zero only on errors (a page
that does not answer 200, a database that cannot be reached); a missed goal
prints a "GOAL MISSED" line but does not fail the run.

    .venv/bin/python bench/run.py [--sizes 1000,10000] [--requests 30] [--explain]

Without DATABASE_URL it (re)creates the database `dealdesk_bench` on
postgres://postgres@127.0.0.1:5432. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.md"
BENCH_DB = os.environ.get("BENCH_DB") or "dealdesk_bench"  # a name of your own: BENCH_DB=…
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
WARMUP = 3
TRANSACTION_STATEMENTS = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}

# Goals. Query budgets hold at every size; the time budgets at 10,000 deals and more.
DASHBOARD_QUERIES = 12
MAIN_PAGE_QUERIES = 15
DEAL_PAGE_QUERIES = 20
P95_MS = 150.0  # every main page
P95_FROM_DEALS = 10_000
GROWTH_RATIO = 1.5  # median at 10,000 deals / median at the first size
MAIN_KINDS = ("dashboard", "deal", "page")


class BenchError(Exception):
    """Something is broken (not merely slow): the run fails."""


@dataclass
class Page:
    key: str
    label: str
    path: str
    user: str  # "exec", "legal", "admin" or "anon"
    kind: str  # "dashboard", "deal", "page" (other main page), "admin", "floor": the goals
    headers: dict[str, str] = field(default_factory=dict)
    fragment: bool = False
    available: bool = True  # False: the URL does not resolve (yet); reported, not measured
    # True: the data version is bumped before each request, so that the page's cached
    # parts (the dashboard body, the digest preview…) are composed afresh: a first view.
    cold: bool = False


@dataclass
class Row:
    page: Page
    deals: int
    queries: int
    query_range: tuple[int, int]
    median_ms: float
    p95_ms: float
    transaction_statements: int  # BEGIN/COMMIT/SAVEPOINT… among the queries counted
    sql_ms: float  # time spent executing SQL in the median request
    statements: list[tuple[float, str]]  # (ms, SQL) of the last timed request, in order
    logged: list[str]  # connection.queries SQL of the last timed request
    gc_pauses: list[float]  # full garbage collections during the timed requests, ms
    ratio: float | None = None  # median at this size / median at the first size
    missed: list[str] = field(default_factory=list)

    def goal_text(self) -> str:
        return goal_description(self.page, self.deals, self.ratio is not None)


# --------------------------------------------------------------------------- setup


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="total deal counts to measure at, ascending, comma-separated (default 1000,10000)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=30,
        help=f"timed requests per page, after {WARMUP} warm-up requests (default 30)",
    )
    parser.add_argument(
        "--throughput",
        type=int,
        default=30,
        metavar="SECONDS",
        help="after the pages, serve with gunicorn and drive wrk for this long per page "
        "(bench/throughput.py); 0 skips it (default 30)",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="EXPLAIN ANALYZE the slowest query of every page at the largest size, "
        "not only of pages that miss a goal",
    )
    args = parser.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes must be whole numbers separated by commas, not {args.sizes!r}")
    if not sizes or any(s < 1 for s in sizes) or sizes != sorted(set(sizes)):
        parser.error("--sizes must be positive, distinct and ascending, e.g. 1000,10000")
    if args.requests < 1:
        parser.error("--requests must be 1 or more")
    args.sizes = sizes
    return args


def create_bench_database() -> str:
    """Drop and create dealdesk_bench; return its URL."""
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DB))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))
    except psycopg.Error as error:
        raise BenchError(f"cannot (re)create {BENCH_DB} on {PG_SERVER}: {error}") from error
    return f"{PG_SERVER}/{BENCH_DB}"


def configure_environment() -> str:
    """Set the environment for settings.py before Django loads. Returns a note on the DB."""
    if os.environ.get("DATABASE_URL"):
        note = "DATABASE_URL from the environment"
    else:
        os.environ["DATABASE_URL"] = create_bench_database()
        note = f"fresh database {BENCH_DB} (dropped and created)"
    os.environ["DEBUG"] = "1"
    os.environ["STATIC_MANIFEST"] = "0"  # plain static storage: no collectstatic needed
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
    if "testserver" not in hosts:
        hosts.append("testserver")
    os.environ["ALLOWED_HOSTS"] = ",".join(hosts)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    return note


# --------------------------------------------------------------------------- seeding


def seed_to(total: int) -> tuple[int, float]:
    """Seed up to `total` deals (demo portfolio first). Returns (deals now, seconds)."""
    from django.core.management import call_command
    from django.db import connection

    from deals.models import Deal

    out = io.StringIO()
    started = time.perf_counter()
    call_command("seed_demo", stdout=out)
    missing = total - Deal.objects.count()
    if missing > 0:
        call_command("seed_demo", deals=missing, stdout=out)
    seconds = time.perf_counter() - started
    # The planner should see the seeded sizes, and the bulk updates of seeding leave dead
    # rows behind: leave the tables as autovacuum would soon leave them.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    count = Deal.objects.count()
    if count != total:
        print(f"  note: the database holds {count:,} deals, not {total:,}; measuring at {count:,}")
    return count, seconds


# --------------------------------------------------------------------------- pages


def pick_deal_id(user) -> int:
    """The deal page at its worst: a visible deal with the most terms and concerns (seed_bulk
    makes one in every thousand big), then the longest stage history and most reviews."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from deals.models import Deal, StageChange, Term
    from stakeholders.models import Concern, Review

    def count_of(model):
        return Coalesce(
            Subquery(
                model.objects.filter(deal=OuterRef("pk"))
                .order_by()
                .values("deal")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        )

    deal = (
        Deal.objects.visible_to(user)
        .annotate(
            n_terms=count_of(Term),
            n_concerns=count_of(Concern),
            n_changes=count_of(StageChange),
            n_reviews=count_of(Review),
        )
        .order_by("-n_terms", "-n_concerns", "-n_changes", "-n_reviews", "pk")
        .values("pk", "n_terms", "n_concerns", "n_changes", "n_reviews")
        .first()
    )
    if deal is None:
        raise BenchError("no deal visible to exec@demo.test: did seeding work?")
    if deal["n_changes"] < 3 or deal["n_reviews"] < 2:
        raise BenchError(f"no deal with several stage changes and reviews (best: {deal})")
    return deal["pk"]


def pick_review_id(deal_id: int, reviewer) -> int:
    """The reviewer's own department's review of the big deal: the review page at its worst."""
    from stakeholders.models import Review

    review = (
        Review.objects.filter(deal=deal_id, department__memberships__user=reviewer)
        .values_list("pk", flat=True)
        .first()
    )
    if review is None:
        raise BenchError(f"deal {deal_id} has no review for {reviewer.email}'s department")
    return review


def resolves(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    return True


def pages_for(deal_id: int, review_id: int, deep_page: int) -> list[Page]:
    htmx = {"HX-Request": "true", "HX-Target": "deal-table"}
    pages = [
        Page("dashboard", "dashboard `/`", "/", "exec", "dashboard"),
        Page(
            "filtered",
            "dashboard filtered",
            "/?stage=review&kind=technology&q=migration",
            "exec",
            "dashboard",
        ),
        Page(
            "fragment",
            "htmx table fragment",
            "/?stage=review",
            "exec",
            "dashboard",
            headers=htmx,
            fragment=True,
        ),
        Page("deep", f"dashboard page {deep_page}", f"/?page={deep_page}", "exec", "dashboard"),
        Page("sorted", "dashboard sorted -value", "/?sort=-value", "exec", "dashboard"),
        Page("deal", "deal page (big deal)", f"/deals/{deal_id}/", "exec", "deal"),
        Page("inbox", "reviewer inbox (legal)", "/reviews/", "legal", "page"),
        Page("review", "review page (legal)", f"/reviews/{review_id}/", "legal", "page"),
        Page("goals", "goals page", "/goals/", "exec", "page"),
        Page("digest", "digest preview", "/digest/preview/", "exec", "page"),
        Page("admin", "admin changelist", "/admin/deals/deal/", "admin", "admin"),
        Page("healthz", "`/healthz` (floor)", "/healthz", "anon", "floor"),
        # Measured in a pass of their own, after the others: a bump leaves every cache.
        Page("dashboard-cold", "dashboard `/`, first view", "/", "exec", "dashboard", cold=True),
        Page(
            "digest-cold",
            "digest preview, first view",
            "/digest/preview/",
            "exec",
            "page",
            cold=True,
        ),
    ]
    for page in pages:
        page.available = resolves(page.path)
    return pages


QUERY_BUDGETS = {
    "dashboard": DASHBOARD_QUERIES,
    "deal": DEAL_PAGE_QUERIES,
    "page": MAIN_PAGE_QUERIES,
}


def goal_description(page: Page, deals: int, has_ratio: bool = False) -> str:
    if page.kind not in MAIN_KINDS:
        return "reference" if page.kind == "admin" else "floor"
    text = f"≤ {QUERY_BUDGETS[page.kind]} q"
    if page.cold:
        return text + " (first view, cache cold: time for reference)"
    if deals >= P95_FROM_DEALS:
        text += f", p95 ≤ {P95_MS:.0f} ms"
        if has_ratio:
            text += f", ≤ {GROWTH_RATIO}×"
    return text


def check_goals(row: Row) -> list[str]:
    page, missed = row.page, []
    # Main pages have MAIN_PAGE_QUERIES; the dashboard a tighter, the deal page a looser budget.
    budget = QUERY_BUDGETS.get(page.kind)
    if budget is not None and row.query_range[1] > budget:
        missed.append(f"{row.query_range[1]} queries > {budget}")
    if page.kind in MAIN_KINDS and row.deals >= P95_FROM_DEALS and not page.cold:
        if row.p95_ms > P95_MS:
            missed.append(f"p95 {row.p95_ms:.1f} ms > {P95_MS:.0f} ms")
        if row.ratio is not None and row.ratio > GROWTH_RATIO:
            missed.append(f"median {row.ratio:.2f}× the first size's > {GROWTH_RATIO}×")
    return missed


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with pct % of values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def fetch(client, page: Page):
    response = client.get(page.path, headers=page.headers)
    if response.status_code != 200:
        where = response.get("Location", "")
        raise BenchError(
            f"{page.label} {page.path} answered {response.status_code}"
            + (f" (redirect to {where})" if where else "")
            + ", expected 200"
        )
    body = response.content
    if page.fragment and b"<html" in body.lower():
        raise BenchError(f"{page.label} {page.path} returned a full page, not the table fragment")
    if page.kind == "dashboard" and b'id="deal-table"' not in body:
        raise BenchError(f"{page.label} {page.path} has no deal table")
    return response


class QueryTimer:
    """execute_wrapper: times each statement precisely (connection.queries rounds to 1 ms)."""

    def __init__(self) -> None:
        self.calls: list[tuple[float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.calls.append(((time.perf_counter() - started) * 1000, sql, params))


def is_transaction_statement(sql_text: str) -> bool:
    return sql_text.split(None, 1)[0].upper() in TRANSACTION_STATEMENTS if sql_text else False


class GCWatch:
    """gc callback: how long each full (generation 2) collection took, in ms."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((time.perf_counter() - self._started) * 1000)


GC_WATCH = GCWatch()


def timed_request(client, page: Page) -> tuple[float, list[dict], list, list[float]]:
    """One request: (ms, connection.queries entries, timed statements, full-GC pauses)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    if page.cold:
        bump_data_version()
    reset_queries()
    timer = QueryTimer()
    gc_before = len(GC_WATCH.pauses)
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
        started = time.perf_counter()
        fetch(client, page)
        elapsed = (time.perf_counter() - started) * 1000
    queries = list(captured.captured_queries)  # a view of connection.queries: copy it first
    reset_queries()
    return elapsed, queries, timer.calls, GC_WATCH.pauses[gc_before:]


def bump_data_version() -> None:
    from core.freshness import bump

    bump()


def measure_all(clients: dict, pages: list[Page], deals: int, requests: int) -> list[Row]:
    """Warm every page up, then time the pages in turn, round after round.

    Interleaving spreads any noise from other work on the machine over all pages
    instead of letting it land on whichever page was being measured at the time.
    """
    from django.db import reset_queries

    for page in pages:
        for _ in range(WARMUP):
            if page.cold:
                bump_data_version()
            reset_queries()
            fetch(clients[page.user], page)
    samples: dict[str, list] = {page.key: [] for page in pages}
    for _ in range(requests):
        for page in pages:
            samples[page.key].append(timed_request(clients[page.user], page))
    return [row_from(page, deals, samples[page.key]) for page in pages]


def row_from(page: Page, deals: int, samples: list) -> Row:
    times = [s[0] for s in samples]
    counts = [len(s[1]) for s in samples]
    median_sample = sorted(samples, key=lambda s: s[0])[(len(samples) - 1) // 2]
    last_queries, last_calls = samples[-1][1], samples[-1][2]
    return Row(
        page=page,
        deals=deals,
        queries=counts[-1],
        query_range=(min(counts), max(counts)),
        transaction_statements=sum(is_transaction_statement(q["sql"]) for q in last_queries),
        median_ms=statistics.median(times),
        p95_ms=percentile(times, 95),
        sql_ms=sum(call[0] for call in median_sample[2]),
        statements=[(ms, compose(sql_text, params)) for ms, sql_text, params in last_calls],
        logged=[q["sql"] for q in last_queries],
        gc_pauses=[pause for s in samples for pause in s[3]],
    )


def compose(sql_text: str, params) -> str:
    """The statement with its parameters, as PostgreSQL would run it."""
    from django.db import connection

    if params is None:
        return sql_text
    try:
        return connection.ops.compose_sql(sql_text, params)
    except Exception:  # other backends, or parameters that do not compose
        return f"{sql_text}  -- params: {params!r}"


def explain(sql_text: str) -> str:
    from django.db import connection

    if not sql_text.lstrip().upper().startswith("SELECT"):
        return "(not a SELECT; not explained)"
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql_text)
        return "\n".join(line for (line,) in cursor.fetchall())


# --------------------------------------------------------------------------- report


def load_average() -> str:
    try:
        return "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def machine_lines(load_before: str) -> list[str]:
    import django
    import psycopg
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (pg_version,) = cursor.fetchone()
    return [
        f"- Date: {dt.datetime.now().isoformat(timespec='seconds')}",
        f"- Machine: {platform.platform()}, {os.cpu_count()} CPUs",
        f"- Python {platform.python_version()}, Django {django.get_version()}, "
        f"psycopg {psycopg.__version__}",
        f"- Database: {pg_version}",
        f"- Load average (1/5/15 min) before the run: {load_before}, after: {load_average()}"
        " (other work on the machine inflates the times, p95 most)",
    ]


def table(rows: list[Row], first_size: int) -> list[str]:
    head = (
        f"| page | deals | queries | median ms | p95 ms | vs {first_size:,} "
        "| SQL ms (median req.) | goal |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        queries = (
            str(row.queries)
            if row.query_range[0] == row.query_range[1]
            else f"{row.query_range[0]}–{row.query_range[1]}"
        )
        if row.transaction_statements:
            queries += f" ({row.transaction_statements} tx)"
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "—"
        status = ""
        if row.page.kind in ("dashboard", "deal", "page"):
            status = " **MISSED**" if row.missed else " ✓"
        lines.append(
            f"| {row.page.label} | {row.deals:,} | {queries} | {row.median_ms:.1f} "
            f"| {row.p95_ms:.1f} | {ratio} | {row.sql_ms:.1f} | {row.goal_text()}{status} |"
        )
    return lines


def short_sql(sql_text: str, limit: int = 300) -> str:
    one_line = " ".join(sql_text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def slowest(row: Row) -> tuple[float, str] | None:
    timed = [s for s in row.statements if not is_transaction_statement(s[1])]
    return max(timed, key=lambda s: s[0]) if timed else None


def diagnosis(row: Row) -> list[str]:
    lines = [
        f"### {row.page.label} at {row.deals:,} deals",
        "",
        f"`{row.page.path}`: {row.queries} queries counted (of them "
        f"{row.transaction_statements} BEGIN/COMMIT), {row.sql_ms:.1f} ms executing SQL "
        f"in the median request of {row.median_ms:.1f} ms. "
        + (f"Missed: {'; '.join(row.missed)}." if row.missed else ""),
        "",
        "Statements of one request, in order (ms):",
        "",
    ]
    lines += [f"1. {ms:.2f} ms `{short_sql(sql_text)}`" for ms, sql_text in row.statements]
    logged_tx = [q for q in row.logged if is_transaction_statement(q)]
    if logged_tx:
        lines.append(f"1. plus {', '.join(logged_tx)} (from ATOMIC_REQUESTS)")
    worst = slowest(row)
    if worst:
        lines += [
            "",
            f"EXPLAIN (ANALYZE, BUFFERS) of the slowest ({worst[0]:.2f} ms):",
            "",
            "```",
            short_sql(worst[1], limit=100_000),
            "",
            explain(worst[1]),
            "```",
        ]
    lines.append("")
    return lines


# --------------------------------------------------------------------------- served


THROUGHPUT_RATIO = 2.0  # dashboard requests/s at least twice the admin changelist's


def run_throughput(seconds: int, deals: int, missed: list[str]) -> list[str]:
    """bench/throughput.py against the database just measured: gunicorn, 2 workers, wrk."""
    if seconds <= 0:
        return []
    import json
    import subprocess

    from django.db import connections

    connections.close_all()  # gunicorn's workers get the database to themselves
    print(f"Throughput: gunicorn, 2 workers, wrk for {seconds} s per page…", flush=True)
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "throughput.py"),
            "--json",
            "--duration",
            str(seconds),
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("DEBUG", "ALLOWED_HOSTS")},
        stdout=subprocess.PIPE,
        text=True,
        timeout=seconds * 3 + 300,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    for line in lines[:-1]:
        print(line)
    if done.returncode != 0 or not lines or not lines[-1].startswith("{"):
        raise BenchError("bench/throughput.py failed (see above)")
    result = json.loads(lines[-1])
    rows = {row["key"]: row for row in result["rows"]}
    table = [
        f"## Throughput at {deals:,} deals",
        "",
        f"gunicorn (`gunicorn.conf.py`, {result['workers']} sync workers, DEBUG off) on "
        f"127.0.0.1, {result['wrk']} with {result['connections']} connections for "
        f"{result['duration']} s per page, on the same machine (wrk takes CPU from the workers).",
        "",
        "| page | requests/s | p50 ms | p95 ms | p99 ms | errors | vs admin changelist |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    admin = rows.get("admin")
    for row in result["rows"]:
        versus = f"{row['rps'] / admin['rps']:.2f}×" if admin and admin["rps"] else "—"
        table.append(
            f"| {row['label']} | {row['rps']:.1f} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['errors']} | {versus} |"
        )
    dash = rows.get("dashboard")
    if dash and admin:
        if dash["rps"] < THROUGHPUT_RATIO * admin["rps"]:
            missed.append(
                f"dashboard throughput {dash['rps']:.1f} req/s < {THROUGHPUT_RATIO:.0f}× the "
                f"admin changelist's {admin['rps']:.1f} req/s at {deals:,} deals"
            )
        if dash["p95_ms"] > admin["p95_ms"]:
            missed.append(
                f"dashboard p95 under load {dash['p95_ms']:.1f} ms > admin changelist's "
                f"{admin['p95_ms']:.1f} ms at {deals:,} deals"
            )
    if any(row["errors"] for row in result["rows"]):
        raise BenchError("wrk saw errors (non-2xx answers or socket errors); see the table")
    return [*table, ""]


def run_background() -> list[str]:
    """bench/background.py (briefing pack, digest run) when it exists; its markdown as is."""
    import subprocess

    script = ROOT / "bench" / "background.py"
    if not script.exists():
        print("Background work: bench/background.py does not exist yet; not measured.")
        return [
            "## Background work",
            "",
            "Not measured: `bench/background.py` (briefing pack, digest run) does not exist yet.",
            "",
        ]
    print("Background work: bench/background.py…", flush=True)
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        text=True,
        timeout=900,
        check=False,
    )
    print(done.stdout)
    if done.returncode != 0:
        raise BenchError("bench/background.py failed (see above)")
    return ["## Background work", "", done.stdout.strip(), ""]


# --------------------------------------------------------------------------- main


def run(args: argparse.Namespace) -> int:
    load_before = load_average()
    db_note = configure_environment()
    gc.callbacks.append(GC_WATCH)

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from deals.selectors import visible_deals
    from stakeholders.models import User

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        print("warning: this benchmark is meant for PostgreSQL", file=sys.stderr)
    print(f"Database: {db_note}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"Migrated in {time.perf_counter() - started:.1f} s")

    rows: list[Row] = []
    unavailable: list[tuple[Page, int]] = []
    seeding: list[str] = []
    deal_id: int | None = None
    review_id = 0
    first_medians: dict[str, float] = {}
    for target in args.sizes:
        deals, seconds = seed_to(target)
        note = f"Seeded to {deals:,} deals in {seconds:.1f} s"
        print(note)
        seeding.append(f"- {note}")

        executive = User.objects.get(email="exec@demo.test")
        admin = User.objects.get(email="admin@demo.test")
        if not admin.is_superuser:
            raise BenchError("admin@demo.test is not a superuser")
        legal = User.objects.get(email="legal@demo.test")
        clients = {"exec": Client(), "legal": Client(), "admin": Client(), "anon": Client()}
        clients["exec"].force_login(executive)
        clients["legal"].force_login(legal)
        clients["admin"].force_login(admin)

        if deal_id is None:  # the same deal and review at every size
            deal_id = pick_deal_id(executive)
            review_id = pick_review_id(deal_id, legal)
        last_page = max(1, math.ceil(visible_deals(executive).count() / settings.DEALS_PER_PAGE))
        deep_page = min(last_page, 200)

        pages = pages_for(deal_id, review_id, deep_page)
        for page in pages:
            if not page.available:
                unavailable.append((page, deals))
                print(f"  {page.label:<28} not available ({page.path} does not resolve)")
        warm = [page for page in pages if page.available and not page.cold]
        cold = [page for page in pages if page.available and page.cold]
        measured_rows = measure_all(clients, warm, deals, args.requests)
        measured_rows += measure_all(clients, cold, deals, args.requests)
        for row in measured_rows:
            page = row.page
            if page.key in first_medians:
                row.ratio = row.median_ms / first_medians[page.key]
            else:
                first_medians[page.key] = row.median_ms
            row.missed = check_goals(row)
            rows.append(row)
            print(
                f"  {page.label:<28} {row.queries:>3} q  median {row.median_ms:7.1f} ms  "
                f"p95 {row.p95_ms:7.1f} ms"
            )

    largest = rows[-1].deals
    throughput_lines = run_throughput(args.throughput, largest, missed_extra := [])
    background_lines = run_background()
    by_size = {(r.page.key, r.deals): r for r in rows}
    ratio_lines = []
    for deals in sorted({r.deals for r in rows}):
        dash, adm = by_size.get(("dashboard", deals)), by_size.get(("admin", deals))
        if dash and adm:
            ratio_lines.append(
                f"- Dashboard p95 / admin changelist p95 at {deals:,} deals: "
                f"{dash.p95_ms / adm.p95_ms:.2f}× ({dash.p95_ms:.1f} / {adm.p95_ms:.1f} ms); "
                f"median {dash.median_ms / adm.median_ms:.2f}×"
            )
            if deals >= P95_FROM_DEALS and dash.p95_ms > adm.p95_ms:
                missed_extra.append(
                    f"dashboard p95 {dash.p95_ms:.1f} ms > admin changelist p95 "
                    f"{adm.p95_ms:.1f} ms at {deals:,} deals"
                )
        floor = by_size.get(("healthz", deals))
        if floor:
            ratio_lines.append(
                f"- Medians over the `/healthz` floor at {deals:,} deals: "
                + ", ".join(
                    f"{r.page.label} {r.median_ms / floor.median_ms:.0f}×"
                    for r in rows
                    if r.deals == deals and r is not floor
                )
            )

    gc_lines = [
        f"- {r.page.label} at {r.deals:,} deals: {len(r.gc_pauses)} full Python garbage "
        f"collection(s) during the timed requests, longest {max(r.gc_pauses):.1f} ms"
        for r in rows
        if r.gc_pauses
    ]
    missed = [r for r in rows if r.missed]
    missed_lines = [
        f"GOAL MISSED: {r.page.label} at {r.deals:,} deals: {'; '.join(r.missed)}" for r in missed
    ] + [f"GOAL MISSED: {text}" for text in missed_extra]
    # One diagnosis per page: at the largest size it missed at (or, with --explain, all pages).
    diagnosed: dict[str, Row] = {r.page.key: r for r in missed}
    if args.explain:
        diagnosed.update({r.page.key: r for r in rows if r.deals == largest})

    summary = [
        "# Deal Desk benchmark",
        "",
        *machine_lines(load_before),
        f"- Run: `bench/run.py --sizes {','.join(map(str, args.sizes))} "
        f"--requests {args.requests}`: {WARMUP} warm-up requests per page, then "
        f"{args.requests} timed in turns across pages (time.perf_counter around "
        "django.test.Client.get; "
        "DEBUG=1; in-process, no network)",
        f"- Database: {db_note}",
        *seeding,
        "",
        *table(rows, args.sizes[0]),
        *(
            f"| {page.label} | {deals:,} | not available | | | | | `{page.path}` does not resolve |"
            for page, deals in unavailable
        ),
        "",
        f"- `vs {args.sizes[0]:,}`: median at this size / median at {args.sizes[0]:,} deals. "
        "p95 is nearest-rank.",
        "- Queries: counted with CaptureQueriesContext for one request; they include the "
        "session and user look-ups and `(n tx)` BEGIN/COMMIT statements that ATOMIC_REQUESTS "
        "adds. SQL ms: time inside cursor.execute in the median request.",
        "- Dashboard pages are seen as exec@demo.test (executive, not superuser), the admin "
        "changelist as admin@demo.test (superuser).",
        f"- Goals: every main page ≤ {MAIN_PAGE_QUERIES} queries (dashboard ≤ "
        f"{DASHBOARD_QUERIES}, deal page ≤ {DEAL_PAGE_QUERIES}) at every size; at "
        f"{P95_FROM_DEALS:,} deals p95 ≤ {P95_MS:.0f} ms and median ≤ {GROWTH_RATIO}× the "
        "median at the first size; dashboard p95 ≤ admin changelist p95. The admin changelist "
        "is the reference, /healthz the floor.",
        "- Reviewer pages are seen as legal@demo.test; the deal page is the biggest visible "
        "deal (most terms and concerns), the review page legal's review of it.",
        "",
        *ratio_lines,
        *gc_lines,
        "",
        *throughput_lines,
        *background_lines,
    ]
    if missed_lines:
        summary += ["## Goals missed", "", *(f"- {m}" for m in missed_lines), ""]
    else:
        summary += ["All goals met.", ""]
    details = []
    if diagnosed:
        details += ["## Where the time goes", ""]
        for row in diagnosed.values():
            details += diagnosis(row)

    RESULTS.write_text("\n".join(summary + details).rstrip() + "\n", encoding="utf-8")
    print()
    print("\n".join(summary).rstrip())
    print()
    for row in missed:
        worst = slowest(row)
        print(f"GOAL MISSED: {row.page.label} at {row.deals:,} deals: {'; '.join(row.missed)}")
        if worst:
            print(f"    slowest query {worst[0]:.1f} ms: {short_sql(worst[1], 160)}")
    for text in missed_extra:
        print(f"GOAL MISSED: {text}")
    if diagnosed:
        print(f"Query lists and EXPLAIN ANALYZE for {len(diagnosed)} page(s) are in the file.")
    print(f"Written to {RESULTS.relative_to(ROOT)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except BenchError as error:
        print(f"BENCHMARK FAILED: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
