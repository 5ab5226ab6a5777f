"""Names to IRIs: the one resolver the CSV importer and the drafter share.

A :class:`Catalogue` reads the names (labels, alternative and former labels, in every
language), types, concerns and source addresses of the shipped graph. A
:class:`Resolver` turns the names a row gives into IRIs of that graph, or mints new
companies, platforms, publishers and sources with IRIs made from their names
(``Example Widgets Ltd`` -> ``id/org/example-widgets-ltd``), recording what it minted
(:class:`Minted`, :class:`SourceRecord`) for the emitter to write. What cannot be
resolved is a :class:`~regkg.action_row.Problem`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import pyoxigraph as ox
import rdflib
from rdflib import RDFS, URIRef
from rdflib.namespace import SKOS

from regkg import vocab
from regkg.action_row import DATE_RE, Problem
from regkg.names import normalise

__all__ = [
    "Catalogue",
    "Minted",
    "Resolver",
    "SourceRecord",
    "is_iri",
    "norm",
    "short_of",
    "slugify",
]

RK = rdflib.Namespace(vocab.RK)
SCHEMA = rdflib.Namespace(vocab.SCHEMA)

_PLATFORM_RE: Final = re.compile(r"^(?P<name>[^\[\]]+?)\s*\[(?P<operator>[^\[\]]+)\]$")
_GENERIC_WORDS: Final = frozenset({
    "group", "holding", "holdings", "inc", "ltd", "limited", "co", "corp", "corporation", "company", "plc", "llc",
    "gmbh", "sa", "ag", "se", "bv", "nv", "technology", "technologies", "global", "platforms", "international",
})  # fmt: skip
SMALL_WORDS: Final = frozenset({"of", "for", "the", "and", "on", "in", "de", "la", "des", "du", "et"})


def slugify(text: str) -> str:
    """'Alibaba Group Holding Ltd.' -> 'alibaba-group-holding-ltd': lowercase ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = ascii_text.replace("&", " and ").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def norm(name: str) -> str:
    """The key names are matched on: the one normalisation of names (regkg.names), which search uses too."""
    return normalise(name)


