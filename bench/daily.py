"""The agreements' daily task (`agreements.tasks.agreements_daily`) timed in-process
against the bench database, as one worker runs it: roll forward the terms that ended,
make the occurrences due within their lead days, mark the ones missed. Then a re-run,
which finds nothing left to do (the task is safe to repeat).

Mail that the work sets off (a missed partner obligation raises a concern) goes to
Django's in-memory outbox: the time is the task's, not an SMTP server's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class DailyRun:
    deals: int
    agreements: int
    obligations: int
    seconds: float
    queries: int
    done: dict
    rerun_seconds: float
    rerun_queries: int
    missed: list[str] = field(default_factory=list)


class _Counter:
    """execute_wrapper counting statements (connection.queries keeps only the last 9,000)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _run() -> tuple[float, int, dict]:
    from django.db import connection

    from agreements.tasks import agreements_daily

    counter = _Counter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        done = agreements_daily()
        seconds = time.perf_counter() - started
    return seconds, counter.count, done


def time_daily_task(deals: int) -> DailyRun:
    from django.test.utils import override_settings

    from agreements.models import Agreement, Obligation
    from bench.goals import check_daily_task

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        seconds, queries, done = _run()
        rerun_seconds, rerun_queries, _ = _run()
    run = DailyRun(
        deals=deals,
        agreements=Agreement.objects.count(),
        obligations=Obligation.objects.count(),
        seconds=seconds,
        queries=queries,
        done=done,
        rerun_seconds=rerun_seconds,
        rerun_queries=rerun_queries,
    )
    run.missed = check_daily_task(seconds, run.agreements)
    print(
        f"  daily task at {run.agreements:,} agreements: {seconds:.1f} s, {queries:,} queries "
        f"({done}); re-run {rerun_seconds:.1f} s, {rerun_queries:,} queries"
    )
    return run
