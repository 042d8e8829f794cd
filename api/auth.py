"""Bearer keys and the per-key rate limit.

The key acts as its owner: every read and write below goes through the same selectors,
Rules and services as the pages do for that person.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from .keys import key_for, note_use
from .models import ApiKey
from .problems import Problem


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def check_rate(key: ApiKey) -> None:
    """A counter per key and minute in the configured cache (Redis in production, so
    every web process counts together); over the limit, 429 until the minute ends."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    now = time.time()
    minute = int(now // 60)
    name = f"api-rate:{key.pk}:{minute}"
    cache.add(name, 0, timeout=90)
    try:
        count = cache.incr(name)
    except ValueError:  # evicted between add and incr
        cache.set(name, 1, timeout=90)
        count = 1
    if count > limit:
        retry_after = max(1, int(60 - now % 60))
        raise Problem(
            429,
            f"At most {limit} requests a minute per key; try again in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )


class ApiKeyAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        key = key_for(token.strip())
        if key is None:
            return None  # ninja answers 401 (api.problems: AuthenticationError)
        state = key.state(timezone.now())
        if state != "active" or not key.owner.is_active:
            raise Problem(
                401,
                f"This API key is {state if state != 'active' else 'of an inactive user'}.",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        check_rate(key)
        note_use(key, _client_ip(request))
        request.user = key.owner
        return key


def require_write(request: HttpRequest) -> None:
    """A write needs a key with the write scope: 403 for a read key."""
    if not request.auth.is_write:
        raise Problem(403, "This API key may only read: create a key with the write scope.")
