from __future__ import annotations

import pytest
from django.core.cache import cache

from api.keys import api_key_create


@pytest.fixture(autouse=True)
def fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def key_for():
    """A raw key acting as `user`: key_for(personas.owner, scope="write")."""

    def make(user, scope: str = "write", **kwargs) -> str:
        _, raw = api_key_create(user=user, owner=user, name="Integration", scope=scope, **kwargs)
        return raw

    return make


@pytest.fixture
def api(client):
    """api(raw_key).get(path) / .post(path, json): the test client with the bearer key."""

    class Api:
        def __init__(self, raw: str):
            self.headers = {"Authorization": f"Bearer {raw}"}

        def get(self, path: str, **params):
            return client.get(f"/api/v1{path}", params, headers=self.headers)

        def post(self, path: str, data: dict):
            return client.post(
                f"/api/v1{path}", data, content_type="application/json", headers=self.headers
            )

    return Api
