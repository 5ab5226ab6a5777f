"""`regkg import FILE.csv`: enforcement actions from a spreadsheet, as Turtle.

The Turtle files under data/ are the record; a CSV is only a way in. Each row
is one action. Names of regulators, companies, platforms, laws and publishers
are resolved against the labels and alternative labels of the shipped graph;
unknown companies, platforms and publishers are minted with IRIs made from
their names, actions with IRIs made from their date, regulator and target
(``id/action/2021-04-10-samr-alibaba``), so importing the same CSV again gives
the same bytes. Nothing is written unless the new triples, together with the
shipped data, conform to shapes/. Problems are reported by row and column,
rows numbered as a spreadsheet shows them (the header is row 1).

The columns are :data:`COLUMNS`; README.md ("Data: adding events") documents them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Final

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer

from regkg import loading, vocab
from regkg.validation import validate_quads

__all__ = [
    "COLUMNS",
    "OUTCOMES",
    "Built",
    "Catalogue",
    "Column",
    "ImportResult",
    "Problem",
    "build",
    "import_csv",
    "read_rows",
    "shacl_problems",
    "slugify",
]

RK = rdflib.Namespace(vocab.RK)
SCHEMA = rdflib.Namespace(vocab.SCHEMA)
ORG = rdflib.Namespace(vocab.ORG)


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
_COLUMN_NAMES: Final = {c.name for c in COLUMNS}
_DATE_COLUMNS: Final = ("date_opened", "date_decided", "date_announced")

_KINDS: Final = {"probe": RK.Probe, "decision": RK.Decision, "judicial-review": RK.JudicialReview}

#: other_outcomes token -> (class, IRI suffix, label)
OUTCOMES: Final[dict[str, tuple[URIRef, str, str]]] = {
    "fine": (RK.Fine, "fine", "Fine"),
    "rectification-order": (RK.RectificationOrder, "order", "Rectification order"),
    "account-ban": (RK.AccountBan, "account-ban", "Account ban"),
    "app-removal": (RK.AppRemoval, "app-removal", "App removal order"),
    "service-suspension": (RK.ServiceSuspension, "suspension", "Service suspension order"),
    "commitment": (RK.Commitment, "commitment", "Commitment"),
}

#: how a penalty's label names the one target: "Fine of CNY 500,000 on X", "Commitment by X"
_PENALISED: Final[dict[str, str]] = {
    "fine": "on",
    "rectification-order": "to",
    "account-ban": "on",
    "app-removal": "to",
    "service-suspension": "to",
    "commitment": "by",
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

_DATE_RE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_AMOUNT_RE: Final = re.compile(r"^\d+(\.\d+)?$")
_SLUG_RE: Final = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PLATFORM_RE: Final = re.compile(r"^(?P<name>[^\[\]]+?)\s*\[(?P<operator>[^\[\]]+)\]$")
_GENERIC_WORDS: Final = frozenset({
    "group", "holding", "holdings", "inc", "ltd", "limited", "co", "corp", "corporation", "company", "plc", "llc",
    "gmbh", "sa", "ag", "se", "bv", "nv", "technology", "technologies", "global", "platforms", "international",
})  # fmt: skip
_SMALL_WORDS: Final = frozenset({"of", "for", "the", "and", "on", "in", "de", "la", "des", "du", "et"})


# ------------------------------------------------------------------ problems


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the CSV, where a spreadsheet user can find it."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass
class ImportResult:
    """What an import produced: the graph, its Turtle, and what was wrong."""

    problems: list[Problem] = field(default_factory=list)
    graph: rdflib.Graph | None = None
    turtle: str = ""
    actions: list[str] = field(default_factory=list)
    minted: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


# ------------------------------------------------------------------ helpers


def slugify(text: str) -> str:
    """'Alibaba Group Holding Ltd.' -> 'alibaba-group-holding-ltd': lowercase ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = ascii_text.replace("&", " and ").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _norm(name: str) -> str:
    """The key names are matched on: case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _is_iri(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _short_of(slug: str) -> str:
    """Drop generic trailing words ('alibaba-group' -> 'alibaba', 'meta-platforms' -> 'meta')."""
    words = slug.split("-")
    while len(words) > 1 and words[-1] in _GENERIC_WORDS:
        words.pop()
    return "-".join(words)


def _amount_label(value: Decimal, currency: str) -> str:
    text = f"{value:,f}"
    return f"{currency} {text}"


# ------------------------------------------------------------------ the graph we resolve against


class Catalogue:
    """Names, types and IRIs of the shipped graph, for resolving what a CSV cell names."""

    _TYPES_QUERY: Final = """
        SELECT DISTINCT ?s ?kind WHERE {
          VALUES ?kind { rk:Authority rk:Court rk:Company org:Organization rk:Publisher rk:Platform rk:Law
                         rk:Campaign rk:EnforcementAction rk:Probe rk:ActionStatus rk:Source }
          ?s a ?c . ?c rdfs:subClassOf* ?kind . }"""
    _NAMES_QUERY: Final = """
        SELECT ?s ?name ?p WHERE {
          VALUES ?p { rdfs:label skos:altLabel skos:prefLabel rk:formerName }
          ?s ?p ?name . FILTER(isLiteral(?name)) }"""

    def __init__(self, quads: Sequence[ox.Quad]) -> None:
        store = ox.Store()
        store.extend(quads)
        self.types: dict[str, set[str]] = defaultdict(set)
        for row in store.query(vocab.sparql_prefixes() + self._TYPES_QUERY, use_default_graph_as_union=True):  # type: ignore[union-attr]
            self.types[row["s"].value].add(row["kind"].value.rsplit("#", 1)[-1])
        self.names: dict[str, set[str]] = defaultdict(set)
        self.labels: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for row in store.query(vocab.sparql_prefixes() + self._NAMES_QUERY, use_default_graph_as_union=True):  # type: ignore[union-attr]
            s = row["s"]
            if not isinstance(s, ox.NamedNode):
                continue
            lit = row["name"]
            self.names[_norm(lit.value)].add(s.value)
            lang = lit.language or ""
            self.labels[s.value][f"{row['p'].value}|{lang}"].append(lit.value)
        self.concerns: dict[str, str] = {}
        q = "SELECT ?c WHERE { ?c a skos:Concept ; skos:inScheme <" + vocab.CONCERN + "> }"
        for row in store.query(vocab.sparql_prefixes() + q, use_default_graph_as_union=True):  # type: ignore[union-attr]
            self.concerns[row["c"].value.removeprefix(vocab.CONCERN)] = row["c"].value
        self.source_urls: dict[str, str] = {}
        q = "SELECT ?s ?u WHERE { ?s schema:url ?u ; a rk:Source }"
        for row in store.query(vocab.sparql_prefixes() + q, use_default_graph_as_union=True):  # type: ignore[union-attr]
            self.source_urls[row["u"].value] = row["s"].value
        self.subjects: set[str] = {
            q.subject.value
            for q in quads
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(vocab.ID)
        }

    def is_a(self, iri: str, kind: str) -> bool:
        return kind in self.types.get(iri, set())

    def english_label(self, iri: str) -> str | None:
        labels = self.labels.get(iri, {}).get(f"{RDFS.label}|en")
        return sorted(labels)[0] if labels else None

    def short_name(self, iri: str) -> str:
        """The slug part an action IRI uses for this entity: its shortest ASCII English alias, or the
        initials of a regulator's name, or its own slug without generic words."""
        aliases = self.labels.get(iri, {}).get(f"{SKOS.altLabel}|en", [])
        ascii_aliases = sorted((a for a in aliases if slugify(a) and a.isascii()), key=lambda a: (len(a), a))
        if ascii_aliases:
            return slugify(ascii_aliases[0])
        label = self.english_label(iri)
        if label and self.is_a(iri, "Authority"):
            words = [w for w in re.findall(r"[A-Za-z]+", label) if w.lower() not in _SMALL_WORDS]
            if len(words) > 1:
                return "".join(w[0] for w in words).lower()
        return _short_of(iri.rstrip("/").rsplit("/", 1)[-1])

    def lookup(self, name: str, kinds: Iterable[str]) -> list[str]:
        """IRIs whose label or alias is ``name`` and whose type is one of ``kinds``."""
        wanted = set(kinds)
        return sorted(i for i in self.names.get(_norm(name), set()) if self.types.get(i, set()) & wanted)


