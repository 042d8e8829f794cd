"""A mail server that fails in the middle of a batch, through a real SMTP server: what it
accepted stays sent (each row marked once, right after its message), the rest goes back
for the task's retry, and the retry sends only the rest — nobody gets a digest twice."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.models import Stage
from notifications import delivery, digests
from notifications.models import Notification
from stakeholders.models import Role
from tests.factories import DealFactory, ReviewFactory, UserFactory, department, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def digest_ids(personas, partnership, settings) -> list[int]:
    settings.DIGEST_WEEKDAY = timezone.localdate().weekday()
    for n in range(4):
        reviewer = make_member(
            UserFactory(email=f"r{n}@example.test", roles=[Role.REVIEWER]), "procurement"
        )
        deal = DealFactory(partnership=partnership, stage=Stage.REVIEW, sponsor=personas.executive)
        ReviewFactory(deal=deal, department=department("procurement"), reviewer=reviewer)
    return digests.plan_digests()


def fail_the_third_message(mailbox, monkeypatch) -> None:
    """451 (try again later) to the third message's DATA, then accept again."""
    accept = mailbox.handle_DATA
    seen = []

    async def handle_data(server, session, envelope):
        seen.append(envelope)
        if len(seen) == 3:
            return "451 4.3.0 Mailbox busy, try again later"
        return await accept(server, session, envelope)

    monkeypatch.setattr(mailbox, "handle_DATA", handle_data, raising=False)


def test_a_batch_marks_each_accepted_message_once_as_it_goes(digest_ids, mailbox):
    with CaptureQueriesContext(connection) as queries:
        result = delivery.deliver(ids=digest_ids, token="task-1")

    marks = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")][1:]
    assert result.as_dict()["sent"] == len(digest_ids) == len(marks)  # one mark per message
    assert len(mailbox.wait_for(len(digest_ids))) == len(digest_ids)
    assert not Notification.objects.filter(pk__in=digest_ids, sent_at=None).exists()


def test_a_server_failing_mid_batch_keeps_what_it_accepted_and_the_retry_sends_the_rest_once(
    digest_ids, mailbox, monkeypatch
):
    assert len(digest_ids) > 3
    fail_the_third_message(mailbox, monkeypatch)

    with pytest.raises(Exception, match="451"):
        delivery.deliver(ids=digest_ids, token="task-1")

    rows = list(Notification.objects.filter(pk__in=digest_ids).order_by("pk"))
    assert [row.sent_at is not None for row in rows] == [True, True] + [False] * (len(rows) - 2)
    assert all(row.claimed_by == "" for row in rows)  # released for the retry
    assert all("451" in row.last_error for row in rows[2:])
    assert len(mailbox.wait_for(2, timeout=0.5)) == 2

    # The task's retry, with its id: only the rest goes out.
    assert delivery.deliver(ids=digest_ids, token="task-1").as_dict() == {
        "sent": len(rows) - 2,
        "cancelled": 0,
        "refused": 0,
        "skipped": 2,
    }
    messages = mailbox.wait_for(len(rows))
    assert len(messages) == len(rows)
    assert max(Counter(m["Message-ID"] for m in messages).values()) == 1
    assert sorted(m["To"] for m in messages) == sorted(row.recipient.email for row in rows)
