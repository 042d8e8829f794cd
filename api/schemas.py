"""What the API reads and writes, as pydantic schemas (the OpenAPI document is made
from them). Text fields refuse NUL: PostgreSQL stores none."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BeforeValidator, StrictBool, StringConstraints, WithJsonSchema

from deals.models import Stage
from metrics.models import Direction
from partnerships.models import PartnerKind
from stakeholders.models import ReviewStatus, Severity

NO_NUL = r"^[^\x00]*$"
Line = Annotated[str, StringConstraints(max_length=200, pattern=NO_NUL)]
Text = Annotated[str, StringConstraints(max_length=10_000, pattern=NO_NUL)]
# Measures travel as decimal strings ("42.5"): exact, and the document says so. A number
# is refused rather than read (0.1 is not exactly a tenth); so is "".
MEASURE = r"^-?[0-9]{1,12}(\.[0-9]{1,2})?$"


def _measure(value: object) -> object:
    if not isinstance(value, str) or not re.fullmatch(MEASURE, value):
        raise ValueError('Write the value as a decimal string, e.g. "42.5".')
    return value


Measure = Annotated[
    Decimal,
    BeforeValidator(_measure),
    WithJsonSchema({"type": "string", "pattern": MEASURE, "examples": ["42.5"]}),
]


def _iso_date(value: object) -> object:
    if not isinstance(value, str):
        raise ValueError("Write the date as YYYY-MM-DD.")
    return value


# A date is an ISO date string: 0 or 1.5 are not read as seconds since 1970.
Day = Annotated[dt.date, BeforeValidator(_iso_date)]
# A verdict other than a plain approval says why: at least one visible character.
Reason = Annotated[
    str, StringConstraints(min_length=1, max_length=10_000, pattern=r"^[^\x00]*[^\x00\s][^\x00]*$")
]

MAX_LIMIT = 100


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict] | None = None


class PageQuery(Schema):
    limit: int = Field(25, ge=1, le=MAX_LIMIT, description=f"At most {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=10_000_000)


class DealFilters(PageQuery):
    stage: Stage | None = None
    partner_kind: PartnerKind | None = None
    q: Annotated[str, StringConstraints(max_length=100, pattern=NO_NUL)] | None = None


class PartnerOut(Schema):
    id: int
    name: str
    kind: PartnerKind


class PersonOut(Schema):
    id: int
    name: str


class DealOut(Schema):
    id: int
    title: str
    stage: Stage
    partner: PartnerOut
    owner: PersonOut
    sponsor: PersonOut | None
    contract_value: Decimal | None
    currency: str
    confidential: bool
    target_signature_date: dt.date | None
    stage_changed_at: dt.datetime
    archived: bool
    updated_at: dt.datetime


class DealDetailOut(DealOut):
    summary: str
    expected_annual_value: Decimal | None
    term_months: int | None
    revision_rounds: int
    weekly_cost_of_delay: Decimal | None


class DealPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[DealOut]


class TermOut(Schema):
    id: int
    category: str
    title: str
    wording: str
    department_id: int | None
    status: str
    version: int
    updated_at: dt.datetime


class ReviewOut(Schema):
    id: int
    deal_id: int
    deal_title: str
    department: str
    department_id: int
    status: ReviewStatus
    due_on: dt.date
    verdict_text: str
    conditions: str
    decided_at: dt.datetime | None
    terms_stamp: str = Field(description="Send it back with a verdict: what the terms were.")


class ReviewPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ReviewOut]


class ReviewFilters(PageQuery):
    status: ReviewStatus | None = Field(None, description="Open reviews when not given.")


Stamp = Annotated[
    str,
    StringConstraints(max_length=2000, pattern=NO_NUL),
    Field(description="The review's terms_stamp as read: a verdict never covers unseen wording."),
]


class ApprovalIn(Schema):
    verdict: Literal["approve"]
    text: Text = ""
    terms_stamp: Stamp


class VerdictWithReasonIn(Schema):
    verdict: Literal["approve_with_conditions", "request_changes", "reject"]
    text: Reason = Field(description="The conditions, the changes asked for, or the reason.")
    terms_stamp: Stamp


VerdictIn = Annotated[ApprovalIn | VerdictWithReasonIn, Field(discriminator="verdict")]


class ConcernOut(Schema):
    id: int
    title: str
    detail: str
    department_id: int | None
    severity: Severity
    blocking: bool
    raised_by_id: int
    raised_at: dt.datetime
    resolved_at: dt.datetime | None
    resolution: str


class ConcernIn(Schema):
    title: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]
    detail: Annotated[str, StringConstraints(min_length=1, max_length=10_000, pattern=NO_NUL)]
    severity: Severity = Severity.MEDIUM
    blocking: StrictBool = False


class CheckInOut(Schema):
    id: int
    date: dt.date
    actual: Decimal
    note: str


class MetricOut(Schema):
    id: int
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    direction: str
    start_date: dt.date
    target_date: dt.date
    latest_value: Decimal | None
    latest_on: dt.date | None
    check_ins: list[CheckInOut]


class MetricIn(Schema):
    name: Annotated[str, StringConstraints(min_length=1, max_length=160, pattern=NO_NUL)]
    unit: Annotated[str, StringConstraints(min_length=1, max_length=30, pattern=NO_NUL)]
    baseline: Measure
    target: Measure
    direction: Direction
    start_date: Day
    target_date: Day


class CheckInIn(Schema):
    date: Day
    actual: Measure
    note: Text = ""


class CaseYearOut(Schema):
    year: int
    revenue_growth: Decimal
    cost_savings: Decimal
    one_off_costs: Decimal
    running_costs: Decimal


class BusinessCaseOut(Schema):
    id: int
    version: int
    discount_rate: Decimal
    note: str
    created_at: dt.datetime
    signed_off_at: dt.datetime | None
    years: list[CaseYearOut]


class AgreementOut(Schema):
    id: int
    deal_id: int
    signed_on: dt.date
    effective_date: dt.date | None
    term_kind: str
    renewal_type: str
    current_term_end: dt.date | None
    notice_deadline: dt.date | None
    ended_on: dt.date | None
    decision: str
    governing_law: str


class RenewalOut(Schema):
    band: str
    title: str
    partner: str
    deadline: str
    days_left: int
    term_end: str
    renewal: str
    decision: str
    url: str


class RenewalsOut(Schema):
    missed: list[RenewalOut]
    upcoming: list[RenewalOut]
