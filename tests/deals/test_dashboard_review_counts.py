"""The review heat map and the departments' pending counts come from one grouped query
(deals.selectors.review_counts, per department and due day): the days are summed into
Monday-based weeks in Python, reviews outside the window are in no cell, pending reviews
due outside it still count as pending, and confidential deals one may not see count
nowhere."""

import datetime as dt

import pytest
from django.utils import timezone

from deals.dashboard import HEAT_WEEKS, heat_weeks
from deals.models import Stage
from stakeholders.models import ReviewStatus
from tests.factories import DealFactory, ReviewFactory, department

pytestmark = pytest.mark.django_db


def review(partnership, slug, due_on, **fields):
    deal = fields.pop("deal", None) or DealFactory(partnership=partnership, stage=Stage.REVIEW)
    return ReviewFactory(deal=deal, department=department(slug), due_on=due_on, **fields)


def cells(context, name):
    [row] = [cells for dept, cells in context["heat"].rows if dept == name]
    return row


def test_days_are_summed_into_their_weeks_and_the_window_bounds_the_map(
    client_for, personas, partnership
):
    weeks = heat_weeks()
    assert len(weeks) == HEAT_WEEKS and all(w.weekday() == 0 for w in weeks)
    monday = weeks[-2]  # last week: every day of it is in the past
    answered = timezone.make_aware(dt.datetime.combine(monday, dt.time(9)))
    review(partnership, "legal", monday, status=ReviewStatus.APPROVED, decided_at=answered)
    review(partnership, "legal", monday + dt.timedelta(days=6))  # its Sunday, still pending
    review(partnership, "legal", monday - dt.timedelta(days=1))  # the Sunday before
    review(partnership, "legal", weeks[0] - dt.timedelta(days=1))  # before the window
    review(partnership, "it", weeks[-1] + dt.timedelta(days=7))  # after it, pending
    context = client_for(personas.executive).get("/").context
    legal = cells(context, department("legal").name)
    assert [c.due for c in legal][-3:] == [1, 2, 0]
    assert legal[-2].overdue == 1 and legal[-2].late == 1  # the Sunday one, still waiting
    assert sum(c.due for c in legal) == 3
    assert sum(c.due for c in cells(context, department("it").name)) == 0
    pending = {d["name"]: d for d in context["tiles"]["departments"]}
    # Pending counts do not stop at the window: the review due before it and the one
    # due after it are pending too.
    assert pending[department("legal").name]["pending"] == 3
    assert pending[department("legal").name]["overdue"] == 3
    assert pending[department("it").name] == {
        "pk": department("it").pk,
        "name": department("it").name,
        "pending": 1,
        "overdue": 0,
    }


def test_an_answer_after_the_due_date_is_late_and_before_it_is_not(
    client_for, personas, partnership
):
    monday = heat_weeks()[-2]
    on_time = timezone.make_aware(dt.datetime.combine(monday, dt.time(9)))
    review(partnership, "legal", monday, status=ReviewStatus.APPROVED, decided_at=on_time)
    review(
        partnership,
        "legal",
        monday,
        status=ReviewStatus.REJECTED,
        decided_at=on_time + dt.timedelta(days=2),
    )
    [cell] = [c for c in cells(client_for(personas.executive).get("/").context, "Legal") if c.due]
    assert (cell.due, cell.late, cell.overdue) == (2, 1, 0)


def test_reviews_of_confidential_deals_one_may_not_see_count_nowhere(
    client_for, personas, partnership
):
    monday = heat_weeks()[-1]
    hidden = DealFactory(confidential=True, stage=Stage.REVIEW)  # another sponsor's
    assert hidden.sponsor != personas.executive
    review(partnership, "legal", monday, deal=hidden)
    review(partnership, "legal", monday)
    context = client_for(personas.executive).get("/").context
    assert context["heat"].due == 1
    assert {d["name"]: d["pending"] for d in context["tiles"]["departments"]}["Legal"] == 1
