"""The effective date, the initial term and the date the initial term ends.

The effective date is the date the contract says it takes effect ("effective as of", "(the
"Effective Date")", "shall commence on"), else the date it is made, from the opening
sentences ("entered into as of the 1st day of March, 2019"), but only when the contract
speaks of an Effective Date: the labels of filed contracts leave it empty otherwise. A
contract whose Effective Date is an event ("the Closing Date", "the date of the last
signature") has none.

The expiry is a date the contract writes ("shall expire on December 31, 2020"), else the
start plus the initial term ("five (5) years from the Effective Date"), on the same day of
the month, as the labels of filed contracts count it. A term running from another event
("from the First Commercial Sale"), or the sooner or later of two, gives no expiry.
"""

from __future__ import annotations

import datetime as dt
import re

from agreements.dates import months_after

from .text import AMOUNT, DATE_HINT, amount, find_date, months_of

# --------------------------------------------------------------------------- effective date

_DEFINED = re.compile(r"\(\s*(?:the\s+|this\s+)?[\"']*effective\s+date[\"']*\s*\)", re.I)
_STATED = re.compile(
    r"[\"']?effective\s+date[\"']?\s*(?:\)\s*)?(?:means|shall\s+mean|shall\s+be|will\s+be|is|:|-)\s*"
    r"|\beffective\s+date\s+of\s+(?:this|the)\s+[a-z]+\s+(?:will|shall)\s+be\s+",
    re.IGNORECASE,
)
# "shall be effective on", "effective as of": only of the agreement itself, since a price
# change or an amendment "effective as of January 1, 2021" is not the contract's start.
_TAKES_EFFECT = re.compile(
    r"\b(?:shall\s+|will\s+)?(?:be(?:come)?|made|is|are)\s+effective\s+"
    r"(?:(?:as\s+of|on|from|upon)\s*|(?=[A-Z][a-z]+\.?\s+\d|\d|the\s+\d))"
    r"|\beffective\s+(?:as\s+of|on|from|this)\s+|\btakes?\s+effect\s+(?:as\s+of|on|from)\s+",
    re.IGNORECASE,
)
_OF_THE_AGREEMENT = re.compile(r"\b(?:agreement|contract|term)\b", re.IGNORECASE)
# What a filed contract calls itself or its term: "this Agreement", "the Term", "the Joint
# Venture", "this promotion", "the rights granted hereunder".
_SELF = r"\b(?:agreement|contract|term|venture|promotion|sponsorship|license|licence|rights)\b"
_COMMENCES = re.compile(
    _SELF + r"[^.;]{0,60}?\b(?:commenc\w*|begin\w*|start\w*)\s+"
    r"(?:(?:on|as\s+of|from)\s+|(?=the\s+\d|[A-Z][a-z]+\.?\s+\d))",
    re.IGNORECASE,
)
# The Effective Date set by an event, not a calendar date.
_RELATIVE = re.compile(
    r"[\"']?effective\s+date[\"']?\s*(?:\)\s*)?(?:means|shall\s+mean|shall\s+be|is)\s+(?:the\s+)?"
    r"(?:date|day|closing|later|earlier|first|time)"
    r"|\b(?:date|day)\s+(?:of|on\s+which|upon\s+which|when)\b[^.;]{0,160}?"
    r"\(\s*(?:the\s+)?[\"']*effective\s+date"
    r"|\b(?:date|day)\s+(?:up)?on\s+which\b[^.;]{0,200}?\bshall\s+be\s+(?:the\s+)?[\"']*effective\s+date"
    r"|\b(?:begin|commence|become\s+effective|be\s+effective|take\s+effect)\s+(?:up)?on\s+"
    r"(?:the\s+)?(?:date\s+of\s+)?(?:its\s+|the\s+)?(?:execution|signing|signature|closing|approval)",
    re.IGNORECASE,
)
_NAMES_EFFECTIVE = re.compile(
    r"Effective\s+Date|EFFECTIVE\s+DATE|\bcommenc\w*\s+(?:on|as\s+of)\s+the\s+date\s+(?:of\s+this\s+"
    r"agreement|hereof)",
    re.IGNORECASE,
)
# "the date first written above", "the date hereof": the date the contract is made.
_AS_MADE = re.compile(
    r"date\s+first\s+(?:above\s+)?(?:written|set\s+forth|stated|mentioned)|date\s+hereof|"
    r"date\s+of\s+this\s+agreement",
    re.IGNORECASE,
)
_STARTS = re.compile(r"effective|commenc|begin|take\s+effect", re.IGNORECASE)
_MADE = re.compile(
    r"\bdated\s*:?\s*(?=\d|[A-Za-z]+\.?\s+\d)|"
    r"\b(?:dated|made|entered\s+into|executed|concluded|signed|agreement\s+date)\b[^.;]{0,80}?"
    r"(?:\bas\s+of\b|\bon\b|\bthis\b|\bthe\b|\bdated\b|:)|\bas\s+of\s+",
    re.IGNORECASE,
)
OPENING_SENTENCES = 25
OPENING_CHARS = 6000


