"""Deal Desk background-work benchmark: briefing pack render time and a 1,000-person digest run.

Not a test: it seeds a throw-away PostgreSQL database (`dealdesk_bench_bg`, or
DATABASE_URL when set), starts a local SMTP server (aiosmtpd) and measures, in
this process:

1. the render of a briefing pack for a deal with 20 metrics, 30 terms and 50
   concerns (cold: first render of the process; warm: median of the next ones);
2. a digest run for 1,000 recipients end to end (plan, compose, SMTP), batch by
   batch as the workers do it, with the SQL statements of every batch.

It prints markdown rows (and writes them to bench/results-background.md);
`GOAL MISSED` marks a budget not met. See bench/README.md.

    .venv/bin/python bench/background.py [--recipients 1000] [--renders 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import socket
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results-background.md"
BENCH_DB = (os.environ.get("BENCH_DB") or "dealdesk_bench") + "_bg"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PACK_SECONDS = 3.0
DIGEST_SECONDS = 60.0
# Reads per batch: as many for 1 recipient as for 1,000 (tests/notifications/test_notifications.py).
BATCH_READS = 12


class Counter:
    """An aiosmtpd handler that only counts: the benchmark is about our side."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def create_database() -> str:
    import psycopg
    from psycopg import sql

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DB))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DB)))
    return f"{PG_SERVER}/{BENCH_DB}"


