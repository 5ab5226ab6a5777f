"""The commands that read a store: `query`, `export` and `stats`."""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pyoxigraph as ox
import typer
from rich.table import Table

from regkg import vocab
from regkg.cli.common import QueryFormat, ReportFormat, app, err, fail, out
from regkg.loading import RdfParseError
from regkg.vocab import curie

if TYPE_CHECKING:
    from regkg.store.base import Store


def _open_for_reading(store: str) -> Store:
    """A store for the read verbs: ``memory`` is loaded with the shipped files; a folder or an
    endpoint is read as it is (loading it is `regkg load`'s job, recorded as a change set)."""
    from regkg.store import open_store
    from regkg.store.spec import StoreKind, StoreSpec
    from regkg.store.sync import shipped_in_memory

    spec = StoreSpec.parse(store)
    return shipped_in_memory() if spec.kind is StoreKind.MEMORY else open_store(spec)


def _read_query(query: str) -> str:
    p = Path(query)
    try:
        if (len(query) < 4096 and p.suffix in {".rq", ".sparql"}) or (len(query) < 4096 and p.is_file()):
            if not p.is_file():
                raise fail(f"{query}: no such query file", 2)
            return p.read_text(encoding="utf-8")
    except OSError:
        pass
    return query


_PREFIX_LINES = vocab.sparql_prefixes().count("\n")


def _user_position(message: str) -> str:
    """A parser position as a line of the user's query, not of the query after the predeclared prefixes."""

    def shift(m: re.Match[str]) -> str:
        line = int(m.group(1)) - _PREFIX_LINES
        return f"at line {line}, column {m.group(2)}" if line >= 1 else m.group(0)

    return re.sub(r"\bat (\d+):(\d+)", shift, message, count=1)


def _term_text(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return curie(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


@app.command()
def query(
    query: Annotated[str, typer.Argument(help="A SPARQL query, or a file (.rq) that holds one.")],
    fmt: Annotated[QueryFormat, typer.Option("--format", help="table, json (SPARQL results JSON) or csv.")] = (
        QueryFormat.table
    ),
    store: Annotated[str, typer.Option(help="memory (load the shipped files) or a store folder.")] = "memory",
) -> None:
    """Run a SPARQL query over the shipped graph (ontology, data and inferred triples).

    The usual prefixes (rk:, rdfs:, skos:, schema:, org:, prov:, dct:, concern:, ...) are predeclared.
    """
    from regkg.store import StoreError

    text = _read_query(query)
    try:
        st = _open_for_reading(store)
    except (StoreError, RdfParseError) as exc:
        raise fail(str(exc)) from None
    try:
        result = st.query(vocab.sparql_prefixes() + text)
    except SyntaxError as exc:
        raise fail(f"SPARQL syntax error: {_user_position(exc.msg if hasattr(exc, 'msg') else str(exc))}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise fail(f"query failed: {exc}") from None
    _print_result(result, fmt)


def _print_result(result: object, fmt: QueryFormat) -> None:
    if isinstance(result, ox.QueryBoolean):
        if fmt is QueryFormat.json:
            out.print_json(json.dumps({"head": {}, "boolean": bool(result)}))
        else:
            out.print("true" if result else "false")
        return
    if isinstance(result, ox.QuerySolutions):
        if fmt is QueryFormat.json:
            sys.stdout.write((result.serialize(format=ox.QueryResultsFormat.JSON) or b"").decode("utf-8") + "\n")
            return
        if fmt is QueryFormat.csv:
            sys.stdout.write((result.serialize(format=ox.QueryResultsFormat.CSV) or b"").decode("utf-8"))
            return
        variables = [v.value for v in result.variables]
        table = Table(*variables, show_lines=False)
        rows = 0
        for sol in result:
            table.add_row(*(_term_text(sol[v]) for v in variables))
            rows += 1
        out.print(table)
        out.print(f"[dim]{rows} row(s)[/]")
        return
    if isinstance(result, ox.QueryTriples):
        if fmt is QueryFormat.table:
            table = Table("subject", "predicate", "object")
            for t in result:
                table.add_row(_term_text(t.subject), _term_text(t.predicate), _term_text(t.object))
            out.print(table)
        else:
            data = ox.serialize(result, format=ox.RdfFormat.N_TRIPLES)
            sys.stdout.write((data or b"").decode("utf-8"))


class ExportFormat(StrEnum):
    nq = "nq"
    trig = "trig"
    ttl = "ttl"
    nt = "nt"
    jsonld = "jsonld"


@app.command()
def export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="nq or trig (named graphs kept), ttl, nt, or jsonld.")
    ] = ExportFormat.nq,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File to write; default stdout.")] = None,
    store: Annotated[str, typer.Option(help="memory (load the shipped files) or a store folder.")] = "memory",
) -> None:
    """Export the whole graph (ontology, data, inferred triples), its VoID description first.

    Streamed in constant memory. JSON-LD refers to the context {base}context.jsonld; dump and endpoint
    URLs in the description are under the base IRI (REGKG_BASE_IRI). `make release` writes every format.
    """
    from regkg import urls
    from regkg.linked_data import export as exp
    from regkg.linked_data import void
    from regkg.loading import deployment_base
    from regkg.store import StoreError

    try:
        st = _open_for_reading(store)
    except (StoreError, RdfParseError) as exc:
        raise fail(str(exc)) from None
    u = urls.for_base(deployment_base())
    fmt_ = exp.EXPORT_FORMATS[fmt.value]
    description = void.describe_dataset(void.compute_stats(st), u, u.base_iri)
    context_url = urls.absolute(u.base_iri, urls.CONTEXT)
    if output is None:
        exp.write_export(st, fmt_, sys.stdout.buffer, description=description, context_url=context_url)
        sys.stdout.buffer.flush()
        return
    from rich.progress import Progress

    output.parent.mkdir(parents=True, exist_ok=True)
    total = st.count() + len(description)
    with output.open("wb") as f, Progress(console=err, transient=True) as bar:
        task = bar.add_task(f"exporting {output.name}", total=total)
        n = exp.write_export(
            st, fmt_, f, description=description, context_url=context_url,
            progress=lambda k: bar.update(task, completed=k),
        )  # fmt: skip
    err.print(f"[green]wrote[/] {output}: {n} {'quads' if fmt_.extension in {'nq', 'trig'} else 'statements'}")