def effective_date(found: list[str]) -> tuple[dt.date, str] | None:
    # '(the "Effective Date")' after no date: the Effective Date is an event ("the later of
    # the date hereof or the conversion"), and the date the contract is made is not it.
    defined_by_event = False
    for sentence in found:
        if "effect" not in sentence.lower():
            continue
        defined = _DEFINED.search(sentence)
        if defined:
            before = sentence[max(0, defined.start() - 90) : defined.start()]
            date = _last_date(before)
            if date:
                return date, sentence
            defined_by_event = defined_by_event or not _AS_MADE.search(before)
        for match in _STATED.finditer(sentence):
            date = find_date(sentence[match.end() : match.end() + 60], limit=20)
            if date:
                return date[0], sentence
    for number, sentence in enumerate(found):
        if "effect" not in sentence.lower():
            continue
        if number >= OPENING_SENTENCES and not _OF_THE_AGREEMENT.search(sentence):
            continue
        for match in _TAKES_EFFECT.finditer(sentence):
            if number >= OPENING_SENTENCES and not _OF_THE_AGREEMENT.search(
                sentence[max(0, match.start() - 80) : match.start()]
            ):
                continue
            date = find_date(sentence[match.end() : match.end() + 60], limit=20)
            if date:
                return date[0], sentence
    for sentence in found:
        match = _COMMENCES.search(sentence)
        if match:
            date = find_date(sentence[match.end() : match.end() + 60], limit=5)
            if date:
                return date[0], sentence
    if defined_by_event or any(
        _RELATIVE.search(s) and not _AS_MADE.search(s) for s in found if _STARTS.search(s)
    ):
        return None
    # The date the contract is made is its effective date only when the contract speaks of
    # one ("commencing on the Effective Date"): the labels of filed contracts leave the
    # effective date empty otherwise, and a wrong date is worse than none.
    if not any(_NAMES_EFFECTIVE.search(s) for s in found if "ffective" in s or "ommenc" in s):
        return None
    return _made_on(found)


def _last_date(text: str) -> dt.date | None:
    last = None
    start = 0
    while (date := find_date(text[start:])) is not None:
        last = date[0]
        start += date[1] + 6
    return last


def _made_on(found: list[str]) -> tuple[dt.date, str] | None:
    seen = 0
    for sentence in found[:OPENING_SENTENCES]:
        seen += len(sentence)
        if seen > OPENING_CHARS:
            break
        for match in _MADE.finditer(sentence):
            date = find_date(sentence[match.end() : match.end() + 60], limit=12)
            if date:
                return date[0], sentence
    return None


# --------------------------------------------------------------------------- initial term

