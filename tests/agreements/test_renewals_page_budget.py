"""The Renewals page makes the same few queries at any number of agreements (issue 15:
within 15 queries at 10,000; bench/ measures its time), and each band shows its first
rows and counts the rest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import Agreement, NoticeUnit, RenewalType, TermKind
from agreements.selectors import BAND_LIMIT
from deals.models import Stage
from tests.factories import DealFactory

pytestmark = pytest.mark.django_db

# Days from today to the notice deadline: a missed window and each band in turn.
SPREAD = (-5, 3, 20, 60)


def make_agreements(count: int, partnership, owner, *, offsets=SPREAD) -> list[Agreement]:
    today = timezone.localdate()
    made = []
    for n in range(count):
        deal = DealFactory(partnership=partnership, owner=owner, stage=Stage.SIGNED)
        agreement = Agreement.objects.create(
            deal=deal,
            effective_date=today - dt.timedelta(days=200),
            term_kind=TermKind.MONTHS,
            initial_term_months=12,
            renewal_type=RenewalType.AUTOMATIC,
            renewal_term_months=12,
            notice_unit=NoticeUnit.DAYS,
            notice_amount=30,
        )
        # The deadline where the test wants it (save() computes it from the term).
        deadline = today + dt.timedelta(days=offsets[n % len(offsets)])
        Agreement.objects.filter(pk=agreement.pk).update(notice_deadline=deadline)
        made.append(agreement)
    return made


@pytest.mark.parametrize("count", [4, 2 * BAND_LIMIT + 8])
def test_the_renewals_page_stays_within_its_query_budget_at_two_sizes(
    client_for, personas, partnership, count, django_assert_max_num_queries
):
    make_agreements(count, partnership, personas.owner)
    client = client_for(personas.executive)
    client.get(reverse("renewals"))  # the navigation's cached counts, as on a repeat view
    with django_assert_max_num_queries(15):
        response = client.get(reverse("renewals"))
    assert response.status_code == 200
    for key in ("urgent", "soon", "later"):
        band = response.content.decode().split(f'id="band-{key}"')[1].split("</section>")[0]
        assert "Deal number" in band


def test_a_band_lists_its_first_rows_by_deadline_and_counts_the_rest(
    client_for, personas, partnership
):
    made = make_agreements(BAND_LIMIT + 7, partnership, personas.owner, offsets=(5, 6, 7))
    page = client_for(personas.owner).get(reverse("renewals")).content.decode()
    band = page.split('id="band-urgent"')[1].split("</section>")[0]
    assert f"· {BAND_LIMIT + 7}<" in band
    assert band.count("<tr>") == BAND_LIMIT + 1  # the header and the first rows
    assert "…and 7 more." in band
    # Soonest first: every agreement due in five days is listed.
    for agreement in made[::3]:
        assert f'href="{agreement.get_absolute_url()}"' in band
    assert "No notice deadline in this window." in page.split('id="band-soon"')[1]
