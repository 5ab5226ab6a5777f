"""`regkg serve`: open and prepare the store (a broken data file is reported in one line), then uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from regkg.cli.common import app, err, fail
from regkg.loading import RdfParseError

if TYPE_CHECKING:
    pass


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
        raise fail(str(exc), 2) from None
    from regkg import memory

    memory.few_arenas()
    changes: dict[str, object] = {}
    if store is not None:
        changes["store"] = store
    if workers is not None:
        if workers < 1:
            raise fail("--workers must be at least 1", 2)
        changes["workers"] = workers
    settings = dataclasses.replace(settings, **changes)  # type: ignore[arg-type]
    import tempfile

    from regkg.store import StoreError, open_store
    from regkg.writes.load import prepare

    err.print(f"regkg: opening store {settings.store!r} ...", highlight=False)
    spec = settings.store_spec
    try:
        opened = open_store(spec, update_url=settings.store_update_url)
        prepared = prepare(opened, spec, Path(tempfile.mkdtemp(prefix="regkg-changes-")))
    except (StoreError, RdfParseError) as exc:
        raise fail(f"cannot open the store {settings.store!r}: {exc}") from None
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
