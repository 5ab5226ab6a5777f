"""Rows to triples: the one emitter the CSV importer and the drafter share.

:class:`Emitter` checks each :class:`~regkg.action_row.ActionRow`'s cells, resolves its
names through a :class:`~regkg.resolver.Resolver`, and adds the action, its penalties,
amounts, source and minted entities to one rdflib graph, with stable IRIs
(``id/action/<date>-<regulator-short>-<target-short>[-probe|-review]``). Problems are
collected, never raised. :func:`serialise` writes the graph as canonical Turtle
(rdflib's longturtle, decimals in their published form).
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

import pyoxigraph as ox
import rdflib
from rdflib import RDF, RDFS, XSD, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.plugins.serializers.longturtle import LongTurtleSerializer

from regkg import vocab
from regkg.action_row import AMOUNT_RE, COLUMNS, DATE_COLUMNS, DATE_RE, ISO_4217, KINDS, OUTCOMES, ActionRow, split
from regkg.resolver import Catalogue, Resolver, is_iri, norm

__all__ = ["COLUMN_OF", "Emitter", "serialise", "to_quads"]

RK = rdflib.Namespace(vocab.RK)
SCHEMA = rdflib.Namespace(vocab.SCHEMA)

_SLUG_RE: Final = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

#: how a penalty's label names the one target: "Fine of CNY 500,000 on X", "Commitment by X"
_PENALISED: Final[dict[str, str]] = {
    "fine": "on",
    "rectification-order": "to",
    "account-ban": "on",
    "app-removal": "to",
    "service-suspension": "to",
    "commitment": "by",
}
_MINTED_CLASS: Final = {"company": RK.Company, "platform": RK.Platform, "publisher": RK.Publisher}

#: predicate -> the column a SHACL problem on it is reported under
COLUMN_OF: Final[dict[str, str]] = {
    str(RK.regulator): "regulator", str(RK.target): "targets", str(RK.platform): "platforms",
    str(RK.concern): "concerns", str(RK.dateOpened): "date_opened", str(RK.dateDecided): "date_decided",
    str(RK.dateAnnounced): "date_announced", str(RK.status): "status", str(RK.legalBasis): "legal_basis",
    str(RK.partOfCampaign): "campaign", str(RK.followsProbe): "follows_probe", str(RK.reviews): "reviews",
    str(PROV.wasDerivedFrom): "source_url", str(RDFS.label): "label", str(SCHEMA.value): "fine_amount",
    str(SCHEMA.currency): "fine_currency", str(SCHEMA.publisher): "source_publisher",
    str(DCTERMS.title): "source_title", str(DCTERMS.date): "source_date", str(SCHEMA.url): "source_url",
    str(RK.operatedBy): "platforms",
}  # fmt: skip


def amount_label(value: Decimal, currency: str) -> str:
    return f"{currency} {value:,f}"


class Emitter:
    """Turns rows into triples, collecting problems instead of stopping at the first."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.cat = catalogue
        self.resolver = Resolver(catalogue)
        self.problems = self.resolver.problems
        self.g = rdflib.Graph()
        for prefix, ns in {
            "rk": vocab.RK, "rdfs": vocab.RDFS, "skos": vocab.SKOS, "dct": vocab.DCT, "prov": vocab.PROV,
            "schema": vocab.SCHEMA, "xsd": vocab.XSD, "concern": vocab.CONCERN, "o": f"{vocab.ID}org/",
            "pf": f"{vocab.ID}platform/", "act": f"{vocab.ID}action/", "pen": f"{vocab.ID}penalty/",
            "amt": f"{vocab.ID}amount/", "src": f"{vocab.ID}source/", "law": f"{vocab.ID}law/",
            "camp": f"{vocab.ID}campaign/",
        }.items():  # fmt: skip
            self.g.bind(prefix, rdflib.Namespace(ns), override=True, replace=True)
        self.actions: dict[str, int] = {}
        self.action_labels: dict[str, str] = {}
        self.probes: set[str] = set()
        self.pending_links: list[tuple[int, str, str, URIRef, str]] = []
        self.subject_rows: dict[str, tuple[int, str | None]] = {}
        self._written_sources: set[str] = set()

    def problem(self, row: int, column: str | None, message: str, value: str | None = None) -> None:
        self.resolver.problem(row, column, message, value)

    def add(self, s: str, p: URIRef, o: rdflib.term.Node) -> None:
        self.g.add((URIRef(s), p, o))

    # -- one row
    def row(self, n: int, r: ActionRow) -> None:
        before = len(self.problems)
        for c in COLUMNS:
            if c.required and not r.cell(c.name):
                self.problem(n, c.name, f"is empty; {c.name} is required ({c.help})")

        kind_text = r.kind.lower()
        kind = KINDS.get(kind_text)
        if kind_text and kind is None:
            self.problem(n, "kind", f"unknown kind {r.kind!r}; expected one of {', '.join(KINDS)}", r.kind)

        dates = self._dates(n, r)
        res = self.resolver
        # the source first: minted entities cite it
        source = res.source(n, r.source_url, r.source_title, r.source_publisher, r.source_date)

        regulator = None
        if r.regulator:
            regulator = res.existing(n, "regulator", r.regulator, ("Authority",), "regulator or court")
            if regulator and kind == RK.JudicialReview and not self.cat.is_a(regulator, "Court"):
                self.problem(n, "regulator", f"a judicial review's regulator is a court; {regulator} is not a rk:Court")
        if source and regulator:
            pub, is_authority = res.publisher(n, r.source_publisher)
            self._write_source(source, pub, is_authority, r)

        targets = [t for t in (res.organisation(n, "targets", v, source) for v in split(r.targets)) if t]
        first = targets[0] if targets else None
        platforms = [p for p in (res.platform(n, v, first, source) for v in split(r.platforms)) if p]

        concerns = []
        for value in split(r.concerns):
            iri = res.concern(value)
            if iri:
                concerns.append(iri)
            else:
                known = ", ".join(sorted(self.cat.concerns))
                self.problem(n, "concerns", f"unknown concern {value!r}; expected one of {known}", value)

        status = res.status(n, r.status) if r.status else None
        law = res.existing(n, "legal_basis", r.legal_basis, ("Law",), "law") if r.legal_basis else None
        campaign = res.existing(n, "campaign", r.campaign, ("Campaign",), "campaign") if r.campaign else None

        amount, currency = self._amount(n, r.fine_amount, r.fine_currency)
        outcomes: list[str] = []
        for value in split(r.other_outcomes):
            token = value.lower().replace(" ", "-")
            if token not in OUTCOMES:
                self.problem(n, "other_outcomes", f"unknown outcome {value!r}; expected one of {', '.join(OUTCOMES)}")
            elif token not in outcomes:
                outcomes.append(token)
        if amount is not None and "fine" not in outcomes:
            outcomes.insert(0, "fine")

        if kind == RK.JudicialReview and not r.reviews:
            self.problem(n, "reviews", "a judicial review needs the action it rules on (IRI, slug or label)")
        if kind != RK.JudicialReview and r.reviews:
            self.problem(n, "reviews", "only a judicial review reviews another action; set kind to judicial-review")

        if len(self.problems) > before or kind is None or regulator is None or not targets or source is None:
            return

        # -- the action
        slug = r.id
        if slug and not _SLUG_RE.match(slug):
            self.problem(n, "id", f"{slug!r} is not a slug (lowercase letters, digits and single hyphens)")
            return
        if not slug:
            suffix = {"probe": "-probe", "judicial-review": "-review"}.get(kind_text, "")
            key_date = self._key_date(kind_text, dates)
            slug = f"{key_date}-{self.cat.short_name(regulator)}-{res.target_short(targets[0])}{suffix}"
        action = f"{vocab.ID}action/{slug}"
        if action in self.actions:
            self.problem(n, "id", f"row {self.actions[action]} already mints {action}; give this row an id")
            return
        if action in self.cat.subjects:
            self.problem(n, "id", f"{action} is already in data/; give this row another id, or edit that action there")
            return
        self.actions[action] = n
        self.action_labels[norm(r.label)] = action
        self.subject_rows[action] = (n, None)
        if kind == RK.Probe:
            self.probes.add(action)

        self.add(action, RDF.type, kind)
        self.add(action, RDFS.label, Literal(r.label, lang="en"))
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
        if r.provision:
            self.add(action, RK.provision, Literal(r.provision))
        if campaign:
            self.add(action, RK.partOfCampaign, URIRef(campaign))
        self.add(action, PROV.wasDerivedFrom, URIRef(source))
        if r.follows_probe:
            self.pending_links.append((n, "follows_probe", action, RK.followsProbe, r.follows_probe))
        if r.reviews:
            self.pending_links.append((n, "reviews", action, RK.reviews, r.reviews))
        self._penalties(n, r, slug, action, targets, source, outcomes, amount, currency)

    def _dates(self, n: int, r: ActionRow) -> dict[str, str]:
        dates: dict[str, str] = {}
        for col in DATE_COLUMNS:
            value = r.cell(col)
            if not value:
                continue
            if not DATE_RE.match(value):
                self.problem(n, col, f"{value!r} is not a date written YYYY-MM-DD", value)
                continue
            try:
                date.fromisoformat(value)
            except ValueError:
                self.problem(n, col, f"{value!r} is not a calendar date", value)
                continue
            dates[col] = value
        if not any(r.cell(c) for c in DATE_COLUMNS):
            self.problem(n, None, f"needs at least one date: {', '.join(DATE_COLUMNS)}")
        if "date_opened" in dates and "date_decided" in dates and dates["date_decided"] < dates["date_opened"]:
            self.problem(n, "date_decided", f"{dates['date_decided']} is before date_opened {dates['date_opened']}")
        return dates

    def _penalties(
        self,
        n: int,
        r: ActionRow,
        slug: str,
        action: str,
        targets: list[str],
        source: str,
        outcomes: list[str],
        amount: Decimal | None,
        currency: str | None,
    ) -> None:
        target_label = self.resolver.label(targets[0]) if len(targets) == 1 else None
        for token in outcomes:
            cls, suffix, noun = OUTCOMES[token]
            penalty = f"{vocab.ID}penalty/{slug}-{suffix}"
            self.subject_rows[penalty] = (n, "fine_amount" if token == "fine" else "other_outcomes")
            self.add(penalty, RDF.type, cls)
            if token == "fine" and amount is not None and currency:
                noun = f"Fine of {amount_label(amount, currency)}"
            text = f"{noun} {_PENALISED[token]} {target_label}" if target_label else f"{noun} ({r.label})"
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
                self.add(amt, RDFS.label, Literal(amount_label(amount, currency), lang="en"))
                self.add(amt, SCHEMA.value, Literal(f"{amount:f}", datatype=XSD.decimal))
                self.add(amt, SCHEMA.currency, Literal(currency))

    @staticmethod
    def _key_date(kind: str, dates: dict[str, str]) -> str:
        order = (
            ("date_opened", "date_announced", "date_decided")
            if kind == "probe"
            else ("date_decided", "date_announced", "date_opened")
        )
        return next(dates[c] for c in order if c in dates)

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
            elif not AMOUNT_RE.match(amount_text):
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

    def _write_source(self, iri: str, publisher: str | None, press_release: bool, r: ActionRow) -> None:
        src = self.resolver.sources.get(r.source_url)
        if src is None or src.iri != iri or iri in self._written_sources:
            return
        self._written_sources.add(iri)
        self.subject_rows[iri] = (src.row, "source_url")
        self.add(iri, RDF.type, RK.Source)
        self.add(iri, RDF.type, RK.PressRelease if press_release else SCHEMA.NewsArticle)
        self.add(iri, DCTERMS.title, Literal(src.title, lang="en"))
        self.add(iri, DCTERMS.date, Literal(src.date, datatype=XSD.date))
        self.add(iri, SCHEMA.url, URIRef(src.url))
        if publisher:
            self.add(iri, SCHEMA.publisher, URIRef(publisher))
        if r.source_author:
            self.add(iri, SCHEMA.author, Literal(r.source_author))

    # -- once every row is read
    def finish(self) -> None:
        """Write what the rows minted, and the links between actions."""
        for m in self.resolver.minted.values():
            self.subject_rows.setdefault(m.iri, (m.row, m.column))
            self.add(m.iri, RDF.type, _MINTED_CLASS[m.kind])
            self.add(m.iri, RDFS.label, Literal(m.name, lang="en"))
            for s in sorted(m.sources):
                self.add(m.iri, PROV.wasDerivedFrom, URIRef(s))
            if m.operator:
                self.add(m.iri, RK.operatedBy, URIRef(m.operator))
        for iri, where in self.resolver.publisher_types.items():
            self.subject_rows.setdefault(iri, where)
            self.add(iri, RDF.type, RK.Publisher)
        self._link()

    def _link(self) -> None:
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
        candidates = [value] if is_iri(value) else [f"{vocab.ID}action/{value}"]
        for c in candidates:
            if c in self.actions or self.cat.is_a(c, "EnforcementAction"):
                return c
        if value.startswith(vocab.ID):
            return None
        by_label = self.action_labels.get(norm(value))
        if by_label:
            return by_label
        found = self.cat.lookup(value, ("EnforcementAction",))
        return found[0] if len(found) == 1 else None