# ------------------------------------------------------------------ reading


def read_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[Problem]]:
    """The header and the non-empty rows, each with the spreadsheet row number it started on."""
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return [], [], [Problem(None, None, "the file is empty: expected a header row naming the columns")]
    except csv.Error as exc:
        return [], [], [Problem(1, None, f"not a readable CSV file: {exc}")]
    unknown = [h for h in header if h and h not in _COLUMN_NAMES]
    for h in unknown:
        problems.append(Problem(1, h, f"unknown column {h!r}; the columns are: {', '.join(c.name for c in COLUMNS)}"))
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    for h in dupes:
        problems.append(Problem(1, h, "column given twice"))
    missing = [c.name for c in COLUMNS if c.required and c.name not in header]
    if missing:
        problems.append(Problem(1, None, f"missing required column(s): {', '.join(missing)}"))
    if not any(d in header for d in _DATE_COLUMNS):
        problems.append(Problem(1, None, f"needs at least one date column: {', '.join(_DATE_COLUMNS)}"))
    rows: list[tuple[int, dict[str, str]]] = []
    line = reader.line_num + 1
    try:
        for record in reader:
            start = line
            line = reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(header):
                problems.append(Problem(start, None, f"{len(record)} cells but the header names {len(header)} columns"))
                continue
            row = {h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(header) if h}
            rows.append((start, row))
    except csv.Error as exc:
        problems.append(Problem(line, None, f"not a readable CSV row: {exc}"))
    return header, rows, problems


