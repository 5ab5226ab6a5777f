"""Amounts of money as articles write them: "€1.84 billion", "182.28亿元", "Rs 1,337.76 crore",
"2 milyar 607 milyon TL", "2천249억3천만원", "A$60 million", "R$ 7.200,00".

Digits are read with babel's number parsing for the article's language (decimal comma or
point, group separators), falling back to the other convention only where the first one
refuses the text. What no library reads is written here: scale words (billion, Milliarden,
crore, lakh, milyar, 亿, 억, 兆 ...) and compounds of them ("2 milyar 607 milyon",
"2천249억3천만"), and the currency signs and words, mapped to ISO 4217 codes. A bare "$"
stays without a currency (:data:`DOLLAR`) for the caller to settle from the regulator's
jurisdiction, or to leave unsure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from babel.numbers import NumberFormatError, parse_decimal

__all__ = ["DOLLAR", "Amount", "find_amounts", "parse_number"]

#: the currency of a bare "$": to be settled by the caller
DOLLAR: Final = "$"

# sign or code before the number -> ISO 4217 (longest first in the pattern)
_PREFIX: Final[dict[str, str]] = {
    "US$": "USD", "USD$": "USD", "U.S.$": "USD", "A$": "AUD", "AU$": "AUD", "AUD$": "AUD", "C$": "CAD", "CA$": "CAD",
    "NZ$": "NZD", "HK$": "HKD", "S$": "SGD", "R$": "BRL", "MX$": "MXN", "NT$": "TWD", "€": "EUR", "£": "GBP",
    "¥": "JPY", "￥": "JPY", "₹": "INR", "Rs.": "INR", "Rs": "INR", "INR": "INR", "₩": "KRW", "₺": "TRY",
    "EUR": "EUR", "USD": "USD", "GBP": "GBP", "AUD": "AUD", "CAD": "CAD", "CHF": "CHF", "CNY": "CNY", "RMB": "CNY",
    "KRW": "KRW", "JPY": "JPY", "TRY": "TRY", "BRL": "BRL", "人民币": "CNY", "人民幣": "CNY", "$": DOLLAR,
}  # fmt: skip
# word or sign after the number (and its scale) -> ISO 4217
_SUFFIX: Final[dict[str, str]] = {
    "euros": "EUR", "euro": "EUR", "eur": "EUR", "€": "EUR", "usd": "USD", "us dollars": "USD", "dollars": DOLLAR,
    "dollar": DOLLAR, "pounds": "GBP", "gbp": "GBP", "yuan": "CNY", "renminbi": "CNY", "rmb": "CNY", "cny": "CNY",
    "元": "CNY", "圆": "CNY", "円": "JPY", "yen": "JPY", "jpy": "JPY", "원": "KRW", "won": "KRW", "krw": "KRW",
    "tl": "TRY", "türk lirası": "TRY", "lira": "TRY", "try": "TRY", "₺": "TRY", "rupees": "INR", "inr": "INR",
    "reais": "BRL", "real": "BRL", "brl": "BRL", "aud": "AUD", "cad": "CAD", "chf": "CHF", "francs": "CHF",
    "złotych": "PLN", "zł": "PLN", "pln": "PLN", "kronor": "SEK", "sek": "SEK",
}  # fmt: skip
# scale words -> power of ten; several languages' words for million, billion, crore, 亿 ...
_SCALE: Final[dict[str, int]] = {
    "thousand": 3, "k": 3, "million": 6, "millions": 6, "mn": 6, "m": 6, "mio": 6, "mio.": 6, "millionen": 6,
    "milioni": 6, "milione": 6, "millones": 6, "millón": 6, "milhões": 6, "milhão": 6, "milyon": 6, "mln": 6,
    "billion": 9, "billions": 9, "bn": 9, "b": 9, "milliard": 9, "milliards": 9, "milliarde": 9, "milliarden": 9,
    "mrd": 9, "mrd.": 9, "miliardi": 9, "miliardo": 9, "mil millones": 9, "bilhões": 9, "bilhão": 9, "milyar": 9,
    "trillion": 12, "trilyon": 12, "crore": 7, "crores": 7, "lakh": 5, "lakhs": 5, "bin": 3, "mil": 3,
    "万": 4, "萬": 4, "亿": 8, "億": 8, "兆": 12, "만": 4, "억": 8, "조": 12,
}  # fmt: skip

_NUM: Final = r"\d+(?:[.,\u00a0\u202f' ]\d+)*(?:천\d*)?"
_SCALE_WORDS: Final = sorted(_SCALE, key=len, reverse=True)
_SCALE_RE: Final = "|".join(re.escape(w) for w in _SCALE_WORDS)
_PREFIX_RE: Final = "|".join(re.escape(w) for w in sorted(_PREFIX, key=len, reverse=True))
_SUFFIX_RE: Final = "|".join(re.escape(w) for w in sorted(_SUFFIX, key=len, reverse=True))
# one (number [scale]) group; CJK scales attach without a space, Latin ones after one
_GROUP: Final = rf"{_NUM}(?:\s?(?:{_SCALE_RE})(?![A-Za-z]))?"
_AMOUNT_RE: Final = re.compile(
    rf"(?P<prefix>{_PREFIX_RE})?\s?(?P<body>{_GROUP}(?:\s?{_GROUP})*)"
    rf"(?:\s?(?:de |d'|d’|di |of )?(?P<suffix>{_SUFFIX_RE})(?![A-Za-z]))?",
    re.IGNORECASE,
)
_PIECE_RE: Final = re.compile(rf"(?P<num>{_NUM})\s?(?P<scale>{_SCALE_RE})?(?![A-Za-z])", re.IGNORECASE)
_KOREAN_SMALL: Final = re.compile(r"(\d+(?:\.\d+)?)천(\d*)")


@dataclass(frozen=True)
class Amount:
    """An amount found in the text: its value in full units, its currency (ISO 4217, or
    :data:`DOLLAR`), where it is, and how many significant digits its value has."""

    value: Decimal
    currency: str
    start: int
    end: int
    text: str
    digits: int


def parse_number(text: str, language: str) -> Decimal | None:
    """Digits as written in ``language`` ("4,34" in German is 4.34, "1,337.76" in English 1337.76)."""
    text = text.replace("\u00a0", " ").replace("\u202f", " ").strip()
    if re.fullmatch(r"\d+", text):
        return Decimal(text)
    locales = [language, "en"] if language != "en" else ["en", "de"]
    for loc in locales:
        try:
            return Decimal(parse_decimal(text.replace(" ", _group(loc)), locale=loc, strict=True))
        except (NumberFormatError, InvalidOperation, ValueError):
            continue
    return None


def _group(locale: str) -> str:
    from babel.numbers import get_group_symbol

    return str(get_group_symbol(locale))


def _korean_group(text: str) -> str:
    """'2천249' -> '2249', '3천' -> '3000' (천 inside a 억/만 group)."""

    def repl(m: re.Match[str]) -> str:
        rest = m.group(2)
        return str(int(Decimal(m.group(1)) * 1000 + (int(rest) if rest else 0)))

    return _KOREAN_SMALL.sub(repl, text)


def _value(body: str, language: str) -> Decimal | None:
    """The value of 'number scale number scale ... number', scales decreasing."""
    total = Decimal(0)
    last_scale = 99
    pieces = list(_PIECE_RE.finditer(body))
    if not pieces:
        return None
    for i, m in enumerate(pieces):
        num = parse_number(_korean_group(m.group("num")), language)
        if num is None:
            return None
        scale_word = (m.group("scale") or "").lower()
        power = _SCALE.get(scale_word, 0)
        if not scale_word and i != len(pieces) - 1:
            return None  # "2 3 million": not one amount
        if power >= last_scale:
            return None
        last_scale = power
        total += num * (Decimal(10) ** power)
    return total


def _significant(value: Decimal) -> int:
    s = format(value.normalize(), "f").replace(".", "").strip("0")
    return max(len(s), 1)


def find_amounts(text: str, language: str) -> list[Amount]:
    """Every amount with a currency in ``text``, in order."""
    found: list[Amount] = []
    for m in _AMOUNT_RE.finditer(text):
        prefix, suffix = m.group("prefix"), m.group("suffix")
        if not prefix and not suffix:
            continue
        body = m.group("body").strip()
        currency = _PREFIX.get(prefix or "", None) if prefix else None
        if prefix and currency is None:
            currency = _PREFIX.get(prefix.upper())
        if suffix:
            suffix_currency = _SUFFIX.get(suffix.lower())
            if currency in (None, DOLLAR) and suffix_currency:
                currency = suffix_currency if currency is None or suffix_currency != DOLLAR else currency
        if currency is None:
            continue
        value = _value(body, language)
        if value is None or value == 0:
            continue
        whole = m.group(0)
        start = m.start() + len(whole) - len(whole.lstrip())
        end = m.end() - len(whole) + len(whole.rstrip())
        found.append(Amount(value, currency, start, end, whole.strip(), _significant(value)))
    return found
