"""Deal Desk background-work benchmark: briefing pack render time and a 1,000-person digest run.

Not a test: it seeds a throw-away PostgreSQL database (`dealdesk_bench_bg`, or
DATABASE_URL when set), starts a local SMTP server (aiosmtpd) and measures, in
this process:

1. the render of a briefing pack for a deal with 20 metrics, 30 terms and 50
   concerns (cold: first render of the process; warm: median of the next ones);
2. a digest run for 1,000 recipients end to end (plan, compose, SMTP), its batches
   delivered by two worker processes at once as the production worker's pool does
   (`--workers 1`: one after the other), with the SQL statements of every batch.

It prints markdown rows (and writes them to bench/results-background.md);
`GOAL MISSED` marks a budget not met. See bench/README.md.

    .venv/bin/python bench/background.py [--recipients 1000] [--renders 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# Run as a file, Python puts bench/ on the path: put the checkout first, for `bench.…`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.environment import BENCH_DB, ROOT, BenchError, free_port, start_django
from bench.seed import seed_pack_deal, seed_recipients

RESULTS = ROOT / "bench" / "results-background.md"
PACK_SECONDS = 3.0
DIGEST_SECONDS = 60.0
# Reads per batch: as many for 1 recipient as for 1,000 (tests/notifications/test_notifications.py).
BATCH_READS = 13  # 12, and the exchange rates for executives (issue 14)


class Counter:
    """An aiosmtpd handler that only counts: the benchmark is about our side."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


SMTP_CHILD = """
import sys
sys.path.insert(0, {root!r})
from aiosmtpd.controller import Controller
from bench.background import Counter
counter = Counter()
controller = Controller(counter, hostname="127.0.0.1", port={port})
controller.start()
print("ready", flush=True)
for line in sys.stdin:
    print(counter.count, flush=True)
controller.stop()
"""


class CountingServer:
    """The counting SMTP server in a process of its own: the mail server is not our side,
    and as a thread of this process it would compete with the run for the GIL (a third
    of a digest run's time went to waiting for its replies)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-c", SMTP_CHILD.format(root=str(ROOT), port=self.port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        if self.process.stdout.readline().strip() != "ready":
            raise BenchError("the SMTP server did not start")

    @property
    def count(self) -> int:
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def configure(smtp_port: int, media: Path) -> str:
    """Django in this process, as one worker: mail to the local SMTP server, no broker."""
    note = start_django(
        BENCH_DB + "_bg",
        {
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "MEDIA_ROOT": str(media),
            "LOG_LEVEL": "WARNING",
        },
        unset=("REDIS_URL", "CELERY_BROKER_URL"),
    )
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return note


def bench_pack(deal, renders: int) -> tuple[float, float, int]:
    from deals.briefing import render_pack

    started = time.perf_counter()
    pdf = render_pack(deal)
    cold = time.perf_counter() - started
    warm = []
    for _ in range(renders):
        started = time.perf_counter()
        render_pack(deal)
        warm.append(time.perf_counter() - started)
    return cold, statistics.median(warm), len(pdf)


def deliver_batch(batch: list[int]) -> dict:
    """One batch as a worker delivers it, with the SQL it ran (reads and writes)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from notifications.delivery import deliver

    # DEBUG keeps the last 9,000 statements: once full, a capture would see none.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        result = deliver(ids=batch)
    sql = [q["sql"].split(None, 1)[0].upper() for q in queries.captured_queries]
    return {
        "size": len(batch),
        "sent": result.as_dict()["sent"],
        "reads": sum(1 for s in sql if s == "SELECT"),
        "writes": sum(1 for s in sql if s == "UPDATE"),
    }


