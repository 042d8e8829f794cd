"""Each person's time zone: validating a name, activating it per request, local clocks.

A person's zone is an IANA name (`America/New_York`) stored on the user; without one
the site's TIME_ZONE applies. While a request runs, the middleware makes it Django's
current time zone, so `timezone.localdate()`, forms and the `date` filter all speak
the reader's time. Background work has no request: it asks `local_now` for each
recipient instead.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


@functools.cache
def available_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone, for a select: `Europe/London` shown as `Europe / London`."""
    return [
        (name, name.replace("/", " / ").replace("_", " ")) for name in sorted(available_zones())
    ]


def validate_time_zone(name: str) -> None:
    if name not in available_zones():
        raise ValidationError("%(name)s is not a time zone we know.", params={"name": name})


def default_time_zone() -> str:
    return settings.TIME_ZONE


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone of that name; the site's zone for a blank or unknown one (never an error:
    a zone dropped from the tz database must not break a page or a run of the planner)."""
    if name and name in available_zones():
        return zoneinfo.ZoneInfo(name)
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_now(name: str | None, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()).astimezone(zone(name))


def zones_at_hour(names: Iterable[str], *, hour: int, now: dt.datetime) -> dict[str, dt.datetime]:
    """Of these zones, those where the local clock is in `hour` at `now`, with their local time.

    Beat runs the planners every quarter of an hour, so zones offset by half or three
    quarters of an hour (Asia/Kolkata, Asia/Kathmandu) meet their hour too.
    """
    out = {}
    for name in set(names):
        local = local_now(name, now)
        if local.hour == hour:
            out[name] = local
    return out


class UserTimeZoneMiddleware:
    """Every date and time a page shows, and every time a form reads, is in the reader's zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        name = getattr(user, "time_zone", None) if user and user.is_authenticated else None
        timezone.activate(zone(name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
