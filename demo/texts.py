"""What demo deals say: summaries, contract terms and concerns.

Shared by the hand-made portfolio (demo/deals.py) and the bulk deals (demo/bulk.py).
"""

SUMMARIES = [
    "Cuts onboarding time for new customers and removes two manual hand-offs that cause most "
    "complaints today.",
    "Gives us a second source for a critical component, so a single supplier failure no longer "
    "stops production.",
    "Opens a new region through a partner that already has the licences, customers and staff.",
    "Replaces three legacy tools with one platform and frees the team for customer work.",
    "Brings in expertise we do not have, for a fixed fee, with results measured quarterly.",
    "Lets us launch the new product a year earlier than building it ourselves would.",
]

# Terms as they read in real contracts: (category, title, wording, department).
TERMS = [
    (
        "price",
        "Annual fee",
        "EUR {fee:,} per year, fixed for the first two years, then indexed to CPI capped at 3 %.",
        "procurement",
    ),
    (
        "payment",
        "Payment terms",
        "Invoices payable 45 days from receipt; no advance payments.",
        "procurement",
    ),
    (
        "liability_cap",
        "Liability cap",
        "Each party's total liability is capped at 12 months of fees, except for data breaches and wilful misconduct.",
        "legal",
    ),
    (
        "sla",
        "Service levels",
        "99.9 % monthly availability; service credits of 5 % of the monthly fee per 0.1 % below.",
        "it",
    ),
    (
        "data_protection",
        "Data protection",
        "Partner processes personal data only on our instructions, within the EEA, under the attached DPA.",
        "legal",
    ),
    (
        "ip",
        "Intellectual property",
        "Each party keeps its background IP; jointly developed IP is owned by us with a licence back.",
        "legal",
    ),
    (
        "termination",
        "Termination for convenience",
        "Either party may terminate on 90 days' written notice after the first 12 months.",
        "legal",
    ),
    (
        "other",
        "Integration support",
        "Partner provides two engineers for the first 8 weeks of integration at no extra cost.",
        "it",
    ),
]

CONCERNS = [
    (
        "No exit plan for customer data",
        "If the partnership ends we have no agreed way to get our data back in a usable format.",
        "legal",
        "high",
        True,
    ),
    (
        "Single sign-on not supported",
        "The partner's platform lacks SAML SSO; our security baseline requires it.",
        "it",
        "medium",
        False,
    ),
    (
        "Price above benchmark",
        "The quoted fee is well above what we pay comparable suppliers.",
        "procurement",
        "medium",
        False,
    ),
    (
        "Key-person dependency",
        "Delivery depends on two named engineers at the partner.",
        "it",
        "low",
        False,
    ),
]