def is_iri(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def short_of(slug: str) -> str:
    """Drop generic trailing words ('alibaba-group' -> 'alibaba', 'meta-platforms' -> 'meta')."""
    words = slug.split("-")
    while len(words) > 1 and words[-1] in _GENERIC_WORDS:
        words.pop()
    return "-".join(words)


# ------------------------------------------------------------------ the graph we resolve against


class Catalogue:
    """Names, types and IRIs of the shipped graph, for resolving what a row names."""

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
            self.names[norm(lit.value)].add(s.value)
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
        self.jurisdictions: dict[str, str] = {}
        q = "SELECT ?s ?j WHERE { ?s rk:jurisdiction ?j }"
        for row in store.query(vocab.sparql_prefixes() + q, use_default_graph_as_union=True):  # type: ignore[union-attr]
            self.jurisdictions[row["s"].value] = row["j"].value
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
            words = [w for w in re.findall(r"[A-Za-z]+", label) if w.lower() not in SMALL_WORDS]
            if len(words) > 1:
                return "".join(w[0] for w in words).lower()
        return short_of(iri.rstrip("/").rsplit("/", 1)[-1])

    def lookup(self, name: str, kinds: Iterable[str]) -> list[str]:
        """IRIs whose label or alias is ``name`` and whose type is one of ``kinds``."""
        wanted = set(kinds)
        return sorted(i for i in self.names.get(norm(name), set()) if self.types.get(i, set()) & wanted)


# ------------------------------------------------------------------ resolving a row's names


@dataclass
class Minted:
    """A company, platform or publisher the graph lacks, to be written with the row's triples."""

    kind: str  # company | platform | publisher
    iri: str
    name: str
    row: int
    column: str
    sources: set[str] = field(default_factory=set)
    operator: str | None = None


@dataclass
class SourceRecord:
    iri: str
    url: str
    title: str
    publisher: str
    date: str
    row: int


class Resolver:
    """Resolves the names of rows against a :class:`Catalogue`, minting what may be minted.

    Problems are appended to :attr:`problems`; a name already reported for a row and
    column is not reported again (:meth:`already_reported` asks the problems' values)."""

    def __init__(self, catalogue: Catalogue, problems: list[Problem] | None = None) -> None:
        self.cat = catalogue
        self.problems: list[Problem] = problems if problems is not None else []
        self.minted: dict[str, Minted] = {}
        self.publisher_types: dict[str, tuple[int, str]] = {}  # existing entity -> where it became a publisher
        self.sources: dict[str, SourceRecord] = {}

    def problem(self, row: int, column: str | None, message: str, value: str | None = None) -> None:
        self.problems.append(Problem(row, column, message, value))

    def already_reported(self, row: int, column: str, value: str) -> bool:
        return any(p.row == row and p.column == column and p.value == value for p in self.problems)

    def minted_of(self, kind: str) -> dict[str, str]:
        return {m.iri: m.name for m in self.minted.values() if m.kind == kind}

    def resolve(self, row: int, column: str, value: str, kinds: Sequence[str], what: str) -> str | None:
        """An IRI for a cell naming an existing entity of one of ``kinds``; None (and a problem) if not."""
        if is_iri(value):
            if any(self.cat.is_a(value, k) for k in kinds):
                return value
            self.problem(row, column, f"{value} is not a {what} in the graph", value)
            return None
        found = self.cat.lookup(value, kinds)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            self.problem(row, column, f"{value!r} names more than one {what}: {', '.join(found)}; give the IRI", value)
            return None
        return None

    def existing(self, row: int, column: str, value: str, kinds: Sequence[str], what: str) -> str | None:
        """An entity that must already be in the graph (regulator, law, campaign): a problem if it is not."""
        found = self.resolve(row, column, value, kinds, what)
        if found is None and not self.already_reported(row, column, value):
            others = self.cat.names.get(norm(value), set())
            hint = f" ({value!r} is {', '.join(sorted(others))}, which is not one)" if others else ""
            self.problem(
                row, column, f"no {what} named {value!r} in the graph{hint}; add it to data/ or give its IRI", value
            )
        return found

    def mint(self, kind: str, name: str, row: int, column: str, source: str | None) -> str | None:
        slug = slugify(name)
        if not slug or not re.search(r"[a-z]", slug):
            self.problem(row, column, f"cannot mint an IRI from {name!r}: give the English (Latin-script) name", name)
            return None
        base = "platform" if kind == "platform" else "org"
        iri = f"{vocab.ID}{base}/{slug}"
        if iri in self.cat.subjects:  # the slug exists: the same name written differently
            return iri
        earlier = self.minted.get(iri)
        if earlier is not None and earlier.name != name:
            self.problem(row, column, f"{name!r} and {earlier.name!r} would both be minted as {iri}; write one name")
            return iri
        if earlier is None:
            earlier = self.minted[iri] = Minted(kind, iri, name, row, column)
        if source:
            earlier.sources.add(source)
        return iri

    def organisation(self, row: int, column: str, value: str, source: str | None) -> str | None:
        found = self.resolve(row, column, value, ("Company", "Organization"), "company")
        if found or is_iri(value) or self.already_reported(row, column, value):
            return found
        plats = self.cat.lookup(value, ("Platform",))
        if plats:
            self.problem(row, column, f"{value!r} is a platform ({plats[0]}); list it under platforms", value)
            return None
        return self.mint("company", value, row, column, source)

    def platform(self, row: int, value: str, first_target: str | None, source: str | None) -> str | None:
        column = "platforms"
        m = _PLATFORM_RE.match(value)
        name, operator_name = (m.group("name").strip(), m.group("operator").strip()) if m else (value, None)
        found = self.resolve(row, column, name, ("Platform",), "platform")
        if found or is_iri(name) or self.already_reported(row, column, name):
            return found
        operator = self.organisation(row, column, operator_name, source) if operator_name else first_target
        if operator is None:
            self.problem(row, column, f"new platform {name!r} needs its operator: write '{name} [Operator name]'", name)
            return None
        iri = self.mint("platform", name, row, column, source)
        if iri and iri in self.minted and self.minted[iri].operator is None:
            self.minted[iri].operator = operator
        return iri

    def publisher(self, row: int, value: str) -> tuple[str | None, bool]:
        """The publisher's IRI, and whether it is an authority (then the source is a press release)."""
        column = "source_publisher"
        found = self.resolve(row, column, value, ("Publisher",), "publisher")
        if found:
            return found, self.cat.is_a(found, "Authority")
        if is_iri(value):
            return None, False
        other = self.resolve(row, column, value, ("Authority", "Company", "Organization"), "organisation")
        if other:  # a regulator's or company's own press office: make it a publisher too
            self.publisher_types.setdefault(other, (row, column))
            return other, self.cat.is_a(other, "Authority")
        if self.already_reported(row, column, value):
            return None, False
        return self.mint("publisher", value, row, column, None), False

    def status(self, row: int, value: str) -> str | None:
        wanted = norm(value.replace("-", " ").replace("_", " "))
        statuses = sorted(i for i, k in self.cat.types.items() if "ActionStatus" in k)
        for iri in statuses:
            local = iri.rsplit("#", 1)[-1]
            names = {norm(re.sub(r"(?<!^)(?=[A-Z])", " ", local))}
            names.update(norm(v) for vs in self.cat.labels.get(iri, {}).values() for v in vs)
            if wanted in names or value == iri:
                return iri
        known = sorted(re.sub(r"(?<!^)(?=[A-Z])", "-", i.rsplit("#", 1)[-1]).lower() for i in statuses)
        self.problem(row, "status", f"unknown status {value!r}; expected one of {', '.join(known)}", value)
        return None

    def source(self, row: int, url: str, title: str, publisher: str, date_text: str) -> str | None:
        """The source's IRI: the graph's for a known URL, else one minted from date, publisher and title."""
        ok = True
        if url and not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", url):
            self.problem(row, "source_url", f"{url!r} is not an http(s) address", url)
            ok = False
        if date_text:
            try:
                if not DATE_RE.match(date_text):
                    raise ValueError
                date.fromisoformat(date_text)
            except ValueError:
                self.problem(row, "source_date", f"{date_text!r} is not a date written YYYY-MM-DD", date_text)
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
                    self.problem(row, col, f"row {earlier.row} gives the same source_url with {col} {theirs!r}")
            return earlier.iri
        pub_slug = slugify(publisher) if not is_iri(publisher) else publisher.rstrip("/").rsplit("/", 1)[-1]
        found = [] if is_iri(publisher) else self.cat.lookup(publisher, ("Publisher", "Authority", "Organization"))
        if len(found) == 1:
            pub_slug = self.cat.short_name(found[0])
        words = [w for w in slugify(title).split("-") if w not in SMALL_WORDS and w not in {"a", "an", "to", "s"}]
        slug = f"{date_text}-{short_of(pub_slug) or 'source'}-{'-'.join(words[:4]) or 'report'}"
        iri = f"{vocab.ID}source/{slug}"
        clash = [s for s in self.sources.values() if s.iri == iri]
        if clash or iri in self.cat.subjects:
            iri = f"{iri}-{len([s for s in self.sources.values() if s.iri.startswith(iri)]) + 2}"
        self.sources[url] = SourceRecord(iri, url, title, publisher, date_text, row)
        return iri

    def target_short(self, iri: str) -> str:
        """The slug part an action IRI uses for a target, minted or not."""
        if iri in self.minted:
            return short_of(iri.rsplit("/", 1)[-1])
        return self.cat.short_name(iri)

    def label(self, iri: str) -> str:
        minted = self.minted.get(iri)
        return minted.name if minted else self.cat.english_label(iri) or iri.rsplit("/", 1)[-1]

    def concern(self, value: str) -> str | None:
        """A concern's IRI from its slug (or IRI), None if the scheme has no such concept."""
        return self.cat.concerns.get(value.removeprefix(vocab.CONCERN).lower())

    def uriref(self, iri: str) -> URIRef:
        return URIRef(iri)
