"""The deal, its stages and the one table of moves between them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.links import object_url
from core.models import Currency  # the desk's currencies live with the exchange rates


class Stage(models.TextChoices):
    INTAKE = "intake", "Intake"
    BUSINESS_CASE = "business_case", "Business case"
    REVIEW = "review", "Review"
    NEGOTIATION = "negotiation", "Negotiation"
    APPROVED = "approved", "Approved"
    SIGNED = "signed", "Signed"
    LIVE = "live", "Live"
    ON_HOLD = "on_hold", "On hold"
    ABANDONED = "abandoned", "Abandoned"


# The main line, in order; on hold and abandoned sit beside it.
PIPELINE = [
    Stage.INTAKE,
    Stage.BUSINESS_CASE,
    Stage.REVIEW,
    Stage.NEGOTIATION,
    Stage.APPROVED,
    Stage.SIGNED,
    Stage.LIVE,
]
# Stages in which a deal is still being worked: counted as open and can stall.
OPEN_STAGES = [
    Stage.INTAKE,
    Stage.BUSINESS_CASE,
    Stage.REVIEW,
    Stage.NEGOTIATION,
    Stage.APPROVED,
    Stage.ON_HOLD,
]
ACTIVE_STAGES = [s for s in OPEN_STAGES if s != Stage.ON_HOLD]
# Signed and beyond: the terms are those signed.
TERMS_FROZEN_IN = (Stage.SIGNED, Stage.LIVE)

# The one table of allowed moves. A deal may step back one stage for rework,
# go on hold or be abandoned until it is signed; a signed deal can only go live.
TRANSITIONS: dict[Stage, tuple[Stage, ...]] = {
    Stage.INTAKE: (Stage.BUSINESS_CASE, Stage.ON_HOLD, Stage.ABANDONED),
    Stage.BUSINESS_CASE: (Stage.REVIEW, Stage.INTAKE, Stage.ON_HOLD, Stage.ABANDONED),
    Stage.REVIEW: (Stage.NEGOTIATION, Stage.BUSINESS_CASE, Stage.ON_HOLD, Stage.ABANDONED),
    Stage.NEGOTIATION: (Stage.APPROVED, Stage.REVIEW, Stage.ON_HOLD, Stage.ABANDONED),
    Stage.APPROVED: (Stage.SIGNED, Stage.NEGOTIATION, Stage.ON_HOLD, Stage.ABANDONED),
    Stage.SIGNED: (Stage.LIVE,),
    Stage.LIVE: (),
    Stage.ON_HOLD: (
        Stage.INTAKE,
        Stage.BUSINESS_CASE,
        Stage.REVIEW,
        Stage.NEGOTIATION,
        Stage.APPROVED,
        Stage.ABANDONED,
    ),
    Stage.ABANDONED: (),
}


def transition_refusal(from_stage: str, to_stage: str) -> str | None:
    """Why a move is not allowed, or None when it is."""
    source, target = Stage(from_stage), Stage(to_stage)
    if source == target:
        return f"The deal is already in {source.label}."
    allowed = TRANSITIONS[source]
    if not allowed:
        return f"{source.label} is final: a deal in {source.label} does not move any more."
    if target not in allowed:
        names = ", ".join(s.label for s in allowed)
        return f"A deal in {source.label} can move only to {names}, not to {target.label}."
    return None


def involvement(user, via: str = "") -> Q:
    """Has the person a part in the deal: owner, sponsor, reviewing department, invitee.

    `via` filters another model by its deal instead ("deal__" for a review or a term).
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    from django.apps import apps

    Review = apps.get_model("stakeholders", "Review")
    WorkingSession = apps.get_model("stakeholders", "WorkingSession")
    deal = models.OuterRef(f"{via}pk" if via else "pk")
    involved = Q(**{f"{via}owner": user}) | Q(**{f"{via}sponsor": user})
    # EXISTS per row keeps the plan cheap: no scan of every confidential deal. Not asked
    # of someone known (stakeholders.backends) to be in no department or session.
    if getattr(user, "in_department", True):
        reviews_it = Review.objects.filter(deal=deal, department__memberships__user=user)
        involved |= models.Exists(reviews_it)
    if getattr(user, "invited", True):
        involved |= models.Exists(WorkingSession.objects.filter(deal=deal, invitees=user))
    return involved


LISTED_FIELDS = (
    "title",
    "stage",
    "stage_changed_at",
    "contract_value",
    "currency",
    "weekly_cost_of_delay",
    "target_signature_date",
    "confidential",
)


