"""The `regkg` command line (typer + rich), one module per group of verbs.

Exit codes: 0 ok, 1 a validation or query error (message on stderr, never a
traceback), 2 a usage error.
"""

from __future__ import annotations

from regkg.cli import data, draft, read, serve  # noqa: F401  (each registers its commands)
from regkg.cli.common import app

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point."""
    app()
