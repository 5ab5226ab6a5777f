"""``regkg validate``: files (or the shipped data) with the rest of the shipped graph as context,
refused above a size pySHACL cannot hold in memory."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from regkg import loading
from regkg.validation.change import QuadIndex, validate_affected
from regkg.validation.report import ValidationReport, validate_quads

__all__ = ["MAX_FILE_BYTES", "TooLarge", "validate_files"]

MAX_FILE_BYTES: int = 16 * 1024 * 1024
"""The most ``validate_files`` reads from given files (all together); above it, :class:`TooLarge`."""


class TooLarge(Exception):
    """Files too large to validate in memory: refused before anything is parsed."""

    def __init__(self, size: int, limit: int) -> None:
        self.size, self.limit = size, limit
        super().__init__(
            f"too large to validate: {size / 1e6:.1f} MB given, the limit is {limit / 1e6:.0f} MB "
            "(pySHACL holds the data in memory); split the file and validate the parts"
        )


def validate_files(paths: Sequence[Path] | None = None, *, max_bytes: int | None = None) -> ValidationReport:
    """Validate the shipped data (no paths) or the given files, with the ontology.

    Given files are checked as an addition to the shipped data, so that a new action may refer
    to companies and regulators already in the graph: their resources, what they link to and
    what links to them, and the ontology (:func:`validate_affected`, as the write gate checks
    a change), not the whole graph. Only the resources the given files describe are reported.
    Raises RdfParseError, and TooLarge (before parsing) when the given files together exceed
    ``max_bytes`` (default :data:`MAX_FILE_BYTES`).
    """
    shipped = loading.shipped_files()
    if paths:
        limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
        size = sum(p.stat().st_size for p in paths)
        if size > limit:
            raise TooLarge(size, limit)
        resolved = {p.resolve() for p in paths}
        context = [f for f in shipped if f.path.resolve() not in resolved]
        named = [loading.RdfFile(p, loading.graph_for(p)) for p in paths]
    else:
        context = loading.ontology_files()
        named = loading.data_files()
    quads: list[ox.Quad] = []
    subject_files: dict[str, str] = {}
    for f in named:
        qs = loading.parse_file(f.path, f.graph)
        for q in qs:
            if isinstance(q.subject, ox.NamedNode):
                subject_files.setdefault(q.subject.value, str(f.path))
        quads.extend(qs)
    context_quads: list[ox.Quad] = []
    for f in context:
        context_quads.extend(loading.parse_file(f.path, f.graph))
    if paths:
        index = QuadIndex(context_quads)
        return validate_affected(index.quads, index.incoming, index.ontology(), (), quads, subject_files=subject_files)
    return validate_quads([*quads, *context_quads], subject_files=subject_files)