def configure(smtp_port: int, media: Path) -> str:
    note = "DATABASE_URL from the environment"
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = create_database()
        note = f"fresh database {BENCH_DB}"
    os.environ.update(
        DEBUG="1",
        STATIC_MANIFEST="0",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        MEDIA_ROOT=str(media),
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return note


def seed_pack_deal():
    """A deal with 20 metrics (8 check-ins each), 30 terms, 50 concerns and a 5-year case."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from deals.models import Deal, Decision, Stage, StageChange, Term, TermRevision
    from metrics.models import BusinessCase, CaseYear, CheckIn, JourneyStage, OutcomeMetric
    from partnerships.models import Partner, Partnership
    from stakeholders.models import Concern, Department, Review, User

    today = timezone.localdate()
    owner = User.objects.create_user("bench-owner@example.test", first_name="Olivia")
    sponsor = User.objects.create_user("bench-exec@example.test", first_name="Ethan")
    sponsor.groups.add(Group.objects.get(name="Executive"))
    partner = Partner.objects.create(
        name="Bench Partner GmbH", kind="technology", country="Germany"
    )
    partnership = Partnership.objects.create(
        partner=partner, title="Bench alliance", sponsor=sponsor
    )
    deal = Deal.objects.create(
        partnership=partnership,
        title="Benchmark deal with everything",
        summary="A deal as large as they come, for the briefing-pack benchmark.",
        owner=owner,
        sponsor=sponsor,
        stage=Stage.NEGOTIATION,
        contract_value=Decimal("4200000"),
        expected_annual_value=Decimal("1500000"),
        term_months=48,
        weekly_cost_of_delay=Decimal("28846"),
    )
    StageChange.objects.create(deal=deal, to_stage=Stage.NEGOTIATION, by=owner)
    departments = list(Department.objects.all())
    case = BusinessCase.objects.create(deal=deal, version=1, discount_rate=Decimal("8"))
    CaseYear.objects.bulk_create(
        CaseYear(
            business_case=case,
            year=year,
            revenue_growth=Decimal(300000 * year),
            cost_savings=Decimal(200000),
            one_off_costs=Decimal(900000 if year == 1 else 0),
            running_costs=Decimal(120000),
        )
        for year in range(1, 6)
    )
    for n in range(20):
        metric = OutcomeMetric.objects.create(
            deal=deal,
            name=f"Outcome metric {n + 1}",
            unit="%",
            baseline=Decimal(20),
            target=Decimal(80),
            direction="increase",
            start_date=today - dt.timedelta(days=200),
            target_date=today + dt.timedelta(days=165),
            is_headline=n < 3,
            latest_value=Decimal(20 + 4 * 8),
            latest_on=today - dt.timedelta(days=5),
        )
        CheckIn.objects.bulk_create(
            CheckIn(
                metric=metric,
                date=today - dt.timedelta(days=5 + 25 * k),
                actual=Decimal(52 - 4 * k),
            )
            for k in range(8)
        )
        if n < 6:
            JourneyStage.objects.create(
                deal=deal,
                position=n,
                name=f"Journey step {n + 1}",
                pain="Slow.",
                change="Fast.",
                metric=metric,
            )
    for n in range(30):
        term = Term.objects.create(
            deal=deal,
            category="other",
            title=f"Term {n + 1}",
            wording="The parties agree to a reasonably long clause. " * 6,
            department=departments[n % len(departments)],
        )
        TermRevision.objects.bulk_create(
            TermRevision(term=term, number=k + 1, round=k, new_wording="…")
            for k in range(1 + n % 3)
        )
    Concern.objects.bulk_create(
        Concern(
            deal=deal,
            title=f"Concern {n + 1}",
            detail="Something that worries a department and needs an answer. " * 3,
            department=departments[n % len(departments)],
            blocking=n % 10 == 0,
            raised_by=owner,
        )
        for n in range(50)
    )
    Review.objects.bulk_create(
        Review(deal=deal, department=d, due_on=today + dt.timedelta(days=3)) for d in departments
    )
    Decision.objects.bulk_create(
        Decision(
            deal=deal,
            kind="trade_off",
            title=f"Decision {n}",
            rationale="Because.",
            decided_by=sponsor,
        )
        for n in range(10)
    )
    return deal


def seed_recipients(count: int) -> None:
    """`count` people: 2% executives, 3% deal owners, the rest reviewers in five departments."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from deals.models import Deal, Stage
    from partnerships.models import Partner, Partnership
    from stakeholders.models import Department, Membership, Review, User

    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"person{n}@bench.test", first_name=f"Person{n}", password=password)
        for n in range(count)
    )
    executives, owners = users[: count // 50], users[count // 50 : count // 50 + count // 33]
    reviewers = users[len(executives) + len(owners) :]
    Group.objects.get(name="Executive").user_set.add(*executives)
    departments = list(Department.objects.all())
    Membership.objects.bulk_create(
        Membership(user=user, department=departments[n % len(departments)])
        for n, user in enumerate(reviewers)
    )
    partner = Partner.objects.create(name="Digest Partner", kind="technology", country="France")
    partnership = Partnership.objects.create(
        partner=partner, title="Digest alliance", sponsor=executives[0]
    )
    now = timezone.now()
    deals = Deal.objects.bulk_create(
        Deal(
            partnership=partnership,
            title=f"Digest deal {n}",
            summary="For the digest benchmark.",
            owner=owners[n % len(owners)],
            sponsor=executives[n % len(executives)],
            stage=[Stage.REVIEW, Stage.NEGOTIATION, Stage.BUSINESS_CASE][n % 3],
            stage_changed_at=now - dt.timedelta(days=n % 40),
            contract_value=Decimal(100000 + n),
            expected_annual_value=Decimal(50000),
            term_months=24,
            weekly_cost_of_delay=Decimal(1000 + n),
            decision_requested_at=now if n % 25 == 0 else None,
        )
        for n in range(300)
    )
    today = timezone.localdate()
    Review.objects.bulk_create(
        Review(
            deal=deal,
            department=department,
            reviewer=reviewers[(n * 7 + k) % len(reviewers)] if n % 2 else None,
            due_on=today + dt.timedelta(days=(n % 9) - 4),
        )
        for n, deal in enumerate(deals)
        for k, department in enumerate(departments[:3])
    )


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


def bench_digests(counter: Counter) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.delivery import deliver
    from notifications.digests import plan_digests
    from notifications.outbox import batches as delivery_batches

    started = time.perf_counter()
    ids = plan_digests(everyone=True)
    planned = time.perf_counter() - started
    batches = []
    for batch in delivery_batches(ids):
        with CaptureQueriesContext(connection) as queries:
            result = deliver(ids=batch)
        sql = [q["sql"].split(None, 1)[0].upper() for q in queries.captured_queries]
        batches.append(
            {
                "size": len(batch),
                "sent": result.as_dict()["sent"],
                "reads": sum(1 for s in sql if s == "SELECT"),
                "writes": sum(1 for s in sql if s == "UPDATE"),
            }
        )
    total = time.perf_counter() - started
    return {
        "recipients": len(ids),
        "received": counter.count,
        "plan_s": planned,
        "total_s": total,
        "batch_size": settings.NOTIFICATION_BATCH_SIZE,
        "batches": batches,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=1000)
    parser.add_argument("--renders", type=int, default=5)
    args = parser.parse_args(argv)

    from aiosmtpd.controller import Controller

    counter = Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    import tempfile

    media = Path(tempfile.mkdtemp(prefix="dealdesk-bench-"))
    try:
        note = configure(port, media)
        import logging

        logging.getLogger("mail.log").setLevel(logging.WARNING)
        deal = seed_pack_deal()
        cold, warm, size = bench_pack(deal, args.renders)
        seed_recipients(args.recipients)
        digest = bench_digests(counter)
    finally:
        controller.stop()

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
        f"| digest run, {digest['recipients']:,} recipients end to end (plan + compose + SMTP) | {digest['total_s']:.1f} s (plan {digest['plan_s']:.2f} s) | ≤ {DIGEST_SECONDS:.0f} s |",
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
