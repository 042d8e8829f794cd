"""{{ event|sentence }}: an audit event in plain words (deals.activity)."""

from __future__ import annotations

from django import template

from core.models import AuditEvent
from deals import activity

register = template.Library()


@register.filter
def sentence(event: AuditEvent) -> str:
    return activity.sentence(event)
