"""Materialise what researchers' queries need from the ontology.

A small, explicit rule set rather than a general OWL-RL reasoner: each rule is a
SPARQL CONSTRUCT evaluated by pyoxigraph over the union of all graphs, and the
new triples go into the inferred named graph. Rules run to a fixpoint, which
the data reaches in two or three rounds. What is inferred (README says the same):

* rdf:type closure over rdfs:subClassOf (a rk:Fine is a rk:Penalty, a prov:Entity, ...);
* super-properties over rdfs:subPropertyOf (rk:subsidiaryOf -> org:subOrganizationOf,
  rk:dateDecided -> rk:date, ...);
* owl:inverseOf both ways (rk:operates / rk:operatedBy, rk:target / rk:targetOf, ...);
* org:transitiveSubOrganizationOf, the transitive closure of org:subOrganizationOf;
* rk:groupParent: a platform's operator and every company that controls it or succeeded it
  (rk:succeededBy: a predecessor's group is its successor's);
* rk:groupTarget: an action's targets, every company controlling (or succeeding) a target, and
  the group parents of the platforms it concerns, so "every action against a group" is one pattern;
* rk:standingAmount: the amounts of a fine that totals add: not rk:amendedBy a later figure, of a
  fine not rk:supersededBy another penalty and not imposed by an action with rk:status rk:Annulled,
  rk:Withdrawn (the authority took its own decision back) or rk:Provisional (a pre-notice or
  provisional fine not yet imposed);
* rk:jurisdiction of an action, from its regulator;
* rk:convertedAmount: every published fine amount in EUR and in USD, at the ECB monthly
  average rates of data/fx/ (the month of the action's decision date, else its announcement,
  else its opening), rounded to the cent; ``<amount IRI>-eur`` and ``<amount IRI>-usd`` cite
  the rates used with rk:exchangeRate. A currency or month with no rate gets no conversion
  (a EUR amount still gets its EUR value). The rule expects one EUR rate per currency
  and month-start date (the monthly table); a second table with the same dates would
  give an amount two values.

Minority stakes (rk:minorityStakeIn) are deliberately not rolled up.
"""

from __future__ import annotations

import itertools
from typing import Final

import pyoxigraph as ox

from regkg import vocab

__all__ = ["RULES", "infer"]

_P = vocab.sparql_prefixes()

