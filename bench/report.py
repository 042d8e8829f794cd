"""The report: the table printed at the end of a run and written to bench/results.md.

For a page that misses a goal (or every page, with --explain) the file also lists
its statements with their times and EXPLAIN (ANALYZE, BUFFERS) of the slowest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform

from bench.environment import ROOT, load_average
from bench.goals import (
    DAILY_TASK_SECONDS,
    DASHBOARD_QUERIES,
    DEAL_PAGE_QUERIES,
    GROWTH_RATIO,
    MAIN_PAGE_QUERIES,
    P95_FROM_DEALS,
    P95_MS,
    RENEWALS_P95_MS,
    RENEWALS_QUERIES,
    check_dashboard_against_admin,
    goal_description,
)
from bench.pages import WARMUP, PageRun, Row, is_transaction_statement

RESULTS = ROOT / "bench" / "results.md"


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
        f"| page | deals | queries | median ms | p95 ms | median vs {first_size:,} "
        "| p95 vs size before | SQL ms (median req.) | goal |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        queries = (
            str(row.queries)
            if row.query_range[0] == row.query_range[1]
            else f"{row.query_range[0]}–{row.query_range[1]}"
        )
        if row.transaction_statements:
            queries += f" ({row.transaction_statements} tx)"
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "—"
        growth = f"{row.growth:.2f}×" if row.growth is not None else "—"
        goal_text = goal_description(row.page, row.deals, row.ratio is not None)
        status = ""
        if row.page.kind in ("dashboard", "deal", "page", "renewals", "post"):
            status = " **MISSED**" if row.missed else " ✓"
        lines.append(
            f"| {row.page.label} | {row.deals:,} | {queries} | {row.median_ms:.1f} "
            f"| {row.p95_ms:.1f} | {ratio} | {growth} | {row.sql_ms:.1f} | {goal_text}{status} |"
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


def explain(sql_text: str) -> str:
    from django.db import connection

    if not sql_text.lstrip().upper().startswith("SELECT"):
        return "(not a SELECT; not explained)"
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql_text)
        return "\n".join(line for (line,) in cursor.fetchall())


def throughput_section(result: dict, deals: int) -> list[str]:
    """bench/throughput.py's result (its --json document) as a markdown table."""
    rows = {row["key"]: row for row in result["rows"]}
    lines = [
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
        lines.append(
            f"| {row['label']} | {row['rps']:.1f} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['errors']} | {versus} |"
        )
    return [*lines, ""]


def mixed_section(result: dict, deals: int) -> list[str]:
    """bench/mixed.py's result as a markdown table."""
    writes = result["writes"]
    rows = {row["key"]: row for row in result["rows"]}
    admin = rows.get("admin")
    lines = [
        f"## Mixed load at {deals:,} deals",
        "",
        f"gunicorn ({result['workers']} sync workers, DEBUG off, cache in Redis), wrk with "
        f"{result['connections']} connections for {result['duration']} s per page; each "
        f"dashboard request carries the next of {result['people']} people's sessions (their "
        f"own dashboards: executives, deal owners, reviewers). Meanwhile a writer made "
        f"{writes['changes']} audited changes through the services in {writes['seconds']:.0f} s "
        f"({writes['changes'] / writes['seconds']:.1f}/s; slowest {writes['slowest_s'] * 1000:.0f}"
        " ms), each refreshing what shows the deal.",
        "",
        "| page | requests/s | p50 ms | p95 ms | p99 ms | errors | vs admin changelist |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        versus = f"{row['rps'] / admin['rps']:.2f}×" if admin and admin["rps"] else "—"
        lines.append(
            f"| {row['label']} | {row['rps']:.1f} | {row['p50_ms']:.1f} | {row['p95_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['errors']} | {versus} |"
        )
    return [*lines, ""]


def daily_section(runs: list) -> list[str]:
    """bench/daily.py's runs of the agreements' daily task, one line per size."""
    if not runs:
        return []
    lines = [
        "## Agreements' daily task",
        "",
        "`agreements.tasks.agreements_daily` in-process against the bench database, after "
        "the pages of each size (terms rolled forward, occurrences made, occurrences marked "
        "missed), then a re-run that finds nothing left to do. Goal: ≤ "
        f"{DAILY_TASK_SECONDS:.0f} s at {P95_FROM_DEALS:,} agreements.",
        "",
        "| deals | agreements | obligations | seconds | queries | rolled | occurrences made "
        "| marked missed | re-run s | re-run queries | goal |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        status = " **MISSED**" if run.missed else " ✓"
        lines.append(
            f"| {run.deals:,} | {run.agreements:,} | {run.obligations:,} | {run.seconds:.1f} "
            f"| {run.queries:,} | {run.done['rolled']:,} | {run.done['occurrences']:,} "
            f"| {run.done['missed']:,} | {run.rerun_seconds:.1f} | {run.rerun_queries:,} "
            f"| ≤ {DAILY_TASK_SECONDS:.0f} s{status} |"
        )
    return [*lines, ""]


def background_section(markdown: str) -> list[str]:
    """bench/background.py's markdown, as it printed it."""
    return ["## Background work", "", markdown.strip(), ""]


def comparison_lines(rows: list[Row], missed: list[str]) -> list[str]:
    """Per size: the dashboard against the admin changelist, every page against /healthz.
    A first view worse than the changelist's is a miss of the dashboard's row; a repeat
    view worse than it is appended to `missed`."""
    by_size = {(r.page.key, r.deals): r for r in rows}
    lines = []
    for deals in sorted({r.deals for r in rows}):
        dash, adm = by_size.get(("dashboard-cold", deals)), by_size.get(("admin-cold", deals))
        if dash and adm:
            lines.append(
                f"- **First views**: dashboard p95 / admin changelist p95 at {deals:,} deals: "
                f"{dash.p95_ms / adm.p95_ms:.2f}× ({dash.p95_ms:.1f} / {adm.p95_ms:.1f} ms); "
                f"median {dash.median_ms / adm.median_ms:.2f}×"
            )
            # On the dashboard's own row, so that its table line says it missed.
            dash.missed += check_dashboard_against_admin(dash, adm)
        dash, adm = by_size.get(("dashboard", deals)), by_size.get(("admin", deals))
        if dash and adm:
            lines.append(
                f"- Repeat views: dashboard p95 / admin changelist p95 at {deals:,} deals: "
                f"{dash.p95_ms / adm.p95_ms:.2f}× ({dash.p95_ms:.1f} / {adm.p95_ms:.1f} ms); "
                f"median {dash.median_ms / adm.median_ms:.2f}×"
            )
            missed += check_dashboard_against_admin(dash, adm)
        floor = by_size.get(("healthz", deals))
        if floor:
            lines.append(
                f"- Medians over the `/healthz` floor at {deals:,} deals: "
                + ", ".join(
                    f"{r.page.label} {r.median_ms / floor.median_ms:.0f}×"
                    for r in rows
                    if r.deals == deals and r is not floor
                )
            )
    return lines


def write_results(
    *,
    args: argparse.Namespace,
    db_note: str,
    load_before: str,
    seeding: list[str],
    pages: PageRun,
    throughput: list[str],
    background: list[str],
    missed_extra: list[str],
) -> None:
    """Write bench/results.md and print its summary and every missed goal."""
    rows = pages.rows
    largest = rows[-1].deals
    ratio_lines = comparison_lines(rows, missed_extra)
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
            f"| {page.label} | {deals:,} | not available | | | | | | `{page.path}` does not resolve |"
            for page, deals in pages.unavailable
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
        "is the reference, /healthz the floor. The Renewals page (as many agreements as deals) "
        f"≤ {RENEWALS_QUERIES} queries at every size and p95 ≤ {RENEWALS_P95_MS:.0f} ms, first "
        f"and repeat views, at {P95_FROM_DEALS:,}; the agreements' daily task ≤ "
        f"{DAILY_TASK_SECONDS:.0f} s.",
        "- Reviewer pages are seen as legal@demo.test; the deal page is the biggest visible "
        "deal (most terms and concerns), the review page legal's review of it.",
        "",
        *ratio_lines,
        *gc_lines,
        "",
        *throughput,
        *background,
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
