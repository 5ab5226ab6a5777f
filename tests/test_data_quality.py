"""Data quality that holds for any dataset (issue 6), and a few well-known seed facts asserted
exactly: every data file is valid Turtle, every statement is made in one file only, one name means
one entity, every action cites a source with its URL, publisher, title and date, every amount is in
an ISO 4217 currency."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from regkg import loading, resources, vocab
from tests.shipped import ACTION, ORG, select, shipped_store

DATA_FILES = [f.path for f in loading.data_files()]

# ISO 4217 alphabetic codes: current ones, and those replaced since 2015 that a decision of
# the time may have used (LTL, HRK, BYR, MRO, STD, VEF, SLL).
ISO_4217 = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP
    BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
    FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
    KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
    MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR
    SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN
    UYI UYU UYW UZS VED VES VND VUV WST XAF XCD XCG XDR XOF XPF YER ZAR ZMW ZWG ZWL
    LTL HRK BYR MRO STD VEF SLL""".split()  # noqa: SIM905
)

# Classes whose members are entities with one name each (not amounts or orders, which repeat).
ENTITY_CLASSES = [
    "rk:Company",
    "rk:Authority",
    "rk:Publisher",
    "rk:Platform",
    "rk:Jurisdiction",
    "rk:Law",
    "org:Organization",
]


@pytest.fixture(scope="module")
def store() -> Any:
    return shipped_store()


def test_there_is_data() -> None:
    assert len(DATA_FILES) >= 10
    assert resources.data_dir() / "sources" / "seed-2021.ttl" in DATA_FILES


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: str(p.relative_to(resources.data_dir())))
def test_data_file_is_valid_turtle(path: Path) -> None:
    assert path.suffix == ".ttl", "curated data is Turtle"
    try:
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        pytest.fail(f"{path}:{exc.lineno}:{exc.offset}: {exc.msg}")
    assert triples, f"{path} is empty"


def test_no_triple_is_stated_in_two_data_files() -> None:
    """Each statement lives in exactly one data file. The store's union default graph counts a triple
    once per named graph it is in, so one stated in two files is counted twice (COUNT, SUM and the
    statistics drift). Each file is loaded into its own named graph, as the store does; a triple found
    in more than one graph is reported with the files that state it. Triples with a blank node are
    left out: a blank node is local to its file, so two files cannot state the same one."""
    store = ox.Store()
    for f in loading.data_files():
        store.extend(loading.parse_file(f.path, f.graph))
    prefix = vocab.DATA_GRAPH_PREFIX
    rows = store.query(
        f"""SELECT ?s ?p ?o (GROUP_CONCAT(DISTINCT STRAFTER(STR(?g), "{prefix}"); separator=", ") AS ?files)
            WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(!isBlank(?s) && !isBlank(?o)) }}
            GROUP BY ?s ?p ?o HAVING (COUNT(DISTINCT ?g) > 1) ORDER BY ?s ?p ?o"""
    )
    dups = [f"{r['s']} {r['p']} {r['o']}  <- {r['files'].value}" for r in rows]
    assert not dups, f"{len(dups)} triple(s) stated in more than one data file (keep each in one):\n" + "\n".join(dups)


def test_every_thing_a_data_file_points_to_is_described(store: Any) -> None:
    """No dangling references: every thing of the graph (an IRI under id/) that a data file uses as an
    object has an rdf:type in some data file. A merged or renamed IRI left behind in one file shows here."""
    rows = select(
        store,
        f"""SELECT DISTINCT ?o WHERE {{
              GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{vocab.DATA_GRAPH_PREFIX}"))
              FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{vocab.ID}"))
              FILTER NOT EXISTS {{
                GRAPH ?g2 {{ ?o a ?type }} FILTER(STRSTARTS(STR(?g2), "{vocab.DATA_GRAPH_PREFIX}")) }}
            }} ORDER BY ?o""",
    )
    assert not rows, "used as objects but never described (no rdf:type):\n" + "\n".join(r["o"] for r in rows)


