"""HTML documentation of the ontology, generated from ontology/regkg.ttl with pyLODE 3.3.4.

The page is generated at build time into ontology/regkg.html (committed, shipped in the
wheel with the ontology) and served at ``/ontology.html`` (``GET /ontology`` redirects a
browser there). Regenerate it after editing the ontology::

    make ontology-docs        # = python -m regkg.linked_data.ontology_docs

The first line of the page records the SHA-256 of the Turtle it was generated from;
:func:`is_stale` compares it with the ontology's current hash, and a test fails when they
differ. pyLODE is given the ontology without its ``skos:ConceptScheme`` typing (else it
documents the status scheme instead of the ontology). Three additions to pyLODE's output: an
anchor named after each term's local name (pyLODE's own ids are sometimes re-cased, ``#Enforcementaction`` for
``rk:EnforcementAction``), so ``/ontology.html#EnforcementAction`` -- where the term IRI
``https://w3id.org/regkg/ontology#EnforcementAction`` leads -- lands on the term; a section
"Schemes and individuals" for the terms pyLODE leaves out (``rk:StatusScheme`` and the
statuses); and ``<link rel="alternate">`` elements for the RDF formats of the ontology.
"""

from __future__ import annotations

import hashlib
import re
import sys
from html import escape as html_escape
from pathlib import Path
from typing import Any, Final

from regkg import formats, resources, urls, vocab

__all__ = ["PYLODE_VERSION", "docs_file", "generate", "is_stale", "main", "ontology_hash", "recorded_hash"]

PYLODE_VERSION: Final = "3.3.4"
_MARKER: Final = re.compile(r"<!-- regkg-ontology-sha256: ([0-9a-f]{64}) ")
_ENTITY: Final = re.compile(r'(<div class="property entity" id="([^"]+)">)(.{0,600}?)<code>([^<]+)</code>', re.DOTALL)


def docs_file() -> Path:
    return resources.ontology_dir() / "regkg.html"


def source_file() -> Path:
    return resources.ontology_dir() / "regkg.ttl"


def ontology_hash(path: Path | None = None) -> str:
    return hashlib.sha256((path or source_file()).read_bytes()).hexdigest()


def recorded_hash(html: str) -> str | None:
    m = _MARKER.search(html[:500])
    return m.group(1) if m else None


def is_stale(html_path: Path | None = None, ttl_path: Path | None = None) -> bool:
    """True when the HTML is missing or was generated from another version of the ontology."""
    html_path = html_path or docs_file()
    if not html_path.is_file():
        return True
    return recorded_hash(html_path.read_text(encoding="utf-8")) != ontology_hash(ttl_path)


def _add_anchors(html: str) -> str:
    def anchor(m: re.Match[str]) -> str:
        div, pylode_id, between, iri = m.group(1), m.group(2), m.group(3), m.group(4).strip()
        local = iri[len(vocab.RK) :] if iri.startswith(vocab.RK) else None
        extra = f'<span id="{local}"></span>' if local and local != pylode_id and re.fullmatch(r"\w+", local) else ""
        return f"{div}{extra}{between}<code>{m.group(4)}</code>"

    return _ENTITY.sub(anchor, html)


def _alternate_links() -> str:
    links = []
    for ext in urls.DATA_EXTENSIONS:
        fmt = formats.by_extension(ext, formats.Kind.GRAPH)
        if fmt is not None:
            links.append(f'<link rel="alternate" type="{fmt.media_type}" href="{urls.ONTOLOGY}.{ext}">')
    return "\n    ".join(links)


def _other_terms(graph: Any, html: str) -> str:
    """A section for the ontology's terms pyLODE does not document (the status scheme and its
    statuses, which are SKOS concepts rather than classes or properties), one anchor each."""
    import rdflib
    from rdflib.namespace import RDF, RDFS, SKOS

    def text(term: Any, *props: Any) -> str:
        for p in props:
            values = [v for v in graph.objects(term, p) if isinstance(v, rdflib.Literal)]
            english = [v for v in values if v.language in (None, "en")]
            if english or values:
                return html_escape(str((english or values)[0]))
        return ""

    terms = sorted(
        {s for s in graph.subjects() if isinstance(s, rdflib.URIRef) and str(s).startswith(vocab.RK)},
        key=str,
    )
    blocks = []
    for term in terms:
        local = str(term)[len(vocab.RK) :]
        if f'id="{local}"' in html or not re.fullmatch(r"\w+", local):
            continue
        types = ", ".join(
            f'<a href="{html_escape(str(t))}">{html_escape(_curie(str(t)))}</a>' for t in graph.objects(term, RDF.type)
        )
        blocks.append(
            f'        <div class="property entity" id="{local}">\n'
            f"          <h3>{text(term, SKOS.prefLabel, RDFS.label) or local}</h3>\n"
            f"          <table>\n"
            f"            <tr><th>IRI</th><td><code>{html_escape(str(term))}</code></td></tr>\n"
            f"            <tr><th>Type</th><td>{types}</td></tr>\n"
            f"            <tr><th>Description</th><td>{text(term, SKOS.definition, RDFS.comment)}</td></tr>\n"
            f"          </table>\n"
            f"        </div>\n"
        )
    if not blocks:
        return html
    section = (
        '      <div class="section" id="otherterms">\n        <h2>Schemes and individuals</h2>\n'
        + "".join(blocks)
        + "      </div>\n"
    )
    return html.replace('      <div id="namespaces">', section + '      <div id="namespaces">', 1)


def _curie(iri: str) -> str:
    for prefix, ns in vocab.PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def generate(ttl_path: Path | None = None) -> str:
    """The documentation page for the ontology at ``ttl_path`` (pyLODE, plus the additions above)."""
    import logging

    import rdflib
    from pylode import OntPub  # type: ignore[import-untyped]

    ttl_path = ttl_path or source_file()
    logging.getLogger().setLevel(logging.WARNING)
    graph = rdflib.Graph().parse(ttl_path, format="turtle")
    # pyLODE takes a skos:ConceptScheme for the document's subject (the page was titled "Action
    # statuses" after rk:StatusScheme); without that typing it documents the owl:Ontology.
    graph.remove((None, rdflib.RDF.type, rdflib.SKOS.ConceptScheme))
    html = str(OntPub(ontology=graph).make_html())
    html = _add_anchors(html)
    html = _other_terms(rdflib.Graph().parse(ttl_path, format="turtle"), html)
    html = html.replace("</head>", f"    {_alternate_links()}\n  </head>", 1)
    marker = (
        f"<!-- regkg-ontology-sha256: {ontology_hash(ttl_path)} -- generated by pyLODE {PYLODE_VERSION} "
        "from ontology/regkg.ttl; regenerate with `make ontology-docs` -->\n"
    )
    return marker + html


def main(argv: list[str] | None = None) -> int:
    """Write ontology/regkg.html (or the path given); with ``--check``, exit 1 when it is stale."""
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        stale = is_stale()
        print(f"{docs_file()}: {'STALE, run make ontology-docs' if stale else 'up to date'}")
        return 1 if stale else 0
    out = Path(args[0]) if args else docs_file()
    out.write_text(generate(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