#: name -> CONSTRUCT query. Each yields candidate triples; ones already asserted are dropped.
RULES: Final[dict[str, str]] = {
    "subclass": """CONSTRUCT { ?s a ?super } WHERE {
        ?c rdfs:subClassOf+ ?super . ?s a ?c . FILTER(isIRI(?super)) }""",
    "subproperty": """CONSTRUCT { ?s ?super ?o } WHERE {
        ?p rdfs:subPropertyOf+ ?super . ?s ?p ?o . FILTER(isIRI(?super)) }""",
    "inverse": """CONSTRUCT { ?o ?q ?s } WHERE {
        { ?p owl:inverseOf ?q } UNION { ?q owl:inverseOf ?p }
        ?s ?p ?o . FILTER(!isLiteral(?o)) }""",
    "transitive-suborganization": """CONSTRUCT { ?a org:transitiveSubOrganizationOf ?b } WHERE {
        ?a org:subOrganizationOf+ ?b . FILTER(?a != ?b) }""",
    "group-parent": """CONSTRUCT { ?platform rk:groupParent ?parent } WHERE {
        ?platform rk:operatedBy ?op . ?op (rk:subsidiaryOf|rk:succeededBy)* ?parent . }""",
    "group-target": """CONSTRUCT { ?action rk:groupTarget ?parent } WHERE {
        ?action a rk:EnforcementAction .
        { ?action rk:target ?t . ?t (rk:subsidiaryOf|rk:succeededBy)* ?parent . }
        UNION
        { ?action rk:platform ?p . ?p rk:groupParent ?parent . } }""",
    # Reads only asserted links (amendedBy, supersededBy, status), which no rule infers, so the
    # negations hold from the first round.
    "standing-amounts": """CONSTRUCT { ?fine rk:standingAmount ?amt } WHERE {
        ?fine a rk:Fine ; rk:amount ?amt .
        FILTER NOT EXISTS { ?amt rk:amendedBy ?newer }
        FILTER NOT EXISTS { ?fine rk:supersededBy ?later }
        FILTER NOT EXISTS { ?annulled rk:outcome ?fine ; rk:status rk:Annulled }
        FILTER NOT EXISTS { ?withdrawn rk:outcome ?fine ; rk:status rk:Withdrawn }
        FILTER NOT EXISTS { ?provisional rk:outcome ?fine ; rk:status rk:Provisional } }""",
    "action-jurisdiction": """CONSTRUCT { ?action rk:jurisdiction ?j } WHERE {
        ?action a rk:EnforcementAction ; rk:regulator ?r . ?r rk:jurisdiction ?j . }""",
    # EUR = value / rate(EUR->C); USD = value * rate(EUR->USD) / rate(EUR->C), both of the month of
    # the action's date, each rounded once to the cent. Decimal arithmetic throughout (xsd:double
    # would lose cents); value * rate is formed before the division so Oxigraph's 18-digit decimals
    # stay exact for amounts up to 10^14.
    "converted-amounts": """CONSTRUCT {
        ?amt rk:convertedAmount ?eurNode , ?usdNode .
        ?eurNode a schema:MonetaryAmount ; schema:value ?eur ; schema:currency "EUR" ; rk:exchangeRate ?eurRate .
        ?usdNode a schema:MonetaryAmount ; schema:value ?usd ; schema:currency "USD" ;
                 rk:exchangeRate ?curRate , ?usdRateUsed .
    } WHERE {
        ?action rk:outcome ?fine . ?fine rk:amount ?amt . FILTER(isIRI(?amt))
        ?amt schema:value ?v ; schema:currency ?cur .
        OPTIONAL { ?action rk:dateDecided ?d1 } OPTIONAL { ?action rk:dateAnnounced ?d2 }
        OPTIONAL { ?action rk:dateOpened ?d3 }
        BIND(STRDT(CONCAT(SUBSTR(STR(COALESCE(?d1, ?d2, ?d3)), 1, 7), "-01"), xsd:date) AS ?month)
        OPTIONAL { ?usdRate dct:date ?month ; rk:toCurrency "USD" ; rk:fromCurrency "EUR" ; rk:rate ?u . }
        OPTIONAL {
            ?curRate dct:date ?month ; rk:toCurrency ?cur ; rk:fromCurrency "EUR" ; rk:rate ?r .
            FILTER(?cur != "USD" && ?cur != "EUR")
        }
        FILTER(?cur = "EUR" || (BOUND(?u) && (?cur = "USD" || BOUND(?r))))
        BIND(IF(?cur = "EUR", ?v, IF(?cur = "USD", ROUND(?v / ?u * 100) / 100, ROUND(?v / ?r * 100) / 100)) AS ?eur)
        BIND(IF(?cur = "EUR", ROUND(?v * ?u * 100) / 100, IF(?cur = "USD", ?v, ROUND(?v * ?u / ?r * 100) / 100))
             AS ?usd)
        BIND(IF(?cur = "USD", ?usdRate, ?curRate) AS ?eurRate)
        BIND(IF(?cur = "USD", ?none, ?usdRate) AS ?usdRateUsed)
        BIND(IRI(CONCAT(STR(?amt), "-eur")) AS ?eurNode)
        BIND(IF(BOUND(?usd), IRI(CONCAT(STR(?amt), "-usd")), ?none) AS ?usdNode)
    }""",
}

_MAX_ROUNDS: Final = 6


def infer(store: ox.Store) -> int:
    """Recompute the inferred graph of ``store`` from scratch; returns its size."""
    inferred = ox.NamedNode(vocab.INFERRED_GRAPH)
    store.clear_graph(inferred) if inferred in set(store.named_graphs()) else None
    total = 0
    for _ in range(_MAX_ROUNDS):
        new: set[ox.Triple] = set()
        for query in RULES.values():
            for t in store.query(_P + query, use_default_graph_as_union=True):  # type: ignore[union-attr]
                if not any(True for _ in store.quads_for_pattern(t.subject, t.predicate, t.object, None)):
                    new.add(t)
        if not new:
            break
        store.extend(ox.Quad(t.subject, t.predicate, t.object, inferred) for t in new)
        total += len(new)
    return total


