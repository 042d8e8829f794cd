"""The contract's key facts read from its text by offline rules (issue 15, part 6).

No model, no network, no database: regular expressions over the sentences of the text.
Each fact comes with the sentence it was read from. A fact the rules are not sure of is
None: a wrong value is worse than none. Months count as 30.44 days for `notice_days`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9
UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
WORD_NUMBER = (
    r"(?:(?:one|two|three|four|five|six|seven|eight|nine)\s+hundred(?:\s+and)?[\s-]*)?"
    r"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)?[\s-]*"
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety)?"
)
# "sixty (60)", "sixty", "60", "(60)", "one-year"
AMOUNT = rf"(?P<words>{WORD_NUMBER})?\s*(?:\(\s*(?P<paren>\d{{1,3}})\s*\)|(?P<digits>\d{{1,3}}))?"
UNIT = r"(?P<unit>business\s+days?|calendar\s+days?|days?|months?|years?)"
PERIOD = re.compile(rf"\b{AMOUNT}[\s-]*{UNIT}\b", re.IGNORECASE)


def words_to_int(text: str) -> int | None:
    text = text.lower().replace("-", " ").replace(" and ", " ")
    parts = text.split()
    if not parts:
        return None
    total = 0
    for part in parts:
        if part == "hundred":
            total = max(total, 1) * 100
        elif part in UNITS:
            total += UNITS[part]
        else:
            return None
    return total


def _amount(match: re.Match) -> int | None:
    if match.group("paren"):
        return int(match.group("paren"))
    if match.group("digits"):
        return int(match.group("digits"))
    words = (match.group("words") or "").strip()
    return words_to_int(words) if words else None


def _months(amount: int, unit: str) -> int | None:
    unit = unit.lower()
    if unit.startswith("year"):
        return amount * 12
    if unit.startswith("month"):
        return amount
    return None


# --------------------------------------------------------------------------- reading


class UnreadableDocument(ValueError):
    """The file cannot be read as a contract; the message says why, for a person."""


MAX_BYTES = 20 * 1024 * 1024  # as contract documents (CONTRACT_DOCUMENT_MAX_MB)
# A DOCX is a zip: a small file may inflate to gigabytes. A real contract's text is
# well under this; its declared size is checked before anything is inflated.
MAX_TEXT_BYTES = 50 * 1024 * 1024


def text_of(path: Path, max_bytes: int = MAX_BYTES, max_text_bytes: int = MAX_TEXT_BYTES) -> str:
    size = path.stat().st_size
    if size > max_bytes:
        raise UnreadableDocument(
            f"The file is {size / 1048576:.1f} MB; the limit is {max_bytes // 1048576} MB."
        )
    data = path.read_bytes()
    if data.startswith(b"%PDF-"):
        return _pdf_text(path)
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                info = archive.getinfo("word/document.xml")
                if info.file_size > max_text_bytes:
                    raise UnreadableDocument(
                        f"The document's text is {info.file_size / 1048576:.0f} MB unpacked; "
                        f"the limit is {max_text_bytes // 1048576} MB."
                    )
                # zipfile reads no more than the declared size, so this is bounded.
                xml = archive.read(info).decode("utf-8", "replace")
        except (zipfile.BadZipFile, KeyError) as error:
            raise UnreadableDocument("This is not a Word (DOCX) document.") from error
        xml = re.sub(r"</w:p>", "\n", xml)
        xml = re.sub(r"<w:tab/>", " ", xml)
        return re.sub(r"<[^>]+>", "", xml).replace("&amp;", "&").replace("&quot;", '"')
    return data.decode("utf-8", "replace")


def _pdf_text(path: Path) -> str:
    try:
        from pypdf import PdfReader  # optional: only PDFs need it
        from pypdf.errors import PdfReadError
    except ImportError as error:  # pragma: no cover
        raise UnreadableDocument("Reading PDF files needs the pypdf package.") from error
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise UnreadableDocument("The PDF is password-protected: attach an unlocked copy.")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except UnreadableDocument:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        # pypdf raises several kinds on a broken file; each means the same to a person.
        raise UnreadableDocument("The PDF is damaged and cannot be read.") from error
    if not text.strip():
        raise UnreadableDocument("The PDF has no text (a scan?): attach a text PDF or DOCX.")
    return text


# --------------------------------------------------------------------------- sentences

_SPACES = re.compile(r"[ \t\u00a0]+")
_BREAK = re.compile(r"(?<=[.;])\s+(?=(?:\(?[A-Z0-9]))")
# Page headers and footers of filings: "Page 3 of 12", "Source: ACME CORP, 10-K, ...".
_NOISE = re.compile(r"^\s*(?:page\s+\d+(?:\s+of\s+\d+)?|-\s*\d+\s*-|source:.*|\d+)\s*$", re.I)


def sentences(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if not _NOISE.match(line)]
    flat = _SPACES.sub(" ", " ".join(lines))
    flat = re.sub(r"\s+", " ", flat.replace("’", "'").replace("“", '"').replace("”", '"'))
    return [s.strip() for s in _BREAK.split(flat) if s.strip()]


# --------------------------------------------------------------------------- dates

_DATE_PATTERNS = [
    # March 1, 2019 / Mar. 1 2019
    re.compile(r"\b(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d{2})\b"),
    # 1 March 2019 / 1st March, 2019
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?(?P<month>[A-Z][a-z]{2,8}),?\s+(?P<year>(?:19|20)\d{2})\b"),
    # the 1st day of March, 2019
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+day\s+of\s+(?P<month>[A-Z][a-z]{2,8}),?\s+(?P<year>(?:19|20)\d{2})\b"),
    # 2019-03-01
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<mnum>\d{2})-(?P<day>\d{2})\b"),
]  # fmt: skip


def find_date(text: str) -> tuple[dt.date, int] | None:
    """The first date written in the text, and where it starts."""
    best = None
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            try:
                month = (
                    int(match.group("mnum"))
                    if "mnum" in pattern.groupindex
                    else MONTHS[match.group("month").lower().rstrip(".")]
                )
                day = dt.date(int(match.group("year")), month, int(match.group("day")))
            except (KeyError, ValueError):
                continue
            if best is None or match.start() < best[1]:
                best = (day, match.start())
            break
    return best


# --------------------------------------------------------------------------- the facts


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


_LAW = re.compile(
    r"\b(?:governed\s+by|construed\s+(?:and\s+enforced\s+)?in\s+accordance\s+with|"
    r"interpreted\s+(?:and\s+construed\s+)?(?:in\s+accordance\s+with|under)|subject\s+to)"
    r"[^.;]{0,80}?\blaws?\s+of\s+(?:the\s+)?"
    r"(?:(?P<kind>State|Commonwealth|Province|Republic|Kingdom|Federal\s+Republic)\s+of\s+(?:the\s+)?)?"
    r"(?P<place>[A-Z][A-Za-z.'-]*(?:\s+(?:and\s+Wales|[A-Z][A-Za-z.'-]*))*)",
    re.UNICODE,
)
_STOP_WORDS = {
    "without",
    "excluding",
    "applicable",
    "as",
    "and",
    "including",
    "except",
    "in",
    "which",
    "that",
    "the",
}
_COUNTRY_AFTER = re.compile(r"\blaws\s+of\s+(?P<country>Canada|Australia)\b")


def _clean_place(place: str) -> str | None:
    words = place.split()
    kept = []
    for word in words:
        if word.lower() in _STOP_WORDS and not (word == "and" and kept and kept[-1] == "England"):
            break
        kept.append(word)
    place = " ".join(kept).strip(" .,'")
    if place.endswith(" and"):
        place = place[:-4]
    if not place or place.lower() in {"united", "such", "this", "any", "each"}:
        return None
    return place


def governing_law(found: list[str]) -> tuple[str, str] | None:
    for sentence in found:
        if not re.search(r"\blaws?\b", sentence, re.I) or not re.search(
            r"govern|constru|interpret", sentence, re.I
        ):
            continue
        source = sentence  # the evidence is the sentence as written
        if sum(c.isupper() for c in sentence) > 0.6 * sum(c.isalpha() for c in sentence):
            sentence = sentence.title().replace(" Of ", " of ").replace(" The ", " the ")
            sentence = re.sub(
                r"\b(Governed|By|Laws?|Construed|In|Accordance|With)\b",
                lambda m: m.group(0).lower(),
                sentence,
            )
        match = _LAW.search(sentence)
        if not match:
            continue
        place = _clean_place(match.group("place"))
        if place is None:
            continue
        if place == "United States" or place.startswith("United States of America"):
            continue  # federal law alone names no jurisdiction the labels use
        if match.group("kind") and match.group("kind").lower() == "province":
            country = _COUNTRY_AFTER.search(sentence[match.end() :])
            if country:
                place = f"{place}, {country.group('country')}"
        return place, source
    return None


_NOTICE_CONTEXT = re.compile(r"renew|non-renewal|expir|then[- ]current\s+term|extend", re.I)


def notice_days(found: list[str]) -> tuple[int, str] | None:
    """The notice needed to stop a renewal (or end at expiry): the period right before
    "notice" or "prior to the end/expiration" in a sentence about renewal."""
    for sentence in found:
        if not re.search(r"notice|notif", sentence, re.I) or not _NOTICE_CONTEXT.search(sentence):
            continue
        for match in PERIOD.finditer(sentence):
            unit = match.group("unit").lower()
            if unit.startswith("year"):
                continue
            after = sentence[match.end() : match.end() + 80].lower()
            if not re.match(
                r"\s*(?:'s|')?\s*(?:\(|in\s+advance|prior|before|written|advance|notice|of\s+(?:such|the)\s+|"
                r"or\s+more|in\s+writing)",
                after,
            ):
                continue
            if not re.search(
                r"notice|prior\s+to|before\s+the\s+(?:end|expir)",
                after + sentence[: match.start()].lower()[-60:],
            ):
                continue
            amount = _amount(match)
            if not amount:
                continue
            days = round(amount * 30.44) if unit.startswith("month") else amount
            if "business" in unit:
                days = round(amount * 7 / 5)
            return days, sentence
    return None


_AUTOMATIC = re.compile(
    r"automatic(?:ally)?\s+(?:be\s+)?(?:renew|extend)|renew(?:ed|s)?\s+automatically|"
    r"extended\s+automatically|unless\s+(?:either|one)\s+party\s+(?:gives|provides|delivers|notifies)|"
    r"shall\s+(?:thereafter\s+)?(?:be\s+)?(?:renewed|extended|continue)\s+for\s+(?:successive|additional|consecutive)"
    r"|evergreen",
    re.I,
)
_OPTIONAL = re.compile(
    r"option\s+to\s+(?:renew|extend)|may\s+(?:be\s+)?(?:renew|extend)|right\s+to\s+(?:renew|extend)|"
    r"upon\s+mutual\s+(?:written\s+)?agreement|by\s+mutual\s+(?:written\s+)?agreement",
    re.I,
)
_NO_RENEWAL = re.compile(r"shall\s+not\s+(?:be\s+)?(?:automatically\s+)?renew|no\s+renewal", re.I)
_RENEWAL_PERIODS = [
    re.compile(
        rf"(?:successive|additional|consecutive|renewal)\s+(?:periods?\s+of\s+|terms?\s+of\s+)?"
        rf"(?:(?:one|a|an)\s+)?(?:additional\s+)?(?:terms?\s+of\s+|periods?\s+of\s+)?"
        rf"{AMOUNT}[\s-]*(?P<unit>years?|months?)\b",
        re.I,
    ),
    re.compile(
        rf"{AMOUNT}[\s-]*(?P<unit>years?|months?)\s+(?:renewal\s+)?(?:periods?|terms?)", re.I
    ),
]


def renewal(found: list[str]) -> tuple[str | None, int | None, str | None]:
    kind, months, evidence = None, None, None
    for sentence in found:
        if not re.search(r"renew|extend|extension|evergreen", sentence, re.I):
            continue
        if _NO_RENEWAL.search(sentence) and kind is None:
            kind, evidence = "none", sentence
            continue
        if _AUTOMATIC.search(sentence):
            kind, evidence = "automatic", sentence
        elif _OPTIONAL.search(sentence) and kind in (None, "none"):
            kind, evidence = "optional", sentence
        else:
            continue
        match = next((m for p in _RENEWAL_PERIODS if (m := p.search(sentence))), None)
        if match:
            amount = _amount(match)
            if amount:
                months = _months(amount, match.group("unit"))
        elif re.search(
            r"(?:successive|additional)\s+(?:one[\s-]year|annual|yearly|twelve[\s-]month)",
            sentence,
            re.I,
        ):
            months = 12
        if kind == "automatic":
            break
    return kind, months, evidence


_TERM = re.compile(
    rf"(?:initial\s+term|term\s+of\s+(?:this|the)\s+agreement|(?:this|the)\s+agreement)[^.;]{{0,120}}?"
    rf"(?:period\s+of|term\s+of|for|shall\s+be|continue\s+(?:in\s+(?:full\s+)?(?:force|effect)\s+)?for)"
    rf"\s+(?:a\s+period\s+of\s+)?{AMOUNT}[\s-]*(?P<unit>years?|months?)\b",
    re.I,
)


def initial_term(found: list[str]) -> tuple[int, str] | None:
    for sentence in found:
        if re.search(r"renew|extend|additional", sentence, re.I):
            continue
        match = _TERM.search(sentence)
        if match:
            amount = _amount(match)
            if amount:
                return _months(amount, match.group("unit")), sentence
    return None


_EFFECTIVE = re.compile(
    r"effective\s+(?:as\s+of|on|from)|dated\s+(?:as\s+of)?|entered\s+into\s+(?:as\s+of|on)|"
    r"made\s+(?:and\s+entered\s+into\s+)?(?:as\s+of|on|this|the)|\"Effective\s+Date\"|Effective\s+Date\s*(?:means|:|shall\s+mean)",
    re.I,
)


def effective_date(found: list[str]) -> tuple[dt.date, str] | None:
    for sentence in found[:60]:
        match = _EFFECTIVE.search(sentence)
        if not match:
            continue
        window = sentence[max(0, match.start() - 120) : match.end() + 120]
        date = find_date(window)
        if date:
            return date[0], sentence
    return None


_EXPIRY = re.compile(
    r"(?:expire|terminate|end|continue\s+(?:in\s+(?:full\s+)?(?:force|effect)\s+)?until|through)\s+(?:on\s+)?",
    re.I,
)


def expiry_date(found: list[str]) -> tuple[dt.date, str] | None:
    for sentence in found:
        if not re.search(r"\bterm\b|expir|terminat|until", sentence, re.I):
            continue
        for match in _EXPIRY.finditer(sentence):
            date = find_date(sentence[match.end() : match.end() + 40])
            if date and date[1] < 12:
                return date[0], sentence
    return None


def extract(text: str, path: str = "") -> Facts:
    found = sentences(text)
    facts = Facts(path=path)
    if law := governing_law(found):
        facts.governing_law, facts.evidence["governing_law"] = law
    if notice := notice_days(found):
        facts.notice_days, facts.evidence["notice_days"] = notice
    kind, months, evidence = renewal(found)
    if kind:
        facts.renewal_type = kind
        facts.evidence["renewal_type"] = evidence
        if months:
            facts.renewal_term_months = months
            facts.evidence["renewal_term_months"] = evidence
    if term := initial_term(found):
        facts.initial_term_months, facts.evidence["initial_term_months"] = term
    if effective := effective_date(found):
        facts.effective_date, facts.evidence["effective_date"] = effective
    if expiry := expiry_date(found):
        facts.expiry_date, facts.evidence["expiry_date"] = expiry
    return facts


def extract_file(path: Path) -> Facts:
    return extract(text_of(path), str(path))
