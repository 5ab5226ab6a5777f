"""The one model of an enforcement action as a row: the CSV importer reads it, the drafter writes it.

:data:`COLUMNS` are the columns README.md ("Data: adding events") documents. An
:class:`ActionRow` holds one row's cells, as text, exactly as a person (or the
drafter) wrote them; :mod:`regkg.resolver` turns its names into IRIs and
:mod:`regkg.emitter` its cells into triples. What is wrong with a row is a
:class:`Problem` value (row, column, the offending value, message): callers test
its fields, never its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Final

import rdflib
from rdflib import URIRef

from regkg import vocab

__all__ = [
    "COLUMNS",
    "DATE_COLUMNS",
    "ISO_4217",
    "KINDS",
    "OUTCOMES",
    "ActionRow",
    "Column",
    "Problem",
    "split",
]

RK = rdflib.Namespace(vocab.RK)


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help: str


#: The CSV columns, in the order the README documents them. ``required`` columns
#: must be in the header and filled on every row; the others may be left out.
COLUMNS: Final[tuple[Column, ...]] = (
    Column("kind", True, "probe, decision or judicial-review"),
    Column("label", True, "what happened, in English (the action's rdfs:label)"),
    Column("regulator", True, "the authority (or, for a judicial review, the court): name, alias or IRI"),
    Column("targets", True, "companies as named in the decision, ';'-separated names or IRIs; new names are minted"),
    Column("platforms", False, "platforms concerned, ';'-separated; a new one is written 'Name [Operator]'"),
    Column("concerns", True, "';'-separated slugs of ontology/concerns.ttl (antitrust; privacy; ...)"),
    Column("date_opened", False, "YYYY-MM-DD"),
    Column("date_decided", False, "YYYY-MM-DD"),
    Column("date_announced", False, "YYYY-MM-DD (at least one of the three dates is required)"),
    Column("status", False, "open, concluded, under-appeal, upheld, reduced, annulled or settled"),
    Column("legal_basis", False, "the law relied on: name, alias or IRI of a rk:Law in the graph"),
    Column("provision", False, "articles cited, as published ('Article 17(1)(4)')"),
    Column("fine_amount", False, "the fine exactly as published, in full units: 18228000000 or 1234.56"),
    Column("fine_currency", False, "ISO 4217 code of the published amount (CNY, EUR, USD, ...)"),
    Column("other_outcomes", False, "';'-separated: fine (amount unpublished), " + "rectification-order, "
           "account-ban, app-removal, service-suspension, commitment"),
    Column("source_url", True, "the http(s) address of the report the row was checked against"),
    Column("source_title", True, "its title"),
    Column("source_publisher", True, "its publisher: name, alias or IRI; a new name is minted as a rk:Publisher"),
    Column("source_date", True, "its publication date, YYYY-MM-DD"),
    Column("source_author", False, "its author(s)"),
    Column("campaign", False, "a rk:Campaign in the graph: name or IRI"),
    Column("follows_probe", False, "the probe the decision rests on: action IRI, slug or label"),
    Column("reviews", False, "for a judicial review (required there): the action ruled on, IRI, slug or label"),
    Column("id", False, "optional: the action's slug, when the minted one would clash"),
)  # fmt: skip
COLUMN_NAMES: Final = frozenset(c.name for c in COLUMNS)
DATE_COLUMNS: Final = ("date_opened", "date_decided", "date_announced")

KINDS: Final = {"probe": RK.Probe, "decision": RK.Decision, "judicial-review": RK.JudicialReview}

#: other_outcomes token -> (class, IRI suffix, label)
OUTCOMES: Final[dict[str, tuple[URIRef, str, str]]] = {
    "fine": (RK.Fine, "fine", "Fine"),
    "rectification-order": (RK.RectificationOrder, "order", "Rectification order"),
    "account-ban": (RK.AccountBan, "account-ban", "Account ban"),
    "app-removal": (RK.AppRemoval, "app-removal", "App removal order"),
    "service-suspension": (RK.ServiceSuspension, "suspension", "Service suspension order"),
    "commitment": (RK.Commitment, "commitment", "Commitment"),
}

#: Active ISO 4217 currency codes (plus the rouble's and a few historical codes regulators used).
_ISO_4217_TEXT: Final = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF
    GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK
    LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR
    PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC
    SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR
    ZMW ZWL"""
ISO_4217: Final = frozenset(_ISO_4217_TEXT.split())

DATE_RE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
AMOUNT_RE: Final = re.compile(r"^\d+(\.\d+)?$")


def split(cell: str) -> list[str]:
    """A ';'-separated cell as its parts, blanks dropped."""
    return [part.strip() for part in cell.split(";") if part.strip()]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a row, where a spreadsheet user can find it.

    ``value`` is the cell text the problem is about (when it is about one name of a
    list): code asks ``problem.value``, it never searches ``message``."""

    row: int | None
    column: str | None
    message: str
    value: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ActionRow:
    """One action as the columns of :data:`COLUMNS`, each cell as text (lists ';'-separated)."""

    kind: str = ""
    label: str = ""
    regulator: str = ""
    targets: str = ""
    platforms: str = ""
    concerns: str = ""
    date_opened: str = ""
    date_decided: str = ""
    date_announced: str = ""
    status: str = ""
    legal_basis: str = ""
    provision: str = ""
    fine_amount: str = ""
    fine_currency: str = ""
    other_outcomes: str = ""
    source_url: str = ""
    source_title: str = ""
    source_publisher: str = ""
    source_date: str = ""
    source_author: str = ""
    campaign: str = ""
    follows_probe: str = ""
    reviews: str = ""
    id: str = ""

    @classmethod
    def from_cells(cls, cells: dict[str, str]) -> ActionRow:
        """The row of a CSV record (header -> cell); unknown columns are the reader's concern."""
        return cls(**{c.name: (cells.get(c.name) or "").strip() for c in COLUMNS})

    def cells(self) -> dict[str, str]:
        """Column -> cell, in the order of :data:`COLUMNS` (a CSV record)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def cell(self, name: str) -> str:
        return str(getattr(self, name)).strip()
