"""The governing law: the place whose laws govern the contract, as the contract names it.

Only a sentence that says what governs the agreement counts ("governed by", "construed in
accordance with", "the laws of X shall govern"), and only a place from the list below:
"the laws of any jurisdiction", "securities laws" or "organized under the laws of Delaware"
name no governing law. A Canadian province is given with its country ("Ontario, Canada"),
as the labels of filed contracts write it; "the State of New York and the United States"
is New York.
"""

from __future__ import annotations

import re

US_STATES = [
    "Alabama",
    "Alaska",
    "Arizona",
    "Arkansas",
    "California",
    "Colorado",
    "Connecticut",
    "Delaware",
    "Florida",
    "Georgia",
    "Hawaii",
    "Idaho",
    "Illinois",
    "Indiana",
    "Iowa",
    "Kansas",
    "Kentucky",
    "Louisiana",
    "Maine",
    "Maryland",
    "Massachusetts",
    "Michigan",
    "Minnesota",
    "Mississippi",
    "Missouri",
    "Montana",
    "Nebraska",
    "Nevada",
    "Ohio",
    "Oklahoma",
    "Oregon",
    "Pennsylvania",
    "Tennessee",
    "Texas",
    "Utah",
    "Vermont",
    "Virginia",
    "Washington",
    "Wisconsin",
    "Wyoming",
] + [
    "New Hampshire",
    "New Jersey",
    "New Mexico",
    "New York",
    "North Carolina",
    "North Dakota",
    "Rhode Island",
    "South Carolina",
    "South Dakota",
    "West Virginia",
    "District of Columbia",
    "Puerto Rico",
]
PROVINCES = [
    "Ontario",
    "Quebec",
    "British Columbia",
    "Alberta",
    "Manitoba",
    "Saskatchewan",
    "Nova Scotia",
    "New Brunswick",
]
OTHER_PLACES = [
    "England and Wales",
    "England",
    "Scotland",
    "Northern Ireland",
    "United Kingdom",
    "Ireland",
    "Hong Kong",
    "People's Republic of China",
    "PRC",
    "China",
    "Macau",
    "Taiwan",
    "Singapore",
    "Japan",
    "Korea",
    "India",
    "Israel",
    "Germany",
    "France",
    "Switzerland",
    "Netherlands",
    "Belgium",
    "Luxembourg",
    "Austria",
    "Italy",
    "Spain",
    "Portugal",
    "Sweden",
    "Norway",
    "Denmark",
    "Finland",
    "Cyprus",
    "Malta",
    "Canada",
    "Mexico",
    "Brazil",
    "Argentina",
    "Chile",
    "Colombia",
    "Australia",
    "New South Wales",
    "Victoria",
    "Queensland",
    "New Zealand",
    "South Africa",
    "Kazakhstan",
    "Russian Federation",
    "Russia",
    "Philippines",
    "Malaysia",
    "Thailand",
    "Indonesia",
    "Vietnam",
    "Papua New Guinea",
    "Cayman Islands",
    "British Virgin Islands",
    "Bermuda",
    "United Arab Emirates",
    "Dubai",
    "United States of America",
    "United States",
]
_CANONICAL = {name.lower(): name for name in [*US_STATES, *PROVINCES, *OTHER_PLACES]}
_PLACE = "|".join(re.escape(name) for name in sorted(_CANONICAL, key=len, reverse=True))
# Spaces are optional where OCR glues words ("the laws ofthe State ofTexas").
_KIND = (
    r"(?:the\s*)?(?:(?:State|Commonwealth|Province|Republic|Kingdom|Federal\s+Republic|"
    r"Grand\s+Duchy|Territory|Emirate|Canton|Country|Government)\s+of\s*(?:the\s+)?)?"
)
# "the laws of the State of New York", "the internal laws of Delaware", "New York law"
_LAWS_OF = re.compile(
    rf"laws?(?:\s*\([^)]{{0,60}}\))?(?:\s+and\s+decisions)?(?:\s+(?:in\s+force\s+)?in\b|\s*of)\s*"
    rf"{_KIND}(?P<place>{_PLACE})\b",
    re.IGNORECASE,
)
# "governed by English law": the labels name the place, England.
_ENGLISH_LAW = re.compile(
    r"\b(?:governed\s+by|in\s+accordance\s+with|under)\s+English\s+law\b", re.I
)
_PLACE_LAW = re.compile(
    rf"\b(?:governed\s+by|in\s+accordance\s+with|under)\s+(?:the\s+)?(?:internal\s+|substantive\s+)?"
    rf"{_KIND}(?P<place>{_PLACE})\s+law\b",
    re.IGNORECASE,
)
# "... in the State of Nevada and shall be governed by ... the laws thereof"
_THEREOF = re.compile(
    rf"\b{_KIND}(?P<place>{_PLACE})\b[^.;]{{0,160}}\blaws\s+(?:thereof|of\s+(?:such|that|said)\s+state)\b",
    re.I,
)
_TRIGGER = re.compile(
    r"\bgovern(?:s|ed|ing)?\b|\bconstru(?:e|ed|es|ction)\b|\binterpret|\benforced\s+(?:in\s+accordance|under)|"
    r"\b(?:agreement|contract)\s+(?:is|shall\s+be)\s+(?:made\s+)?(?:under\s+and\s+)?subject\s+to|"
    r"\bgoverning\s+law|"
    # "any controversy ... shall be determined in accordance with the laws of the State of Michigan"
    r"\bdetermined\s+(?:in\s+accordance\s+with|under)\s+the\s+laws?\b",
    re.IGNORECASE,
)
# Plain words, searched in the lowered sentence before any pattern: a cheap first cut.
_TRIGGER_WORDS = re.compile(r"govern|constru|interpret|enforced|subject to|determined")
_STRONG = re.compile(
    r"\bgoverned\b|\bconstrued\b|\bgovern\s+(?:this|the)\b|\bshall\s+govern\b", re.IGNORECASE
)
# The laws of a place named for another purpose in the same sentence.
_OTHER_PURPOSE = re.compile(
    r"(?:organi[sz]ed|incorporated|existing|formed|registered)\s+(?:and\s+existing\s+)?under\s+"
    rf"the\s+laws\s+of\s+{_KIND}(?:{_PLACE})\b",
    re.IGNORECASE,
)
_US = {"united states", "united states of america"}
_PROVINCE = re.compile("|".join(PROVINCES), re.IGNORECASE)


