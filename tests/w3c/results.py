"""Expected results of the W3C suites, and comparisons as the suites demand them.

* SELECT results are compared as multisets of solutions, with blank nodes matched by a
  consistent bijection (isomorphism); in order only when the query has ORDER BY.
* ASK results: the boolean.
* CONSTRUCT / DESCRIBE results and the datasets after updates: graph (dataset) isomorphism,
  through pyoxigraph's RDF canonicalisation.
* CSV results (``mf:CSVResultFormatTest``): the CSV text, cell by cell, blank node labels
  matched consistently, rows in any order.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final

import pyoxigraph as ox

__all__ = [
    "Solutions",
    "compare_csv",
    "compare_datasets",
    "compare_solutions",
    "normalize",
    "parse_expected",
    "read_rdf",
]

RS: Final = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
RDF_TYPE: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_RESULT_FORMATS: Final = {
    ".srx": ox.QueryResultsFormat.XML,
    ".srj": ox.QueryResultsFormat.JSON,
    ".tsv": ox.QueryResultsFormat.TSV,
    ".csv": ox.QueryResultsFormat.CSV,
}
_RDF_FORMATS: Final = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
}

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Row = dict[str, Term]


@dataclass(frozen=True)
class Solutions:
    variables: tuple[str, ...]
    rows: tuple[Row, ...]

    @classmethod
    def of(cls, result: ox.QuerySolutions) -> Solutions:
        variables = tuple(v.value for v in result.variables)
        rows = []
        for sol in result:
            rows.append({v: t for v in variables if (t := sol[v]) is not None})
        return cls(variables, tuple(rows))


def read_rdf(path: Path, graph: ox.NamedNode | ox.DefaultGraph | None = None) -> list[ox.Quad]:
    """Parse an RDF file (base: its own location) into quads of ``graph`` (default graph)."""
    fmt = _RDF_FORMATS[path.suffix]
    g = graph if graph is not None else ox.DefaultGraph()
    return [
        ox.Quad(t.subject, t.predicate, t.object, g)
        for t in ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
    ]


def parse_expected(path: Path, graph_result: bool) -> Solutions | bool | list[ox.Quad]:
    """An expected result: solutions, a boolean, or (``graph_result``) the triples of a graph."""
    if path.suffix in _RESULT_FORMATS:
        parsed = ox.parse_query_results(path=str(path), format=_RESULT_FORMATS[path.suffix])
        if isinstance(parsed, ox.QueryBoolean):
            return bool(parsed)
        return Solutions.of(parsed)
    quads = read_rdf(path)
    if graph_result:
        return quads
    return _result_set(quads)


def _result_set(quads: Sequence[ox.Quad]) -> Solutions | bool:
    """Results written in the DAWG result-set vocabulary (rs:ResultSet) in Turtle."""
    by_subject: dict[object, dict[str, list[Term]]] = {}
    for q in quads:
        by_subject.setdefault(q.subject, {}).setdefault(q.predicate.value, []).append(q.object)
    rs = next(s for s, po in by_subject.items() if any(o.value == RS + "ResultSet" for o in po.get(RDF_TYPE, [])))
    props = by_subject[rs]
    if RS + "boolean" in props:
        return props[RS + "boolean"][0].value == "true"
    variables = tuple(v.value for v in props.get(RS + "resultVariable", []))
    indexed: list[tuple[int, Row]] = []
    for n, sol in enumerate(props.get(RS + "solution", [])):
        sp = by_subject.get(sol, {})
        row: Row = {}
        for b in sp.get(RS + "binding", []):
            bp = by_subject.get(b, {})
            row[bp[RS + "variable"][0].value] = bp[RS + "value"][0]
        index = sp.get(RS + "index")
        indexed.append((int(index[0].value) if index else n, row))
    return Solutions(variables, tuple(row for _, row in sorted(indexed, key=lambda x: x[0])))


# -- solutions ------------------------------------------------------------------------------

_XSD: Final = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS: Final = {
    _XSD + t
    for t in [
        "integer",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
    ]
}
_FLOATS: Final = {_XSD + "double", _XSD + "float"}


def normalize(term: Term) -> Term:
    """A numeric literal with its value's one spelling (``"1.0"^^xsd:decimal`` and ``"1"^^xsd:decimal``,
    ``"3.0E4"^^xsd:double`` and ``"30000"^^xsd:double`` are the same value and datatype); any other
    term as it is. The suites' expected results spell numbers one way, the engine another."""
    if not isinstance(term, ox.Literal):
        return term
    dt = term.datatype.value
    try:
        if dt in _INTEGERS:
            return ox.Literal(str(int(term.value)), datatype=term.datatype)
        if dt == _XSD + "decimal":
            d = Decimal(term.value)
            return ox.Literal(format(d.normalize(), "f") if d else "0", datatype=term.datatype)
        if dt in _FLOATS:
            return ox.Literal(repr(float(term.value.replace("INF", "inf"))), datatype=term.datatype)
    except (ValueError, ArithmeticError):
        return term
    return term


def _normalized(rows: Sequence[Row]) -> list[Row]:
    return [{k: normalize(t) for k, t in r.items()} for r in rows]


def _key(row: Row) -> frozenset[tuple[str, Term]]:
    return frozenset(row.items())


def _has_bnode(row: Row) -> bool:
    return any(isinstance(t, ox.BlankNode) for t in row.values())


