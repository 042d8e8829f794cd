"""Renewal (automatic, by option, none), the renewal term, and the notice that stops a renewal.

The notice is the period one party must give to stop an automatic renewal ("unless either
party gives notice of non-renewal at least sixty (60) days prior to the end of the
then-current term"). Notice to end the contract at will, to cure a breach, to pay an
invoice, or to exercise an option to renew is not that notice, and is left out: the labels
of filed contracts leave it out too.
"""

from __future__ import annotations

import re

from .text import AMOUNT, PERIOD, amount, days_of, months_of

# Plain words, searched in the lowered sentence before any pattern: a cheap first cut.
_MENTION_WORDS = re.compile(r"renew|exten|evergreen|year.to.year|continu|indefinite")
_AUTOMATIC = re.compile(
    r"automatic(?:ally)?\s+(?:be\s+)?(?:renew|extend|continu)|renew(?:ed|s|al)?\s+automatically|"
    r"(?:extended|continue[sd]?)\s+automatically|automatic\s+(?:renewal|extension)|auto-?renew|"
    r"\b(?:shall|will)\s+(?:thereafter\s+)?(?:be\s+)?(?:renewed|extended|continue|renew|extend)\s+"
    r"(?:thereafter\s+)?(?:in\s+effect\s+)?(?:for|on)\s+(?:(?:an?|one|two|three)\s+)?"
    r"(?:successive|additional|consecutive|further|subsequent)\b[^.;]{0,120}?\bunless\b|"
    r"\b(?:shall|will)\s+(?:thereafter\s+)?(?:be\s+)?(?:renewed|extended|renew|extend)\s+"
    r"(?:thereafter\s+)?for\s+(?:successive|consecutive)\b|"
    r"\bunless\s+(?:either|one|a|the\s+other|any)\s+party\b[^.;]{0,160}?"
    r"(?:non-?renewal|not\s+to\s+(?:renew|extend)|intention\s+to\s+terminate|terminat)|"
    r"\b(?:agreement|term|it)\b[^.;]{0,60}?\b(?:shall|will)\s+(?:thereafter\s+)?(?:automatically\s+)?"
    r"(?:be\s+)?(?:renewed|extended|renew|extend)\b[^.;]{0,80}?\bunless\b|"
    r"\bevergreen\b|\b(?:from\s+)?year[\s-]to[\s-]year\b|\brenewing\s+annually\b|"
    # "for an initial term of one year and indefinitely after that until terminated"
    r"\bindefinitely\s+(?:after\s+that|thereafter)\b|\bthereafter\s+indefinitely\b|"
    r"\bcontinue\s+(?:in\s+full\s+force\s+and\s+effect\s+)?thereafter\s+until\s+terminated\s+by\s+"
    r"(?:either|any|one)\s+party\b",
    re.IGNORECASE,
)
# An option names what it renews: "may renew its registrations" is no renewal of the contract.
_THIS = r"(?:this\s+agreement|the\s+agreement|the\s+(?:initial\s+)?term|it|for)\b"
_OPTIONAL = re.compile(
    rf"(?:option|right|elect)\s+to\s+(?:renew|extend)\s+{_THIS}|"
    rf"\b(?:agreement|term|it)\s+may\s+(?:be\s+)?(?:renewed|extended)|"
    rf"\bmay\s+(?:renew|extend)\s+{_THIS}|"
    r"\bat\s+(?:its|their|the\s+)?(?:[\w.-]+'s?\s+)?(?:sole\s+)?option\b[^.;]{0,60}?(?:renew|extend)|"
    rf"(?:renew|extend)\w*\s+{_THIS}[^.;]{{0,80}}?\b(?:mutual|written)\s+(?:written\s+)?(?:agreement|consent)|"
    r"(?:mutual|written)\s+(?:written\s+)?(?:agreement|consent)\s+of\s+(?:both\s+|the\s+)?parties\b"
    r"[^.;]{0,40}?(?:renew|extend)|"
    # "the Parties may agree in writing to extend the Agreement for successive one (1) year periods"
    rf"\bparties\s+may\s+(?:mutually\s+)?agree\s+(?:in\s+writing\s+)?to\s+(?:renew|extend)\s+{_THIS}",
    re.IGNORECASE,
)
_NO_RENEWAL = re.compile(
    r"(?:shall|will|may)\s+not\s+(?:be\s+)?(?:automatically\s+)?(?:renew|extend)|\bno\s+renewal|"
    r"not\s+(?:be\s+)?subject\s+to\s+(?:any\s+)?renewal",
    re.IGNORECASE,
)
_WORDED_YEAR = re.compile(
    r"\b(?:annual|annually|yearly|year[\s-]to[\s-]year|another\s+year|additional\s+year|"
    r"(?:one|1)[\s-]year|twelve[\s-]month)\b|\b(?P<monthly>month[\s-]to[\s-]month|monthly)\b",
    re.IGNORECASE,
)
# A period that is a notice or the initial term, not the renewal's length.
_NOT_RENEWAL_PERIOD = re.compile(
    r"\s*(?:'s|')?\s*(?:\((?!\s*(?:each|the\s+[\"']?renewal|a\s+[\"']?renewal))|"
    r"prior|before|in\s+advance|advance|written|notice|following|after)",
    re.I,
)
_INITIAL_BEFORE = re.compile(r"initial\s+(?:term|period)\s+(?:of|is|shall\s+be)\s*$", re.I)


