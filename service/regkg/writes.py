"""The write path: every change to the graph goes through :func:`apply_update`.

One place, in order: check the text, parse it and refuse what must never run (LOAD,
SERVICE, USING a graph the store does not hold), apply it atomically to the durable
store, recompute the inferred graph, and publish a new snapshot to the query
workers, so the next query sees the write. Writes are serialised by one lock.
(A later issue adds SHACL gating here, between parsing and applying.)
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from regkg import sparql, vocab
from regkg.config import Settings
from regkg.errors import ApiError
from regkg.store.base import Store, StoreError

__all__ = ["Publisher", "WriteResult", "apply_update"]


@dataclass(frozen=True)
class WriteResult:
    data_version: str
    inferred: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {"ok": True, "data_version": self.data_version, "inferred": self.inferred, "seconds": self.seconds}


class Publisher:
    """Writes snapshots of the durable store for the query workers and tells the pool."""

    def __init__(self, store: Store, folder: Path) -> None:
        self.store = store
        self.folder = folder
        self.serial = 0
        self.lock = asyncio.Lock()
        self.info: dict[str, Any] = {}

    async def snapshot(self) -> str:
        """Write a new snapshot; returns the spec workers open."""
        self.serial += 1
        path = self.folder / f"snapshot-{self.serial}.nq"
        source = await asyncio.to_thread(self.store.snapshot, path)
        self.info = await asyncio.to_thread(self.store.describe)
        for old in self.folder.glob("snapshot-*.nq"):
            if old != path:
                old.unlink(missing_ok=True)
        return source


async def apply_update(
    request: sparql.ProtocolRequest,
    store: Store,
    publisher: Publisher,
    pool: Any,
    settings: Settings,
) -> WriteResult:
    """Apply one SPARQL 1.1 Update request all-or-nothing, re-infer, and refresh the workers."""
    started = time.perf_counter()
    sparql.check_text(request.text, settings, "update")
    graphs = request.default_graphs + request.named_graphs
    inspection = await asyncio.to_thread(sparql.inspect, "update", request.text, store.named_graphs, graphs)
    if graphs and inspection.has_dataset_clause:
        raise ApiError(
            400,
            "bad_request",
            "using-graph-uri / using-named-graph-uri cannot be combined with USING, USING NAMED or WITH",
        )
    async with publisher.lock:
        try:
            await asyncio.to_thread(
                store.update,
                request.text,
                using_graph_uris=request.default_graphs or None,
                using_named_graph_uris=request.named_graphs or None,
                prefixes=vocab.PREFIXES,
            )
        except SyntaxError as exc:
            raise ApiError(400, "syntax_error", f"SPARQL syntax error: {exc.msg or exc}") from None
        except (OSError, ValueError, RuntimeError, StoreError) as exc:
            raise ApiError(400, "update_failed", f"the update failed and changed nothing: {exc}") from None
        inferred = await asyncio.to_thread(store.reinfer)
        source = await publisher.snapshot()
        await pool.refresh(source)
    return WriteResult(store.data_version, inferred, round(time.perf_counter() - started, 4))