# ------------------------------------------------------------------ building


@dataclass
class _Source:
    iri: str
    url: str
    title: str
    publisher: str
    date: str
    row: int


class _Builder:
    """Turns rows into triples, collecting problems instead of stopping at the first."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.cat = catalogue
        self.g = rdflib.Graph()
        for prefix, ns in {
            "rk": vocab.RK, "rdfs": vocab.RDFS, "skos": vocab.SKOS, "dct": vocab.DCT, "prov": vocab.PROV,
            "schema": vocab.SCHEMA, "xsd": vocab.XSD, "concern": vocab.CONCERN, "o": f"{vocab.ID}org/",
            "pf": f"{vocab.ID}platform/", "act": f"{vocab.ID}action/", "pen": f"{vocab.ID}penalty/",
            "amt": f"{vocab.ID}amount/", "src": f"{vocab.ID}source/", "law": f"{vocab.ID}law/",
            "camp": f"{vocab.ID}campaign/",
        }.items():  # fmt: skip
            self.g.bind(prefix, rdflib.Namespace(ns), override=True, replace=True)
        self.problems: list[Problem] = []
        self.minted: dict[str, dict[str, str]] = {"company": {}, "platform": {}, "publisher": {}}
        self.minted_rows: dict[str, int] = {}
        self.sources: dict[str, _Source] = {}
        self.actions: dict[str, int] = {}
        self.action_labels: dict[str, str] = {}
        self.probes: set[str] = set()
        self.pending_links: list[tuple[int, str, str, URIRef, str]] = []
        self.subject_rows: dict[str, tuple[int, str | None]] = {}

    # -- small utilities
    def problem(self, row: int, column: str | None, message: str) -> None:
        self.problems.append(Problem(row, column, message))

    def add(self, s: str, p: URIRef, o: rdflib.term.Node) -> None:
        self.g.add((URIRef(s), p, o))

    def _resolve(self, row: int, column: str, value: str, kinds: Sequence[str], what: str) -> str | None:
        """An IRI for a cell naming an existing entity of one of ``kinds``; None (and a problem) if not."""
        if _is_iri(value):
            if any(self.cat.is_a(value, k) for k in kinds):
                return value
            self.problem(row, column, f"{value} is not a {what} in the graph")
            return None
        found = self.cat.lookup(value, kinds)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            self.problem(row, column, f"{value!r} names more than one {what}: {', '.join(found)}; give the IRI")
            return None
        return None

    def _unknown(self, row: int, column: str, value: str, what: str) -> None:
        others = self.cat.names.get(_norm(value), set())
        hint = f" ({value!r} is {', '.join(sorted(others))}, which is not one)" if others else ""
        self.problem(row, column, f"no {what} named {value!r} in the graph{hint}; add it to data/ or give its IRI")

    # -- entities that may be minted
    def _mint(self, kind: str, name: str, row: int, column: str, cls: URIRef, source: str | None) -> str | None:
        slug = slugify(name)
        if not slug or not re.search(r"[a-z]", slug):
            self.problem(row, column, f"cannot mint an IRI from {name!r}: give the English (Latin-script) name")
            return None
        base = "platform" if kind == "platform" else "org"
        iri = f"{vocab.ID}{base}/{slug}"
        if iri in self.cat.subjects:  # the slug exists: the same name written differently
            return iri
        earlier = self.minted[kind].get(iri)
        if earlier is not None and earlier != name:
            self.problem(row, column, f"{name!r} and {earlier!r} would both be minted as {iri}; write one name")
            return iri
        if earlier is None:
            self.minted[kind][iri] = name
            self.minted_rows[iri] = row
            self.subject_rows[iri] = (row, column)
            self.add(iri, RDF.type, cls)
            self.add(iri, RDFS.label, Literal(name, lang="en"))
        if source:
            self.add(iri, PROV.wasDerivedFrom, URIRef(source))
        return iri

    def organisation(self, row: int, column: str, value: str, source: str | None) -> str | None:
        found = self._resolve(row, column, value, ("Company", "Organization"), "company")
        if found or _is_iri(value) or self._already_reported(row, column, value):
            return found
        plats = self.cat.lookup(value, ("Platform",))
        if plats:
            self.problem(row, column, f"{value!r} is a platform ({plats[0]}); list it under platforms")
            return None
        return self._mint("company", value, row, column, RK.Company, source)

    def platform(self, row: int, value: str, first_target: str | None, source: str | None) -> str | None:
        column = "platforms"
        m = _PLATFORM_RE.match(value)
        name, operator_name = (m.group("name").strip(), m.group("operator").strip()) if m else (value, None)
        found = self._resolve(row, column, name, ("Platform",), "platform")
        if found or _is_iri(name) or self._already_reported(row, column, name):
            return found
        operator = self.organisation(row, column, operator_name, source) if operator_name else first_target
        if operator is None:
            self.problem(row, column, f"new platform {name!r} needs its operator: write '{name} [Operator name]'")
            return None
        iri = self._mint("platform", name, row, column, RK.Platform, source)
        if iri and iri not in self.cat.subjects:
            self.add(iri, RK.operatedBy, URIRef(operator))
        return iri

    def _already_reported(self, row: int, column: str, value: str) -> bool:
        return any(p.row == row and p.column == column and repr(value) in p.message for p in self.problems)

    def publisher(self, row: int, value: str, regulator: str | None) -> tuple[str | None, bool]:
        """The publisher's IRI, and whether it is an authority (then the source is a press release)."""
        column = "source_publisher"
        found = self._resolve(row, column, value, ("Publisher",), "publisher")
        if found:
            return found, self.cat.is_a(found, "Authority")
        if _is_iri(value):
            return None, False
        other = self._resolve(row, column, value, ("Authority", "Company", "Organization"), "organisation")
        if other:  # a regulator's or company's own press office: make it a publisher too
            self.add(other, RDF.type, RK.Publisher)
            self.subject_rows.setdefault(other, (row, column))
            return other, self.cat.is_a(other, "Authority")
        if self._already_reported(row, column, value):
            return None, False
        return self._mint("publisher", value, row, column, RK.Publisher, None), False

    # -- a row
    def row(self, n: int, cells: dict[str, str]) -> None:
        def cell(name: str) -> str:
            return cells.get(name, "").strip()

        before = len(self.problems)
        for c in COLUMNS:
            if c.required and not cell(c.name):
                self.problem(n, c.name, f"is empty; {c.name} is required ({c.help})")

        kind_text = cell("kind").lower()
        kind = _KINDS.get(kind_text)
        if kind_text and kind is None:
            self.problem(n, "kind", f"unknown kind {cell('kind')!r}; expected one of {', '.join(_KINDS)}")

        dates: dict[str, str] = {}
        for col in _DATE_COLUMNS:
            value = cell(col)
            if not value:
                continue
            if not _DATE_RE.match(value):
                self.problem(n, col, f"{value!r} is not a date written YYYY-MM-DD")
                continue
            try:
                date.fromisoformat(value)
            except ValueError:
                self.problem(n, col, f"{value!r} is not a calendar date")
                continue
            dates[col] = value
        if not any(cell(c) for c in _DATE_COLUMNS):
            self.problem(n, None, f"needs at least one date: {', '.join(_DATE_COLUMNS)}")
        if "date_opened" in dates and "date_decided" in dates and dates["date_decided"] < dates["date_opened"]:
            self.problem(n, "date_decided", f"{dates['date_decided']} is before date_opened {dates['date_opened']}")

        # the source first: minted entities cite it
        source = self.source(n, cells)

        regulator = None
        if cell("regulator"):
            regulator = self._resolve(n, "regulator", cell("regulator"), ("Authority",), "regulator")
            if regulator is None and not self._already_reported(n, "regulator", cell("regulator")):
                self._unknown(n, "regulator", cell("regulator"), "regulator or court")
            if regulator and kind == RK.JudicialReview and not self.cat.is_a(regulator, "Court"):
                self.problem(n, "regulator", f"a judicial review's regulator is a court; {regulator} is not a rk:Court")
        if source and regulator:
            pub, is_authority = self.publisher(n, cell("source_publisher"), regulator)
            self._write_source(source, pub, is_authority, cells)

        targets = [t for t in (self.organisation(n, "targets", v, source) for v in _split(cell("targets"))) if t]
        platforms = [
            p
            for p in (self.platform(n, v, targets[0] if targets else None, source) for v in _split(cell("platforms")))
            if p
        ]

        concerns = []
        for value in _split(cell("concerns")):
            key = value.removeprefix(vocab.CONCERN).lower()
            if key in self.cat.concerns:
                concerns.append(self.cat.concerns[key])
            else:
                self.problem(
                    n, "concerns", f"unknown concern {value!r}; expected one of {', '.join(sorted(self.cat.concerns))}"
                )

        status = None
        if cell("status"):
            status = self._status(n, cell("status"))

        law = None
        if cell("legal_basis"):
            law = self._resolve(n, "legal_basis", cell("legal_basis"), ("Law",), "law")
            if law is None and not self._already_reported(n, "legal_basis", cell("legal_basis")):
                self._unknown(n, "legal_basis", cell("legal_basis"), "law")

        campaign = None
        if cell("campaign"):
            campaign = self._resolve(n, "campaign", cell("campaign"), ("Campaign",), "campaign")
            if campaign is None and not self._already_reported(n, "campaign", cell("campaign")):
                self._unknown(n, "campaign", cell("campaign"), "campaign")

        amount, currency = self._amount(n, cell("fine_amount"), cell("fine_currency"))
        outcomes = []
        for value in _split(cell("other_outcomes")):
            token = value.lower().replace(" ", "-")
            if token not in OUTCOMES:
                self.problem(n, "other_outcomes", f"unknown outcome {value!r}; expected one of {', '.join(OUTCOMES)}")
            elif token not in outcomes:
                outcomes.append(token)
        if amount is not None and "fine" not in outcomes:
            outcomes.insert(0, "fine")

        if kind == RK.JudicialReview and not cell("reviews"):
            self.problem(n, "reviews", "a judicial review needs the action it rules on (IRI, slug or label)")
        if kind != RK.JudicialReview and cell("reviews"):
            self.problem(n, "reviews", "only a judicial review reviews another action; set kind to judicial-review")

        if len(self.problems) > before or kind is None or regulator is None or not targets or source is None:
            return

        # -- the action
        key_date = self._key_date(kind_text, dates)
        slug = cell("id")
        if slug and not _SLUG_RE.match(slug):
            self.problem(n, "id", f"{slug!r} is not a slug (lowercase letters, digits and single hyphens)")
            return
        if not slug:
            suffix = {"probe": "-probe", "judicial-review": "-review"}.get(kind_text, "")
            slug = f"{key_date}-{self.cat.short_name(regulator)}-{self._target_short(targets[0])}{suffix}"
        action = f"{vocab.ID}action/{slug}"
        if action in self.actions:
            self.problem(n, "id", f"row {self.actions[action]} already mints {action}; give this row an id")
            return
        if action in self.cat.subjects:
            self.problem(n, "id", f"{action} is already in data/; give this row another id, or edit that action there")
            return
        self.actions[action] = n
        self.action_labels[_norm(cell("label"))] = action
        self.subject_rows[action] = (n, None)
        if kind == RK.Probe:
            self.probes.add(action)

        self.add(action, RDF.type, kind)
        self.add(action, RDFS.label, Literal(cell("label"), lang="en"))
        self.add(action, RK.regulator, URIRef(regulator))
        for t in targets:
            self.add(action, RK.target, URIRef(t))
        for p in platforms:
            self.add(action, RK.platform, URIRef(p))
        for concern in concerns:
            self.add(action, RK.concern, URIRef(concern))
        for col, prop in (("date_opened", RK.dateOpened), ("date_decided", RK.dateDecided),
                          ("date_announced", RK.dateAnnounced)):  # fmt: skip
            if col in dates:
                self.add(action, prop, Literal(dates[col], datatype=XSD.date))
        if status:
            self.add(action, RK.status, URIRef(status))
        if law:
            self.add(action, RK.legalBasis, URIRef(law))
        if cell("provision"):
            self.add(action, RK.provision, Literal(cell("provision")))
        if campaign:
            self.add(action, RK.partOfCampaign, URIRef(campaign))
        self.add(action, PROV.wasDerivedFrom, URIRef(source))
        if cell("follows_probe"):
            self.pending_links.append((n, "follows_probe", action, RK.followsProbe, cell("follows_probe")))
        if cell("reviews"):
            self.pending_links.append((n, "reviews", action, RK.reviews, cell("reviews")))

        # -- penalties
        target_label = self._label(targets[0]) if len(targets) == 1 else None
        for token in outcomes:
            cls, suffix, noun = OUTCOMES[token]
            penalty = f"{vocab.ID}penalty/{slug}-{suffix}"
            self.subject_rows[penalty] = (n, "fine_amount" if token == "fine" else "other_outcomes")
            self.add(penalty, RDF.type, cls)
            if token == "fine" and amount is not None and currency:
                noun = f"Fine of {_amount_label(amount, currency)}"
            text = f"{noun} {_PENALISED[token]} {target_label}" if target_label else f"{noun} ({cell('label')})"
            self.add(penalty, RDFS.label, Literal(text, lang="en"))
            if len(targets) == 1:
                self.add(penalty, RK.penalisedEntity, URIRef(targets[0]))
            self.add(penalty, PROV.wasDerivedFrom, URIRef(source))
            self.add(action, RK.outcome, URIRef(penalty))
            if token == "fine" and amount is not None and currency:
                amt = f"{vocab.ID}amount/{slug}-{suffix}-{currency.lower()}"
                self.subject_rows[amt] = (n, "fine_amount")
                self.add(penalty, RK.amount, URIRef(amt))
                self.add(amt, RDF.type, SCHEMA.MonetaryAmount)
                self.add(amt, RDFS.label, Literal(_amount_label(amount, currency), lang="en"))
                self.add(amt, SCHEMA.value, Literal(f"{amount:f}", datatype=XSD.decimal))
                self.add(amt, SCHEMA.currency, Literal(currency))

    def _label(self, iri: str) -> str:
        minted = self.minted["company"].get(iri)
        return minted or self.cat.english_label(iri) or iri.rsplit("/", 1)[-1]

    def _target_short(self, iri: str) -> str:
        if iri in self.minted["company"]:
            return _short_of(iri.rsplit("/", 1)[-1])
        return self.cat.short_name(iri)

    @staticmethod
    def _key_date(kind: str, dates: dict[str, str]) -> str:
        order = (
            ("date_opened", "date_announced", "date_decided")
            if kind == "probe"
            else ("date_decided", "date_announced", "date_opened")
        )
        return next(dates[c] for c in order if c in dates)

    def _status(self, n: int, value: str) -> str | None:
        wanted = _norm(value.replace("-", " ").replace("_", " "))
        for iri, kinds in self.cat.types.items():
            if "ActionStatus" in kinds:
                local = iri.rsplit("#", 1)[-1]
                names = {_norm(re.sub(r"(?<!^)(?=[A-Z])", " ", local))}
                names.update(_norm(v) for vs in self.cat.labels.get(iri, {}).values() for v in vs)
                if wanted in names or value == iri:
                    return iri
        known = sorted(
            re.sub(r"(?<!^)(?=[A-Z])", "-", i.rsplit("#", 1)[-1]).lower()
            for i, k in self.cat.types.items()
            if "ActionStatus" in k
        )
        self.problem(n, "status", f"unknown status {value!r}; expected one of {', '.join(known)}")
        return None

    def _amount(self, n: int, amount_text: str, currency_text: str) -> tuple[Decimal | None, str | None]:
        amount: Decimal | None = None
        currency: str | None = None
        if amount_text:
            cleaned = amount_text.replace(" ", "")
            if cleaned.startswith("-"):
                self.problem(n, "fine_amount", f"{amount_text!r} is negative; a fine is a non-negative amount")
            elif re.fullmatch(r"[\d.,]+", cleaned) and "," in cleaned:
                self.problem(n, "fine_amount", f"{amount_text!r}: write the amount without thousands separators "
                             "(18228000000, or 1234.56 with a decimal point)")  # fmt: skip
            elif not _AMOUNT_RE.match(amount_text):
                self.problem(
                    n,
                    "fine_amount",
                    f"{amount_text!r} is not an amount: write the exact published figure "
                    "in full units, digits and an optional decimal point (no 'billion', no currency sign)",
                )
            else:
                try:
                    amount = Decimal(amount_text)
                except InvalidOperation:  # pragma: no cover - the regex admits only decimals
                    self.problem(n, "fine_amount", f"{amount_text!r} is not an amount")
            if not currency_text:
                self.problem(n, "fine_currency", "a fine amount needs its currency (ISO 4217 code, e.g. CNY, EUR)")
        if currency_text:
            if not amount_text:
                self.problem(n, "fine_amount", "fine_currency is given but fine_amount is empty")
            if currency_text not in ISO_4217:
                hint = " (codes are upper case)" if currency_text.upper() in ISO_4217 else ""
                self.problem(n, "fine_currency", f"{currency_text!r} is not an ISO 4217 currency code{hint}")
            else:
                currency = currency_text
        return amount, currency

    # -- sources
    def source(self, n: int, cells: dict[str, str]) -> str | None:
        url = cells.get("source_url", "").strip()
        title = cells.get("source_title", "").strip()
        date_text = cells.get("source_date", "").strip()
        publisher = cells.get("source_publisher", "").strip()
        ok = True
        if url and not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", url):
            self.problem(n, "source_url", f"{url!r} is not an http(s) address")
            ok = False
        if date_text:
            try:
                if not _DATE_RE.match(date_text):
                    raise ValueError
                date.fromisoformat(date_text)
            except ValueError:
                self.problem(n, "source_date", f"{date_text!r} is not a date written YYYY-MM-DD")
                ok = False
        if not (ok and url and title and date_text and publisher):
            return None
        if url in self.cat.source_urls:
            return self.cat.source_urls[url]
        earlier = self.sources.get(url)
        if earlier is not None:
            for col, mine, theirs in (("source_title", title, earlier.title), ("source_date", date_text, earlier.date),
                                      ("source_publisher", publisher, earlier.publisher)):  # fmt: skip
                if mine != theirs:
                    self.problem(n, col, f"row {earlier.row} gives the same source_url with {col} {theirs!r}")
            return earlier.iri
        pub_slug = slugify(publisher) if not _is_iri(publisher) else publisher.rstrip("/").rsplit("/", 1)[-1]
        found = [] if _is_iri(publisher) else self.cat.lookup(publisher, ("Publisher", "Authority", "Organization"))
        if len(found) == 1:
            pub_slug = self.cat.short_name(found[0])
        words = [w for w in slugify(title).split("-") if w not in _SMALL_WORDS and w not in {"a", "an", "to", "s"}]
        slug = f"{date_text}-{_short_of(pub_slug) or 'source'}-{'-'.join(words[:4]) or 'report'}"
        iri = f"{vocab.ID}source/{slug}"
        clash = [s for s in self.sources.values() if s.iri == iri]
        if clash or iri in self.cat.subjects:
            iri = f"{iri}-{len([s for s in self.sources.values() if s.iri.startswith(iri)]) + 2}"
        self.sources[url] = _Source(iri, url, title, publisher, date_text, n)
        self.subject_rows[iri] = (n, "source_url")
        return iri

    def _write_source(self, iri: str, publisher: str | None, press_release: bool, cells: dict[str, str]) -> None:
        src = self.sources.get(cells.get("source_url", "").strip())
        if src is None or src.iri != iri or (URIRef(iri), RDF.type, RK.Source) in self.g:
            return
        self.add(iri, RDF.type, RK.Source)
        self.add(iri, RDF.type, RK.PressRelease if press_release else SCHEMA.NewsArticle)
        self.add(iri, DCTERMS.title, Literal(src.title, lang="en"))
        self.add(iri, DCTERMS.date, Literal(src.date, datatype=XSD.date))
        self.add(iri, SCHEMA.url, URIRef(src.url))
        if publisher:
            self.add(iri, SCHEMA.publisher, URIRef(publisher))
        author = cells.get("source_author", "").strip()
        if author:
            self.add(iri, SCHEMA.author, Literal(author))

    # -- links between actions, once every row is read
    def link(self) -> None:
        for n, column, action, prop, value in self.pending_links:
            target = self._action_ref(value)
            if target is None:
                self.problem(n, column, f"no action {value!r} in data/ or in this file (give its IRI, slug or label)")
                continue
            if target == action:
                self.problem(n, column, "an action cannot refer to itself")
                continue
            if prop == RK.followsProbe and not (target in self.probes or self.cat.is_a(target, "Probe")):
                self.problem(n, column, f"{target} is not a probe")
                continue
            self.add(action, prop, URIRef(target))

    def _action_ref(self, value: str) -> str | None:
        candidates = [value] if _is_iri(value) else [f"{vocab.ID}action/{value}"]
        for c in candidates:
            if c in self.actions or self.cat.is_a(c, "EnforcementAction"):
                return c
        if value.startswith(vocab.ID):
            return None
        by_label = self.action_labels.get(_norm(value))
        if by_label:
            return by_label
        found = self.cat.lookup(value, ("EnforcementAction",))
        return found[0] if len(found) == 1 else None


