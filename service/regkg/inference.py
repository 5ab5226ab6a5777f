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
  (a EUR amount still gets its EUR value); an amount whose action has none of those dates gets
  none at all. The rule expects one EUR rate per currency
  and month-start date (the monthly table); a second table with the same dates would
  give an amount two values.

Minority stakes (rk:minorityStakeIn) are deliberately not rolled up.
"""

from __future__ import annotations

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
        # (an action with no date has no month: without this the rate patterns below would bind
        # ?month themselves, to every month's rate)
        FILTER(BOUND(?d1) || BOUND(?d2) || BOUND(?d3))
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
