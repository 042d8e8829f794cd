"""A version number of the desk's data, so that costly summaries can be cached until it changes.

Every state change is audited (core.audit.audit_record), and the audit bumps the
version once its transaction commits. A summary cached under (name, person,
version) is therefore never older than the last audited change; the TTL bounds
what the version cannot see: time passing (a deal becoming stalled) and edits
made outside the services, such as renaming a department in the admin.

The cache is Redis when REDIS_URL is set (shared by every web process) and
process memory otherwise. A cache that is down only costs speed: every helper
here falls back to computing the value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.utils import timezone

log = logging.getLogger(__name__)
T = TypeVar("T")

VERSION_KEY = "data-version"
SUMMARY_TTL = 60  # seconds


def bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # first change since the cache started
        cache.add(VERSION_KEY, 1, timeout=None)
    except Exception:  # cache unreachable: summaries expire by TTL instead
        log.warning("Could not bump the data version", exc_info=True)


def cached(name: str, user, compute: Callable[[], T]) -> T:
    """compute() for this person, reused until the data changes or the TTL runs out."""
    try:
        version = cache.get_or_set(VERSION_KEY, 0, timeout=None)
        # Summaries print dates and times in the reader's zone: one copy per zone.
        key = f"{name}:{user.pk}:{timezone.get_current_timezone_name()}:{version}"
        hit = cache.get(key)
    except Exception:
        log.warning("Cache unreachable; computing %s directly", name, exc_info=True)
        return compute()
    if hit is not None:
        return hit
    value = compute()
    try:
        cache.set(key, value, timeout=SUMMARY_TTL)
    except Exception:
        log.warning("Could not cache %s", name, exc_info=True)
    return value
