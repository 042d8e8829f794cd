"""Errors as RFC 9457 problem details: `application/problem+json` with type, title,
status and detail, and the field errors when a request was malformed.

Every error the API answers goes through `problem`; the OpenAPI document lists the
same shape (api.schemas.Problem) under this media type for every error status.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Server error",
}


class Problem(Exception):
    """Raised by the API's own code: becomes the problem response of its status."""

    def __init__(self, status: int, detail: str, *, errors=None, headers=None, **extra):
        super().__init__(detail)
        self.status, self.detail = status, detail
        self.errors = errors or []
        self.headers = headers or {}
        self.extra = extra


def problem(
    status: int,
    detail: str,
    *,
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": f"/api/v1/problems/{status}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = HttpResponse(json.dumps(body), status=status, content_type=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _field_errors(error: ValidationError) -> list[dict]:
    if hasattr(error, "error_dict"):
        return [
            {"field": name, "detail": message}
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"field": None, "detail": message} for message in error.messages]


def _ninja_errors(error: NinjaValidationError) -> list[dict]:
    found = []
    for item in error.errors:
        where = [str(part) for part in item.get("loc", ())]
        while where and where[0] in ("body", "query", "path", "filters"):
            where.pop(0)  # where ninja found it, then the parameter's name: not the field
        found.append({"field": ".".join(where) or None, "detail": str(item.get("msg", ""))})
    return found


def install(api) -> None:
    """Every exception the API may meet, as a problem: no 500 page, no HTML."""

    @api.exception_handler(Problem)
    def own(request: HttpRequest, exc: Problem):
        return problem(exc.status, exc.detail, errors=exc.errors, headers=exc.headers, **exc.extra)

    @api.exception_handler(NinjaValidationError)
    def malformed(request: HttpRequest, exc: NinjaValidationError):
        return problem(422, "The request has invalid fields.", errors=_ninja_errors(exc))

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError):
        return problem(422, "The request was refused.", errors=_field_errors(exc))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError):
        return problem(
            401,
            "Send a valid API key: Authorization: Bearer <key>.",
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )

    @api.exception_handler(PermissionDenied)
    def denied(request: HttpRequest, exc: PermissionDenied):
        return problem(403, str(exc) or "You may not do this.")

    @api.exception_handler(Http404)
    def missing(request: HttpRequest, exc: Http404):
        return problem(404, str(exc) or "Nothing here, or it is not shared with you.")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError):
        status = exc.status_code if exc.status_code in TITLES else 400
        return problem(status, str(exc.message))

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, exc: Exception):
        log.exception("API error on %s", request.path)
        return problem(500, "Something went wrong on our side; it has been logged.")