# ------------------------------------------------------------------ the whole import

#: predicate -> the column a SHACL problem on it is reported under
_COLUMN_OF: Final[dict[str, str]] = {
    str(RK.regulator): "regulator", str(RK.target): "targets", str(RK.platform): "platforms",
    str(RK.concern): "concerns", str(RK.dateOpened): "date_opened", str(RK.dateDecided): "date_decided",
    str(RK.dateAnnounced): "date_announced", str(RK.status): "status", str(RK.legalBasis): "legal_basis",
    str(RK.partOfCampaign): "campaign", str(RK.followsProbe): "follows_probe", str(RK.reviews): "reviews",
    str(PROV.wasDerivedFrom): "source_url", str(RDFS.label): "label", str(SCHEMA.value): "fine_amount",
    str(SCHEMA.currency): "fine_currency", str(SCHEMA.publisher): "source_publisher",
    str(DCTERMS.title): "source_title", str(DCTERMS.date): "source_date", str(SCHEMA.url): "source_url",
    str(RK.operatedBy): "platforms",
}  # fmt: skip


_RATES: Final = f"{vocab.ID}rate/"


def _context_quads(output: Path | None) -> list[ox.Quad]:
    """Ontology and shipped data, without the file being (re)written, so a re-import gives the same bytes."""
    skip = output.resolve() if output is not None else None
    quads: list[ox.Quad] = []
    for f in loading.shipped_files():
        if skip is not None and f.path.resolve() == skip:
            continue
        quads.extend(loading.parse_file(f.path, f.graph))
    return quads


