"""Notification and DigestPreference moved from stakeholders to notifications without
copying a row: a database made before the move keeps its rows and their permissions.

Runs on whichever database the suite runs on (SQLite, or PostgreSQL in CI).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from notifications.models import DigestPreference, Notification
from stakeholders.models import Role

# The state the base commit left: both models in stakeholders, no notifications app.
BEFORE_THE_MOVE = [("stakeholders", "0005_review_open_inbox_partial_idx"), ("notifications", None)]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    """Migrate the test database to `targets`; the historical models there."""
    state = MigrationExecutor(connection).migrate(targets)
    ContentType.objects.clear_cache()
    return state.apps


def test_rows_and_permissions_made_before_the_move_are_there_after_it():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    administrators = Group.objects.get(name=Role.ADMINISTRATOR)
    held = set(
        administrators.permissions.filter(content_type__app_label="notifications").values_list(
            "pk", flat=True
        )
    )
    assert len(held) == 8  # add, change, delete, view of both models
    content_types = dict(
        ContentType.objects.filter(app_label="notifications").values_list("model", "pk")
    )

    old = migrate(BEFORE_THE_MOVE)
    with pytest.raises(LookupError):  # really before the move
        old.get_model("notifications", "Notification")
    assert (
        dict(
            old.get_model("contenttypes", "ContentType")
            .objects.filter(app_label="stakeholders", model__in=content_types)
            .values_list("model", "pk")
        )
        == content_types
    )
    user = old.get_model("stakeholders", "User").objects.create(
        email="old@example.test", password="!"
    )
    sent_at = timezone.now() - dt.timedelta(days=1)
    old_notification = old.get_model("stakeholders", "Notification").objects.create(
        recipient=user,
        kind="digest",
        key=f"digest:{user.pk}:2025-W10",
        payload={"period": "2025-W10"},
        attempts=2,
        sent_at=sent_at,
    )
    old.get_model("stakeholders", "Notification").objects.create(
        recipient=user, kind="reminder", key=f"reminder:{user.pk}:2025-03-03"
    )
    old.get_model("stakeholders", "DigestPreference").objects.create(
        user=user, subscribed=False, weekday=3
    )

    migrate(latest)

    assert Notification.objects.filter(recipient_id=user.pk).count() == 2
    notification = Notification.objects.get(pk=old_notification.pk)
    assert (notification.key, notification.kind, notification.payload) == (
        f"digest:{user.pk}:2025-W10",
        "digest",
        {"period": "2025-W10"},
    )
    assert (notification.attempts, notification.sent_at) == (2, sent_at)
    preference = DigestPreference.objects.get(user_id=user.pk)
    assert (preference.subscribed, preference.weekday) == (False, 3)
    # The same content types, relabelled: permissions and who holds them stay.
    assert (
        dict(ContentType.objects.filter(app_label="notifications").values_list("model", "pk"))
        == content_types
    )
    assert not ContentType.objects.filter(
        app_label="stakeholders", model__in=content_types
    ).exists()
    assert (
        set(
            administrators.permissions.filter(content_type__app_label="notifications").values_list(
                "pk", flat=True
            )
        )
        == held
    )
    assert Permission.objects.filter(codename="view_notification").count() == 1
