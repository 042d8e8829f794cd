"""The contract's key facts read from its text by offline rules (issue 15, part 6).

No model, no network, no database: regular expressions over the sentences of the text
(`agreements.facts`). Each fact comes with the sentence it was read from. A fact the rules
are not sure of is None: a wrong value is worse than none. Months count as 30.44 days for
`notice_days`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .facts.law import governing_law
from .facts.reading import MAX_BYTES, MAX_TEXT_BYTES, UnreadableDocument, text_of
from .facts.renewal import notice_days, renewal
from .facts.term import derived_expiry, effective_date, expiry_date, initial_term
from .facts.text import sentences

__all__ = [
    "MAX_BYTES",
    "MAX_TEXT_BYTES",
    "Facts",
    "UnreadableDocument",
    "extract",
    "extract_file",
    "text_of",
]


@dataclass
class Facts:
    path: str = ""
    effective_date: dt.date | None = None
    expiry_date: dt.date | None = None
    initial_term_months: int | None = None
    renewal_type: str | None = None
    renewal_term_months: int | None = None
    notice_days: int | None = None
    governing_law: str | None = None
    evidence: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        def iso(day):
            return day.isoformat() if day else None

        return {
            "path": self.path,
            "effective_date": iso(self.effective_date),
            "expiry_date": iso(self.expiry_date),
            "initial_term_months": self.initial_term_months,
            "renewal_type": self.renewal_type,
            "renewal_term_months": self.renewal_term_months,
            "notice_days": self.notice_days,
            "governing_law": self.governing_law,
            "evidence": self.evidence,
        }


def extract(text: str, path: str = "") -> Facts:
    found = sentences(text)
    facts = Facts(path=path)
    if law := governing_law(found):
        facts.governing_law, facts.evidence["governing_law"] = law
    kind, months, evidence = renewal(found)
    if kind:
        facts.renewal_type = kind
        facts.evidence["renewal_type"] = evidence
        if months:
            facts.renewal_term_months = months
            facts.evidence["renewal_term_months"] = evidence
    if notice := notice_days(found, automatic=kind == "automatic", renewal_said=evidence):
        facts.notice_days, facts.evidence["notice_days"] = notice
    term = initial_term(found)
    if term:
        facts.initial_term_months, facts.evidence["initial_term_months"] = term
    if effective := effective_date(found):
        facts.effective_date, facts.evidence["effective_date"] = effective
    expiry = expiry_date(found) or derived_expiry(term, facts.effective_date, found)
    if expiry and (facts.effective_date is None or expiry[0] > facts.effective_date):
        facts.expiry_date, facts.evidence["expiry_date"] = expiry
    return facts


def extract_file(path: Path) -> Facts:
    return extract(text_of(path), str(path))