_UNIT = r"(?P<unit>years?|months?)\b"
_LEAD = r"(?:(?:a|an)\s+(?:initial\s+)?(?:period|term)\s+of\s+|approximately\s+)?"
_TERM_PATTERNS = [
    re.compile(
        rf"\binitial\s+(?:term|period)\b[^.;]{{0,80}}?\b(?:of|be|for|is|last|until|continue)\s+"
        rf"{_LEAD}{AMOUNT}[\s-]*{_UNIT}",
        re.I,
    ),
    re.compile(
        rf"\b(?:term|duration)\s+of\s+(?:this|the)\s+(?:agreement|contract|license|franchise)\b"
        rf"[^.;]{{0,120}}?\b(?:shall|will|is|be|for)\b[^.;]{{0,20}}?{_LEAD}{AMOUNT}[\s-]*{_UNIT}",
        re.I,
    ),
    re.compile(
        # a section number ("Sections 3.1 or 10.2") is no sentence's end
        rf"\b(?:agreement|contract|term)\b(?:[^.;]|(?<=\d)\.(?=\d)){{0,200}}?\b(?:shall|will)\s+"
        rf"(?:be\s+effective|remain|continue|be|stay|commence|begin)\b[^.;]{{0,80}}?"
        rf"\b(?:for|of|until)\s+{_LEAD}{AMOUNT}[\s-]*{_UNIT}",
        re.I,
    ),
    re.compile(
        rf"\b(?:the\s+term\s+(?:shall|will)\s+be|(?:this|the)\s+agreement\s+is)\s+(?:for\s+)?"
        rf"{_LEAD}{AMOUNT}[\s-]*{_UNIT}",
        re.I,
    ),
]
_ORDINAL_WORDS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth"
)
_ORDINALS = {word: n for n, word in enumerate(_ORDINAL_WORDS.split(), start=1)}
_ORDINALS |= {"twenty-fifth": 25, "thirtieth": 30, "fortieth": 40, "fiftieth": 50}
# "shall continue until the twentieth (20th) anniversary of the Effective Date"
_ANNIVERSARY = re.compile(
    r"\b(?:agreement|term)\b[^.;]{0,200}?\b(?:until|through|on|upon)\s+the\s+"
    r"(?:(?P<ordinal>[a-z]+(?:-[a-z]+)?)\s*)?(?:\(?\s*(?P<number>\d{1,2})\s*(?:st|nd|rd|th)?\s*\)?\s*)?"
    r"(?:years?[\s-]+)?anniversary\s+of\s+the\s+"
    r"(?:effective\s+date|date\s+(?:of\s+this\s+agreement|hereof))",
    re.IGNORECASE,
)
# A period that belongs to something other than the agreement's own term.
_NOT_THE_TERM = re.compile(
    # ("notice to expire on or after the expiry date" is no period after the term)
    r"\b(?<!or\s)(?:after|following|beyond)\s+(?:the\s+|any\s+|such\s+)?(?:termination|expiration|expiry)|"
    r"\bduring\s+the\s+term\b[^.;]{0,80}?\band\s+for\b|"  # "during the Term and for one year after"
    r"surviv|confidential|non-?compet|warrant|royalt|\bsooner\s+of\b|\bearlier\s+of\b|\blater\s+of\b|"
    r"\bearliest\b|\blatest\b|\blonger\s+of\b|\bshorter\s+of\b",
    re.IGNORECASE,
)
_RENEWAL_BEFORE = re.compile(r"renew|extend|extension", re.IGNORECASE)
# Where the term is counted from: the Effective Date, the agreement's date or a written date.
_ANCHOR = re.compile(
    r"\b(?:from|after|following|commencing|beginning|starting)\s+(?:on\s+)?(?:the\s+)?"
    r"(?P<anchor>[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,4})"
)
_OWN_ANCHORS = re.compile(
    r"^(?:Effective\s+Date|Date\s+(?:hereof|of\s+this)|Commencement\s+Date|Execution\s+Date|"
    r"Start\s+Date|Term|Initial\s+Term|Agreement|This\s+Agreement|Parties|January|February|March|"
    r"April|May|June|July|August|September|October|November|December|\d)",
    re.IGNORECASE,
)


def initial_term(found: list[str]) -> tuple[int, str] | None:
    for sentence in found:
        lower = sentence.lower()
        if "term" not in lower and "agreement" not in lower and "period" not in lower:
            continue
        anniversary = _ANNIVERSARY.search(sentence) if "anniversary" in lower else None
        if anniversary:
            years = anniversary.group("number") or _ORDINALS.get(
                (anniversary.group("ordinal") or "").lower()
            )
            if years:
                return int(years) * 12, sentence
        if "year" not in lower and "month" not in lower:
            continue
        if _NOT_THE_TERM.search(sentence):
            continue
        for pattern in _TERM_PATTERNS:
            match = pattern.search(sentence)
            if not match:
                continue
            if _RENEWAL_BEFORE.search(sentence, 0, match.start()):
                break  # the period of a renewal, said before any initial term
            if _RENEWAL_BEFORE.search(match.group(0)):
                continue  # "following the Initial Term, it shall renew for terms of six months"
            count = amount(match)
            if count:
                return months_of(count, match.group("unit")), sentence
    return None


