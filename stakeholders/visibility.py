"""Who may see what changed: refresh every cached summary (core.freshness, scope ALL).

Visibility comes from roles (groups, superuser), department memberships, deal owners
and sponsors, confidentiality and session invitations. Services audit most of these,
but the admin and the shell change them too, unaudited: these signals bump the version
every cached summary depends on, once the change commits, so that nobody is served a
summary composed for the access they had before. Conservative on purpose: such
changes are rare, and a stale view of what one may see is the one staleness not allowed.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from core.freshness import ALL, DEALS, REVIEWS, bump, deal_scope
from deals.models import Deal

from .models import Membership, Review, User, WorkingSession


def _everything(**kwargs) -> None:
    transaction.on_commit(lambda: bump(ALL))


def _user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    # A log-in only stamps last_login: no change of access.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    _everything()


def _deal_saved(sender, instance, **kwargs) -> None:
    # Owner, sponsor or confidentiality may have changed outside the services: every list.
    scopes = (DEALS, deal_scope(instance.pk))
    transaction.on_commit(lambda: bump(*scopes))


def _deal_deleted(sender, instance, **kwargs) -> None:
    scopes = (DEALS, REVIEWS, deal_scope(instance.pk))  # its reviews go with it
    transaction.on_commit(lambda: bump(*scopes))


def _review_changed(sender, instance, **kwargs) -> None:
    # A department's review makes the deal visible to its members: a review reassigned or
    # removed outside the services (the admin) changes who sees it.
    scopes = (DEALS, REVIEWS, deal_scope(instance.deal_id))
    transaction.on_commit(lambda: bump(*scopes))


def connect() -> None:
    post_save.connect(_everything, sender=Membership, dispatch_uid="visibility.membership")
    post_delete.connect(_everything, sender=Membership, dispatch_uid="visibility.membership-del")
    post_save.connect(_user_saved, sender=User, dispatch_uid="visibility.user")
    post_delete.connect(_everything, sender=User, dispatch_uid="visibility.user-del")
    m2m_changed.connect(_everything, sender=User.groups.through, dispatch_uid="visibility.groups")
    m2m_changed.connect(
        _everything, sender=WorkingSession.invitees.through, dispatch_uid="visibility.invitees"
    )
    # Deleting a session drops its invitees without m2m_changed.
    post_delete.connect(_everything, sender=WorkingSession, dispatch_uid="visibility.session-del")
    post_save.connect(_review_changed, sender=Review, dispatch_uid="visibility.review")
    post_delete.connect(_review_changed, sender=Review, dispatch_uid="visibility.review-del")
    post_save.connect(_deal_saved, sender=Deal, dispatch_uid="visibility.deal")
    post_delete.connect(_deal_deleted, sender=Deal, dispatch_uid="visibility.deal-del")