class DealQuerySet(models.QuerySet["Deal"]):
    def visible_to(self, user) -> DealQuerySet:
        """Deals this person may see: confidential ones only when involved."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(Q(confidential=False) | involvement(user))

    def involving(self, user) -> DealQuerySet:
        """Deals this person has a part in: owner, sponsor, reviewing department, invitee."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(involvement(user))

    def lock(self, pk: int) -> Deal:
        """The deal, read fresh under its row lock, until the transaction ends.

        Every writer that acts on what the deal's state allows (stage moves, verdicts,
        term edits, concerns, top-ups, briefing requests) takes this lock first, so
        none of them acts on what another is changing. NO KEY: a plain FOR UPDATE
        would also block inserts of rows pointing at the deal (an audit event, a
        review), and a writer holding such a row would deadlock.
        """
        return self.select_for_update(no_key=True).get(pk=pk)

    def open(self) -> DealQuerySet:
        return self.filter(stage__in=OPEN_STAGES)

    def current(self) -> DealQuerySet:
        """Not archived: what the dashboard and lists show."""
        return self.filter(archived_at__isnull=True)

    def listed(self, *also: str, partner: bool = True) -> DealQuerySet:
        """With what a list of deals shows (the dashboard's table and pictures), and the
        fields named in `also`: their partner's name (unless not `partner`: two joins and
        two objects a row fewer), none of the texts or timestamps they do not show (each
        column read is converted, each timestamp parsed)."""
        if not partner:
            return self.only(*LISTED_FIELDS, *also)
        return self.select_related("partnership__partner").only(
            *LISTED_FIELDS, "partnership__partner__name", *also
        )

    def stalled(self, now: dt.datetime | None = None) -> DealQuerySet:
        cutoff = (now or timezone.now()) - dt.timedelta(days=settings.STALL_DAYS)
        return self.filter(stage__in=ACTIVE_STAGES, stage_changed_at__lt=cutoff)


class Deal(models.Model):
    """One contract negotiation with a partner, moving through stages."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, related_name="deals"
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(help_text="What the deal is for, in two or three sentences.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_deals",
        verbose_name="deal owner",
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sponsored_deals",
        verbose_name="executive sponsor",
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.INTAKE)
    # Kept by deal_advance; lets the dashboard find stalled deals with an index.
    stage_changed_at = models.DateTimeField(default=timezone.now)
    contract_value = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Total value of the contract over its term.",
    )
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.EUR)
    expected_annual_value = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Business value the deal is expected to earn each year once live.",
    )
    term_months = models.PositiveSmallIntegerField(
        "term (months)", validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    target_signature_date = models.DateField(null=True, blank=True)
    confidential = models.BooleanField(
        default=False, help_text="Only the people involved can see a confidential deal."
    )
    # Deals are archived, never deleted from the app: history and audit stay whole.
    archived_at = models.DateTimeField(null=True, blank=True)
    # Kept by term_revise: each edit that re-opens an approved review is a round.
    revision_rounds = models.PositiveIntegerField(default=0)
    # Someone asked the sponsor to decide; cleared when the sponsor records a decision.
    decision_requested_at = models.DateTimeField(null=True, blank=True)
    decision_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_request_note = models.TextField(blank=True)
    # Kept by metrics.services from the business case: net benefit per week once
    # live. Denormalised so the dashboard can order stalled deals by it.
    weekly_cost_of_delay = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), editable=False
    )
    # Who the deal waits on now (deals.waiting: sponsor, department, owner, partner or
    # nobody), kept by the database's triggers in the transaction of every change.
    waiting_on = models.CharField(max_length=10, null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["stage", "stage_changed_at"]),
            models.Index(fields=["-updated_at", "-id"]),
            models.Index(fields=["title"]),
            models.Index(fields=["contract_value"]),
            models.Index(fields=["target_signature_date"]),
            models.Index(fields=["stage_changed_at"]),
            models.Index(fields=["-weekly_cost_of_delay"], name="deal_cost_of_delay_idx"),
            # The confidential deals, alone: what a person's dashboard adds to the tallies.
            models.Index(
                fields=["id"],
                condition=Q(confidential=True, archived_at__isnull=True),
                name="deal_confidential_idx",
            ),
            # The archived deals, alone: what analytics takes away from its tallies.
            models.Index(
                fields=["id"], condition=Q(archived_at__isnull=False), name="deal_archived_idx"
            ),
            # "Waiting for your decision": the deals waiting on their sponsor, a sponsor's in
            # the order listed, so the first twenty are found without checking every deal
            # they sponsor (an executive may sponsor thousands).
            models.Index(
                fields=["sponsor", "decision_requested_at", "id"],
                name="deal_sponsor_waiting_idx",
                condition=Q(waiting_on="sponsor", archived_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_value__gte=0), name="contract_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(expected_annual_value__gte=0), name="annual_value_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return object_url("deal_detail", self.pk)

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def days_in_stage(self) -> int:
        return (timezone.now() - self.stage_changed_at).days

    @property
    def is_stalled(self) -> bool:
        return self.stage in ACTIVE_STAGES and self.days_in_stage >= settings.STALL_DAYS

    def pipeline_steps(self) -> list[dict]:
        """The main line of stages, marking those this deal has passed."""
        current = PIPELINE.index(Stage(self.stage)) if self.stage in PIPELINE else -1
        return [
            {"value": s.value, "label": s.label, "done": i < current}
            for i, s in enumerate(PIPELINE)
        ]

    def allowed_moves(self) -> tuple[Stage, ...]:
        return TRANSITIONS[Stage(self.stage)]

    def refusal_to_move(self, to_stage: str) -> str | None:
        return transition_refusal(self.stage, to_stage)

    @property
    def terms_can_change(self) -> bool:
        """A signed contract's terms change only by amendment, never in place."""
        return self.stage not in TERMS_FROZEN_IN

    def is_led_by(self, user) -> bool:
        """The deal's owner or its sponsor (or a superuser): those who run it."""
        return user.is_superuser or user.pk in (self.owner_id, self.sponsor_id)

    def involves(self, user) -> bool:
        """Has this person a part in the deal (administrators: every deal)? One query
        unless owner, sponsor, administrator or annotated by get_deal_for_user."""
        if user.is_superuser or user.pk in (self.owner_id, self.sponsor_id):
            return True
        if getattr(self, "annotated_for", None) == user.pk:  # see get_deal_for_user
            return self.involves_viewer
        return Deal.objects.involving(user).filter(pk=self.pk).exists()

    def may_raise_concerns(self, user) -> bool:
        """Those with a part in the deal, and any department's member: departments flag
        risks early, before their review is requested. Not just anyone who can read it."""
        if self.involves(user):
            return True
        if getattr(self, "annotated_for", None) == user.pk:  # see get_deal_for_user
            return self.viewer_in_department
        return user.memberships.exists()


