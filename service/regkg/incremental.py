"""The inferred graph after a change: updated from the change's neighbourhood, not recomputed.

:func:`infer_change` is what every commit runs (:mod:`regkg.writes.commit`); it gives the same
inferred graph as :func:`regkg.inference.infer` from scratch (tests/test_incremental_inference.py
compares the two on kinds of change and on random ones), at the cost of the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pyoxigraph as ox

from regkg import memory, vocab
from regkg.inference import infer

__all__ = ["STRUCTURAL", "infer_change", "structural"]


#: Predicates whose change can move inferences far from the changed resources (class and property
#: hierarchies, corporate and authority structure, succession, exchange rates): such a change
#: recomputes all. :func:`structural` adds what the ontology makes equivalent to them.
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
#: Inferred from structural predicates alone (chains of any length): unchanged by any other change,
#: so the local update leaves them as they are.
_STRUCTURE_ONLY: Final = frozenset(
    ox.NamedNode(p) for p in (vocab.ORG + "transitiveSubOrganizationOf", vocab.RK + "groupParent")
)


#: Inferred about their subject from its own links and what lies beyond them (an action's groups
#: and jurisdiction, a converted amount's rate, a resource's classes): no other property of the
#: object takes part, so a change to the object alone (a group's name, a rate's provenance, a
#: class's label) leaves them as they are.
_SUBJECT_SIDE: Final = frozenset(
    ox.NamedNode(p)
    for p in (vocab.RK + "groupTarget", vocab.RK + "jurisdiction", vocab.RK + "exchangeRate", vocab.RDF + "type")
)


def structural(ontology: Iterable[ox.Quad]) -> frozenset[str]:
    """:data:`STRUCTURAL` and every predicate the ontology makes a sub-property or an inverse of
    one of them (rk:parentAuthority is a kind of org:subOrganizationOf; rk:hasSubsidiary the
    inverse of rk:subsidiaryOf): asserting any of these moves the chains the deep rules follow."""
    sub = _SUBPROPERTY.value
    inv = _INVERSE.value
    links = [
        (q.subject.value, q.predicate.value, q.object.value)
        for q in ontology
        if q.predicate.value in (sub, inv)
        and isinstance(q.subject, ox.NamedNode)
        and isinstance(q.object, ox.NamedNode)
    ]
    found = set(STRUCTURAL)
    grew = True
    while grew:
        grew = False
        for s, p, o in links:
            for a, b in ((s, o), (o, s)) if p == inv else ((s, o),):
                if b in found and a not in found:
                    found.add(a)
                    grew = True
    return frozenset(found)


_TYPE: Final = ox.NamedNode(vocab.RDF + "type")
_SUBPROPERTY: Final = ox.NamedNode(vocab.RDFS + "subPropertyOf")
_INVERSE: Final = ox.NamedNode(vocab.OWL + "inverseOf")
_TARGET: Final = ox.NamedNode(vocab.RK + "target")
_PLATFORM: Final = ox.NamedNode(vocab.RK + "platform")
_AMOUNT: Final = ox.NamedNode(vocab.RK + "amount")
_CURRENCY: Final = ox.NamedNode(vocab.SCHEMA + "currency")
_VALUE: Final = ox.NamedNode(vocab.SCHEMA + "value")
_OUTCOME: Final = ox.NamedNode(vocab.RK + "outcome")
_REGULATOR: Final = ox.NamedNode(vocab.RK + "regulator")
_JURISDICTION: Final = ox.NamedNode(vocab.RK + "jurisdiction")
_RATE: Final = ox.NamedNode(vocab.RK + "rate")
_TO_CURRENCY: Final = ox.NamedNode(vocab.RK + "toCurrency")
_DCT_DATE: Final = ox.NamedNode(vocab.DCT + "date")
_XSD_DATE: Final = ox.NamedNode(vocab.XSD + "date")
_ACTION_DATES: Final = frozenset(ox.NamedNode(vocab.RK + p) for p in ("dateDecided", "dateAnnounced", "dateOpened"))
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
_LOCAL_LIMIT: Final = 5_000


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


def _rates(store: ox.Store, g_inf: ox.NamedNode, context: set[ox.Quad]) -> set[ox.Quad]:
    """The exchange rates the converted-amounts rule can use on ``context``: those of the months of
    its actions' dates (the rule takes the month of one of them) into its amounts' currencies and
    USD. Read by month, not by scanning the fx table (thousands of rates, most of them of no use)."""
    months = {
        ox.Literal(q.object.value[:7] + "-01", datatype=_XSD_DATE)
        for q in context
        if q.predicate in _ACTION_DATES and isinstance(q.object, ox.Literal) and len(q.object.value) >= 7
    }
    currencies = {q.object.value for q in context if q.predicate == _CURRENCY and isinstance(q.object, ox.Literal)}
    currencies.add("USD")
    found: set[ox.Quad] = set()
    for month in months:
        for q in store.quads_for_pattern(None, _DCT_DATE, month, None):
            if q.graph_name == g_inf:
                continue
            rate = [r for r in store.quads_for_pattern(q.subject, None, None, None) if r.graph_name != g_inf]
            if any(r.predicate == _RATE for r in rate) and any(
                r.predicate == _TO_CURRENCY and isinstance(r.object, ox.Literal) and r.object.value in currencies
                for r in rate
            ):
                found.update(rate)
    return found


def _rate_moved(store: ox.Store, changed: list[ox.Quad]) -> bool:
    """Whether the change dates an exchange rate anew (it then converts another month's amounts)."""
    rates = {q.subject for q in changed if q.predicate == _RATE}
    return any(
        q.predicate == _DCT_DATE
        and (q.subject in rates or any(True for _ in store.quads_for_pattern(q.subject, _RATE, None, None)))  # type: ignore[arg-type]
        for q in changed
    )


def _climbed(ontology: list[ox.Quad]) -> frozenset[ox.NamedNode]:
    """rk:outcome and rk:amount, with their sub-properties: the links the rules follow inwards."""
    found = {_OUTCOME, _AMOUNT}
    grew = True
    while grew:
        grew = False
        for q in ontology:
            s = q.subject
            if q.predicate == _SUBPROPERTY and q.object in found and isinstance(s, ox.NamedNode) and s not in found:
                found.add(s)
                grew = True
    return frozenset(found)


def _objects(store: ox.Store, node: object, predicate: ox.NamedNode) -> set[object]:
    return {q.object for q in store.quads_for_pattern(node, predicate, None, None)}  # type: ignore[arg-type]


def _dependents(store: ox.Store, subjects: set[object], changed: list[ox.Quad]) -> set[object]:
    """Resources other than the changed ones whose inferences a change can alter, by the rules'
    shapes: an action's status and dates decide its fines' standing amounts and their amounts'
    conversions (whose nodes are named ``<amount>-eur`` / ``-usd``); a fine's amounts hang on
    the fine; an authority's jurisdiction is its actions'."""
    fines: set[object] = {q.object for q in changed if q.predicate == _OUTCOME}
    amounts: set[object] = set()
    actions: set[object] = set()
    for n in subjects | fines:
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

    The rules are local except through the hierarchies. A change can alter what is inferred
    about the resources it describes (the changed quads' subjects) and their dependents
    (:func:`_dependents`); what it infers about a resource it merely links to (the object of a
    changed quad) is inferred about the subject too (``x rk:targetOf a`` with ``a``), so it is
    exchanged with the subject's. So the rules run on a small copy -- those resources, their links
    to a depth of three (the longest rule path: an amount's fine's action's date), not through
    hubs, the ontology, the corporate structure above the actions' targets and platforms, and
    the exchange rates of the months and currencies involved -- and only the inferences about
    those resources are exchanged, except the ones chains of structure alone decide
    (:data:`_STRUCTURE_ONLY`), which no such change can alter. A change to a structural
    predicate (:func:`structural`), or a large one, recomputes everything (:func:`infer`)."""
    g_inf = ox.NamedNode(vocab.INFERRED_GRAPH)
    g_onto = ox.NamedNode(vocab.ONTOLOGY_GRAPH)
    changed = [q for q in [*removed, *added] if q.graph_name != g_inf]
    ontology = list(store.quads_for_pattern(None, None, None, g_onto))
    deep = structural(ontology)
    if (
        len(changed) > _LOCAL_LIMIT
        or any(q.predicate.value in deep or q.graph_name == g_onto for q in changed)
        or _rate_moved(store, changed)
    ):
        # In a copy in memory: the rules' joins over a million quads on RocksDB take minutes, in
        # memory seconds; the store then takes only the difference.
        copy = ox.Store()
        copy.extend(q for q in store if q.graph_name != g_inf)
        infer(copy)
        # (compared quad by quad, not as two sets of the whole inferred graph in Python)
        lost = {q for q in store.quads_for_pattern(None, None, None, g_inf) if q not in copy}
        gained = {q for q in copy.quads_for_pattern(None, None, None, g_inf) if q not in store}
        for q in lost:
            store.remove(q)
        store.extend(gained)
        del copy
        memory.give_back()
        return lost, gained
    subjects: set[object] = {q.subject for q in changed}
    exchanged = subjects | _dependents(store, subjects, changed)
    context: set[ox.Quad] = set(ontology)
    frontier = {n for n in exchanged if _node(n)}
    seen: set[object] = set()
    # Links are followed outwards three steps (the longest rule path: an action's fine's amount's
    # value), and inwards only up the chains the rules climb: an amount to its fines, a fine to
    # its actions (whose status and dates decide its standing amount and its conversions). Every
    # link into an exchanged resource is read, for what is inferred from it alone (an inverse, a
    # super-property), but the resources it comes from are not read around: a change to a
    # regulator with hundreds of actions reads its links, not the actions.
    upward = _climbed(ontology)
    for hop in range(3):
        nxt: set[object] = set()
        for n in frontier:
            if n in seen:
                continue
            seen.add(n)
            out = [q for q in store.quads_for_pattern(n, None, None, None) if q.graph_name != g_inf]  # type: ignore[arg-type]
            context.update(out)
            nxt.update(q.object for q in out if _node(q.object) and q.predicate != _TYPE)
            if hop == 0:
                inc = list(store.quads_for_pattern(None, None, n, None))  # type: ignore[arg-type]
            elif hop == 1:
                inc = [q for p in upward for q in store.quads_for_pattern(None, p, n, None)]  # type: ignore[arg-type]
            else:
                continue
            inc = [q for q in inc if q.graph_name != g_inf]
            context.update(inc)
            nxt.update(q.subject for q in inc if q.predicate in upward)
        frontier = nxt  # type: ignore[assignment]
    # Beyond the neighbourhood: the corporate structure above the actions' targets and platforms
    # (the group-target rule's chains; upwards only: a parent's other subsidiaries do not
    # matter) and -- when an amount is involved -- the exchange rates it can use. Read by
    # following links, not by scanning a predicate across the store.
    context.update(_structure_above(store, {q.object for q in context if q.predicate in (_TARGET, _PLATFORM)}, g_inf))
    if any(q.predicate == _AMOUNT or q.predicate == _CURRENCY for q in context):
        context.update(_rates(store, g_inf, context))
    local = ox.Store()
    local.extend(context)
    infer(local)

    def about(q: ox.Quad) -> bool:
        if q.predicate in _STRUCTURE_ONLY:
            return False
        if q.predicate in _SUBJECT_SIDE:
            return q.subject in exchanged
        return q.subject in exchanged or q.object in exchanged

    new = {q for q in local.quads_for_pattern(None, None, None, g_inf) if about(q)}
    old: set[ox.Quad] = set()
    for n in exchanged:
        old.update(q for q in store.quads_for_pattern(n, None, None, g_inf) if about(q))  # type: ignore[arg-type]
        old.update(q for q in store.quads_for_pattern(None, None, n, g_inf) if about(q))  # type: ignore[arg-type]
    lost, gained = old - new, new - old
    for q in lost:
        store.remove(q)
    store.extend(gained)
    return lost, gained