#: Predicates whose change can move inferences far from the changed resources (class and property
#: hierarchies, corporate structure, succession, exchange rates): such a change recomputes all.
STRUCTURAL: Final = frozenset(vocab.RDFS + p for p in ("subClassOf", "subPropertyOf")) | frozenset(
    {
        vocab.OWL + "inverseOf",
        vocab.RK + "subsidiaryOf",
        vocab.RK + "succeededBy",
        vocab.RK + "operatedBy",
        vocab.RK + "operates",
        vocab.ORG + "subOrganizationOf",
        vocab.RK + "rate",
        vocab.RK + "fromCurrency",
        vocab.RK + "toCurrency",
    }
)
_TYPE: Final = ox.NamedNode(vocab.RDF + "type")
_AMOUNT: Final = ox.NamedNode(vocab.RK + "amount")
_CURRENCY: Final = ox.NamedNode(vocab.SCHEMA + "currency")
_VALUE: Final = ox.NamedNode(vocab.SCHEMA + "value")
_OUTCOME: Final = ox.NamedNode(vocab.RK + "outcome")
_REGULATOR: Final = ox.NamedNode(vocab.RK + "regulator")
_JURISDICTION: Final = ox.NamedNode(vocab.RK + "jurisdiction")
_RATE: Final = ox.NamedNode(vocab.RK + "rate")
#: links followed upwards from a resource to the groups above it (and a platform's operator).
_UPWARD: Final = tuple(
    ox.NamedNode(p)
    for p in (
        vocab.RK + "subsidiaryOf",
        vocab.RK + "succeededBy",
        vocab.RK + "operatedBy",
        vocab.ORG + "subOrganizationOf",
    )
)
_OPERATES: Final = ox.NamedNode(vocab.RK + "operates")
_HUB: Final = 200  # a node with more links than this is not expanded through (a concern, a class)
_LOCAL_LIMIT: Final = 5_000


def _is_hub(store: ox.Store, node: object) -> bool:
    links = store.quads_for_pattern(None, None, node, None)  # type: ignore[arg-type]
    return sum(1 for _ in itertools.islice(links, _HUB + 1)) > _HUB


def _node(t: object) -> bool:
    return isinstance(t, ox.NamedNode | ox.BlankNode)


def _structure_above(store: ox.Store, nodes: set[object], g_inf: ox.NamedNode) -> set[ox.Quad]:
    """The corporate-structure links from ``nodes`` upwards, transitively (and who operates them)."""
    found: set[ox.Quad] = set()
    frontier = {n for n in nodes if _node(n)}
    seen: set[object] = set()
    while frontier:
        n = frontier.pop()
        if n in seen:
            continue
        seen.add(n)
        links = [q for p in _UPWARD for q in store.quads_for_pattern(n, p, None, None)]  # type: ignore[arg-type]
        links += store.quads_for_pattern(None, _OPERATES, n, None)  # type: ignore[arg-type]
        for q in links:
            if q.graph_name == g_inf:
                continue
            found.add(q)
            frontier.add(q.object if q.subject == n else q.subject)
    return found


def _rates(store: ox.Store, g_inf: ox.NamedNode) -> set[ox.Quad]:
    """Every exchange rate (the fx table: a fixed size, whatever the graph's)."""
    found: set[ox.Quad] = set()
    for q in store.quads_for_pattern(None, _RATE, None, None):
        if q.graph_name != g_inf:
            found.update(r for r in store.quads_for_pattern(q.subject, None, None, None) if r.graph_name != g_inf)
    return found


def _objects(store: ox.Store, node: object, predicate: ox.NamedNode) -> set[object]:
    return {q.object for q in store.quads_for_pattern(node, predicate, None, None)}  # type: ignore[arg-type]


def _dependents(store: ox.Store, touched: set[object], changed: list[ox.Quad]) -> set[object]:
    """Resources other than the touched ones whose inferences a change can alter, by the rules'
    shapes: an action's status and dates decide its fines' standing amounts and their amounts'
    conversions (whose nodes are named ``<amount>-eur`` / ``-usd``); a fine's amounts hang on
    the fine; an authority's jurisdiction is its actions'. Their neighbourhoods lie within the
    hops :func:`infer_change` reads around the touched resources."""
    fines: set[object] = set()
    amounts: set[object] = set()
    actions: set[object] = set()
    for n in touched:
        if not _node(n):
            continue
        outcomes = _objects(store, n, _OUTCOME)
        fines |= outcomes
        for f in (n, *outcomes):
            amounts |= _objects(store, f, _AMOUNT)
    for q in changed:
        if q.predicate in (_VALUE, _CURRENCY):
            amounts.add(q.subject)
        elif q.predicate == _AMOUNT:
            amounts.add(q.object)
        elif q.predicate == _JURISDICTION:
            actions |= {r.subject for r in store.quads_for_pattern(None, _REGULATOR, q.subject, None)}  # type: ignore[arg-type]
    converted = {ox.NamedNode(a.value + x) for a in amounts if isinstance(a, ox.NamedNode) for x in ("-eur", "-usd")}
    return {n for n in fines | amounts | actions if _node(n)} | converted


