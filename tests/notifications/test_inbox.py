"""The notifications page, its unread badge, and the choice per kind on the settings page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import AuditAction, AuditEvent
from notifications.models import (
    EVENT_KINDS,
    Channel,
    DigestPreference,
    Notification,
    NotificationKind,
)

pytestmark = pytest.mark.django_db


def notify(user, n: int, *, text: str = "Ada asked Legal to review Cloud migration") -> list:
    return [
        Notification.objects.create(
            recipient=user,
            kind=NotificationKind.REVIEW_REQUESTED,
            key=f"event:test-{user.pk}-{i}",
            payload={"text": f"{text} #{i}", "url": f"/reviews/{i}/", "detail": ""},
            in_app=True,
        )
        for i in range(n)
    ]


def badge(response) -> str:
    html = response.content.decode()
    start = html.index('id="unread-badge"')
    inner = html.index("</span>", start) + len("</span>")
    return html[start : html.index("</span>", inner) + len("</span>")]


def test_the_list_shows_my_notifications_newest_first_with_links_and_not_others(
    client_for, personas
):
    notify(personas.owner, 2)
    notify(personas.legal, 1, text="Not yours")
    Notification.objects.create(
        recipient=personas.owner, kind=NotificationKind.DIGEST, key="digest:x", payload={}
    )

    html = client_for(personas.owner).get("/notifications/").content.decode()

    assert html.index("review Cloud migration #1") < html.index("review Cloud migration #0")
    assert 'href="/reviews/1/"' in html
    assert "Not yours" not in html
    assert html.count('class="notification unread"') == 2  # the digest is mail, not listed


def test_the_list_is_paginated(client_for, personas):
    notify(personas.owner, 25)
    client = client_for(personas.owner)

    first = client.get("/notifications/").content.decode()
    second = client.get("/notifications/", {"page": 2}).content.decode()

    assert first.count('class="notification unread"') == 20
    assert second.count('class="notification unread"') == 5
    assert "Page 2 of 2" in second


def test_the_badge_counts_my_unread_notifications_on_every_page(client_for, personas):
    notify(personas.legal, 3)
    client = client_for(personas.legal)

    assert ">3</span>" in badge(client.get("/"))
    assert ">3</span>" in badge(client.get("/reviews/"))
    Notification.objects.update(read_at="2026-01-01T00:00:00Z")
    assert "hidden" in badge(client.get("/"))


def test_on_a_get_the_badge_s_count_comes_with_the_user(personas):
    """Read in the user's own query (config.auth), not one of its own; a session logged
    in through the backend before it still gets its count, by a query."""
    notify(personas.legal, 3)
    Notification.objects.create(  # read already, or not shown in the app: not counted
        recipient=personas.legal,
        kind=NotificationKind.REVIEW_REQUESTED,
        key="k-read",
        in_app=True,
        read_at="2026-01-01T00:00:00Z",
    )
    Notification.objects.create(
        recipient=personas.legal, kind=NotificationKind.REVIEW_REQUESTED, key="k-mail"
    )
    notify(personas.owner, 2)  # someone else's
    for backend, own_query in (
        ("config.auth.UserBackend", False),
        ("stakeholders.backends.UserBackend", True),
    ):
        client = Client()
        client.force_login(personas.legal, backend=backend)
        with CaptureQueriesContext(connection) as queries:
            html = badge(client.get("/reviews/"))
        assert ">3</span>" in html, backend
        counts = [q for q in queries if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM')]
        assert bool([q for q in counts if "stakeholders_notification" in q["sql"]]) == own_query


def test_marking_one_read_with_htmx_returns_the_item_and_the_badge_out_of_band(
    client_for, personas
):
    first, second = notify(personas.legal, 2)
    client = client_for(personas.legal)

    response = client.post(f"/notifications/{first.pk}/read/", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert f'id="notification-{first.pk}" class="notification"' in html
    assert 'hx-swap-oob="true"' in badge(response) and ">1</span>" in badge(response)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_mark_all_read_without_htmx_redirects_back_to_the_list(client_for, personas):
    notify(personas.legal, 3)
    mine_elsewhere = notify(personas.owner, 1)[0]
    client = client_for(personas.legal)

    response = client.post("/notifications/read/")

    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert not Notification.objects.filter(recipient=personas.legal, read_at=None).exists()
    mine_elsewhere.refresh_from_db()
    assert mine_elsewhere.read_at is None
    assert "hidden" in badge(client.get("/notifications/"))


def test_nobody_marks_someone_elses_notification_and_a_get_changes_nothing(client_for, personas):
    theirs = notify(personas.owner, 1)[0]
    client = client_for(personas.legal)

    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert client.get(f"/notifications/{theirs.pk}/read/").status_code == 405
    assert client.get("/notifications/read/").status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_the_csrf_token(personas):
    mine = notify(personas.legal, 1)[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.legal)

    assert client.post(f"/notifications/{mine.pk}/read/").status_code == 403
    mine.refresh_from_db()
    assert mine.read_at is None


@pytest.mark.parametrize("unread", [1, 30])
def test_the_badge_costs_one_query_whatever_the_number_of_notifications(
    client_for, personas, unread
):
    notify(personas.legal, unread)
    client = client_for(personas.legal)
    for url in ("/", "/reviews/", "/settings/notifications/", "/partnerships/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        badge_queries = [
            q["sql"]
            for q in queries.captured_queries
            if "COUNT(" in q["sql"] and "stakeholders_notification" in q["sql"]
        ]
        assert len(badge_queries) == 1, (url, badge_queries)


@pytest.mark.parametrize("count", [1, 30])
def test_the_notifications_page_runs_a_fixed_number_of_queries(
    client_for, personas, django_assert_max_num_queries, count
):
    notify(personas.legal, count)
    client = client_for(personas.legal)
    with django_assert_max_num_queries(8):
        assert client.get("/notifications/").status_code == 200


def test_the_settings_page_saves_a_channel_per_kind_and_audits_it(client_for, personas):
    client = client_for(personas.legal)
    page = client.get("/settings/notifications/").content.decode()
    assert "A review is requested from my department" in page
    data = {"form": "events", **dict.fromkeys(EVENT_KINDS, Channel.EMAIL)}
    data["mention"] = Channel.OFF
    data["rereview"] = Channel.APP

    response = client.post("/settings/notifications/", data)

    assert response.status_code == 302
    preference = DigestPreference.objects.get(user=personas.legal)
    assert preference.event_channels == {"mention": "off", "rereview": "app"}
    assert preference.subscribed  # the digest settings are left as they were
    assert AuditEvent.objects.filter(
        action=AuditAction.EVENT_SETTINGS, actor=personas.legal
    ).exists()
    again = client.get("/settings/notifications/").content.decode()
    assert '<option value="off" selected>' in again


def test_a_wrong_channel_is_refused_with_the_form_shown_again(client_for, personas):
    client = client_for(personas.legal)

    response = client.post("/settings/notifications/", {"form": "events", "mention": "fax"})

    assert response.status_code == 422
    assert not DigestPreference.objects.filter(user=personas.legal).exists()