# "shall continue for five years unless either party terminates it" is a term, not a renewal:
# "continue" renews only with words that say it goes on past the term.
_RENEWS = re.compile(
    r"renew|extend|extension|evergreen|successive|(?:year|month)[\s-]to[\s-](?:year|month)|"
    r"thereafter|after\s+that|further\s+period|additional\s+period",
    re.IGNORECASE,
)


def renewal(found: list[str]) -> tuple[str | None, int | None, str | None]:
    """(renewal type, renewal term in months, the sentence); automatic wins over an option."""
    optional = none = None
    for sentence in found:
        lower = sentence.lower()
        if not _MENTION_WORDS.search(lower):
            continue
        automatic = _AUTOMATIC.search(sentence)
        if automatic and _RENEWS.search(sentence):
            return "automatic", _renewal_months(sentence, automatic.start()), sentence
        if _NO_RENEWAL.search(sentence):  # after: "unless ... notice that it will not be renewed"
            none = none or sentence
            continue
        option = _OPTIONAL.search(sentence)
        if option and optional is None:
            optional = (option.start(), sentence)
    if optional:
        start, sentence = optional
        return "optional", _renewal_months(sentence, start), sentence
    if none:
        return "none", None, none
    return None, None, None


_RENEW_WORD = re.compile(r"renew|extend|extension|continu|evergreen|year[\s-]to[\s-]year", re.I)


def _renewal_months(sentence: str, start: int) -> int | None:
    """The length of the renewal named after the renewal's verb ("shall renew automatically
    for successive one (1) year periods"); an initial term said before it is not it."""
    words = [m.start() for m in _RENEW_WORD.finditer(sentence)]
    before = [p for p in words if p <= start]
    anchor = before[-1] if before else (words[0] if words else start)
    window = sentence[anchor : anchor + 220]
    best: tuple[int, int] | None = None  # (position, months)
    for match in PERIOD.finditer(window):
        unit = match.group("unit").lower()
        count = amount(match)
        months = months_of(count, unit) if count else None
        if months is None or _INITIAL_BEFORE.search(window[: match.start()][-40:]):
            continue
        if _NOT_RENEWAL_PERIOD.match(window[match.end() : match.end() + 20]) and not re.match(
            r"\s*(?:period|term|renewal)", window[match.end() : match.end() + 20], re.I
        ):
            continue
        best = (match.start(), months)
        break
    worded = _WORDED_YEAR.search(window)
    if worded and (best is None or worded.start() < best[0]):
        return 1 if worded.group("monthly") else 12
    return best[1] if best else None


# --------------------------------------------------------------------------- notice

_NOTICE_CONTEXT = re.compile(
    r"non-?renewal|not\s+to\s+(?:renew|extend)|intention\s+not\s+to|(?:renew|extend)|"
    r"expir|end\s+of\s+(?:the\s+|any\s+|each\s+|such\s+)?(?:then[\s-]+)?(?:current|initial|renewal|term)|"
    r"then[\s-]+current|anniversary|(?:month|year)[\s-]to[\s-](?:month|year)|"
    # of a renewing contract: "following the Initial Term, either party may terminate upon
    # written notice of at least three months" is how it is stopped
    r"(?:following|after)\s+(?:the\s+)?(?:expiration\s+of\s+the\s+)?initial\s+(?:term|period)|"
    r"thereafter\s+until\s+terminated",
    re.IGNORECASE,
)
# Plain words, searched in the lowered sentence before any pattern: a cheap first cut.
_CONTEXT_WORDS = re.compile(
    r"renew|exten|expir|end of|then|anniversar|to.month|to.year|initial|thereafter"
)
_NOT_NOTICE = re.compile(
    r"\bcure[ds]?\b|\bbreach|\bdefault|\binvoice|\bpayment\s+(?:is\s+)?due|\binsolven|\bbankrupt|"
    # notice of a change of price is no notice to stop a renewal
    r"\b(?:rate|price|pricing|fee)s?\s+(?:change|increase)|\bchanges?\s+(?:in|to|of)\s+(?:the\s+)?"
    r"(?:rates?|prices?|fees?)\b|\bnotice\s+of\s+(?:any\s+)?(?:such\s+)?(?:price\s+)?increase|"
    r"\bincrease\s+(?:the\s+|its\s+)?(?:prices?|rates?|fees?|amount)",
    re.IGNORECASE,
)
_NOTICE_PERIOD = re.compile(
    rf"{AMOUNT}[\s-]*(?P<unit>business\s+days?|calendar\s+days?|days?|months?|years?)\b"
    r"(?P<after>\s*(?:'s|')?\s*(?:\([^)]{0,20}\)\s*)?(?:prior|before|in\s+advance|advance|written|"
    r"notice|of\s+(?:such|the|its)\s+|or\s+more|in\s+writing|notification)|(?=\s*[.;]))",
    re.IGNORECASE,
)
_BEFORE_PERIOD = re.compile(
    r"(?:at\s+least|not\s+less\s+than|no\s+less\s+than|no\s+later\s+than|not\s+later\s+than|"
    r"minimum\s+of|upon|with|giving|provides?|gives?|delivers?|a)\s*$",
    re.IGNORECASE,
)


