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

The page is then put in the site's shell (:func:`_site_shell`): ``lang``, a viewport, the site's
header (rendered from the same template as every other page) and style sheet, one heading, and
CSS that lets pyLODE's table of contents and tables fit a phone.
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
            f'<a href="{html_escape(str(t))}">{html_escape(vocab.curie(str(t)))}</a>'
            for t in graph.objects(term, RDF.type)
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


_SHELL_CSS: Final = """
    <style>
      /* regkg: pyLODE's page inside the site's shell */
      body { padding: 0; margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
        color: #1d2330; background: #fff; }
      main.ontology-doc { display: grid; grid-template-columns: minmax(0, 1fr) 240px; gap: 2rem; max-width: 1400px;
        margin: 0 auto; padding: 1.5rem; }
      main.ontology-doc #content { width: auto; min-width: 0; }
      main.ontology-doc #toc { position: sticky; top: 0; align-self: start; max-height: 100vh; width: auto;
        height: auto; border: 0; border-left: 1px solid #e2e6ec; padding: 0 0 0 1rem; font-size: .85rem; }
      main.ontology-doc #content { grid-column: 1; grid-row: 1; }
      main.ontology-doc #toc { grid-column: 2; grid-row: 1; }
      #pylode { position: static; transform: none; font-size: .85rem; color: #5f6b7a; grid-column: 1 / -1;
        grid-row: 2; }
      #pylode a, :link, :visited { color: #1f4fa3; }
      .sup-c, .sup-con { color: #8a4b00; } .sup-fp { color: #1f6f99; } .sup-dp { color: #2d6a2d; }
      h1, h2, h3 { color: #123f7a; }
      .ontology-lede { font-size: 1.1rem; color: #5f6b7a; margin-top: -.3rem; }
      table { table-layout: auto; } td, th, code { overflow-wrap: anywhere; }
      code { color: #8b0000; font-size: .95em; }
      @media (max-width: 900px) {
        main.ontology-doc { display: block; padding: 1rem .75rem; }
        main.ontology-doc #toc { position: static; max-height: none; border: 0; border-top: 1px solid #e2e6ec;
          padding: 1rem 0 0; }
        .entity th { width: auto; }
        .entity table, .entity tbody, .entity tr, .entity th, .entity td { display: block; padding-bottom: .3rem; }
        #legend table.entity { width: auto; }
      }
    </style>"""


def _site_shell(html: str, title: str, label: str) -> str:
    """pyLODE's page with the site's header and style, ``lang`` and a viewport, and one heading
    (pyLODE runs the ontology's two names together: "…eventsregkg ontology")."""
    from jinja2 import Environment, FileSystemLoader

    templates = Path(__file__).resolve().parent.parent / "web" / "templates"
    env = Environment(loader=FileSystemLoader(str(templates)), autoescape=True)
    header = env.get_template("_site_header.html").render(current_path="/ontology.html", header_search=True)
    html = html.replace("<html>", '<html lang="en">', 1)
    html = html.replace(
        "<head>",
        '<head>\n    <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '    <link rel="stylesheet" href="/static/style.css">\n'
        '    <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">',
        1,
    )
    html = html.replace("</head>", _SHELL_CSS + "\n  </head>", 1)
    html = html.replace(
        "<body>", '<body class="ontology-page">\n' + header + '\n<main id="main" class="ontology-doc" tabindex="-1">', 1
    )
    html = html.replace(
        "</body>",
        "</main>\n"
        '<footer class="site"><span>regkg · an open knowledge graph of technology-regulation events.</span></footer>\n'
        '<div id="announce" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true"></div>\n'
        '<script src="/static/search.js" defer></script>\n  </body>',
        1,
    )
    if title and label:
        html = html.replace(
            f"<h1>{html_escape(title)}{html_escape(label)}</h1>",
            f'<h1>{html_escape(label)}</h1>\n        <p class="ontology-lede">{html_escape(title)}</p>',
            1,
        )
    return html


def _names(graph: Any) -> tuple[str, str]:
    """The ontology's title (dct:title) and label (rdfs:label), in English."""
    import rdflib
    from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

    onto = next(graph.subjects(RDF.type, OWL.Ontology), None)
    if onto is None:
        return "", ""

    def first(prop: Any) -> str:
        values = [v for v in graph.objects(onto, prop) if isinstance(v, rdflib.Literal)]
        english = [v for v in values if v.language in (None, "en")]
        return str((english or values)[0]) if values else ""

    return first(DCTERMS.title), first(RDFS.label)


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
    html = _site_shell(html, *_names(graph))
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
