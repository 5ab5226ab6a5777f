"""JSON-LD output with the published context (``/context.jsonld``), written as a stream.

pyoxigraph's JSON-LD serialiser writes expanded JSON-LD (full IRIs, no context). Documents
of this service reference the context instead: keys, types and IRI values are compact IRIs
(``rk:target``, ``rk:Regulator``) over the prefixes of :data:`regkg.vocab.PREFIXES`, so a
JSON-LD processor expands them back to the same triples. The writer takes quads grouped by
graph and subject (the order the store returns them in); a graph or subject seen again later
gives a second node object, which JSON-LD merges.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO, Final

import pyoxigraph as ox

from regkg import vocab

__all__ = ["context", "context_document", "write_jsonld"]

_XSD_STRING: Final = vocab.XSD + "string"
_RDF_TYPE: Final = vocab.RDF + "type"
_LANG_STRING: Final = vocab.RDF + "langString"


def context(prefixes: Mapping[str, str] = vocab.PREFIXES) -> dict[str, str]:
    """The term definitions of the published context: one prefix per namespace."""
    return dict(prefixes)


def context_document(prefixes: Mapping[str, str] = vocab.PREFIXES) -> dict[str, Any]:
    """The body of ``/context.jsonld``."""
    return {"@context": context(prefixes)}


class _Compactor:
    def __init__(self, prefixes: Mapping[str, str]) -> None:
        # Longest namespace first, so ``…/regkg/ontology#`` wins over a shorter one.
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))

    def iri(self, iri: str) -> str:
        for prefix, ns in self.prefixes:
            if iri.startswith(ns):
                local = iri[len(ns) :]
                if local and not local.startswith("//"):
                    return f"{prefix}:{local}"
        return iri

    def node(self, term: ox.NamedNode | ox.BlankNode | Any) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        raise ValueError(f"JSON-LD output cannot hold {term!r} as a node")

    def value(self, term: Any) -> dict[str, str]:
        if isinstance(term, ox.Literal):
            if term.language:
                return {"@value": term.value, "@language": term.language}
            dt = term.datatype.value
            if dt == _XSD_STRING:
                return {"@value": term.value}
            return {"@value": term.value, "@type": self.iri(dt)}
        return {"@id": self.node(term)}


class _Writer:
    def __init__(self, out: BinaryIO, context_ref: str | Mapping[str, str], prefixes: Mapping[str, str]) -> None:
        self.out = out
        self.c = _Compactor(prefixes)
        self.graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None
        self.subject: Any = None
        self.node: dict[str, Any] = {}
        self.first_top = True
        self.first_in_graph = True
        ctx = context_ref if isinstance(context_ref, str) else dict(context_ref)
        self._write('{"@context": ' + json.dumps(ctx, ensure_ascii=False) + ',\n "@graph": [')

    def _write(self, text: str) -> None:
        self.out.write(text.encode("utf-8"))

    def _flush_node(self) -> None:
        if self.subject is None:
            return
        text = json.dumps(self.node, ensure_ascii=False)
        in_named = not isinstance(self.graph, ox.DefaultGraph)
        if in_named:
            self._write(("\n    " if self.first_in_graph else ",\n    ") + text)
            self.first_in_graph = False
        else:
            self._write(("\n  " if self.first_top else ",\n  ") + text)
            self.first_top = False
        self.subject = None
        self.node = {}

    def _close_graph(self) -> None:
        self._flush_node()
        if self.graph is not None and not isinstance(self.graph, ox.DefaultGraph):
            self._write("\n  ]}")
        self.graph = None

    def add(self, quad: ox.Quad) -> None:
        graph = quad.graph_name
        if graph != self.graph:
            self._close_graph()
            self.graph = graph
            if not isinstance(graph, ox.DefaultGraph):
                head = json.dumps(self.c.node(graph), ensure_ascii=False)
                self._write(("\n  " if self.first_top else ",\n  ") + '{"@id": ' + head + ', "@graph": [')
                self.first_top = False
                self.first_in_graph = True
        if quad.subject != self.subject:
            self._flush_node()
            self.subject = quad.subject
            self.node = {"@id": self.c.node(quad.subject)}
        p, o = quad.predicate.value, quad.object
        if p == _RDF_TYPE and isinstance(o, ox.NamedNode | ox.BlankNode):
            self.node.setdefault("@type", []).append(self.c.node(o))
        else:
            self.node.setdefault(self.c.iri(p), []).append(self.c.value(o))

    def close(self) -> None:
        self._close_graph()
        self._write("\n]}\n")


def write_jsonld(
    quads: Iterable[ox.Quad],
    out: BinaryIO,
    context_ref: str | Mapping[str, str],
    prefixes: Mapping[str, str] = vocab.PREFIXES,
) -> int:
    """Write ``quads`` as one JSON-LD document whose ``@context`` is ``context_ref`` (a URL or
    the context itself); returns how many quads were written."""
    w = _Writer(out, context_ref, prefixes)
    n = 0
    for q in quads:
        w.add(q)
        n += 1
    w.close()
    return n
