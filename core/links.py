"""Links to objects by URL name and id, at the cost of a string join.

django.urls.reverse() matches its result against the route's pattern on every call
(about 20–40 µs); a dashboard lists over a hundred links. A route with one integer
argument is reversed once per script prefix and URLconf, with a marker for the id, and
then filled in.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_MARK = "7919773311"  # an id that no route spells out in its own text


@lru_cache(maxsize=256)
def _around_id(viewname: str, prefix: str, urlconf: str) -> tuple[str, str] | None:
    """(what comes before the id, what comes after), or None when the marker cannot
    stand for the id (a converter that is not a plain integer)."""
    url = reverse(viewname, urlconf=urlconf, args=[int(_MARK)])
    if url.count(_MARK) != 1:
        return None
    head, tail = url.split(_MARK)
    return head, tail


def object_url(viewname: str, pk: int) -> str:
    """reverse(viewname, args=[pk]) for a route with one integer argument."""
    around = _around_id(viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    if around is None:
        return reverse(viewname, args=[pk])
    return f"{around[0]}{int(pk)}{around[1]}"
