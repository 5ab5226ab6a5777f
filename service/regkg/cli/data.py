"""The commands that check and change data: `validate`, `load` (the load door) and `import`
(CSV to Turtle, and optionally into a store through the write gate)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from regkg import vocab
from regkg.cli.common import ReportFormat, app, err, fail, out
from regkg.loading import RdfFile, RdfParseError, graph_for
from regkg.vocab import curie

if TYPE_CHECKING:
    from regkg.validation import ValidationReport


@app.command()
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Files to validate; by default every shipped data file.")
    ] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Report as text or JSON.")] = ReportFormat.text,
) -> None:
    """Validate data against shapes/ (with the ontology). Exit 0 if it conforms, 1 if not."""
    report = _validated(paths)
    if fmt is ReportFormat.json:
        out.print_json(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        _print_report(report)
    if not report.conforms:
        raise typer.Exit(1)


def _validated(paths: list[Path] | None) -> ValidationReport:
    """The files (by default the shipped data) validated; a missing file is a usage error (2), a
    file that does not parse or is too large an error (1), each in one line."""
    from regkg.validation import TooLarge, validate_files

    for p in paths or []:
        if not p.is_file():
            raise fail(f"{p}: no such file", 2)
    try:
        return validate_files(paths or None)
    except RdfParseError as exc:
        where = f"line {exc.line}, column {exc.column}" if exc.line is not None else "file"
        raise fail(f"{exc.path}: not valid RDF ({where}): {exc.message}") from None
    except TooLarge as exc:
        raise fail(str(exc)) from None


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
    from regkg.writes.changelog import ChangeLog
    from regkg.writes.load import load_files, load_shipped, open_ledger, shipped_paths, who_is
    from regkg.writes.recover import recover

    settings = Settings.from_env()
    spec = StoreSpec.parse(store or settings.store)
    if spec.kind in (StoreKind.MEMORY, StoreKind.SNAPSHOT):
        raise fail("a memory store ends with the command; name a store folder or a SPARQL endpoint URL", 2)
    report = _validated(paths)
    if not report.conforms:
        _print_report(report)
        raise fail("nothing was loaded: fix the problems above first")
    files = [RdfFile(p, graph_for(p)) for p in paths or []]
    try:
        st = open_store(spec, update_url=settings.store_update_url)
    except StoreError as exc:
        hint = " (is `regkg serve` running on it? stop it first)" if "lock" in str(exc).lower() else ""
        raise fail(f"cannot open {spec}: {exc}{hint}") from None
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
            ledger = open_ledger(folder)
            recover(st, changes, ledger)
            result = load_files(st, files, changes=changes, ledger=ledger, who=who, force=force)
        else:
            result = load_shipped(st, folder, changes, who=who, force=force)
    except (StoreError, RdfParseError, OSError) as exc:
        raise fail(f"cannot load into {spec}: {exc}") from None
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


@app.command("import")
def import_(
    csv_file: Annotated[Path, typer.Argument(metavar="FILE.csv", help="One row per action; columns in README.md.")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Turtle file to write; default stdout.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and validate; write nothing.")] = False,
    store: Annotated[
        str | None,
        typer.Option(
            help="Also commit the actions into this store folder, in the graph …/graph/import/<file name>, "
            "through the write gate (SHACL, change log, revertible)."
        ),
    ] = None,
) -> None:
    """Import enforcement actions from a CSV file as Turtle, after SHACL validation with the shipped data.

    The Turtle under data/ is the record; a CSV is one way to add to it. Names are resolved against the
    graph's labels and aliases; new companies, platforms and publishers are minted with IRIs made from
    their names, so importing the same CSV again gives the same file. Problems are reported by row and column.
    """
    from regkg.importer import import_csv

    if not csv_file.is_file():
        raise fail(f"{csv_file}: no such file", 2)
    try:
        result = import_csv(csv_file, output)
    except RdfParseError as exc:
        raise fail(f"the shipped data does not parse: {exc}") from None
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
    if store is not None:
        _import_into(store, csv_file, result.turtle)
    if output is None and store is None:
        sys.stdout.write(result.turtle)
    elif output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(result.turtle, encoding="utf-8")
        err.print(f"[green]wrote[/] {output}: {summary}", highlight=False)


def _import_into(store: str, csv_file: Path, turtle: str) -> None:
    """The import door into a store: the CSV's own graph, through the gate's checks and commit."""
    from regkg.store import StoreError, open_store
    from regkg.store.spec import StoreKind, StoreSpec
    from regkg.writes.load import import_turtle, who_is

    spec = StoreSpec.parse(store)
    if spec.kind is not StoreKind.DISK or spec.path is None:
        raise fail("--store takes a store folder (a running server takes writes at /graph-store)", 2)
    graph = f"{vocab.GRAPH}import/{re.sub(r'[^A-Za-z0-9._-]+', '-', csv_file.stem).strip('-').lower() or 'csv'}"
    try:
        st = open_store(spec)
    except StoreError as exc:
        hint = " (is `regkg serve` running on it? stop it first)" if "lock" in str(exc).lower() else ""
        raise fail(f"cannot open {spec}: {exc}{hint}") from None
    try:
        change, problems = import_turtle(st, spec.path, turtle, graph, who=who_is("regkg import"))
    finally:
        st.close()
    for problem in problems:
        err.print(f"[bold red]error:[/] {problem}", highlight=False)
    if problems:
        raise fail(f"{len(problems)} problem(s) with what {spec} already holds; nothing was committed")
    if change is None:
        err.print(f"[green]unchanged[/] <{graph}> in {spec} already holds these actions", highlight=False)
    else:
        err.print(f"[green]committed[/] into <{graph}> of {spec} as change {change}", highlight=False)