class StageChange(models.Model):
    """One move of a deal from a stage to another; the timeline of a deal."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["deal", "at"]),
            # The dashboard's value-by-stage: each moved deal's first move of the week, read
            # in (at, id) order from the index alone.
            models.Index(
                fields=["deal", "at", "id"],
                include=["from_stage"],
                name="dashboard_stage_moves_idx",
            ),
            # The dashboard's signed-per-month: each deal's latest move into Signed, read
            # from the index alone (no visit of its other moves).
            models.Index(
                fields=["deal", "-at", "-id"],
                condition=Q(to_stage="signed"),
                name="dashboard_signed_at_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deal}: {self.from_stage or '—'} → {self.to_stage}"

    @property
    def from_label(self) -> str:
        return Stage(self.from_stage).label if self.from_stage else "Created"

    @property
    def to_label(self) -> str:
        return Stage(self.to_stage).label


def time_in_stages(changes: list[StageChange], now: dt.datetime | None = None) -> list[dict]:
    """Total time spent in each stage, from a deal's ordered stage changes.

    A stage entered twice (sent back for rework) counts both stays.
    """
    now = now or timezone.now()
    totals: dict[str, dt.timedelta] = {}
    visits: dict[str, int] = {}
    for index, change in enumerate(changes):
        left_at = changes[index + 1].at if index + 1 < len(changes) else now
        totals[change.to_stage] = totals.get(change.to_stage, dt.timedelta()) + (
            left_at - change.at
        )
        visits[change.to_stage] = visits.get(change.to_stage, 0) + 1
    longest = max(totals.values(), default=dt.timedelta()) or dt.timedelta(seconds=1)
    order = {stage: i for i, stage in enumerate(Stage.values)}
    return [
        {
            "stage": stage,
            "label": Stage(stage).label,
            "days": round(duration.total_seconds() / 86400, 1),
            "visits": visits[stage],
            "share": round(100 * duration / longest),
        }
        for stage, duration in sorted(totals.items(), key=lambda item: order[item[0]])
    ]


def stage_timeline(changes: list[StageChange], now: dt.datetime | None = None) -> dict:
    """The deal's one stage timeline: each move with the stay it began and how long that
    lasted (the current stay up to now), newest first; and the time in each stage in all.

    Replaces the separate stage history and time-in-stage lists: a stay's length is the
    time from the move into a stage to the next move.
    """
    now = now or timezone.now()
    stays = []
    for index, change in enumerate(changes):
        current = index + 1 == len(changes)
        left_at = now if current else changes[index + 1].at
        stays.append(
            {
                "change": change,
                "stage": change.to_stage,
                "label": change.to_label,
                "left_at": None if current else left_at,
                "days": round((left_at - change.at).total_seconds() / 86400, 1),
                "current": current,
            }
        )
    longest = max((stay["days"] for stay in stays), default=0) or 1
    for stay in stays:
        stay["share"] = round(100 * stay["days"] / longest)
    totals = time_in_stages(changes, now)
    return {
        "stays": stays[::-1],
        # Only stages entered more than once need a total of their own.
        "repeated": [row for row in totals if row["visits"] > 1],
        "days": round((now - changes[0].at).total_seconds() / 86400, 1) if changes else 0,
    }
