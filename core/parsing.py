"""Reading numbers and text from the query string or a hand-built form field.

Forms do this for most input. What a view reads itself goes through here, so odd
characters get a clear refusal, never a 500: `str.isdigit()` is true for '²' and
'①', which `int()` refuses, and PostgreSQL refuses a NUL byte in text.
"""

from __future__ import annotations

import re

_ASCII_INT = re.compile(r"[0-9]{1,18}")
_NUL = "\x00"


def ascii_int(raw: str | None, *, low: int | None = None, high: int | None = None) -> int | None:
    """The whole number `raw` spells in ASCII digits, within [low, high]; else None."""
    if raw is None or not _ASCII_INT.fullmatch(raw.strip()):
        return None
    value = int(raw)
    if (low is not None and value < low) or (high is not None and value > high):
        return None
    return value


def has_nul(request) -> bool:
    """Does any query-string or form key or value hold a NUL byte?"""
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if _NUL in key or any(_NUL in value for value in values):
                return True
    return False
