"""The demo playbooks' content: clause types and their positions by department, with
realistic wording, bounds, rationale and approvers (demo.playbooks writes them)."""

from __future__ import annotations

from playbooks.models import ApproverRole, ClauseKind, DataHandled, Tier

REVIEWER, LEAD, SPONSOR = ApproverRole.REVIEWER, ApproverRole.LEAD, ApproverRole.SPONSOR
CAP = {"base": "fees_12_months", "carve_outs": ["data breaches"]}

# department slug: [(slug, name, term category, kind, [(tier, rank, wording, bounds,
# rationale, approver, extra fields)…])…]
PLAYBOOKS = {
    "legal": [
        (
            "liability-cap",
            "Liability cap",
            "liability_cap",
            ClauseKind.CAP,
            [
                (
                    Tier.STANDARD,
                    0,
                    "Each party's total liability is capped at 100% of the fees "
                    "paid in the 12 months before the claim; the cap does not apply to data breaches "
                    "or wilful misconduct.",
                    {**CAP, "min_multiple": "1"},
                    "Our insurers price the cover on one year of fees; data breaches are uninsurable "
                    "for us at any lower figure.",
                    "",
                    {"required": True},
                ),
                (
                    Tier.FALLBACK,
                    1,
                    "Each party's total liability is capped at 75% of the fees paid "
                    "in the 12 months before the claim, except for data breaches.",
                    {**CAP, "min_multiple": "0.75"},
                    "Acceptable for low-risk suppliers.",
                    REVIEWER,
                    {},
                ),
                (
                    Tier.FALLBACK,
                    2,
                    "Each party's total liability is capped at 50% of the fees paid "
                    "in the 12 months before the claim, except for data breaches.",
                    {**CAP, "min_multiple": "0.5"},
                    "Only with a strategic reason on record.",
                    LEAD,
                    {},
                ),
                (
                    Tier.WALK_AWAY,
                    9,
                    "A cap below 25% of a year's fees.",
                    {"max_multiple": "0.25"},
                    "Below this a single incident costs more than the deal is worth.",
                    SPONSOR,
                    {},
                ),
            ],
        ),
        (
            "governing-law",
            "Governing law",
            "other",
            ClauseKind.GOVERNING_LAW,
            [
                (
                    Tier.STANDARD,
                    0,
                    "This agreement is governed by the laws of England and Wales.",
                    {"laws": ["England and Wales"]},
                    "Our counsel and courts of choice.",
                    "",
                    {},
                ),
                (
                    Tier.FALLBACK,
                    1,
                    "This agreement is governed by the laws of Ireland.",
                    {"laws": ["Ireland", "the Netherlands", "Germany"]},
                    "Common EU seats our panel firms cover.",
                    REVIEWER,
                    {},
                ),
            ],
        ),
        (
            "termination-convenience",
            "Termination for convenience",
            "termination",
            ClauseKind.NOTICE_DAYS,
            [
                (
                    Tier.STANDARD,
                    0,
                    "Either party may terminate on 90 days' written notice after "
                    "the first 12 months.",
                    {"max_days": 90},
                    "We keep a way out within a quarter.",
                    "",
                    {},
                ),
                (
                    Tier.FALLBACK,
                    1,
                    "Either party may terminate on 180 days' written notice.",
                    {"max_days": 180},
                    "For suppliers who invest up front.",
                    LEAD,
                    {},
                ),
                (
                    Tier.WALK_AWAY,
                    9,
                    "No termination for convenience, or more than a year's notice.",
                    {"min_days": 365},
                    "We never lock ourselves in for more than a year.",
                    SPONSOR,
                    {},
                ),
            ],
        ),
        (
            "renewal-notice",
            "Notice period to stop a renewal",
            "other",
            ClauseKind.NOTICE_DAYS,
            [
                (
                    Tier.STANDARD,
                    0,
                    "Either party may stop a renewal by notice at least 30 days "
                    "before the end of the term.",
                    {"max_days": 60},
                    "Time enough to decide.",
                    "",
                    {},
                ),
                (
                    Tier.FALLBACK,
                    1,
                    "Notice at least 90 days before the end of the term.",
                    {"max_days": 90},
                    "Common in software subscriptions.",
                    REVIEWER,
                    {},
                ),
            ],
        ),
        (
            "ip-ownership",
            "IP ownership",
            "ip",
            ClauseKind.TEXT,
            [
                (
                    Tier.STANDARD,
                    0,
                    "Each party keeps its background IP; jointly developed IP is "
                    "owned by us with a licence back.",
                    {},
                    "What we pay to build is ours.",
                    "",
                    {},
                ),
                (
                    Tier.FALLBACK,
                    1,
                    "Each party keeps its background IP; jointly developed IP is "
                    "owned jointly, each free to use it.",
                    {},
                    "For true co-development.",
                    LEAD,
                    {},
                ),
                (
                    Tier.WALK_AWAY,
                    9,
                    "The partner owns IP developed with our data.",
                    {},
                    "Our data is never the price of a deal.",
                    SPONSOR,
                    {},
                ),
            ],
        ),
        (
            "exclusivity",
            "Exclusivity",
            "other",
            ClauseKind.TEXT,
            [
                (
                    Tier.STANDARD,
                    0,
                    "Nothing in this agreement restricts either party from working with others.",
                    {},
                    "We keep our options open.",
                    "",
                    {},
                ),
                (
                    Tier.FALLBACK,
                    1,
                    "Exclusivity in one named market for at most 12 months.",
                    {},
                    "A launch partner may earn a head start.",
                    LEAD,
                    {},
                ),
            ],
        ),
        (
            "change-of-control",
            "Change of control",
            "other",
            ClauseKind.TEXT,
            [
                (
                    Tier.STANDARD,
                    0,
                    "We may terminate without cost if the partner comes under the "
                    "control of a competitor.",
                    {},
                    "We do not end up supplied by a competitor.",
                    "",
                    {},
                ),
            ],
        ),
    ],
    "procurement": [
        (
            "payment-terms",
            "Payment terms",
            "payment",
            ClauseKind.PAYMENT_DAYS,
            [
                (
                    Tier.STANDARD,
                    0,
                    "Invoices payable 30 days from receipt; no advance payments.",
                    {"max_days": 30},
                    "Our payment run is monthly.",
                    "",
                    {},
                ),
                (
                    Tier.FALLBACK,
                    1,
                    "Invoices payable 45 days from receipt; no advance payments.",
                    {"max_days": 45},
                    "Accepted for strategic suppliers.",
                    REVIEWER,
                    {},
                ),
                (
                    Tier.FALLBACK,
                    2,
                    "Invoices payable 60 days from receipt.",
                    {"max_days": 60},
                    "Cash-flow cost approved by Treasury.",
                    LEAD,
                    {},
                ),
                (
                    Tier.WALK_AWAY,
                    9,
                    "Payment more than 120 days from receipt.",
                    {"min_days": 120},
                    "Breaks our supplier-payment code.",
                    SPONSOR,
                    {},
                ),
            ],
        ),
        (
            "price-indexation",
            "Price indexation",
            "price",
            ClauseKind.TEXT,
            [
                (
                    Tier.STANDARD,
                    0,
                    "Fixed for the first two years, then indexed to CPI capped at 3 %.",
                    {},
                    "Budgets are set two years ahead.",
                    "",
                    {},
                ),
                (
                    Tier.FALLBACK,
                    1,
                    "Fixed for the first year, then indexed to CPI capped at 5 %.",
                    {},
                    "In high-inflation markets.",
                    REVIEWER,
                    {},
                ),
                (Tier.WALK_AWAY, 9, "Uncapped indexation.", {}, "Unbudgetable.", SPONSOR, {}),
            ],
        ),
        (
            "audit-rights",
            "Audit rights",
            "other",
            ClauseKind.TEXT,
            [
                (
                    Tier.STANDARD,
                    0,
                    "We may audit the partner's compliance once a year on 30 days' notice.",
                    {},
                    "Regulators expect it of our outsourcing.",
                    "",
                    {},
                ),
            ],
        ),
    ],
    "it": [
        (
            "service-levels",
            "Service levels and credits",
            "sla",
            ClauseKind.TEXT,
            [
                (
                    Tier.STANDARD,
                    0,
                    "99.9 % monthly availability; service credits of 5 % of the "
                    "monthly fee per 0.1 % below.",
                    {},
                    "Customer-facing services need three nines.",
                    "",
                    {},
                ),
                (
                    Tier.FALLBACK,
                    1,
                    "99.5 % monthly availability; service credits of 5 % of the "
                    "monthly fee per 0.5 % below, capped at 25 %.",
                    {},
                    "Internal tools only.",
                    REVIEWER,
                    {},
                ),
                (
                    Tier.WALK_AWAY,
                    9,
                    "No service levels or no service credits.",
                    {},
                    "Without credits an SLA is a wish.",
                    SPONSOR,
                    {},
                ),
            ],
        ),
    ],
    "security": [
        (
            "data-protection",
            "Data protection",
            "data_protection",
            ClauseKind.TEXT,
            [
                (
                    Tier.STANDARD,
                    0,
                    "Partner processes personal data only on our instructions, "
                    "within the EEA, under the attached DPA.",
                    {},
                    "GDPR without transfer assessments.",
                    "",
                    {"required": True, "data_handled": DataHandled.CUSTOMER_DATA},
                ),
                (
                    Tier.FALLBACK,
                    1,
                    "Partner processes personal data on our instructions under the "
                    "attached DPA; transfers outside the EEA only under standard contractual clauses "
                    "and a transfer impact assessment.",
                    {},
                    "Needs our DPO's sign-off.",
                    LEAD,
                    {"data_handled": DataHandled.CUSTOMER_DATA},
                ),
                (
                    Tier.WALK_AWAY,
                    9,
                    "Processing in a country with neither adequacy nor SCCs.",
                    {},
                    "Unlawful for us.",
                    SPONSOR,
                    {"data_handled": DataHandled.CUSTOMER_DATA},
                ),
            ],
        ),
        (
            "incident-notice",
            "Security incident notice",
            "other",
            ClauseKind.NOTICE_DAYS,
            [
                (
                    Tier.STANDARD,
                    0,
                    "The partner tells us of a security incident within 24 hours.",
                    {"max_days": 1},
                    "We have 72 hours to tell the regulator.",
                    "",
                    {},
                ),
                (
                    Tier.FALLBACK,
                    1,
                    "Within 48 hours.",
                    {"max_days": 2},
                    "Leaves a day for our own assessment.",
                    LEAD,
                    {},
                ),
            ],
        ),
    ],
}
TITLES = {"legal": "Legal", "procurement": "Procurement", "it": "IT", "security": "Security"}
