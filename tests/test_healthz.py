import pytest

pytestmark = pytest.mark.django_db


def test_healthz_needs_no_login_and_reports_the_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"].startswith("ok")


def test_healthz_checks_a_real_broker_when_one_is_configured(client, settings, redis_url):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    response = client.get("/healthz")
    assert response.json()["broker"] == "ok", response.json()
    assert response.status_code == 200


def test_healthz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["broker"].startswith("error")
    assert response.json()["database"] == "ok"


def test_the_favicon_is_served_and_every_page_says_noindex(client, personas):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
    client.force_login(personas.owner)
    page = client.get("/")
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    html = page.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert 'rel="icon"' in html
