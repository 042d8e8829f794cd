"""Demo partners: strategic goals, partners and their partnerships, with goal links.

Deterministic (seeded random) and idempotent: goals, partners and partnerships
are looked up before they are created.
"""

from __future__ import annotations

import random

from partnerships.models import (
    Partner,
    PartnerKind,
    Partnership,
    PartnershipGoal,
    RiskTier,
    StrategicGoal,
)
from stakeholders.models import User

GOALS = [
    (
        "Digital transformation",
        "Move core customer and back-office processes onto modern platforms.",
    ),
    ("Global expansion", "Enter three new regions by 2028 with local partners."),
    ("Innovation", "Bring new products to market faster through partners' technology."),
    ("Customer experience", "Raise NPS by 15 points by removing friction in the journey."),
    ("Cost leadership", "Cut the cost to serve by 10 % without cutting service."),
    ("Sustainability", "Halve supply-chain emissions by 2030."),
]

PARTNERS = [
    ("Northwind Cloud", PartnerKind.TECHNOLOGY, "Ireland", RiskTier.LOW),
    ("Helix Analytics", PartnerKind.TECHNOLOGY, "Germany", RiskTier.MEDIUM),
    ("Quanta Security", PartnerKind.TECHNOLOGY, "Israel", RiskTier.MEDIUM),
    ("Brightpath Payments", PartnerKind.TECHNOLOGY, "Netherlands", RiskTier.HIGH),
    ("Atlas Components", PartnerKind.MANUFACTURER, "Poland", RiskTier.MEDIUM),
    ("Kestrel Precision", PartnerKind.MANUFACTURER, "Japan", RiskTier.LOW),
    ("Verdant Packaging", PartnerKind.MANUFACTURER, "Portugal", RiskTier.LOW),
    ("Orion Electronics", PartnerKind.MANUFACTURER, "Taiwan", RiskTier.HIGH),
    ("Meridian Advisory", PartnerKind.CONSULTANCY, "United Kingdom", RiskTier.LOW),
    ("Cobalt Strategy Partners", PartnerKind.CONSULTANCY, "United States", RiskTier.MEDIUM),
    ("Lumen Change Consulting", PartnerKind.CONSULTANCY, "France", RiskTier.LOW),
    ("Harbor Retail Group", PartnerKind.CHANNEL, "Canada", RiskTier.MEDIUM),
    ("Sahara Distribution", PartnerKind.CHANNEL, "United Arab Emirates", RiskTier.HIGH),
    ("Pacifica Telecom", PartnerKind.CHANNEL, "Australia", RiskTier.MEDIUM),
    ("Fjord Research Institute", PartnerKind.OTHER, "Norway", RiskTier.LOW),
]

# Per partner kind: partnership titles and deal themes that read like real work.
THEMES: dict[str, dict[str, list[str]]] = {
    PartnerKind.TECHNOLOGY: {
        "partnerships": ["Cloud platform alliance", "Data and AI partnership"],
        "deals": [
            "Customer data platform rollout",
            "Managed Kubernetes migration",
            "Fraud detection API licence",
            "Analytics workbench enterprise licence",
            "Identity and access modernisation",
            "Real-time payments gateway",
        ],
    },
    PartnerKind.MANUFACTURER: {
        "partnerships": ["Strategic supply agreement", "Joint product development"],
        "deals": [
            "Sensor module co-development",
            "Second-source supply for controllers",
            "Recycled packaging supply",
            "Precision parts volume agreement",
            "Regional assembly line",
        ],
    },
    PartnerKind.CONSULTANCY: {
        "partnerships": ["Transformation programme", "Operating model advisory"],
        "deals": [
            "Finance operating model redesign",
            "Market entry study, South-East Asia",
            "Procurement excellence programme",
            "Change management for ERP go-live",
        ],
    },
    PartnerKind.CHANNEL: {
        "partnerships": ["Reseller partnership", "Distribution alliance"],
        "deals": [
            "Co-branded retail launch",
            "Gulf region distribution",
            "Bundled connectivity offer",
            "Marketplace listing and co-sell",
        ],
    },
    PartnerKind.OTHER: {
        "partnerships": ["Research collaboration"],
        "deals": ["Battery chemistry research programme", "Sustainability benchmark study"],
    },
}


def ensure_partners(people: dict[str, User]) -> list[Partnership]:
    owner = people["exec@demo.test"]
    goals = [
        StrategicGoal.objects.get_or_create(
            title=title, defaults={"description": description, "owner": owner}
        )[0]
        for title, description in GOALS
    ]
    sponsors = [people["exec@demo.test"], people["marcus.hale@demo.test"]]
    rng = random.Random(7)
    partnerships = []
    for index, (name, kind, country, risk) in enumerate(PARTNERS):
        slug = name.lower().replace(" ", "")
        partner, _ = Partner.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "country": country,
                "risk_tier": risk,
                "website": f"https://www.{slug}.example",
                "notes": f"{name} is a {PartnerKind(kind).label.lower()} based in {country}.",
            },
        )
        titles = THEMES[kind]["partnerships"]
        title = titles[index % len(titles)]
        partnership, created = Partnership.objects.get_or_create(
            partner=partner,
            title=title,
            defaults={
                "sponsor": sponsors[index % 3 == 2],
                "description": f"Our {title.lower()} with {name}.",
            },
        )
        if created:
            for goal in rng.sample(goals, 2):
                PartnershipGoal.objects.create(
                    partnership=partnership,
                    goal=goal,
                    fit_score=rng.randint(2, 5),
                    rationale=f"{name} helps us towards “{goal.title.lower()}”: "
                    f"{goal.description[0].lower()}{goal.description[1:]}",
                )
        partnerships.append(partnership)
    return partnerships
