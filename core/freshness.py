"""Version numbers of the desk's data, by scope, so that costly summaries can be cached
until what they show changes.

Every state change is audited (core.audit.audit_record), and the audit bumps, once its
transaction commits, the versions of the scopes the change touches (`scopes_of`):

- `deal:<id>`: anything about that deal (its reviews, terms, concerns, metrics…);
- `deals`: any change to any deal: every deal list and summary (the dashboard, its
  tiles, the digest preview, the goals page) depends on it. Non-confidential deals
  are seen by everyone, so a change to one must refresh everyone's lists;
- `reviews`: a review created, decided, reassigned or re-opened: the inbox counts;
- `user:<id>`: a person's own settings (digest and event preferences);
- `all`: a change the scopes above cannot place (a partner renamed, a deal-less event),
  and every change of who may see what (memberships, roles: stakeholders.signals bumps
  it). Every key depends on it, so `bump()` alone refreshes every cached summary.

A summary cached by `cached(name, person, compute, scopes)` is keyed by `all`, the
person's own scope and the versions of `scopes`: a change refreshes exactly the
summaries whose scopes it bumps, and the others stay cached: a change to deal A leaves
what is cached for deal B alone, a stage move leaves the inbox counts, one person's
settings leave everyone else's pages. The TTL bounds what the versions
cannot see: time passing (a deal becoming stalled) and edits made outside the services,
such as renaming a department in the admin.

The cache is Redis when REDIS_URL is set (shared by every web process) and process
memory otherwise. A cache that is down only costs speed: every helper here falls back to
computing the value.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.utils import timezone

log = logging.getLogger(__name__)
T = TypeVar("T")

SUMMARY_TTL = 60  # seconds
ALL = "all"
DEALS = "deals"
REVIEWS = "reviews"
# What a summary depends on when its caller names nothing: every deal the person sees.
LISTS = (DEALS,)
VERSION_KEY = "data-version"  # the version of ALL; kept under its old name


def deal_scope(deal_id) -> str:
    return f"deal:{deal_id}"


def user_scope(user_id) -> str:
    return f"user:{user_id}"


def _version_key(scope: str) -> str:
    return VERSION_KEY if scope == ALL else f"data-version:{scope}"


def bump(*scopes: str) -> None:
    """New versions for these scopes (every scope, through ALL, without any)."""
    for scope in dict.fromkeys(scopes or (ALL,)):
        key = _version_key(scope)
        try:
            cache.incr(key)
        except ValueError:  # first change of this scope since the cache started
            if not cache.add(key, 1, timeout=None):
                cache.incr(key)
        except Exception:  # cache unreachable: summaries expire by TTL instead
            log.warning("Could not bump the data version of %s", scope, exc_info=True)
            return


def scopes_of(*, deal_id, instance_label: str, object_id: str, actor_id) -> set[str]:
    """The scopes an audited change touches (see the module's docstring)."""
    if deal_id is None and instance_label == "deals.deal":
        deal_id = object_id
    if deal_id is not None:
        scopes = {DEALS, deal_scope(deal_id)}
        if instance_label == "stakeholders.review":
            scopes.add(REVIEWS)
        return scopes
    if instance_label == "notifications.digestpreference" and actor_id is not None:
        return {user_scope(actor_id)}
    return {ALL}


def versions(scopes: Iterable[str]) -> tuple[int, ...]:
    """The current versions of these scopes, in order (0 for one never bumped)."""
    keys = [_version_key(scope) for scope in scopes]
    found = cache.get_many(keys)
    return tuple(int(found.get(key, 0)) for key in keys)


def cached(name: str, user, compute: Callable[[], T], scopes: Iterable[str] = LISTS) -> T:
    """compute() for this person, reused until a change touches one of `scopes` (or the
    person's own settings, or anything through ALL), or the TTL runs out."""
    scopes = (ALL, user_scope(user.pk), *scopes)
    try:
        stamp = ".".join(map(str, versions(scopes)))
        # Summaries print dates and times in the reader's zone: one copy per zone.
        key = f"{name}:{user.pk}:{timezone.get_current_timezone_name()}:{stamp}"
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
