"""Redis down: pages keep working, and work that needs a worker is kept, not lost."""

import pytest
from django.urls import reverse

from config.celery import app
from deals.models import BriefingPack

pytestmark = pytest.mark.django_db(transaction=True)

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_down(settings):
    """Point Celery at a broker that refuses connections, as when Redis has stopped."""
    saved = (app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = DEAD_BROKER
    app.conf.broker_url = DEAD_BROKER
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    yield
    if app._pool is not None:
        app._pool.force_close_all()
    app.conf.broker_url, app.conf.task_always_eager, app._pool, app.amqp._producer_pool = saved


def test_pages_keep_working_while_redis_is_down(client_for, personas, deal, redis_down):
    client = client_for(personas.owner)
    for url in ("/", deal.get_absolute_url(), "/reviews/", "/partners/"):
        assert client.get(url).status_code == 200, url
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["broker"].startswith("error")


def test_a_briefing_pack_asked_for_while_redis_is_down_is_kept_queued(
    client_for, personas, deal, redis_down
):
    response = client_for(personas.owner).post(reverse("deal_briefing", args=[deal.pk]))
    assert response.status_code in (200, 302)
    pack = BriefingPack.objects.get(deal=deal)
    assert pack.status == "queued"  # recorded: a retry or the next request picks it up


def test_a_session_scheduled_while_redis_is_down_is_saved_and_its_invitations_wait(
    client_for, personas, deal, redis_down
):
    import datetime as dt

    from django.utils import timezone

    from notifications.models import Notification
    from stakeholders.models import WorkingSession
    from tests.factories import department

    starts = timezone.localtime() + dt.timedelta(days=3)
    response = client_for(personas.owner).post(
        reverse("session_create", args=[deal.pk]),
        {
            "title": "Liability cap",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "60",
            "agenda": "The cap.",
            "departments": [department("legal").pk],
            "invitees": [personas.legal.pk],
        },
    )
    assert response.status_code == 302  # not a 500 that invites a duplicate resubmit
    session = WorkingSession.objects.get(deal=deal)
    waiting = Notification.objects.filter(kind="invitation", recipient=personas.legal)
    assert waiting.filter(sent_at__isnull=True).count() == 1, session  # for the sweep