def governing_law(found: list[str]) -> tuple[str, str] | None:
    weak = None
    for sentence in found:
        lower = sentence.lower()
        if "law" not in lower or not _TRIGGER_WORDS.search(lower):
            continue
        if not _TRIGGER.search(sentence):
            continue
        place = _place(sentence)
        if place is None:
            continue
        if _STRONG.search(sentence):
            return place, sentence
        weak = weak or (place, sentence)
    return weak


def _place(sentence: str) -> str | None:
    masked = _OTHER_PURPOSE.sub(" ", sentence)
    places = [m.group("place") for m in _LAWS_OF.finditer(masked)]
    places += [m.group("place") for m in _PLACE_LAW.finditer(masked)]
    if not places:
        places = [m.group("place") for m in _THEREOF.finditer(masked)]
    if not places and _ENGLISH_LAW.search(masked):
        places = ["England"]
    names = [_CANONICAL[p.lower()] for p in places]
    # Federal law names no place of its own when a state is named beside it.
    named = [n for n in names if n.lower() not in _US] or names
    if not named:
        return None
    place = named[0]
    if place == "Canada":  # "the federal laws of Canada applicable in Ontario"
        province = _PROVINCE.search(sentence)
        place = _CANONICAL[province.group(0).lower()] if province else place
    if place in PROVINCES:
        return f"{place}, Canada"
    if place.lower() in _US:
        return "United States"
    return place
