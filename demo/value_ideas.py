"""What demo value is made of: metrics, assumptions, outcomes and journeys per partner kind.

demo/value.py draws from these, seeded, to give every demo deal its business value.
"""

from __future__ import annotations

from dataclasses import dataclass

from metrics.models import Direction
from partnerships.models import PartnerKind


@dataclass(frozen=True)
class MetricIdea:
    name: str
    unit: str
    direction: str
    baseline: float
    change: float  # share of the baseline the partnership promises to move it by
    department: str | None


INC, DEC = Direction.INCREASE, Direction.DECREASE
METRICS: dict[str, list[MetricIdea]] = {
    PartnerKind.TECHNOLOGY: [
        MetricIdea("Customer onboarding time", "days", DEC, 14, 0.5, "it"),
        MetricIdea("Net promoter score", "points", INC, 22, 0.45, None),
        MetricIdea("Manual hand-offs per order", "hand-offs", DEC, 6, 0.65, "it"),
        MetricIdea("Straight-through processing", "%", INC, 48, 0.5, "it"),
        MetricIdea("Fraud losses", "EUR k / month", DEC, 180, 0.35, "finance"),
    ],
    PartnerKind.MANUFACTURER: [
        MetricIdea("On-time delivery", "%", INC, 81, 0.16, "procurement"),
        MetricIdea("Unit cost of the module", "EUR", DEC, 42, 0.12, "procurement"),
        MetricIdea("Supplier lead time", "weeks", DEC, 16, 0.4, "procurement"),
        MetricIdea("Defects per million parts", "ppm", DEC, 950, 0.5, None),
        MetricIdea("Recycled content", "%", INC, 20, 1.5, None),
    ],
    PartnerKind.CONSULTANCY: [
        MetricIdea("Cost to close the books", "days", DEC, 9, 0.45, "finance"),
        MetricIdea("Purchasing under contract", "%", INC, 55, 0.4, "procurement"),
        MetricIdea("Employee adoption of the new process", "%", INC, 10, 6.0, None),
        MetricIdea("Cost to serve per customer", "EUR", DEC, 64, 0.15, "finance"),
    ],
    PartnerKind.CHANNEL: [
        MetricIdea("Revenue through the partner", "EUR k / month", INC, 120, 1.2, None),
        MetricIdea("New customers per month", "customers", INC, 300, 0.8, None),
        MetricIdea("Market share in the region", "%", INC, 3, 1.0, None),
        MetricIdea("Days sales outstanding", "days", DEC, 58, 0.25, "finance"),
    ],
    PartnerKind.OTHER: [
        MetricIdea("Prototype cycles per year", "cycles", INC, 2, 1.0, None),
        MetricIdea("Supply-chain emissions", "t CO2e / month", DEC, 820, 0.3, None),
        MetricIdea("Patents filed jointly", "patents", INC, 1, 3.0, None),
    ],
}

ASSUMPTIONS: dict[str, list[tuple[str, str]]] = {
    PartnerKind.TECHNOLOGY: [
        (
            "Two thirds of customers move to the new channel within a year.",
            "Pilot with 400 customers: 71 % moved within three months.",
        ),
        (
            "Integration takes no more than one quarter.",
            "The partner's reference customers integrated in 10 to 14 weeks.",
        ),
        (
            "Licence price stays flat for three years.",
            "Price lock in the draft terms; Procurement to confirm.",
        ),
        (
            "Support tickets fall by a quarter once the old tools are retired.",
            "Ticket analysis of 2025: 27 % were about the tools being replaced.",
        ),
    ],
    PartnerKind.MANUFACTURER: [
        (
            "The partner can ramp to 40,000 units a quarter by month six.",
            "Site audit in March; capacity plan shared by the partner.",
        ),
        (
            "Raw material prices stay within 5 % of today's.",
            "Futures curve and the last three years of price history.",
        ),
        (
            "Qualification of the second source takes under four months.",
            "Engineering estimate based on the last qualification.",
        ),
    ],
    PartnerKind.CONSULTANCY: [
        (
            "Our own team gives 20 % of its time to the programme.",
            "Agreed with the department heads in the steering group.",
        ),
        (
            "The savings found in the diagnostic are 70 % realisable.",
            "Benchmark from the partner's last five programmes.",
        ),
        (
            "No parallel reorganisation disrupts the teams involved.",
            "HR confirms no changes planned before next year.",
        ),
    ],
    PartnerKind.CHANNEL: [
        (
            "The partner's sales force sells our offer actively from month three.",
            "Incentive plan drafted; partner's sales director committed.",
        ),
        (
            "Margins after the partner's commission stay above 30 %.",
            "Price list and commission schedule modelled by Finance.",
        ),
        (
            "Regulatory approval in the region arrives within six months.",
            "Local counsel's opinion.",
        ),
    ],
    PartnerKind.OTHER: [
        (
            "Research results can be licensed within two years.",
            "Comparable programmes with the institute.",
        ),
        (
            "Grant funding covers a third of the costs.",
            "Grant pre-approval letter.",
        ),
    ],
}