def _to_quads(g: rdflib.Graph) -> list[ox.Quad]:
    data = g.serialize(format="nt", encoding="utf-8")
    graph = ox.NamedNode(vocab.DATA_GRAPH_PREFIX + "import")
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


class _Turtle(LongTurtleSerializer):
    """rdflib's longturtle, except that decimals keep their lexical form ("500000"^^xsd:decimal,
    not 500000.0): amounts stay written exactly as published."""

    def label(self, node: rdflib.term.Node, position: int) -> str:
        if isinstance(node, Literal) and node.datatype == XSD.decimal:
            return node._literal_n3(use_plain=False, qname_callback=lambda dt: self.get_pname(dt, False))  # type: ignore[no-untyped-call]
        return str(super().label(node, position))  # type: ignore[no-untyped-call]


def _serialise(g: rdflib.Graph, csv_name: str) -> str:
    stream = io.BytesIO()
    _Turtle(g).serialize(stream, encoding="utf-8")  # type: ignore[no-untyped-call]
    body = stream.getvalue().decode("utf-8")
    header = (
        f"# Imported from {csv_name} by `regkg import`. From here on this Turtle is the record:\n"
        "# correct it here (the CSV was only a way in). Minted IRIs are stable: importing the\n"
        "# same CSV again gives this file byte for byte.\n"
    )
    return header + body if body.endswith("\n") else header + body + "\n"


