"""A browser context already logged in: the session cookie of Django's test client."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext

from stakeholders.models import User


def context_for(
    browser: Browser, base_url: str, user: User | None, width: int = 1280
) -> BrowserContext:
    """A browser context logged in as `user` (None: anonymous), `width` px wide."""
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
        )
    return context
