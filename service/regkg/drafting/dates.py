"""Dates as articles write them, in the languages regulators publish in.

Finding where a date is written is done here (patterns for day-month-year in words,
numeric dates, CJK 年月日 and 년월일 dates, Japanese era years, and day-and-month without a
year); reading a date written in words ("18 July 2018", "06 de julho de 2023",
"4. März 2024", "13 juillet") is dateparser's, restricted to the article's language.
Japanese era years (令和, 平成), which dateparser does not read, are converted here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Final

__all__ = ["FoundDate", "find_dates", "url_date"]

_ERAS: Final = {"令和": 2018, "平成": 1988, "昭和": 1925}
_WORD: Final = r"[^\W\d_]{3,12}\.?"

_PATTERNS: Final[list[tuple[str, re.Pattern[str]]]] = [
    ("iso", re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)")),
    ("era", re.compile(r"(?P<era>令和|平成|昭和)(?P<y>\d{1,2}|元)年\s?(?P<m>\d{1,2})月\s?(?P<d>\d{1,2})日")),
    ("cjk", re.compile(r"(?P<y>\d{4})\s?[年년]\s?(?P<m>\d{1,2})\s?[月월]\s?(?P<d>\d{1,2})\s?[日일]")),
    ("dmy", re.compile(r"(?<![\d.])(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})(?!\d)")),
    (
        "words",
        re.compile(
            rf"(?<!\w)(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th|er|º|\.)?\s(?:de\s)?(?P<w1>{_WORD}),?\s(?:de\s)?(?P<y1>\d{{4}})"
            rf"|(?P<w2>{_WORD})\s(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s(?P<y2>\d{{4}}))(?!\d)"
        ),
    ),
    ("md-cjk", re.compile(r"(?<![\d年년])(?P<m>\d{1,2})[月월]\s?(?P<d>\d{1,2})[日일]")),
    ("d-ko", re.compile(r"(?<![\d월])(?P<d>\d{1,2})일(?=\s|,)")),
    ("dm-words", re.compile(rf"(?<!\w)(?P<d>\d{{1,2}})(?:er|º|\.)?\s(?:de\s)?(?P<w>{_WORD})(?!\s?,?\s?(?:de\s)?\d)")),
]


@dataclass(frozen=True)
class FoundDate:
    """A date in the text; ``partial`` when the text gave no year (or no month), which were
    then taken from ``anchor``."""

    value: date
    start: int
    end: int
    text: str
    partial: bool


@lru_cache(maxsize=4096)
def _parse_words(text: str, language: str) -> date | None:
    import dateparser

    langs = [language] if language != "en" else ["en"]
    if language != "en":
        langs.append("en")
    try:
        parsed = dateparser.parse(
            text,
            languages=langs,
            settings={
                "STRICT_PARSING": False,
                "REQUIRE_PARTS": ["day", "month", "year"],
                "PREFER_DAY_OF_MONTH": "first",
            },
        )
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    return parsed.date() if parsed else None


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d) if 1990 <= y <= 2100 else None
    except ValueError:
        return None


def find_dates(text: str, language: str, anchor: date | None = None) -> list[FoundDate]:
    """Dates written in ``text``, in order; day-and-month dates take ``anchor``'s year (and a day
    alone, in Korean, its month), and are left out when there is no anchor."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            value: date | None = None
            partial = False
            g = m.groupdict()
            if kind in ("iso", "cjk", "dmy"):
                value = _safe(int(g["y"]), int(g["m"]), int(g["d"]))
            elif kind == "era":
                year = 1 if g["y"] == "元" else int(g["y"])
                value = _safe(_ERAS[g["era"]] + year, int(g["m"]), int(g["d"]))
            elif kind == "words":
                value = _parse_words(m.group(0), language)
            elif anchor is not None and kind == "md-cjk":
                value, partial = _safe(anchor.year, int(g["m"]), int(g["d"])), True
            elif anchor is not None and kind == "d-ko":
                value, partial = _safe(anchor.year, anchor.month, int(g["d"])), True
            elif anchor is not None and kind == "dm-words":
                full = _parse_words(f"{g['d']} {g['w']} {anchor.year}", language)
                value, partial = full, True
            if value is None:
                continue
            taken.append((m.start(), m.end()))
            found.append(FoundDate(value, m.start(), m.end(), m.group(0), partial))
    return sorted(found, key=lambda f: f.start)


_URL_DATE: Final = [
    re.compile(r"/(?P<y>20\d{2})[/-](?P<m>[01]\d)[/-](?P<d>[0-3]\d)(?:/|-|$)"),
    re.compile(r"(?<!\d)(?P<y>20[0-3]\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d{1,3}(?:\D|$))"),
    re.compile(r"(?<!\d)(?P<y>20[0-3]\d)(?P<m>[01]\d)(?P<d>[0-3]\d)"),
]


def url_date(url: str) -> date | None:
    """A publication date written in an address (/2021/07/13/, 20210914...), if one is."""
    for pattern in _URL_DATE:
        m = pattern.search(url)
        if m:
            value = _safe(int(m["y"]), int(m["m"]), int(m["d"]))
            if value:
                return value
    return None
