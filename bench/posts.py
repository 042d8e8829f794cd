"""Timing a write: the verdict POST, as a reviewer gives it from the review page.

Each timed POST approves another pending review of legal's departments (never the
review the page benchmark reads), with the terms stamp the review page would carry, and
must answer with the redirect of a recorded verdict. The audited change commits (and
bumps its scopes) inside the request, as in production; event mails run in-process when
no broker is set, which is what a desk without workers waits for.
"""

from __future__ import annotations

import time

from bench.environment import BenchError


def time_verdicts(client, reviewer, requests: int, avoid: int) -> list[tuple[float, int, float]]:
    """(ms, queries, SQL ms) of `requests` verdict POSTs, after three warm-up ones."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stakeholders.models import Membership, Review, ReviewStatus
    from stakeholders.signoff import current_terms_stamp

    mine = Membership.objects.filter(user=reviewer).values("department_id")
    pending = list(
        Review.objects.filter(department__in=mine, status=ReviewStatus.PENDING)
        .exclude(pk=avoid)
        .exclude(deal__terms__isnull=False, deal__terms__version__gt=1)
        .order_by("-pk")
        .distinct()[: requests + 3]
    )
    if len(pending) < requests + 3:
        raise BenchError(f"only {len(pending)} pending reviews for {reviewer.email}")
    timed = []
    for n, review in enumerate(pending):
        data = {"verdict": "approve", "text": "", "terms_seen": current_terms_stamp(review)}
        path = f"/reviews/{review.pk}/verdict/"
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post(path, data)
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 302:
            raise BenchError(f"verdict POST {path} answered {response.status_code}, not 302")
        if n >= 3:  # the first three warm up
            queries = captured.captured_queries
            timed.append((elapsed, len(queries), sum(float(q["time"]) * 1000 for q in queries)))
    return timed
