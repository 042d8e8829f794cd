"""The digest's line for a department whose clause playbook nobody reviewed for 12 months:
told to its members each week until its lead confirms or revises it. No query: the
readers' memberships come with their department's playbook (digest_sections.readers)."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone

from core.emails import absolute
from playbooks.selectors import STALE_AFTER
from stakeholders.models import User


def stale_playbook_sections(users: list[User]) -> dict[int, list[dict]]:
    """Each reader's departments' playbooks not reviewed for 12 months."""
    cutoff = timezone.now() - STALE_AFTER
    found: dict[int, list[dict]] = {}
    for user in users:
        items = []
        for membership in user.memberships.all():
            try:
                playbook = membership.department.playbook
            except ObjectDoesNotExist:
                continue
            if playbook.reviewed_at < cutoff:
                url = absolute(reverse("playbook_detail", args=[playbook.pk]))
                items.append({"playbook": playbook, "url": url})
        if items:
            found[user.pk] = items
    return found
