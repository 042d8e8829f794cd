"""The deadline arithmetic: month ends, leap years, business days, notice in months,
roll-forward after automatic renewal, the maximum number of renewals."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from agreements import dates
from agreements.models import Agreement, NoticeUnit, RenewalType, TermKind

D = dt.date
days = st.dates(min_value=D(1990, 1, 1), max_value=D(2200, 12, 31))
months = st.integers(min_value=1, max_value=240)


def test_a_year_from_the_first_of_march_ends_on_the_last_day_of_february():
    assert dates.term_end(D(2025, 3, 1), 12) == D(2026, 2, 28)
    assert dates.term_end(D(2023, 3, 1), 12) == D(2024, 2, 29)


def test_a_month_from_the_thirty_first_ends_at_the_end_of_the_short_month():
    assert dates.term_end(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert dates.term_end(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert dates.term_end(D(2025, 1, 15), 1) == D(2025, 2, 14)


def test_a_term_from_the_leap_day_ends_on_the_twenty_eighth_of_february():
    assert dates.term_end(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert dates.term_end(D(2024, 2, 29), 48) == D(2028, 2, 28)


def test_notice_in_months_counts_back_to_the_shorter_month_end():
    # 31 May 2026 (a Sunday) less three months is 28 Feb 2026, a Saturday: Friday before.
    assert dates.notice_deadline(D(2026, 5, 31), amount=3, unit="months") == D(2026, 2, 27)
    assert dates.months_before(D(2024, 5, 31), 3) == D(2024, 2, 29)


def test_business_days_skip_weekends():
    # Friday 31 Jan 2025 less 5 business days: Friday 24 Jan.
    assert dates.business_days_before(D(2025, 1, 31), 5) == D(2025, 1, 24)
    # Monday less one business day: the Friday before.
    assert dates.business_days_before(D(2025, 2, 3), 1) == D(2025, 1, 31)
    assert dates.notice_deadline(D(2025, 2, 3), amount=10, unit="days", business_days=True) == D(
        2025, 1, 20
    )


def test_a_deadline_on_a_weekend_moves_back_to_the_friday():
    # 31 Dec 2025 less 60 days is Saturday 1 Nov 2025.
    assert dates.notice_deadline(D(2025, 12, 31), amount=60, unit="days") == D(2025, 10, 31)


@settings(deadline=None)  # pure arithmetic; timings on a loaded machine vary
@given(days, months)
def test_a_term_ends_the_day_before_its_anniversary_and_is_never_empty(start, n):
    end = dates.term_end(start, n)
    assert end >= start
    assert dates.anniversary(start, n) == end + dt.timedelta(days=1)
    # Never more than a month's clamping away from N months of average length.
    assert abs((end - start).days - n * 30.437) <= 3 + n * 0.6


@settings(deadline=None)  # pure arithmetic; timings on a loaded machine vary
@given(days, months, months)
def test_consecutive_terms_leave_no_gap_and_never_drift(start, n, r):
    initial = dates.term_end(start, n)
    ends = [dates.period_end(initial_end=initial, renewal_months=r, renewals=k) for k in range(6)]
    assert ends[0] == initial
    for earlier, later in zip(ends, ends[1:], strict=False):
        assert later > earlier
    # Counted from one anchor: the k-th end is the anchor's k·r-month term end.
    anchor = initial + dt.timedelta(days=1)
    assert ends[5] == dates.term_end(anchor, 5 * r)


@settings(deadline=None)  # pure arithmetic; timings on a loaded machine vary
@given(days, st.integers(min_value=1, max_value=400), st.booleans())
def test_a_deadline_in_days_is_a_working_day_at_least_the_notice_before_the_end(end, n, business):
    deadline = dates.notice_deadline(end, amount=n, unit="days", business_days=business)
    assert dates.is_working_day(deadline)
    assert (end - deadline).days >= n
    # Moved back at most over one weekend beyond the count.
    if not business:
        assert (end - deadline).days <= n + 2
    else:
        # The n-th working day before the end: n working days from it up to the end.
        working = sum(
            dates.is_working_day(deadline + dt.timedelta(days=i))
            for i in range((end - deadline).days)
        )
        assert working == n


@settings(deadline=None)  # pure arithmetic; timings on a loaded machine vary
@given(days, st.integers(min_value=1, max_value=24))
def test_a_deadline_in_months_is_never_later_than_the_months_before(end, n):
    deadline = dates.notice_deadline(end, amount=n, unit="months")
    assert dates.is_working_day(deadline)
    assert deadline <= dates.months_before(end, n)
    assert (dates.months_before(end, n) - deadline).days <= 2


def _agreement(**fields) -> Agreement:
    base = {
        "effective_date": D(2024, 1, 1),
        "term_kind": TermKind.MONTHS,
        "initial_term_months": 12,
        "renewal_type": RenewalType.AUTOMATIC,
        "renewal_term_months": 12,
        "notice_unit": NoticeUnit.DAYS,
        "notice_amount": 90,
    }
    agreement = Agreement(**{**base, **fields})
    agreement.compute_dates()
    return agreement


def test_the_agreement_rolls_forward_one_renewal_term_at_a_time():
    agreement = _agreement()
    assert agreement.current_term_end == D(2024, 12, 31)
    assert agreement.notice_deadline == D(2024, 10, 2)  # 90 days before, a Wednesday
    agreement.renewals_done = 1
    agreement.compute_dates()
    assert agreement.current_term_end == D(2025, 12, 31)
    assert agreement.notice_deadline == D(2025, 10, 2)


def test_after_the_last_renewal_allowed_there_is_no_notice_deadline():
    agreement = _agreement(max_renewals=2)
    agreement.renewals_done = 2
    agreement.compute_dates()
    assert agreement.current_term_end == D(2026, 12, 31)
    assert agreement.renewals_left == 0
    assert agreement.notice_deadline is None


def test_not_stated_terms_give_no_dates():
    agreement = _agreement(notice_unit=NoticeUnit.NOT_STATED, notice_amount=None)
    assert agreement.current_term_end == D(2024, 12, 31)
    assert agreement.notice_deadline is None
    agreement = _agreement(term_kind=TermKind.NOT_STATED, initial_term_months=None)
    assert agreement.current_term_end is None and agreement.notice_deadline is None


def test_a_term_with_an_end_date_renews_from_that_date():
    agreement = _agreement(
        term_kind=TermKind.END_DATE, initial_end_date=D(2025, 2, 28), initial_term_months=None
    )
    agreement.renewals_done = 1
    agreement.compute_dates()
    assert agreement.current_term_end == D(2026, 2, 28)