@dataclass
class Built:
    """The triples a CSV gives, where each new resource came from, and what was minted."""

    graph: rdflib.Graph
    subject_rows: dict[str, tuple[int, str | None]]
    minted: dict[str, list[str]]
    actions: list[str]


def build(text: str, catalogue: Catalogue) -> tuple[Built | None, list[Problem]]:
    """CSV text -> the triples (None when anything is wrong) and the problems, sorted by row and column."""
    header, rows, problems = read_rows(text)
    if problems and (not header or any(p.row == 1 for p in problems)):
        return None, problems
    if not rows and not problems:
        problems.append(Problem(None, None, "no rows to import"))
    if problems:
        return None, problems
    builder = _Builder(catalogue)
    for n, cells in rows:
        builder.row(n, cells)
    builder.link()
    if builder.problems:
        return None, sorted(builder.problems, key=lambda p: (p.row or 0, p.column or "", p.message))
    minted = {kind: sorted(iris) for kind, iris in builder.minted.items()}
    return Built(builder.g, builder.subject_rows, minted, sorted(builder.actions)), []


def shacl_problems(
    graph: rdflib.Graph, context: Sequence[ox.Quad], subject_rows: dict[str, tuple[int, str | None]]
) -> list[Problem]:
    """Validate the new triples together with ``context``; violations on the new resources, by row and column.

    The ECB rate table (thousands of rk:ExchangeRate nodes no imported row refers to) is left
    out of the context: it would triple the time pySHACL takes and cannot change the outcome.
    """
    new = _to_quads(graph)
    subjects = {q.subject.value for q in new if isinstance(q.subject, ox.NamedNode)}
    ctx = [q for q in context if not (isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(_RATES))]
    report = validate_quads([*ctx, *new], report_subjects=subjects)
    problems = []
    for v in report.violations:
        if v.severity != "Violation":
            continue
        row, column = subject_rows.get(v.focus, (None, None))
        column = _COLUMN_OF.get(v.path or "", column)
        problems.append(Problem(row, column, f"{v.message} [{v.focus}]"))
    return sorted(problems, key=lambda p: (p.row or 0, p.column or "", p.message))


def import_csv(path: Path, output: Path | None = None, *, validate: bool = True) -> ImportResult:
    """Read ``path``, build the triples, validate them with the shipped data; never writes a file.

    ``output`` is the file the caller will write: it is left out of the context
    the rows are resolved and validated against, as it holds a previous import.
    """
    result = ImportResult()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        result.problems.append(Problem(None, None, f"{path}: not UTF-8 text; save the spreadsheet as CSV UTF-8"))
        return result
    context = _context_quads(output)
    built, problems = build(text, Catalogue(context))
    if built is None:
        result.problems = problems
        return result
    if validate:
        result.problems = shacl_problems(built.graph, context, built.subject_rows)
        if result.problems:
            return result
    result.graph = built.graph
    result.turtle = _serialise(built.graph, path.name)
    result.actions = built.actions
    result.minted = built.minted
    return result