def bench_digests(counter: CountingServer, workers: int) -> dict:
    """Plan the run, then deliver its batches in `workers` processes at once, as the
    production worker's prefork pool does (docker-compose.yml: --concurrency=2). Forked
    after the plan, each with its own database connection; the batches are claimed
    rows, so no message goes twice (the SMTP server counts them)."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from django.conf import settings
    from django.db import connections

    from notifications.digests import plan_digests
    from notifications.outbox import batches as delivery_batches

    started = time.perf_counter()
    ids = plan_digests(everyone=True)
    planned = time.perf_counter() - started
    work = list(delivery_batches(ids))
    if workers > 1:
        connections.close_all()  # the forked workers must not share this connection
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            batches = list(pool.map(deliver_batch, work))
    else:
        batches = [deliver_batch(batch) for batch in work]
    total = time.perf_counter() - started
    return {
        "recipients": len(ids),
        "received": counter.count,
        "plan_s": planned,
        "total_s": total,
        "workers": workers,
        "batch_size": settings.NOTIFICATION_BATCH_SIZE,
        "batches": batches,
    }


def run_from_bench(recipients: int = 1000) -> str:
    """This script in a process of its own, for bench/run.py; the markdown it printed.

    Its own process: it sets Django up for one worker (local SMTP, no broker) and
    renders PDFs, neither of which the page benchmark's process should carry.
    """
    print("Background work: bench/background.py…", flush=True)
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--recipients", str(recipients)],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        text=True,
        timeout=900 + recipients // 10,
        check=False,
    )
    print(done.stdout)
    if done.returncode != 0:
        raise BenchError("bench/background.py failed (see above)")
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--renders", type=int, default=5)
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="worker processes delivering the batches at once (docker-compose.yml's "
        "--concurrency=2; 1: one after the other in this process)",
    )
    args = parser.parse_args(argv)

    counter = CountingServer()
    port = counter.port
    media = Path(tempfile.mkdtemp(prefix="dealdesk-bench-"))
    try:
        note = configure(port, media)
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        deal = seed_pack_deal()
        cold, warm, size = bench_pack(deal, args.renders)
        seed_recipients(args.recipients)
        digest = bench_digests(counter, args.workers)
    finally:
        counter.stop()

    reads = sorted({b["reads"] for b in digest["batches"]})
    full = [b for b in digest["batches"] if b["size"] == digest["batch_size"]] or digest["batches"]
    lines = [
        f"# Background work benchmark — {dt.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"Machine: {platform.node()} · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
        f"load {os.getloadavg()[0]:.2f} · {note}",
        "",
        "| what | measured | budget |",
        "| --- | --- | --- |",
        f"| briefing pack, 20 metrics / 30 terms / 50 concerns, first render (cold) | {cold:.2f} s, {size / 1024:.0f} KiB | — |",
        f"| briefing pack, same deal, median of {args.renders} renders (warm) | {warm:.2f} s | ≤ {PACK_SECONDS:.0f} s |",
        f"| digest run, {digest['recipients']:,} recipients end to end (plan + compose + SMTP), {digest['workers']} worker process{'es' if digest['workers'] > 1 else ''} | {digest['total_s']:.1f} s (plan {digest['plan_s']:.2f} s) | ≤ {DIGEST_SECONDS:.0f} s |",
        f"| messages accepted by the SMTP server | {digest['received']:,} of {digest['recipients']:,} | all, once |",
        f"| SQL reads per batch of {digest['batch_size']} ({len(digest['batches'])} batches) | {reads[0]}–{reads[-1]} (by the roles in the batch, not its size) | ≤ {BATCH_READS} |",
        f"| SQL writes per batch of {digest['batch_size']} | {full[0]['writes']} (1 claim + 1 “sent” mark per message) | — |",
    ]
    missed = []
    if max(cold, warm) > PACK_SECONDS:
        missed.append(
            f"GOAL MISSED: briefing pack took {max(cold, warm):.2f} s (> {PACK_SECONDS} s)"
        )
    if digest["total_s"] > DIGEST_SECONDS:
        missed.append(
            f"GOAL MISSED: digest run took {digest['total_s']:.1f} s (> {DIGEST_SECONDS} s)"
        )
    if reads[-1] > BATCH_READS:
        missed.append(f"GOAL MISSED: a batch read {reads[-1]} times (> {BATCH_READS})")
    if digest["received"] != digest["recipients"]:
        missed.append(
            f"GOAL MISSED: {digest['received']} messages for {digest['recipients']} recipients"
        )
    text = "\n".join(lines + ([""] + missed if missed else [])) + "\n"
    print(text)
    RESULTS.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
