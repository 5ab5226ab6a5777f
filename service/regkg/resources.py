"""Where the shipped ontology, shapes, data and queries are.

A wheel carries them inside the package (regkg/_resources/...); a checkout or an
editable install reads them from the repository's top-level folders. Code asks
here instead of building paths itself.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_dir", "ontology_dir", "queries_dir", "resource_root", "shapes_dir"]

_PACKAGE = Path(__file__).resolve().parent


def resource_root() -> Path:
    """The folder that holds ontology/, shapes/, data/ and queries/."""
    bundled = _PACKAGE / "_resources"
    if (bundled / "ontology").is_dir():
        return bundled
    return _PACKAGE.parents[1]


def ontology_dir() -> Path:
    return resource_root() / "ontology"


def shapes_dir() -> Path:
    return resource_root() / "shapes"


def data_dir() -> Path:
    return resource_root() / "data"


def queries_dir() -> Path:
    return resource_root() / "queries"
