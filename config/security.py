"""Response headers Django 5.2 does not set itself (CSP, a permissions policy); the client's address."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from core.parsing import has_nul
from stakeholders.models import normalise_email

# The Django admin still uses inline styles and scripts; it is for administrators only.
ADMIN_CSP_EXTRA = "; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.CSP
        if request.path.startswith("/admin/"):
            policy = policy.replace("script-src 'self'; style-src 'self'; ", "") + ADMIN_CSP_EXTRA
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        # A private desk: nothing of it belongs in a search engine, files included.
        response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response


class RefuseNulMiddleware:
    """400 for a NUL byte anywhere in the query string or form data: no page means it,
    and PostgreSQL refuses it in text (a search would otherwise end in a 500)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request) and request.path.startswith("/api/"):
            # The API answers in problem details (RFC 9457), as all its errors.
            return HttpResponseBadRequest(
                b'{"type": "/api/v1/problems/400", "title": "Bad request", "status": 400, '
                b'"detail": "The request holds a NUL byte (%00), which no field accepts."}',
                content_type="application/problem+json",
            )
        if has_nul(request):
            return HttpResponseBadRequest(
                "The request holds a NUL byte (%00), which no field accepts.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for login lock-outs.

    With TRUSTED_PROXY_COUNT proxies in front, each appending the address it received
    the request from to X-Forwarded-For, the client is the entry that many places from
    the right; entries further left were written by the client and may be forged. An
    entry that is not an address (a port, garbage) counts as absent: REMOTE_ADDR.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= count:
            address = _plain_address(hops[-count])
            if address:
                return address
    return request.META.get("REMOTE_ADDR")


def _plain_address(hop: str) -> str | None:
    """`203.0.113.9`, `203.0.113.9:4711`, `[2001:db8::1]:443` → the bare address, or None."""
    if hop.startswith("["):
        hop = hop[1 : hop.find("]")] if "]" in hop else ""
    elif hop.count(":") == 1:
        hop = hop.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return None


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """The address that failed logins count against: normalised as login matches it,
    so failures typed in capitals lock the same account (django-axes callable)."""
    typed = (credentials or {}).get("username") or request.POST.get("username", "")
    return normalise_email(typed)
