"""Word-level differences between two versions of a term, as escaped HTML."""

from __future__ import annotations

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> SafeString:
    """<del> and <ins> around the words that changed; all user text is escaped."""
    before, after = TOKEN.findall(old), TOKEN.findall(new)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape("".join(before[a1:a2])))
            continue
        if op in ("replace", "delete"):
            out.append(f"<del>{escape(''.join(before[a1:a2]))}</del>")
        if op in ("replace", "insert"):
            out.append(f"<ins>{escape(''.join(after[b1:b2]))}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped
