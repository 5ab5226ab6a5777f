"""SHACL validation with pyshacl, and a report people can read: :mod:`~regkg.validation.report`
(pySHACL and the ``shapes/*-violation.rq`` checks on quads), :mod:`~regkg.validation.change` (what
a change affects), :mod:`~regkg.validation.files` (``regkg validate``)."""

from regkg.validation.change import QuadIndex, affected_data, validate_affected
from regkg.validation.files import MAX_FILE_BYTES, TooLarge, validate_files
from regkg.validation.report import ValidationReport, Violation, shapes_graph, validate_quads

__all__ = [
    "MAX_FILE_BYTES",
    "QuadIndex",
    "TooLarge",
    "ValidationReport",
    "Violation",
    "affected_data",
    "shapes_graph",
    "validate_affected",
    "validate_files",
    "validate_quads",
]
