"""The department a term's category suggests, for the term form (deals.forms)."""

from __future__ import annotations

from deals.models import Deal

from .models import Department
from .signoff import required_departments

# Who reviews a term of each category, in order of preference (department slugs, as in
# stakeholders.roles DEFAULT_DEPARTMENTS): the first that must sign off this deal,
# else the first there is. Data protection goes to Security where Security reviews the
# deal (customer data, a large value), else to Legal.
TERM_REVIEWERS = {
    "price": ("procurement", "finance"),
    "payment": ("procurement", "finance"),
    "liability_cap": ("legal",),
    "sla": ("it",),
    "data_protection": ("security", "legal"),
    "ip": ("legal",),
    "termination": ("legal",),
}


def suggested_department(deal: Deal, category: str) -> Department | None:
    """The department that should review a term of `category` on this deal, if any."""
    slugs = TERM_REVIEWERS.get(category, ())
    if not slugs:
        return None
    required = {department.slug: department for department in required_departments(deal)}
    for slug in slugs:
        if slug in required:
            return required[slug]
    existing = {d.slug: d for d in Department.objects.filter(slug__in=slugs)}
    return next((existing[slug] for slug in slugs if slug in existing), None)
