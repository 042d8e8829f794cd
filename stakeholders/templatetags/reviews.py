"""{% open_reviews as n %}: how many reviews of my departments are open, for the navigation."""

from __future__ import annotations

from django import template

from stakeholders.selectors import open_review_count

register = template.Library()


@register.simple_tag(takes_context=True)
def open_reviews(context) -> int:
    """At most one query a page: the inbox's counts, cached until the data changes."""
    user = context["request"].user
    return open_review_count(user) if user.is_authenticated else 0
