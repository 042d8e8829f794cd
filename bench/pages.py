"""Page timing: the main pages requested in-process through django.test.Client.

Per page and size: the queries of one request, median and p95 of the server time,
time in SQL, full garbage collections, and the ratio to the first size. Pages are
timed in turns, round after round, so that noise from other work on the machine
spreads over all of them.
"""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field, replace

from bench.environment import BenchError
from bench.goals import P95_FROM_DEALS, check_goals
from bench.posts import time_verdicts
from bench.seed import pick_deal_id, pick_review_id

WARMUP = 3
TRANSACTION_STATEMENTS = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


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
    growth: float | None = None  # p95 at this size / p95 at the size before
    p95_at_10k: float | None = None  # this page's p95 at 10,000 deals (the growth goal)
    missed: list[str] = field(default_factory=list)


def resolves(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    return True


def pages_for(deal_id: int, review_id: int, deep_page: int) -> list[Page]:
    """Every page twice: a repeat view (what is cached stays cached) and a first view
    (every cached summary dropped before each request: `core.freshness.bump()`)."""
    htmx = {"HX-Request": "true", "HX-Target": "deal-table"}
    main = [
        Page("dashboard", "dashboard `/`", "/", "exec", "dashboard"),
        Page("inbox", "reviewer inbox (legal)", "/reviews/", "legal", "page"),
        Page("review", "review page (legal)", f"/reviews/{review_id}/", "legal", "page"),
        Page("deal", "deal page (big deal)", f"/deals/{deal_id}/", "exec", "deal"),
        # A partner's name misspelt: trigram names, the partner's deals, every kind counted.
        Page("search", "search `Meridan` (typo)", "/search/?q=Meridan", "exec", "search"),
        Page("goals", "goals page", "/goals/", "exec", "page"),
        Page("digest", "digest preview", "/digest/preview/", "exec", "page"),
        # As many agreements as deals (bench/seed.py): the bands and the missed windows.
        Page("renewals", "Renewals page", "/renewals/", "exec", "renewals"),
        Page("analytics", "where time goes", "/analytics/", "exec", "page"),
        Page("admin", "admin changelist", "/admin/deals/deal/", "admin", "admin"),
    ]
    variants = [
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
    ]
    pages = [
        *(replace(page, label=f"{page.label}, repeat view") for page in main),
        *variants,
        Page("healthz", "`/healthz` (floor)", "/healthz", "anon", "floor"),
        # Measured in a pass of their own, after the others: a bump leaves every cache.
        *(
            replace(page, key=f"{page.key}-cold", label=f"{page.label}, first view", cold=True)
            for page in main
        ),
    ]
    for page in pages:
        page.available = resolves(page.path)
    return pages


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


VERDICT = Page("verdict", "verdict POST (legal)", "/reviews/<pk>/verdict/", "legal", "post")


def verdict_row(deals: int, timed: list[tuple[float, int, float]]) -> Row:
    times, counts = [t[0] for t in timed], [t[1] for t in timed]
    return Row(
        page=VERDICT,
        deals=deals,
        queries=counts[-1],
        query_range=(min(counts), max(counts)),
        median_ms=statistics.median(times),
        p95_ms=percentile(times, 95),
        transaction_statements=0,
        sql_ms=statistics.median(t[2] for t in timed),
        statements=[],
        logged=[],
        gc_pauses=[],
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


class PageRun:
    """The page timings of one run, size after size, against the same deal and review."""

    def __init__(self, requests: int) -> None:
        self.requests = requests
        self.rows: list[Row] = []
        self.unavailable: list[tuple[Page, int]] = []  # (page, deals): URL does not resolve
        self.deal_id: int | None = None
        self.review_id = 0
        self.first_medians: dict[str, float] = {}
        self.previous_p95: dict[str, float] = {}
        self.p95_at_10k: dict[str, float] = {}  # p95 at the first size of 10,000 deals or more

    def measure(self, deals: int) -> None:
        """Time every page at the current size (`deals` deals in the database)."""
        from django.conf import settings
        from django.test import Client

        from deals.selectors import visible_deals
        from stakeholders.models import User

        executive = User.objects.get(email="exec@demo.test")
        admin = User.objects.get(email="admin@demo.test")
        if not admin.is_superuser:
            raise BenchError("admin@demo.test is not a superuser")
        legal = User.objects.get(email="legal@demo.test")
        clients = {"exec": Client(), "legal": Client(), "admin": Client(), "anon": Client()}
        clients["exec"].force_login(executive)
        clients["legal"].force_login(legal)
        clients["admin"].force_login(admin)

        if self.deal_id is None:  # the same deal and review at every size
            self.deal_id = pick_deal_id(executive)
            self.review_id = pick_review_id(self.deal_id, legal)
        last_page = max(1, math.ceil(visible_deals(executive).count() / settings.DEALS_PER_PAGE))
        deep_page = min(last_page, 200)

        pages = pages_for(self.deal_id, self.review_id, deep_page)
        for page in pages:
            if not page.available:
                self.unavailable.append((page, deals))
                print(f"  {page.label:<28} not available ({page.path} does not resolve)")
        warm = [page for page in pages if page.available and not page.cold]
        cold = [page for page in pages if page.available and page.cold]
        measured_rows = measure_all(clients, warm, deals, self.requests)
        measured_rows += measure_all(clients, cold, deals, self.requests)
        timed = time_verdicts(clients["legal"], legal, self.requests, self.review_id)
        measured_rows.append(verdict_row(deals, timed))
        for row in measured_rows:
            page = row.page
            if page.key in self.first_medians:
                row.ratio = row.median_ms / self.first_medians[page.key]
                row.growth = row.p95_ms / self.previous_p95[page.key]
            else:
                self.first_medians[page.key] = row.median_ms
            self.previous_p95[page.key] = row.p95_ms
            if deals >= P95_FROM_DEALS and page.key not in self.p95_at_10k:
                self.p95_at_10k[page.key] = row.p95_ms
            row.p95_at_10k = self.p95_at_10k.get(page.key)
            row.missed = check_goals(row)
            self.rows.append(row)
            print(
                f"  {page.label:<28} {row.queries:>3} q  median {row.median_ms:7.1f} ms  "
                f"p95 {row.p95_ms:7.1f} ms"
            )