def _shape(row: Row) -> frozenset[tuple[str, object]]:
    """A row with every blank node replaced by one marker: rows that may match share a shape."""
    return frozenset((k, None if isinstance(t, ox.BlankNode) else t) for k, t in row.items())


def _bind(e: Row, a: Row, fwd: dict[Term, Term], back: dict[Term, Term]) -> list[tuple[Term, Term]] | None:
    """Extend the blank-node bijection so that expected row ``e`` equals actual row ``a``;
    returns the pairs added, or None."""
    if e.keys() != a.keys():
        return None
    added: list[tuple[Term, Term]] = []
    for k, et in e.items():
        at = a[k]
        if isinstance(et, ox.BlankNode) and isinstance(at, ox.BlankNode):
            if et in fwd or at in back:
                if fwd.get(et) != at or back.get(at) != et:
                    break
                continue
            fwd[et] = at
            back[at] = et
            added.append((et, at))
        elif et != at:
            break
    else:
        return added
    for et, at in added:
        del fwd[et]
        del back[at]
    return None


def _match(expected: Sequence[Row], actual: Sequence[Row], ordered: bool) -> bool:
    fwd: dict[Term, Term] = {}
    back: dict[Term, Term] = {}
    if ordered:
        return all(_bind(e, a, fwd, back) is not None for e, a in zip(expected, actual, strict=True))
    used = [False] * len(actual)

    def go(i: int) -> bool:
        if i == len(expected):
            return True
        shape = _shape(expected[i])
        for j, a in enumerate(actual):
            if used[j] or _shape(a) != shape:
                continue
            added = _bind(expected[i], a, fwd, back)
            if added is None:
                continue
            used[j] = True
            if go(i + 1):
                return True
            used[j] = False
            for et, at in added:
                del fwd[et]
                del back[at]
        return False

    return go(0)


def compare_solutions(expected: Solutions, actual: Solutions, ordered: bool) -> str | None:
    """None when the results are equal (up to blank node renaming and the spelling of numbers),
    else a description."""
    problems = []
    erows, arows = _normalized(expected.rows), _normalized(actual.rows)
    if set(expected.variables) != set(actual.variables):
        problems.append(f"variables: expected {sorted(expected.variables)}, got {sorted(actual.variables)}")
    if len(expected.rows) != len(actual.rows):
        problems.append(f"rows: expected {len(expected.rows)}, got {len(actual.rows)}")
    elif ordered:
        if not _match(erows, arows, ordered=True):
            problems.append("the rows differ (in ORDER BY order)")
    else:
        plain_e = Counter(_key(r) for r in erows if not _has_bnode(r))
        plain_a = Counter(_key(r) for r in arows if not _has_bnode(r))
        if plain_e != plain_a or not _match(
            [r for r in erows if _has_bnode(r)], [r for r in arows if _has_bnode(r)], ordered=False
        ):
            problems.append("the rows differ")
    if not problems:
        return None
    return "; ".join(problems) + "\n" + _show_rows("expected", expected.rows) + _show_rows("got", actual.rows)


def _show_rows(label: str, rows: Sequence[Row], limit: int = 12) -> str:
    lines = [f"  {label}:"]
    for r in rows[:limit]:
        lines.append("    " + " ".join(f"?{k}={v}" for k, v in sorted(r.items())))
    if len(rows) > limit:
        lines.append(f"    ... {len(rows) - limit} more")
    return "\n".join(lines) + "\n"


# -- graphs and datasets -------------------------------------------------------------------------


def _canonical(quads: Iterable[ox.Quad]) -> ox.Dataset:
    ds = ox.Dataset(quads)
    ds.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return ds


def compare_datasets(expected: Iterable[ox.Quad], actual: Iterable[ox.Quad]) -> str | None:
    """None when the two datasets (or graphs) are isomorphic, else the differences."""
    e, a = _canonical(expected), _canonical(actual)
    if e == a:
        return None
    missing = sorted(str(q) for q in e if q not in a)
    extra = sorted(str(q) for q in a if q not in e)
    return (
        f"not isomorphic ({len(e)} expected quads, {len(a)} got)\n"
        + "".join(f"  - {q}\n" for q in missing[:15])
        + "".join(f"  + {q}\n" for q in extra[:15])
    )


# -- CSV -------------------------------------------------------------------------------------


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def compare_csv(expected_text: str, actual_text: str) -> str | None:
    """CSV results cell by cell: columns matched by their header (the order of SELECT * is the
    engine's), rows in any order, blank node labels matched consistently."""
    exp, act = _csv_rows(expected_text), _csv_rows(actual_text)
    if not exp or not act or sorted(exp[0]) != sorted(act[0]):
        return f"header: expected {exp[:1]}, got {act[:1]}"

    def as_rows(rows: list[list[str]]) -> list[Row]:
        header = rows[0]
        return [
            {
                header[i]: ox.BlankNode(c[2:]) if c.startswith("_:") else ox.Literal(c)
                for i, c in enumerate(r)
                if c != ""
            }
            for r in rows[1:]
        ]

    variables = tuple(exp[0])
    problem = compare_solutions(
        Solutions(variables, tuple(as_rows(exp))), Solutions(variables, tuple(as_rows(act))), ordered=False
    )
    return None if problem is None else f"{problem}\nexpected CSV:\n{expected_text}\ngot CSV:\n{actual_text}"