@pytest.mark.parametrize("cls", ENTITY_CLASSES)
def test_no_two_entities_share_an_english_name(store: Any, cls: str) -> None:
    """One name, one IRI: two members of a class (as asserted in data/) with the same English label
    (ignoring case) are the same entity entered twice."""
    rows = select(
        store,
        f"""SELECT ?c ?name (GROUP_CONCAT(DISTINCT STR(?s); separator=" ") AS ?iris) WHERE {{
              GRAPH ?g {{ ?s a ?c }} FILTER(STRSTARTS(STR(?g), "{vocab.DATA_GRAPH_PREFIX}"))
              ?c rdfs:subClassOf* {cls} .
              ?s rdfs:label ?label FILTER(langMatches(lang(?label), "en"))
              BIND(LCASE(STR(?label)) AS ?name)
            }} GROUP BY ?c ?name HAVING (COUNT(DISTINCT ?s) > 1)""",
    )
    assert not rows, "\n".join(f"{r['c']} {r['name']!r}: {r['iris']}" for r in rows)


def test_every_action_cites_a_source_with_url_publisher_title_and_date(store: Any) -> None:
    actions = select(store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a rk:EnforcementAction }")
    assert actions[0]["n"] > 10
    rows = select(
        store,
        """SELECT DISTINCT ?a WHERE {
             ?a a rk:EnforcementAction .
             FILTER NOT EXISTS {
               ?a prov:wasDerivedFrom ?s .
               ?s a rk:Source ; schema:url ?url ; schema:publisher ?publisher ; dct:title ?title .
               FILTER(isIRI(?url) && STRSTARTS(STR(?url), "http"))
               FILTER EXISTS { ?s dct:date|rk:accessed ?date }
             } } ORDER BY ?a""",
    )
    assert not rows, "actions with no fully described source:\n" + "\n".join(r["a"] for r in rows)


def test_a_decision_reviewed_in_court_carries_the_status_its_last_ruling_implies(store: Any) -> None:
    """A regulator's decision that a court has ruled on has a status, and it follows the last recorded
    ruling (the one with the latest date): under appeal if that ruling is an open appeal or is itself
    under appeal (an open appeal reviews it), otherwise upheld, reduced or annulled as the ruling was.
    A ruling that is only "concluded" (a remittal, a discontinued challenge) leaves the choice open."""
    rows = select(
        store,
        """SELECT ?a ?status ?ruling ?rstatus ?date ?appealed WHERE {
             ?a a rk:Decision . ?ruling a rk:JudicialReview ; rk:reviews ?a .
             { SELECT ?ruling (MAX(?d) AS ?date) WHERE {
                 ?ruling rk:reviews ?x ; rk:dateDecided|rk:dateOpened|rk:dateAnnounced ?d } GROUP BY ?ruling }
             OPTIONAL { ?a rk:status ?status }
             OPTIONAL { ?ruling rk:status ?rstatus }
             BIND(EXISTS { ?appeal rk:reviews ?ruling ; rk:status ?st
                           FILTER(?st IN (rk:Open, rk:UnderAppeal)) } AS ?appealed)
           } ORDER BY ?a ?date ?ruling""",
    )
    assert rows
    last: dict[str, dict[str, Any]] = {}
    for r in rows:
        last[r["a"]] = r  # ordered by date: the last row of each decision is its last ruling
    implied = {"Open": "UnderAppeal", "UnderAppeal": "UnderAppeal", "Upheld": "Upheld", "Reduced": "Reduced",
               "Annulled": "Annulled"}  # fmt: skip
    bad = []
    for a, r in sorted(last.items()):
        status = (r["status"] or "").rsplit("#", 1)[-1]
        ruling_status = (r["rstatus"] or "").rsplit("#", 1)[-1]
        expected = "UnderAppeal" if r["appealed"] in (True, "true") else implied.get(ruling_status)
        if not status or (expected and status != expected):
            bad.append(
                f"{a}: status {status or 'none'}, last ruling {r['ruling']} ({ruling_status or 'no status'}"
                f"{', under appeal' if expected == 'UnderAppeal' and ruling_status not in implied else ''})"
                f" implies {expected or 'a status'}"
            )
    assert not bad, "\n".join(bad)


