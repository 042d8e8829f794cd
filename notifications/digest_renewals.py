"""The digest's renewals section: the agreements a reader owns or sponsors whose notice
deadline is within 90 days or was missed undecided. One query for a whole batch; each
reader's list shows the DIGEST_LIST_LIMIT soonest."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import RowNumber

from agreements.models import Agreement
from core.emails import absolute
from stakeholders.models import User

from .digest_sections import DIGEST_LIST_LIMIT, window

HORIZON_DAYS = 90


def renewal_sections(users: list[User], *, today: dt.date) -> dict[int, dict]:
    ids = [u.pk for u in users]
    owner, sponsor = F("deal__owner_id"), F("deal__sponsor_id")
    soonest = [F("notice_deadline").asc(), F("pk").asc()]
    own = Case(When(deal__owner_id=sponsor, then=Value(1)), default=Value(0))
    rows = list(
        Agreement.objects.with_deadline()
        .filter(Q(deal__owner_id__in=ids) | Q(deal__sponsor_id__in=ids))
        .filter(deal__archived_at__isnull=True)
        .filter(
            Q(notice_deadline__lt=today, decision="")
            | Q(
                notice_deadline__gte=today,
                notice_deadline__lte=today + dt.timedelta(days=HORIZON_DAYS),
            )
        )
        # Only the rows shown, and the counts: at 10,000 agreements an executive
        # sponsors hundreds here. A person's first ones are among the first they own
        # and the first they sponsor.
        .annotate(
            rn_owner=window(RowNumber(), [owner], soonest),
            n_owner=window(Count("pk"), [owner]),
            # Owned and sponsored by the same person: counted once.
            n_both=window(Sum(own), [owner]),
            rn_sponsor=window(RowNumber(), [sponsor], soonest),
            n_sponsor=window(Count("pk"), [sponsor]),
        )
        .filter(
            Q(deal__owner_id__in=ids, rn_owner__lte=DIGEST_LIST_LIMIT)
            | Q(deal__sponsor_id__in=ids, rn_sponsor__lte=DIGEST_LIST_LIMIT)
        )
        .select_related("deal")
        .only("deal__title", "deal__owner_id", "deal__sponsor_id", "notice_deadline", "decision")
        .order_by(*soonest)
    )
    mine: dict[int, list[Agreement]] = defaultdict(list)
    count: dict[int, int] = defaultdict(int)
    for agreement in rows:
        deal = agreement.deal
        if agreement.rn_owner == 1:
            count[deal.owner_id] += agreement.n_owner - agreement.n_both
        if agreement.rn_sponsor == 1:
            count[deal.sponsor_id] += agreement.n_sponsor
        for person in dict.fromkeys((deal.owner_id, deal.sponsor_id)):
            mine[person].append(agreement)
    built: dict[int, dict] = {}  # an agreement on two readers' lists is worded once

    def item(agreement: Agreement) -> dict:
        if agreement.pk not in built:
            days = (agreement.notice_deadline - today).days
            built[agreement.pk] = {
                "agreement": agreement,
                "deal": agreement.deal,
                "days": days,
                "missed": days < 0,
                "when": (
                    f"missed {-days} day{'s' if days != -1 else ''} ago"
                    if days < 0
                    else "today"
                    if days == 0
                    else f"in {days} day{'s' if days != 1 else ''}"
                ),
                "url": absolute(agreement.get_absolute_url()),
            }
        return built[agreement.pk]

    # Only the items shown are worded; the rest are counted.
    return {
        person: {
            "items": [item(agreement) for agreement in agreements[:DIGEST_LIST_LIMIT]],
            "count": count[person],
            "more": max(count[person] - DIGEST_LIST_LIMIT, 0),
        }
        for person, agreements in mine.items()
    }
