"""Snippets of the matching text, with the words marked and everything else escaped.

PostgreSQL's ts_headline returns the user's text as it is, with its own start and
stop marks around the matches. It is given two control characters as marks (which
HTML escaping leaves alone and nobody types); the text is escaped first, then only
those marks become <mark> and </mark>. SQLite has no ts_headline: `cut_snippet`
cuts the text around the first match the same way.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

START, STOP = "\x02", "\x03"
_MARKED = re.compile(f"{START}([^{START}{STOP}]*){STOP}")
CONTEXT = 90  # characters either side of the first match


def highlight(headline: str | None) -> SafeString:
    """ts_headline's output as safe HTML: escaped text, matches in <mark>."""
    escaped = escape(headline or "")
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(marked.replace(START, "").replace(STOP, ""))


def cut_snippet(text: str, words: list[str]) -> SafeString:
    """About 180 characters of `text` around the first of `words`, the words marked."""
    text = " ".join(text.split())
    if not text:
        return mark_safe("")
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    first = pattern.search(text)
    begin = max(0, first.start() - CONTEXT) if first else 0
    end = min(len(text), (first.end() if first else 0) + CONTEXT)
    piece = text[begin:end]
    parts, last = [], 0
    for match in pattern.finditer(piece):
        parts.append(escape(piece[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(piece[last:]))
    prefix = "… " if begin > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)