def test_every_amount_is_in_an_iso_4217_currency(store: Any) -> None:
    rows = select(
        store,
        """SELECT DISTINCT ?amount ?currency WHERE {
             { ?fine a rk:Fine ; rk:amount ?amount } UNION { ?x rk:convertedAmount ?amount }
             OPTIONAL { ?amount schema:currency ?currency } }""",
    )
    assert rows
    bad = [r for r in rows if r["currency"] not in ISO_4217]
    assert not bad, "\n".join(f"{r['amount']}: {r['currency']!r}" for r in bad)


def test_every_fine_amount_is_a_non_negative_decimal(store: Any) -> None:
    rows = select(
        store, "SELECT DISTINCT ?amount ?v WHERE { ?fine a rk:Fine ; rk:amount ?amount . ?amount schema:value ?v }"
    )
    assert rows
    bad = [r for r in rows if not isinstance(r["v"], Decimal) or r["v"] < 0]
    assert not bad, bad


# ------------------------------------------------------------------ well-known facts, exactly


FACTS = [
    # (decision, regulator, target, date decided, value, currency)
    ("2021-04-10-samr-alibaba", "state-administration-for-market-regulation", "alibaba-group", "2021-04-10",
     "18228000000", "CNY"),
    ("2021-10-08-samr-meituan", "state-administration-for-market-regulation", "meituan", "2021-10-08",
     "3442000000", "CNY"),
    ("2022-07-21-cac-didi", "cyberspace-administration-of-china", "didi-global", "2022-07-21", "8026000000", "CNY"),
]  # fmt: skip


@pytest.mark.parametrize("fact", FACTS, ids=lambda f: f[0])
def test_well_known_fine(store: Any, fact: tuple[str, str, str, str, str, str]) -> None:
    decision, regulator, target, decided, value, currency = fact
    iri = ACTION + decision
    assert {r["r"] for r in select(store, f"SELECT ?r WHERE {{ <{iri}> rk:regulator ?r }}")} == {ORG + regulator}
    assert ORG + target in {r["t"] for r in select(store, f"SELECT ?t WHERE {{ <{iri}> rk:target ?t }}")}
    assert [r["d"] for r in select(store, f"SELECT ?d WHERE {{ <{iri}> rk:dateDecided ?d }}")] == [decided]
    amounts = select(
        store,
        f"""SELECT DISTINCT ?fine ?v ?c WHERE {{ <{iri}> rk:outcome ?fine . ?fine a rk:Fine ; rk:amount ?a .
              ?a schema:value ?v ; schema:currency ?c }}""",
    )
    assert [(r["v"], r["c"]) for r in amounts] == [(Decimal(value), currency)]
    sources = select(store, f"SELECT ?s WHERE {{ <{iri}> prov:wasDerivedFrom ?s . ?s schema:url ?u }}")
    assert sources, f"{decision} cites no source with a URL"


def test_the_seed_article_is_described(store: Any) -> None:
    rows = select(
        store,
        f"""SELECT ?title ?date ?url ?publisher ?author WHERE {{
              <{vocab.ID}source/2021-07-21-ap-china-fines-tech-giants> dct:title ?title ; dct:date ?date ;
                schema:url ?url ; schema:publisher ?publisher ; schema:author ?author }}""",
    )
    assert len(rows) == 1
    assert rows[0]["date"] == "2021-07-21"
    assert rows[0]["publisher"] == ORG + "associated-press"
    assert rows[0]["title"] == "China fines tech giants for content exploiting children"
