"""Sentences, numbers and dates as filed contracts write them.

Filed exhibits carry page furniture ("Source: ACME CORP, 10-K, 3/15/2017", "Page 3 of 12",
"-7-"), words hyphenated across lines, curly quotes and ALL-CAPS clauses. The text is
cleaned once, then cut into sentences; every rule reads those sentences.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
MONTHS["sept"] = 9

_SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
NUMBER_WORDS = {word: n for n, word in enumerate(_SMALL)}
NUMBER_WORDS |= {word: 20 + 10 * n for n, word in enumerate(_TENS)}
_SMALL_RE = "|".join(sorted(_SMALL, key=len, reverse=True))
_TENS_RE = "|".join(_TENS)
WORD_NUMBER = (
    rf"(?:(?:{_SMALL_RE})[\s-]+hundred(?:[\s-]+and)?[\s-]*)?"
    rf"(?:(?:{_TENS_RE})(?:[\s-]+(?:one|two|three|four|five|six|seven|eight|nine))?|{_SMALL_RE})"
    r"|(?:one|a)[\s-]+hundred"
)
# "sixty (60)", "sixty", "60", "(60)", "one-year", "thirty-day"
AMOUNT = (
    rf"(?:\b(?P<words>{WORD_NUMBER})\b[\s-]*)?"
    r"(?:\(\s*(?P<paren>\d{1,3})\s*\)|\b(?P<digits>\d{1,3})\b)?"
)
UNIT = r"(?P<unit>business\s+days?|calendar\s+days?|days?|weeks?|months?|years?)"
PERIOD = re.compile(rf"{AMOUNT}[\s-]*{UNIT}\b", re.IGNORECASE)


def words_to_int(text: str) -> int | None:
    parts = text.lower().replace("-", " ").split()
    if not parts:
        return None
    total = 0
    for part in parts:
        if part == "hundred":
            total = max(total, 1) * 100
        elif part in NUMBER_WORDS:
            total += NUMBER_WORDS[part]
        elif part not in ("and", "a"):
            return None
    return total


def amount(match: re.Match) -> int | None:
    """The number a PERIOD match states; the figure in digits wins over the words."""
    if match.group("paren"):
        return int(match.group("paren"))
    if match.group("digits"):
        return int(match.group("digits"))
    words = (match.group("words") or "").strip()
    return words_to_int(words) if words else None


def months_of(count: int, unit: str) -> int | None:
    unit = unit.lower()
    if unit.startswith("year"):
        return count * 12
    if unit.startswith("month"):
        return count
    return None


def days_of(count: int, unit: str) -> int:
    unit = unit.lower()
    if unit.startswith("business"):
        return round(count * 7 / 5)
    if unit.startswith("week"):
        return count * 7
    if unit.startswith("month"):
        return round(count * 30.44)
    if unit.startswith("year"):
        return round(count * 12 * 30.44)
    return count


# --------------------------------------------------------------------------- sentences

# Page furniture of filings, each on a line of its own.
_NOISE = re.compile(
    r"^\s*(?:page\s+\d+(?:\s+of\s+\d+)?|-\s*\d+\s*-|\d{1,3}|[ivx]{1,5}|source:.*|"
    r"\[?\*{3,}\]?|confidential(?:\s+treatment\s+requested)?|table\s+of\s+contents)\s*\.?\s*$",
    re.IGNORECASE,
)
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00a0": " ",
        "\u2013": "-",
        "\u2014": "-",
        "\u00ad": "",
        "\t": " ",
        "\u00ca": " ",  # a PDF conversion's stand-in for a non-breaking space
    }
)
# Words split at a line's end ("termi-\nnation"). A number word keeps its hyphen
# ("thirty-\nday"), as do "non-" and "self-".
# (The pattern starts at the hyphen, which is rare, rather than at every word: speed.)
_HYPHENATED = re.compile(r"-[ \t]*\n\s*(?=[a-z])")
_WORD_BEFORE = re.compile(r"[A-Za-z]+$")
_KEEP_HYPHEN = set(NUMBER_WORDS) | {"non", "self", "then", "one", "co", "pre", "re"}
_BLANK_LINES = re.compile(r"\n\s*\n")
# A sentence ends at ". " or "; " before a capital, a digit, a quote or a bracket.
_BREAK = re.compile(r"(?<=[.;!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")
# A full stop after these ends no sentence ("Acme Corp. and Beta Ltd. agree"); nor does an
# initial ("John A. Smith").
_ABBREVIATIONS = {
    f"{word}."
    for word in [
        "inc",
        "corp",
        "co",
        "ltd",
        "no",
        "nos",
        "sec",
        "secs",
        "art",
        "para",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "vs",
        "v",
        "e.g",
        "i.e",
        "etc",
        "u.s",
        "u.s.a",
        "n.a",
        "l.p",
        "l.l.c",
        "s.a",
        "b.v",
        "n.v",
        "p.c",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "approx",
        "incl",
    ]
}
_BLOCK_ENDS = frozenset(".:;!?")
MAX_SENTENCE = 3000  # a table or a run-on list: cut so that no rule reads a novel


# The same furniture run into the text when a conversion lost its line breaks.
_INLINE_SOURCE = re.compile(r"Source:\s.{1,80}?,\s*[\w().\s/-]{1,30}?,\s*\d{1,2}/\d{1,2}/\d{4}")


# OCR slips of filed copies: a capital I or small l for the figure one ("one (I) year"), and
# a date glued to the word before it ("effective as of1 August 2019").
_OCR_ONE = re.compile(r"\(\s*[Il]\s*\)")
_GLUED_FIGURE = re.compile(r"\b(of|as|on)(?=\d)")


def clean(text: str) -> str:
    text = text.translate(_TRANSLATE).replace("\r\n", "\n").replace("\r", "\n")
    text = _INLINE_SOURCE.sub(" ", text)
    text = _OCR_ONE.sub("(1)", text)
    text = _GLUED_FIGURE.sub(r"\1 ", text)
    text = _HYPHENATED.sub(_join_hyphenated, text)
    lines = [line for line in text.split("\n") if not _NOISE.match(line)]
    return "\n".join(lines)


def _join_hyphenated(match: re.Match) -> str:
    before = _WORD_BEFORE.search(match.string, max(0, match.start() - 20), match.start())
    if before is None:  # "- 12 -" or a dash after a figure: not a word cut in two
        return match.group(0)
    return "-" if before.group(0).lower() in _KEEP_HYPHEN else ""


def paragraphs(text: str) -> list[str]:
    """Blocks between blank lines, each on one line. A page break in a filing leaves blank
    lines in the middle of a sentence: a block that ends without a full stop, a colon or a
    semicolon goes on into the next."""
    blocks: list[str] = []
    pending = ""
    for block in _BLANK_LINES.split(clean(text)):
        flat = " ".join(block.split())
        if not flat:
            continue
        pending = f"{pending} {flat}" if pending else flat
        if pending[-1] in _BLOCK_ENDS or len(pending) > MAX_SENTENCE:
            blocks.append(pending)
            pending = ""
    if pending:
        blocks.append(pending)
    return blocks


def sentences(text: str) -> list[str]:
    found: list[str] = []
    for flat in paragraphs(text):
        start = 0
        for cut in _BREAK.finditer(flat):
            piece = flat[start : cut.start()]
            if piece.endswith(".") and _abbreviated(piece):
                continue  # "Acme Corp. and ..." goes on
            found.extend(_bounded(piece))
            start = cut.end()
        found.extend(_bounded(flat[start:]))
    return [s for s in found if s]


def _abbreviated(piece: str) -> bool:
    last = piece[-12:].rsplit(" ", 1)[-1].lstrip("(\"'").lower()
    return last in _ABBREVIATIONS or (len(last) == 2 and last[0].isalpha())


def _bounded(sentence: str) -> list[str]:
    sentence = sentence.strip()
    if len(sentence) <= MAX_SENTENCE:
        return [sentence]
    return [sentence[i : i + MAX_SENTENCE] for i in range(0, len(sentence), MAX_SENTENCE)]


# --------------------------------------------------------------------------- dates

_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})\s*(?:st|nd|rd|th|[st]\s?[th]|[nr]\s?d|d)?"  # OCR: "1s t", "14t h"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_DATE_PATTERNS = [
    # March 1, 2019 / Mar. 1 2019 / MARCH 1ST, 2019
    re.compile(rf"\b{_MONTH}\s*{_DAY},?\s*{_YEAR}\b"),
    # 1 March 2019 / the 1st day of March, 2019 / this 14th day of November 2017
    re.compile(rf"\b{_DAY}\s*(?:(?:day\s+)?of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE),
    # 2019-03-01
    re.compile(rf"\b{_YEAR}-(?P<mnum>\d{{1,2}})-(?P<day>\d{{1,2}})\b"),
    # 03/01/2019 (month first, as American filings write it; a day over 12 goes first)
    re.compile(rf"\b(?P<mnum>\d{{1,2}})/(?P<day>\d{{1,2}})/{_YEAR}\b"),
]
DATE_HINT = re.compile(r"(?:19|20)\d\d\b")


def find_date(text: str, limit: int | None = None) -> tuple[dt.date, int] | None:
    """The first date written in the text (starting within `limit` characters), and where."""
    if not DATE_HINT.search(text):
        return None
    best = None
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if limit is not None and match.start() > limit:
                break
            day = _date(match, pattern)
            if day is None:
                continue
            if best is None or match.start() < best[1]:
                best = (day, match.start())
            break
    return best


def _date(match: re.Match, pattern: re.Pattern) -> dt.date | None:
    try:
        if "mnum" in pattern.groupindex:
            month, day = int(match.group("mnum")), int(match.group("day"))
            if month > 12 >= day:
                month, day = day, month
        else:
            month = MONTHS[match.group("month").lower()]
            day = int(match.group("day"))
        return dt.date(int(match.group("year")), month, day)
    except (KeyError, ValueError):
        return None
