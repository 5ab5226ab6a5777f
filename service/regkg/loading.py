"""Files to graphs: which files are shipped, which named graph each goes to,
and parsing with pyoxigraph (an order of magnitude faster than rdflib's parsers).

Parse errors become :class:`RdfParseError` with the file, line and column, so
the CLI and the HTTP layer can report them without a traceback.

Base IRI: the files name things ``https://w3id.org/regkg/id/...``. A deployment with its own
base (``REGKG_BASE_IRI``) gets them rewritten here, at parse time, and nowhere else:
:func:`parse_files` (what the store loads) rebases ``{vocab.ID}`` to ``{base}id/``; the
vocabularies (ontology, concern and sector schemes) and the named-graph IRIs keep their
published IRIs. :func:`parse_file` without ``base`` keeps the files' IRIs (validation and the
CSV importer work on the canonical IRIs).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from regkg import resources, vocab
from regkg.config import Settings

__all__ = [
    "FORMATS",
    "RdfFile",
    "RdfParseError",
    "data_files",
    "deployment_base",
    "graph_for",
    "ontology_files",
    "parse_file",
    "parse_files",
    "rebase_quad",
    "shipped_files",
]

#: File suffix -> pyoxigraph format. The one table of input formats.
FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}


class RdfParseError(Exception):
    """A file that is not valid RDF; carries where it broke."""

    def __init__(self, path: Path, message: str, line: int | None = None, column: int | None = None) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        where = f"{path}" + (f":{line}:{column}" if line is not None else "")
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class RdfFile:
    """A file and the named graph its triples are loaded into."""

    path: Path
    graph: str


def graph_for(path: Path, root: Path | None = None) -> str:
    """The named-graph IRI of a data file: …/graph/data/<path under data/ without suffix>."""
    root = root or resources.data_dir()
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(path.name)
    return vocab.DATA_GRAPH_PREFIX + rel.with_suffix("").as_posix()


def ontology_files() -> list[RdfFile]:
    return [RdfFile(p, vocab.ONTOLOGY_GRAPH) for p in sorted(resources.ontology_dir().glob("*.ttl"))]


def data_files(root: Path | None = None) -> list[RdfFile]:
    root = root or resources.data_dir()
    files = sorted(p for p in root.rglob("*") if p.suffix in FORMATS and p.is_file())
    return [RdfFile(p, graph_for(p, root)) for p in files]


def shipped_files() -> list[RdfFile]:
    """Ontology and data files, in load order."""
    return ontology_files() + data_files()


def deployment_base() -> str:
    """The deployment's base IRI (``REGKG_BASE_IRI``, read by :class:`~regkg.config.Settings`, the one
    place settings are read): for callers that have no settings object at hand."""
    return Settings.from_env().base_iri


def _rebaser(base: str | None) -> tuple[str, str] | None:
    """``(from, to)`` namespaces of the things' rewrite, or None when there is nothing to rewrite."""
    if base is None:
        return None
    target = (base if base.endswith("/") else base + "/") + "id/"
    return None if target == vocab.ID else (vocab.ID, target)


def _rebase_term(term: ox.NamedNode, source: str, target: str) -> ox.NamedNode:
    value = term.value
    return ox.NamedNode(target + value[len(source) :]) if value.startswith(source) else term


def rebase_quad(quad: ox.Quad, base: str | None) -> ox.Quad:
    """``quad`` with its things' IRIs moved from ``vocab.ID`` to ``{base}id/`` (subject and object)."""
    rb = _rebaser(base)
    if rb is None:
        return quad
    s, o = quad.subject, quad.object
    if isinstance(s, ox.NamedNode):
        s = _rebase_term(s, *rb)
    if isinstance(o, ox.NamedNode):
        o = _rebase_term(o, *rb)
    return ox.Quad(s, quad.predicate, o, quad.graph_name)


def parse_file(path: Path, graph: str | None = None, base: str | None = None) -> list[ox.Quad]:
    """Parse one file into quads of ``graph`` (the default graph when None).

    With ``base``, things' IRIs are rebased to it (see the module's docstring); without, the
    file's IRIs are kept."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise RdfParseError(path, f"unknown RDF file type {path.suffix!r}; expected one of {', '.join(FORMATS)}")
    target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    try:
        quads = [ox.Quad(q.subject, q.predicate, q.object, target) for q in ox.parse(path=str(path), format=fmt)]
        if _rebaser(base) is not None:
            quads = [rebase_quad(q, base) for q in quads]
        return quads
    except SyntaxError as exc:
        raise RdfParseError(path, exc.msg or str(exc), exc.lineno, exc.offset) from None
    except (OSError, ValueError) as exc:
        raise RdfParseError(path, str(exc)) from None


def parse_files(files: Iterable[RdfFile], base: str | None = None) -> Iterator[tuple[RdfFile, list[ox.Quad]]]:
    """Parse files for the store: things' IRIs rebased to ``base``, by default :func:`deployment_base`."""
    base = base or deployment_base()
    for f in files:
        yield f, parse_file(f.path, f.graph, base)
