"""Dates so near year 1 or 9999 that the term end or the notice deadline would leave the
calendar are refused at the field, on the agreement's form and an amendment's: never a
500 from the date arithmetic."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.amendments import amendment_draft
from agreements.models import Agreement

pytestmark = pytest.mark.django_db

STATED = {
    "term_kind": "months",
    "initial_term_months": "12",
    "renewal_type": "automatic",
    "renewal_term_months": "12",
    "max_renewals": "",
    "notice_unit": "days",
    "notice_amount": "90",
    "notice_method": "Registered letter",
}
OFF_THE_CALENDAR = [
    {"effective_date": "9999-06-01"},  # the term would end in year 10000
    {  # 730 months' notice before a term ending in year 1
        "effective_date": "0001-01-02",
        "initial_term_months": "1",
        "notice_unit": "months",
        "notice_amount": "730",
    },
]


@pytest.mark.parametrize("dates", OFF_THE_CALENDAR)
def test_an_amendment_with_dates_off_the_calendar_is_refused_at_the_field(
    client_for, personas, agreement, dates
):
    amendment = amendment_draft(
        agreement=agreement,
        user=personas.owner,
        data={"title": "Far out", "reason": "Probe.", "effective_date": timezone.localdate()},
    )
    page = client_for(personas.owner).post(
        reverse("amendment_dates_change", args=[amendment.pk]), {**STATED, **dates}
    )
    assert page.status_code == 422
    assert "runs off the calendar" in page.content.decode()
    assert not amendment.changes.exists()


@pytest.mark.parametrize("dates", OFF_THE_CALENDAR)
def test_the_agreement_form_refuses_dates_off_the_calendar(client_for, personas, agreement, dates):
    before = Agreement.objects.get(pk=agreement.pk)
    page = client_for(personas.owner).post(
        reverse("agreement_edit", args=[agreement.pk]), {**STATED, **dates, "governing_law": ""}
    )
    assert page.status_code == 422
    assert "runs off the calendar" in page.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).effective_date == before.effective_date