def term_start(sentence: str, effective: dt.date | None, made: dt.date | None) -> dt.date | None:
    """The date the term in this sentence runs from, or None when it runs from an event. A
    term "from the date hereof" (or from nothing named) runs from the date the contract is
    made; one "from the Effective Date" only from an effective date the contract gives."""
    for match in _ANCHOR.finditer(sentence):
        anchor = match.group("anchor")
        if not _OWN_ANCHORS.match(anchor):
            return None
    date = find_date(sentence)
    if date:
        return date[0]
    if effective or _NAMES_EFFECTIVE.search(sentence):
        return effective
    return made


# --------------------------------------------------------------------------- expiry

# The agreement or its term, then the verb that ends it, then the date: "this Agreement
# shall remain in effect until December 31, 2025", "the Term ... shall expire on ...".
_EXPIRES = re.compile(
    r"\b(?:expire|expires|expiring|terminate|terminates|end|ends|ending|continue|continues|remain|"
    r"remains|valid|run|runs)\b[^.;]{0,60}?\b(?:on|until|through|to|as\s+of|at|at\s+midnight\s+on|"
    r"at\s+the\s+close\s+of\s+business\s+on)\s+(?:and\s+including\s+)?(?:the\s+)?"
    r"|\b(?:expire|expires|terminate|terminates|end|ends)\s+(?=[A-Z][a-z]+\s+\d)"
    r"|\beffective\s+(?:until|through)\s+(?:and\s+including\s+)?"
    r"|\bexpiration\s+date\s*(?:of\s+this\s+agreement\s+)?(?:shall\s+be|is|:|means)\s*",
    re.IGNORECASE,
)
_SELF_BEFORE = re.compile(_SELF + r"|\bexpiration\s+date", re.IGNORECASE)
_TERM_WORDS = re.compile(r"\bterm\b|\bexpir|\bagreement\b|\bin\s+(?:full\s+)?force\b", re.I)
_NOT_EXPIRY = re.compile(
    r"\bpay|\binvoice|\bdeliver|\bship|\bwarrant|\bcure|\bexercis|\bmay\s+terminate", re.I
)


# A form's field: "6. TERM: November 01, 2014 to October 31, 2017".
_TERM_FIELD = re.compile(r"\bTERM\s*:\s*", re.IGNORECASE)
_TO = re.compile(r"\s*(?:to|through|until|-)\s+", re.IGNORECASE)


def expiry_date(found: list[str]) -> tuple[dt.date, str] | None:
    for sentence in found:
        if not DATE_HINT.search(sentence):
            continue
        if field := _TERM_FIELD.search(sentence):
            start = find_date(sentence[field.end() : field.end() + 40], limit=0)
            rest = sentence[field.end() + (start[1] if start else 0) :]
            if start and (to := _TO.search(rest, 0, 40)):
                end = find_date(rest[to.end() : to.end() + 40], limit=0)
                if end and to.start() < 25:
                    return end[0], sentence
        if not _TERM_WORDS.search(sentence) or _NOT_EXPIRY.search(sentence):
            continue
        for match in _EXPIRES.finditer(sentence):
            # The agreement (or its term, its rights) is what ends, said just before the verb.
            if not _SELF_BEFORE.search(sentence, max(0, match.start() - 100), match.end()):
                continue
            date = find_date(sentence[match.end() : match.end() + 50], limit=3)
            if date:
                return date[0], sentence
    return None


def derived_expiry(
    term: tuple[int, str] | None, effective: dt.date | None, found: list[str]
) -> tuple[dt.date, str] | None:
    """The start plus the initial term, when the term runs from a date the contract gives."""
    if term is None:
        return None
    months, sentence = term
    made = None if effective else _made_on(found)
    start = term_start(sentence, effective, made[0] if made else None)
    if start is None or not months:
        return None
    return months_after(start, months), sentence
