"""`regkg import FILE.csv`: enforcement actions from a spreadsheet, as Turtle.

The Turtle files under data/ are the record; a CSV is only a way in. Each row
is one action (an :class:`~regkg.action_row.ActionRow`, the model the drafter
writes too). Names of regulators, companies, platforms, laws and publishers are
resolved by :mod:`regkg.resolver` against the labels and alternative labels of
the shipped graph; unknown companies, platforms and publishers are minted with
IRIs made from their names, actions with IRIs made from their date, regulator and
target (``id/action/2021-04-10-samr-alibaba``), and :mod:`regkg.emitter` writes
the triples, so importing the same CSV again gives the same bytes. Nothing is
written unless the new triples, added to the shipped data, conform to shapes/
(checked as the write gate checks a change: the new resources, what they link to
and the ontology). Problems are reported by row and column, rows numbered as a spreadsheet
shows them (the header is row 1).

The columns are :data:`COLUMNS`; README.md ("Data: adding events") documents them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib

from regkg import loading
from regkg.action_row import COLUMN_NAMES, COLUMNS, DATE_COLUMNS, OUTCOMES, ActionRow, Column, Problem
from regkg.emitter import COLUMN_OF, Emitter, serialise, to_quads
from regkg.resolver import Catalogue, slugify
from regkg.validation import QuadIndex, validate_affected

__all__ = [
    "COLUMNS",
    "OUTCOMES",
    "Built",
    "Catalogue",
    "Column",
    "ImportResult",
    "Problem",
    "build",
    "build_rows",
    "context_quads",
    "import_csv",
    "read_rows",
    "shacl_problems",
    "slugify",
]


@dataclass
class ImportResult:
    """What an import produced: the graph, its Turtle, and what was wrong."""

    problems: list[Problem] = field(default_factory=list)
    graph: rdflib.Graph | None = None
    turtle: str = ""
    actions: list[str] = field(default_factory=list)
    minted: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


# ------------------------------------------------------------------ reading


def read_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[Problem]]:
    """The header and the non-empty rows, each with the spreadsheet row number it started on."""
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return [], [], [Problem(None, None, "the file is empty: expected a header row naming the columns")]
    except csv.Error as exc:
        return [], [], [Problem(1, None, f"not a readable CSV file: {exc}")]
    unknown = [h for h in header if h and h not in COLUMN_NAMES]
    for h in unknown:
        problems.append(Problem(1, h, f"unknown column {h!r}; the columns are: {', '.join(c.name for c in COLUMNS)}"))
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    for h in dupes:
        problems.append(Problem(1, h, "column given twice"))
    missing = [c.name for c in COLUMNS if c.required and c.name not in header]
    if missing:
        problems.append(Problem(1, None, f"missing required column(s): {', '.join(missing)}"))
    if not any(d in header for d in DATE_COLUMNS):
        problems.append(Problem(1, None, f"needs at least one date column: {', '.join(DATE_COLUMNS)}"))
    rows: list[tuple[int, dict[str, str]]] = []
    line = reader.line_num + 1
    try:
        for record in reader:
            start = line
            line = reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if len(record) > len(header):
                problems.append(Problem(start, None, f"{len(record)} cells but the header names {len(header)} columns"))
                continue
            row = {h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(header) if h}
            rows.append((start, row))
    except csv.Error as exc:
        problems.append(Problem(line, None, f"not a readable CSV row: {exc}"))
    return header, rows, problems


# ------------------------------------------------------------------ the whole import


def context_quads(output: Path | None = None) -> list[ox.Quad]:
    """Ontology and shipped data, without the file being (re)written, so a re-import gives the same bytes."""
    skip = output.resolve() if output is not None else None
    quads: list[ox.Quad] = []
    for f in loading.shipped_files():
        if skip is not None and f.path.resolve() == skip:
            continue
        quads.extend(loading.parse_file(f.path, f.graph))
    return quads


_context_quads = context_quads


def _serialise(g: rdflib.Graph, csv_name: str) -> str:
    return serialise(
        g,
        f"Imported from {csv_name} by `regkg import`. From here on this Turtle is the record:\n"
        "correct it here (the CSV was only a way in). Minted IRIs are stable: importing the\n"
        "same CSV again gives this file byte for byte.",
    )


@dataclass
class Built:
    """The triples a CSV gives, where each new resource came from, and what was minted."""

    graph: rdflib.Graph
    subject_rows: dict[str, tuple[int, str | None]]
    minted: dict[str, list[str]]
    actions: list[str]


def build(text: str, catalogue: Catalogue) -> tuple[Built | None, list[Problem]]:
    """CSV text -> the triples (None when anything is wrong) and the problems, sorted by row and column."""
    header, rows, problems = read_rows(text)
    if problems and (not header or any(p.row == 1 for p in problems)):
        return None, problems
    if not rows and not problems:
        problems.append(Problem(None, None, "no rows to import"))
    if problems:
        return None, problems
    return build_rows([(n, ActionRow.from_cells(cells)) for n, cells in rows], catalogue)


def build_rows(rows: Sequence[tuple[int, ActionRow]], catalogue: Catalogue) -> tuple[Built | None, list[Problem]]:
    """Rows (numbered) -> the triples (None when anything is wrong) and the problems, sorted."""
    emitter = Emitter(catalogue)
    for n, row in rows:
        emitter.row(n, row)
    emitter.finish()
    if emitter.problems:
        return None, sorted(emitter.problems, key=lambda p: (p.row or 0, p.column or "", p.message))
    minted = {kind: sorted(emitter.resolver.minted_of(kind)) for kind in ("company", "platform", "publisher")}
    return Built(emitter.g, emitter.subject_rows, minted, sorted(emitter.actions)), []


def shacl_problems(
    graph: rdflib.Graph, context: Sequence[ox.Quad], subject_rows: dict[str, tuple[int, str | None]]
) -> list[Problem]:
    """Validate the new triples as an addition to ``context``; violations on the new resources, by row and column.

    As for an online write (:mod:`regkg.writes.check`), pySHACL sees what the import adds, the
    descriptions of what it links to and what links to it, and the ontology
    (:func:`regkg.validation.validate_affected`), not the whole of ``context``: the shapes of the
    new resources read nothing else, and the report is the same in a fraction of the time.
    """
    index = QuadIndex(context)
    report = validate_affected(index.quads, index.incoming, index.ontology(), (), to_quads(graph))
    problems = []
    for v in report.violations:
        if v.severity != "Violation":
            continue
        row, column = subject_rows.get(v.focus, (None, None))
        column = COLUMN_OF.get(v.path or "", column)
        problems.append(Problem(row, column, f"{v.message} [{v.focus}]"))
    return sorted(problems, key=lambda p: (p.row or 0, p.column or "", p.message))


def import_csv(path: Path, output: Path | None = None, *, validate: bool = True) -> ImportResult:
    """Read ``path``, build the triples, validate them with the shipped data; never writes a file.

    ``output`` is the file the caller will write: it is left out of the context
    the rows are resolved and validated against, as it holds a previous import.
    """
    result = ImportResult()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        result.problems.append(Problem(None, None, f"{path}: not UTF-8 text; save the spreadsheet as CSV UTF-8"))
        return result
    context = context_quads(output)
    built, problems = build(text, Catalogue(context))
    if built is None:
        result.problems = problems
        return result
    if validate:
        result.problems = shacl_problems(built.graph, context, built.subject_rows)
        if result.problems:
            return result
    result.graph = built.graph
    result.turtle = _serialise(built.graph, path.name)
    result.actions = built.actions
    result.minted = built.minted
    return result
