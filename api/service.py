"""The API object: /api/v1/, bearer keys, problem details, and its OpenAPI document at
/api/v1/openapi.json (no docs page: Swagger UI would load from a CDN)."""

from __future__ import annotations

import functools
import re
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern
from django.views.decorators.http import require_safe
from ninja import NinjaAPI

from . import contracts, deals, problems, reviews, value
from .auth import ApiKeyAuth

PREFIX = "/api/v1/"


class DealDeskAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> dict:
        """Errors are documented as what they are: application/problem+json."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[problems.MEDIA_TYPE] = content.pop("application/json")
        return schema


api = DealDeskAPI(
    title="Deal Desk API",
    version="1",
    urls_namespace="api",
    auth=ApiKeyAuth(),
    docs_url=None,
    description=(
        "Deals, reviews, terms, concerns, outcome metrics, business cases and agreements, "
        "as the key's owner may see them. Errors are RFC 9457 problem details."
    ),
)
problems.install(api)
for module in (deals, reviews, value, contracts):
    api.add_router("", module.router)


@functools.cache
def _query_names() -> dict[tuple[str, str], frozenset[str]]:
    """(path, method) → the query parameters its document names (read once, lazily:
    the document needs the URLconf this module is part of)."""
    paths = api.get_openapi_schema(path_prefix=PREFIX)["paths"]
    return {
        (path, method.upper()): frozenset(
            p["name"] for p in operation.get("parameters", []) if p["in"] == "query"
        )
        for path, operations in paths.items()
        for method, operation in operations.items()
    }


def _refusing_unknown_query(view, path: str):
    """A parameter the document does not name is a mistake (a typo filters nothing):
    422, not silently ignored."""

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        known = _query_names().get((path, request.method))
        unknown = sorted(set(request.GET) - known) if known is not None else []
        if unknown:
            errors = [{"field": name, "detail": "Not a parameter here."} for name in unknown]
            return problems.problem(422, "The request has unknown parameters.", errors=errors)
        return view(request, *args, **kwargs)

    return checked


def urlpatterns() -> list:
    """The API's URLs: login-free for the site's login middleware (the key is the check)."""
    patterns, _, _ = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            path = PREFIX + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
            pattern.callback = login_not_required(_refusing_unknown_query(pattern.callback, path))
            if pattern.name == "openapi-json":
                pattern.callback = require_safe(pattern.callback)  # a document: GET only
            if pattern.name not in ("api-root", "openapi-json"):
                # Not to be confused with the pages' names (deal_detail): api_deal_detail.
                pattern.name = f"api_{pattern.name}"
    return patterns