def notice_days(
    found: list[str], automatic: bool, renewal_said: str | None = None
) -> tuple[int, str] | None:
    """The notice that stops a renewal. Without an automatic renewal, only a sentence that
    itself speaks of non-renewal counts. A sentence that speaks of renewal is read before one
    that only speaks of the term's end ("upon ninety (90) days' notice during the then-current
    term" is more often notice to end the contract at will)."""
    later = []
    for sentence in found:
        lower = sentence.lower()
        if (
            "notice" not in lower
            and "notif" not in lower
            and "writing" not in lower
            and not (automatic and _UNLESS_TERMINATED.search(sentence))
        ):
            continue
        if not _CONTEXT_WORDS.search(lower) or not _NOTICE_CONTEXT.search(sentence):
            continue
        stops_renewal = _STOPS_RENEWAL.search(sentence)
        if not automatic and not stops_renewal:
            continue
        if _NOT_NOTICE.search(sentence) and not stops_renewal:
            continue
        if _OPTION.search(lower) and not stops_renewal:
            continue  # notice to exercise an option is not notice to stop a renewal
        if "renew" not in lower and "exten" not in lower and "-to-" not in lower:
            later.append(sentence)
            continue
        if found_notice := _period_of_notice(sentence):
            return found_notice
    for sentence in later + _just_after(found, renewal_said if automatic else None):
        if found_notice := _period_of_notice(sentence):
            return found_notice
    return None


def _just_after(found: list[str], renewal_said: str | None) -> list[str]:
    """The sentence right after an automatic renewal, when it says what stops it: "... renewed
    at the end of every term. A six (6) months notice must be given by either party of their
    intention to terminate" speaks of the renewal without naming it."""
    if renewal_said is None or renewal_said not in found:
        return []
    at = found.index(renewal_said) + 1
    if at >= len(found):
        return []
    sentence = found[at]
    lower = sentence.lower()
    if "notice" not in lower or not re.search(r"terminat|intention|not\s+to\s+continue", lower):
        return []
    if re.search(
        r"at\s+any\s+time|for\s+convenience|for\s+any\s+reason(?!\s+other)|with\s+or\s+without",
        lower,
    ):
        return []  # notice to end it at will, not the renewal's
    unless_breach = re.sub(
        r"other\s+than\s+(?:for\s+)?(?:a\s+)?(?:material\s+)?breach", "", sentence
    )
    if _NOT_NOTICE.search(unless_breach) or _OPTION.search(lower):
        return []
    return [sentence]


# "shall automatically renew ... unless terminated by either party at least six months prior to
# the expiration of the then-current term": notice, without the word.
_UNLESS_TERMINATED = re.compile(
    r"\bunless\s+terminated\s+by\s+(?:either|any|one|a)\s+party\s+(?:by\s+giving\s+|upon\s+)?"
    r"(?:at\s+least|not\s+less\s+than|no\s+less\s+than)\s+[^.;]{1,40}?\s(?:prior|before|in\s+advance)",
    re.IGNORECASE,
)
_STOPS_RENEWAL = re.compile(
    r"non-?renewal|not\s+to\s+(?:renew|extend)|not\s+be\s+(?:renewed|extended)", re.IGNORECASE
)
_OPTION = re.compile(r"option\s+to\s+(?:renew|extend)|elect\s+to\s+(?:renew|extend)")


_NOTICE_OF_AT_LEAST = re.compile(
    r"notice\b[^.;]{0,60}?\bof\s+(?:at\s+least|not\s+less\s+than|no\s+less\s+than)\s*$", re.I
)


def _period_of_notice(sentence: str) -> tuple[int, str] | None:
    for match in _NOTICE_PERIOD.finditer(sentence):
        count = amount(match)
        if not count:
            continue
        before = sentence[max(0, match.start() - 30) : match.start()]
        after = match.group("after").lower()
        if not after:  # the period ends the clause: "upon written notice ... of at least 3 months."
            if _NOTICE_OF_AT_LEAST.search(sentence, max(0, match.start() - 80), match.start()):
                return days_of(count, match.group("unit")), sentence
            continue
        said = "notice" in after or "prior" in after or "before" in after
        if not said and not _BEFORE_PERIOD.search(before):
            continue
        return days_of(count, match.group("unit")), sentence
    return None