@app.command()
def stats(
    store: Annotated[str, typer.Option(help="memory (the shipped files), a store folder, or a SPARQL endpoint.")] = (
        "memory"
    ),
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Report as text or JSON.")] = ReportFormat.text,
) -> None:
    """Counts: quads, named graphs (ontology, data, inferred), instances of the main classes and the jurisdictions
    with actions (those of the regulators of enforcement actions)."""
    from regkg.store import StoreError

    try:
        st = _open_for_reading(store)
    except (StoreError, RdfParseError) as exc:
        raise fail(str(exc)) from None
    try:
        graphs = st.named_graphs()
        data_graphs = [g for g in graphs if g.startswith(vocab.DATA_GRAPH_PREFIX)]
        classes = ["Regulator", "Company", "Platform", "EnforcementAction", "Penalty", "Fine", "Source"]
        counts: dict[str, int] = {}
        for cls in classes:
            result = st.query(
                f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{vocab.RK}{cls}> }}", prefixes=vocab.PREFIXES
            )
            counts[f"rk:{cls}"] = int(next(iter(result))["n"].value)  # type: ignore[arg-type, index]
        result = st.query(
            "SELECT (COUNT(DISTINCT ?j) AS ?n) WHERE { ?a a/rdfs:subClassOf* rk:EnforcementAction ; "
            "rk:regulator/rk:jurisdiction ?j }",
            prefixes=vocab.PREFIXES,
        )
        jurisdictions = int(next(iter(result))["n"].value)  # type: ignore[arg-type, index]
        report = {
            "store": st.describe(),
            "graphs": {"data": len(data_graphs), "all": len(graphs)},
            "quads": {
                "total": st.count(),
                "ontology": st.count(vocab.ONTOLOGY_GRAPH),
                "inferred": st.count(vocab.INFERRED_GRAPH),
            },
            "instances": counts,
            "jurisdictions_with_actions": jurisdictions,
        }
    except (StoreError, OSError, ValueError, SyntaxError) as exc:
        raise fail(f"cannot read the store: {exc}") from None
    finally:
        st.close()
    if fmt is ReportFormat.json:
        out.print_json(json.dumps(report))
        return
    table = Table("what", "count")
    for key, value in report["quads"].items():  # type: ignore[attr-defined]
        table.add_row(f"quads: {key}", str(value))
    table.add_row("named graphs (data files)", str(len(data_graphs)))
    for cls, n in counts.items():
        table.add_row(cls, str(n))
    table.add_row("jurisdictions with actions", str(jurisdictions))
    out.print(table)
