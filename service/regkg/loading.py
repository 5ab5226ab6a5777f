"""Files to graphs: which files are shipped, which named graph each goes to,
and parsing with pyoxigraph (an order of magnitude faster than rdflib's parsers).

Parse errors become :class:`RdfParseError` with the file, line and column, so
the CLI and the HTTP layer can report them without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from regkg import resources, vocab

__all__ = [
    "FORMATS",
    "RdfFile",
    "RdfParseError",
    "data_files",
    "graph_for",
    "ontology_files",
    "parse_file",
    "parse_files",
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


def parse_file(path: Path, graph: str | None = None) -> list[ox.Quad]:
    """Parse one file into quads of ``graph`` (the default graph when None)."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise RdfParseError(path, f"unknown RDF file type {path.suffix!r}; expected one of {', '.join(FORMATS)}")
    target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    try:
        quads = []
        for q in ox.parse(path=str(path), format=fmt):
            quads.append(ox.Quad(q.subject, q.predicate, q.object, target))
        return quads
    except SyntaxError as exc:
        raise RdfParseError(path, exc.msg or str(exc), exc.lineno, exc.offset) from None
    except (OSError, ValueError) as exc:
        raise RdfParseError(path, str(exc)) from None


def parse_files(files: Iterable[RdfFile]) -> Iterator[tuple[RdfFile, list[ox.Quad]]]:
    for f in files:
        yield f, parse_file(f.path, f.graph)
