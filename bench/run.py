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
import gc
import os
import sys
import time
from pathlib import Path

# Run as a file, Python puts bench/ on the path: put the checkout first, for `bench.…`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import background, mixed, throughput
from bench.daily import time_daily_task
from bench.environment import BENCH_DB, BenchError, load_average, start_django
from bench.goals import check_throughput
from bench.pages import GC_WATCH, WARMUP, PageRun
from bench.report import (
    background_section,
    daily_section,
    mixed_section,
    throughput_section,
    write_results,
)
from bench.seed import seed_to


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
        "--mixed",
        type=int,
        default=30,
        metavar="SECONDS",
        help="after throughput, the mixed load (bench/mixed.py): many people's dashboards "
        "while a writer changes the desk, and the admin changelist under the same writer, "
        "this long each; 0 skips it (default 30)",
    )
    parser.add_argument(
        "--people", type=int, default=50, help="distinct people in the mixed load (default 50)"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="EXPLAIN ANALYZE the slowest query of every page at the largest size, "
        "not only of pages that miss a goal",
    )
    parser.add_argument(
        "--recipients",
        type=int,
        default=1000,
        help="people in bench/background.py's digest run (default 1000; the goal is for "
        "10000: ≤ 60 s)",
    )
    parser.add_argument(
        "--no-background",
        dest="background",
        action="store_false",
        help="skip bench/background.py (briefing pack and digest run)",
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


def allowed_hosts() -> str:
    """The environment's ALLOWED_HOSTS, plus django.test.Client's `testserver`."""
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
    if "testserver" not in hosts:
        hosts.append("testserver")
    return ",".join(hosts)


def run(args: argparse.Namespace) -> int:
    load_before = load_average()
    db_note = start_django(BENCH_DB, {"ALLOWED_HOSTS": allowed_hosts()})
    gc.callbacks.append(GC_WATCH)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        print("warning: this benchmark is meant for PostgreSQL", file=sys.stderr)
    print(f"Database: {db_note}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"Migrated in {time.perf_counter() - started:.1f} s")

    pages = PageRun(args.requests)
    seeding: list[str] = []
    daily_runs = []
    for target in args.sizes:
        deals, seconds = seed_to(target)
        note = f"Seeded to {deals:,} deals in {seconds:.1f} s"
        print(note)
        seeding.append(f"- {note}")
        pages.measure(deals)
        # After the pages: the task rolls terms forward, which the next size then shows.
        daily_runs.append(time_daily_task(deals))

    largest = pages.rows[-1].deals
    missed_extra: list[str] = [text for run in daily_runs for text in run.missed]
    throughput_lines: list[str] = []
    if args.throughput > 0:
        connections.close_all()  # gunicorn's workers get the database to themselves
        result = throughput.run_from_bench(args.throughput)
        throughput_lines = throughput_section(result, largest)
        missed_extra += check_throughput({row["key"]: row for row in result["rows"]}, largest)
    if args.mixed > 0:
        connections.close_all()
        throughput_lines += mixed_section(mixed.run_from_bench(args.mixed, args.people), largest)
    background_lines = (
        background_section(background.run_from_bench(args.recipients)) if args.background else []
    )
    write_results(
        args=args,
        db_note=db_note,
        load_before=load_before,
        seeding=seeding,
        pages=pages,
        throughput=[*daily_section(daily_runs), *throughput_lines],
        background=background_lines,
        missed_extra=missed_extra,
    )
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
