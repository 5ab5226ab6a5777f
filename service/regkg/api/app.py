"""The FastAPI app factory: ``create_app(settings) -> FastAPI``.

On start-up (lifespan) it opens the durable store (``REGKG_STORE``: memory, a folder,
or a SPARQL endpoint URL), writes a snapshot and starts the query workers; routers
reach them through :mod:`regkg.api.deps`. Every error answers with the one JSON shape
of :mod:`regkg.errors`.
"""

from __future__ import annotations

import asyncio
import functools
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

import regkg
from regkg import errors
from regkg.config import Settings
from regkg.store.base import Store
from regkg.writes import Gate, Publisher
from regkg.writes.load import Prepared, prepare

__all__ = ["RegkgApp", "create_app"]


def create_app(
    settings: Settings | None = None, *, store: Store | None = None, prepared: Prepared | None = None
) -> FastAPI:
    """Build the app; ``settings`` default to the environment (REGKG_*).

    The store named by ``settings.store`` is opened and prepared (:func:`regkg.writes.load.prepare`)
    at start-up, unless an open, prepared ``store`` is given (``regkg serve`` opens it first, so a
    broken data file is reported in one line).
    """
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from regkg.store import open_store
        from regkg.workers import EnginePool

        folder = Path(tempfile.mkdtemp(prefix="regkg-snapshots-"))
        spec = settings.store_spec
        opened: Store = (
            store
            if store is not None
            else await asyncio.to_thread(functools.partial(open_store, spec, update_url=settings.store_update_url))
        )
        ready = prepared if prepared is not None else await asyncio.to_thread(prepare, opened, spec, folder)
        publisher = Publisher(opened, folder)
        source = await publisher.snapshot()
        pool = EnginePool(settings, source, remote=None if source.startswith("snapshot:") else opened)
        try:
            await pool.start()
            app.state.store = opened
            app.state.publisher = publisher
            app.state.queries = pool
            app.state.prepared = ready
            if pool.remote is None and ready.log is not None:
                app.state.gate = Gate(opened, pool, ready.log, publisher, ready.ledger)
            yield
        finally:
            await pool.close()
            opened.close()
            shutil.rmtree(folder, ignore_errors=True)

    app = RegkgApp(
        title="regkg",
        version=regkg.__version__,
        description="A knowledge graph of technology-regulation events: SPARQL 1.1 endpoint and APIs.",
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc are pages of the site (regkg.api.pages), from local assets
        redoc_url=None,
    )
    app.state.settings = settings
    errors.install(app)
    from regkg.api.compression import CompressionMiddleware

    app.add_middleware(CompressionMiddleware)
    from regkg.api.conditional import ConditionalPages

    app.add_middleware(ConditionalPages)  # ETag and 304 Not Modified for the pages /page/...
    from regkg.api.cors import CrossOrigin

    app.add_middleware(CrossOrigin)  # outermost: a preflight is answered before anything else

    from regkg.api import changes, graph_store, health, linked_data, sparql

    app.include_router(health.router)
    app.include_router(sparql.router)
    app.include_router(changes.router)
    app.include_router(graph_store.router)
    app.include_router(linked_data.router)
    _add_explore(app)
    return app


class RegkgApp(FastAPI):
    """The FastAPI app, which gives point lookups on GET /sparql to its lookup lane
    (:mod:`regkg.api.lane`) before the middleware stack and the router see them."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from regkg.api.lane import LookupLane

        self.lane = LookupLane(self)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and await self.lane(scope, send):
            return
        await super().__call__(scope, receive, send)


def _add_explore(app: FastAPI) -> None:
    """Exploration API (/api/...), web pages and their static files (issue 4)."""
    from regkg.api import draft, explore, insights, pages

    app.include_router(explore.router)
    app.include_router(pages.router)
    app.include_router(draft.router)
    app.include_router(insights.router)
    app.mount("/static", pages.StaticAssets(directory=pages.STATIC_DIR, check_dir=False), name="static")