# ------------------------------------------------------------------ writing


def to_quads(g: rdflib.Graph, batch: str = "import") -> list[ox.Quad]:
    data = g.serialize(format="nt", encoding="utf-8")
    graph = ox.NamedNode(vocab.DATA_GRAPH_PREFIX + batch)
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


class _Turtle(LongTurtleSerializer):
    """rdflib's longturtle, except that decimals keep their lexical form ("500000"^^xsd:decimal,
    not 500000.0): amounts stay written exactly as published."""

    def label(self, node: rdflib.term.Node, position: int) -> str:
        if isinstance(node, Literal) and node.datatype == XSD.decimal:
            return node._literal_n3(use_plain=False, qname_callback=lambda dt: self.get_pname(dt, False))  # type: ignore[no-untyped-call]
        return str(super().label(node, position))  # type: ignore[no-untyped-call]


def serialise(g: rdflib.Graph, header: str) -> str:
    """Canonical Turtle of ``g`` after a comment ``header`` (lines without their '# ')."""
    stream = io.BytesIO()
    _Turtle(g).serialize(stream, encoding="utf-8")  # type: ignore[no-untyped-call]
    body = stream.getvalue().decode("utf-8")
    head = "".join(f"# {line}\n" for line in header.splitlines())
    return head + body if body.endswith("\n") else head + body + "\n"
