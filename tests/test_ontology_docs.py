"""The ontology's HTML documentation (pyLODE) is generated from the ontology it is served with."""

from __future__ import annotations

from pathlib import Path

import rdflib

from regkg import vocab
from regkg.linked_data import ontology_docs


def test_documentation_is_not_stale() -> None:
    html = ontology_docs.docs_file().read_text(encoding="utf-8")
    recorded = ontology_docs.recorded_hash(html)
    current = ontology_docs.ontology_hash()
    assert recorded == current, (
        f"ontology/regkg.html was generated from another version of ontology/regkg.ttl "
        f"(sha256 {recorded} != {current}): run `make ontology-docs` and commit the page"
    )
    assert not ontology_docs.is_stale()


def test_staleness_is_detected(tmp_path: Path) -> None:
    ttl = tmp_path / "regkg.ttl"
    ttl.write_bytes(ontology_docs.source_file().read_bytes() + b"\n# an edit\n")
    assert ontology_docs.is_stale(ttl_path=ttl)
    assert ontology_docs.is_stale(html_path=tmp_path / "missing.html")


def test_every_term_has_an_anchor() -> None:
    """https://w3id.org/regkg/ontology#Term -> /ontology.html#Term lands on the term."""
    html = ontology_docs.docs_file().read_text(encoding="utf-8")
    g = rdflib.Graph().parse(ontology_docs.source_file(), format="turtle")
    terms = {str(s)[len(vocab.RK) :] for s in g.subjects() if str(s).startswith(vocab.RK)}
    assert len(terms) > 50
    missing = sorted(t for t in terms if f'id="{t}"' not in html)
    assert not missing, f"terms without an anchor on the page: {missing}"
    assert "<title>regkg ontology</title>" in html
