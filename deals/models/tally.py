"""Running tallies of the deals, their reviews, their stage changes and the deals held by
a blocking concern, so that the dashboard's counts and sums read a few hundred summary
rows instead of every deal.

The database keeps them, not our code: triggers on deals_deal, stakeholders_review,
deals_stagechange and stakeholders_concern (deals.tally_sql, installed by migration 0014,
for PostgreSQL and SQLite) add one row of +1 (and its sums) for what a row now counts as,
and one of -1 for what it counted as before, in the same transaction as the change. So
every path is counted — services, the admin, `.update()`, COPY, factories in tests — and
nothing is read then written, so concurrent changes never wait on one another or
deadlock. (Except a concern's trigger: whether a deal was held before depends on its
other concerns, so it locks the deal's row first, as the deal's writers do.)
`tally_sql.compact()` (the beat task, and after bulk seeding) folds the rows into one
per key.

Only current deals count (not archived), and each row says whether its deal is
confidential and, for a confidential deal only, who sponsors and who owns it: a person's
figures are the rows of non-confidential deals and of the confidential deals they sponsor
or own (`seen_by`), plus, read live, the few confidential deals they see through a
reviewing department or an invitation (deals.tallies).
"""

from __future__ import annotations

from django.db import models

from core.tally import ConfidentialKey, TallyQuerySet  # noqa: F401  (named here too)


class StageTally(ConfidentialKey):
    """Current deals by stage, currency, confidentiality and the UTC day they entered
    their stage (the day lets stalled deals be counted: those that entered before a
    cutoff)."""

    stage = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    confidential = models.BooleanField()
    day = models.DateField()
    deals = models.IntegerField()
    value = models.DecimalField(max_digits=20, decimal_places=2)
    cost = models.DecimalField(max_digits=20, decimal_places=2)

    KEY = ("stage", "currency", "confidential", "day", "sponsor_id", "owner_id")
    SUMS = ("deals", "value", "cost")

    class Meta:
        db_table = "deals_stagetally"


class ReviewTally(ConfidentialKey):
    """Reviews of current deals by department, confidentiality, due date and where they
    stand: pending or not, answered or not, answered after the due day (UTC) or not."""

    department_id = models.BigIntegerField()
    confidential = models.BooleanField()
    due_on = models.DateField()
    still_pending = models.BooleanField()
    answered = models.BooleanField()
    answered_late = models.BooleanField()
    reviews = models.IntegerField()

    KEY = (
        "department_id",
        "confidential",
        "due_on",
        "still_pending",
        "answered",
        "answered_late",
        "sponsor_id",
        "owner_id",
    )
    SUMS = ("reviews",)

    class Meta:
        db_table = "deals_reviewtally"


class MoveTally(ConfidentialKey):
    """Stage changes of current deals by UTC day, the stages moved between, and the deal's
    currency and confidentiality, with the deal's current contract value (as the
    dashboard shows value, not the value at the time of the move)."""

    day = models.DateField()
    from_stage = models.CharField(max_length=20)
    to_stage = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    confidential = models.BooleanField()
    moves = models.IntegerField()
    value = models.DecimalField(max_digits=20, decimal_places=2)

    KEY = ("day", "from_stage", "to_stage", "currency", "confidential", "sponsor_id", "owner_id")
    SUMS = ("moves", "value")

    class Meta:
        db_table = "deals_movetally"
        indexes = [
            models.Index(fields=["day"], name="deals_movetally_day_idx"),
            # Signed per month: the moves into one stage over a year.
            models.Index(fields=["to_stage", "day"], name="deals_movetally_to_day_idx"),
        ]


class BlockTally(ConfidentialKey):
    """Current deals held by at least one open blocking concern, by stage and currency
    (and confidentiality): the "held by blocking concerns" tile without joining the
    concerns to every deal. The concerns' trigger counts a deal when its first open
    blocking concern appears and uncounts it when its last one goes; the deals' trigger
    moves a held deal's count when the deal changes."""

    stage = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    confidential = models.BooleanField()
    deals = models.IntegerField()

    KEY = ("stage", "currency", "confidential", "sponsor_id", "owner_id")
    SUMS = ("deals",)

    class Meta:
        db_table = "deals_blocktally"


TALLIES = (StageTally, ReviewTally, MoveTally, BlockTally)