BROKEN = [
    "Did not hold: the six-month review found it well short of plan.",
    "Did not hold: it took twice as long as planned; the partner's team was reassigned.",
    "Did not hold: the partner's figures were not borne out by our own data.",
]
HELD = [
    "Confirmed by the first two quarterly reviews.",
    "Borne out: the numbers match the plan within 5 %.",
    "Held: the partner delivered as committed.",
]

JOURNEYS: dict[str, list[tuple[str, str, str, str]]] = {
    PartnerKind.TECHNOLOGY: [
        (
            "Discover",
            "Website and app",
            "Customers cannot tell which plan fits them.",
            "A guided chooser built on the partner's platform.",
        ),
        (
            "Sign up",
            "Online form",
            "Identity checks take days and need paper.",
            "Instant digital identity check.",
        ),
        (
            "Onboard",
            "Welcome call",
            "Two manual hand-offs between teams lose details.",
            "One automated workflow, no hand-offs.",
        ),
        (
            "Use",
            "App and API",
            "Outages at month end frustrate heavy users.",
            "Managed platform with a 99.9 % SLA.",
        ),
        (
            "Get help",
            "Service desk",
            "Answers depend on which agent you reach.",
            "One knowledge base shared with the partner.",
        ),
    ],
    PartnerKind.MANUFACTURER: [
        (
            "Order",
            "Sales team",
            "Lead times quoted are rarely met.",
            "Reserved capacity at the partner's plant.",
        ),
        (
            "Wait",
            "Order tracking",
            "No visibility once the order is placed.",
            "Shared production schedule.",
        ),
        ("Receive", "Delivery", "Late and partial deliveries.", "Second source closes the gaps."),
        (
            "Use",
            "In the field",
            "Defects force recalls.",
            "Partner's precision process halves defects.",
        ),
    ],
    PartnerKind.CONSULTANCY: [
        (
            "Request",
            "Internal portal",
            "Nobody knows who owns a request.",
            "Clear ownership in the new operating model.",
        ),
        (
            "Approve",
            "Approval chain",
            "Five sign-offs for routine spend.",
            "Two sign-offs with clear thresholds.",
        ),
        (
            "Deliver",
            "Shared services",
            "Work is redone between teams.",
            "One process, measured weekly.",
        ),
        ("Report", "Month-end close", "Books close on day nine.", "Books close on day five."),
    ],
    PartnerKind.CHANNEL: [
        (
            "Find us",
            "Partner's stores",
            "We are not present in the region.",
            "Shelf space in 300 partner stores.",
        ),
        (
            "Buy",
            "Point of sale",
            "Import duties make us expensive.",
            "Local distribution removes duties.",
        ),
        ("Set up", "Partner's installers", "No local installers.", "Partner-trained installers."),
        (
            "Renew",
            "Partner's account team",
            "Customers churn without local contact.",
            "Partner account managers own renewals.",
        ),
    ],
    PartnerKind.OTHER: [
        (
            "Research",
            "Joint lab",
            "We lack specialist equipment.",
            "Access to the institute's lab.",
        ),
        ("Prototype", "Pilot line", "One prototype cycle a year.", "Two cycles a year."),
        ("Launch", "Product team", "Results stay in papers.", "Licensing path agreed upfront."),
    ],
}
