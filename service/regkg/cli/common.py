"""What every command shares: the typer app, the consoles, the formats, how a command fails."""

from __future__ import annotations

from enum import StrEnum

import typer
from rich.console import Console

__all__ = ["QueryFormat", "ReportFormat", "app", "err", "fail", "out"]

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


def fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)