def infer_change(store: ox.Store, removed: list[ox.Quad], added: list[ox.Quad]) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """Bring the inferred graph up to date after a change already applied to ``store``; returns
    the inferred quads lost and gained.

    The rules are local except through the hierarchies: what a change can alter is inferred about
    the resources it touches (as subject or object). So the rules run on a small copy -- those
    resources, two links around them (not through hubs), the ontology, the corporate structure and
    the exchange rates -- and only the inferences about the touched resources and their dependents
    (:func:`_dependents`) are exchanged. A change to a structural predicate, or a large one,
    recomputes everything (:func:`infer`)."""
    g_inf = ox.NamedNode(vocab.INFERRED_GRAPH)
    changed = [q for q in [*removed, *added] if q.graph_name != g_inf]
    if len(changed) > _LOCAL_LIMIT or any(
        q.predicate.value in STRUCTURAL or q.graph_name == ox.NamedNode(vocab.ONTOLOGY_GRAPH) for q in changed
    ):
        # In a copy in memory: the rules' joins over a million quads on RocksDB take minutes, in
        # memory seconds; the store then takes only the difference.
        copy = ox.Store()
        copy.extend(q for q in store if q.graph_name != g_inf)
        infer(copy)
        before = set(store.quads_for_pattern(None, None, None, g_inf))
        after = set(copy.quads_for_pattern(None, None, None, g_inf))
        lost, gained = before - after, after - before
        for q in lost:
            store.remove(q)
        store.extend(gained)
        return lost, gained
    # The resources whose inferences may change: the changed quads' subjects, and their objects
    # (inverse links) unless they are classes or hubs, whose other inferences do not depend on it.
    touched: set[object] = {q.subject for q in changed}
    for q in changed:
        o = q.object
        if _node(o) and q.predicate != _TYPE and o not in touched and not _is_hub(store, o):
            touched.add(o)
    exchanged = touched | _dependents(store, touched, changed)
    context: set[ox.Quad] = set()
    frontier = set(touched)
    seen: set[object] = set()
    for hop in range(3):
        nxt: set[object] = set()
        for n in frontier:
            if n in seen:
                continue
            seen.add(n)
            out = [q for q in store.quads_for_pattern(n, None, None, None) if q.graph_name != g_inf]  # type: ignore[arg-type]
            context.update(out)
            nxt.update(q.object for q in out if _node(q.object) and q.predicate != _TYPE)
            # A hub's incoming links (every instance of a class, every action of a concern) are read
            # only when the hub itself changed: beyond that they cannot alter what the rules say
            # about the changed resources, and reading them would cost the graph, not the change.
            if hop > 0 and _is_hub(store, n):
                continue
            inc = [q for q in store.quads_for_pattern(None, None, n, None) if q.graph_name != g_inf]  # type: ignore[arg-type]
            context.update(inc)
            nxt.update(q.subject for q in inc)
        frontier = nxt  # type: ignore[assignment]
    # What the rules reach beyond the neighbourhood: the ontology, the corporate structure above
    # the resources (upward chains: a parent's other subsidiaries do not matter), and -- when an
    # amount is involved -- the exchange rates. Read by following links, not by scanning a
    # predicate across the store, so the cost is the change's, not the graph's.
    context.update(store.quads_for_pattern(None, None, None, ox.NamedNode(vocab.ONTOLOGY_GRAPH)))
    context.update(_structure_above(store, {q.subject for q in context} | {q.object for q in context}, g_inf))
    if any(q.predicate == _AMOUNT or q.predicate == _CURRENCY for q in context):
        context.update(_rates(store, g_inf))
    local = ox.Store()
    local.extend(context)
    infer(local)

    def about(q: ox.Quad) -> bool:
        return q.subject in exchanged or q.object in exchanged

    new = {q for q in local.quads_for_pattern(None, None, None, g_inf) if about(q)}
    old: set[ox.Quad] = set()
    for n in exchanged:
        old.update(store.quads_for_pattern(n, None, None, g_inf))  # type: ignore[arg-type]
        old.update(store.quads_for_pattern(None, None, n, g_inf))  # type: ignore[arg-type]
    lost, gained = old - new, new - old
    for q in lost:
        store.remove(q)
    store.extend(gained)
    return lost, gained
