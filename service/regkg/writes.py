"""The write path: every change to the graph goes through :func:`apply_update`.

In order: the update is evaluated in a sandboxed engine against its copy of the graph, which
gives back the change (quads removed and added) and leaves its copy as it was -- the web process
never parses client SPARQL; the change is committed to the durable store in one transaction; the
inferred graph is recomputed and its own change taken; and the whole change is published to the
engines, so a query that starts after the acknowledgement sees it. Writes are serialised by one
lock. (The SHACL gate and the change log go between computing and committing.)
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from regkg import sparql, vocab
from regkg.config import Settings
from regkg.errors import ApiError
from regkg.store.base import Store, StoreError
from regkg.workers import Change, EnginePool, UpdateJob
from regkg.workers.engine import graph_name, parse_quads

__all__ = ["Publisher", "WriteResult", "apply_update"]


@dataclass(frozen=True)
class WriteResult:
    data_version: str
    inferred: int
    seconds: float
    added: int = 0
    removed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "data_version": self.data_version,
            "added": self.added,
            "removed": self.removed,
            "inferred": self.inferred,
            "seconds": self.seconds,
        }


class Publisher:
    """Writes snapshots of the durable store for engines that start later."""

    def __init__(self, store: Store, folder: Path) -> None:
        self.store = store
        self.folder = folder
        self.serial = 0
        self.lock = asyncio.Lock()
        self.info: dict[str, Any] = {}

    async def snapshot(self) -> str:
        """Write a new snapshot; returns the spec engines open."""
        self.serial += 1
        path = self.folder / f"snapshot-{self.serial}.nq"
        source = await asyncio.to_thread(self.store.snapshot, path)
        self.info = await asyncio.to_thread(self.store.describe)
        for old in self.folder.glob("snapshot-*.nq"):
            if old != path:
                old.unlink(missing_ok=True)
        return source


def _change(removed: set[ox.Quad], added: set[ox.Quad]) -> Change:
    def nq(quads: set[ox.Quad]) -> bytes:
        return (ox.serialize(sorted(quads, key=str), format=ox.RdfFormat.N_QUADS) or b"") if quads else b""

    graphs = tuple(sorted({graph_name(q) for q in removed | added}))
    return Change(nq(removed), nq(added), graphs, len(removed), len(added))


async def apply_update(
    request: sparql.ProtocolRequest,
    store: Store,
    publisher: Publisher,
    pool: EnginePool,
    settings: Settings,
    base_iri: str | None = None,
) -> WriteResult:
    """Apply one SPARQL 1.1 Update request all-or-nothing, re-infer, and publish the change."""
    started = time.perf_counter()
    job = UpdateJob(request.text, request.default_graphs, request.named_graphs, base_iri=base_iri)
    if pool.remote is not None:
        return await _apply_remote(request, store, publisher, pool, started)
    async with publisher.lock:
        change = await pool.compute_change(job)
        inferred = 0
        if not change.empty:
            removed, added = parse_quads(change.removed), parse_quads(change.added)
            try:
                await asyncio.to_thread(store.apply, removed, added)  # type: ignore[attr-defined]
                lost, gained = await asyncio.to_thread(store.reinfer_change)  # type: ignore[attr-defined]
            except (OSError, ValueError, RuntimeError, StoreError) as exc:
                raise ApiError(500, "commit_failed", f"the change could not be committed: {exc}") from None
            inferred = len(gained) - len(lost)
            await pool.publish(change + _change(lost, gained))
            if pool.needs_snapshot:
                pool.rebase(await publisher.snapshot())
    return WriteResult(
        store.data_version,
        inferred,
        round(time.perf_counter() - started, 4),
        added=change.added_count,
        removed=change.removed_count,
    )


async def _apply_remote(
    request: sparql.ProtocolRequest, store: Store, publisher: Publisher, pool: EnginePool, started: float
) -> WriteResult:
    """A remote store applies the update itself, once an engine has checked it."""
    await pool.check("update", request.text)
    async with publisher.lock:
        try:
            await asyncio.to_thread(
                store.update,
                request.text,
                using_graph_uris=request.default_graphs or None,
                using_named_graph_uris=request.named_graphs or None,
                prefixes=vocab.PREFIXES,
            )
        except (OSError, ValueError, RuntimeError, StoreError) as exc:
            raise ApiError(400, "update_failed", f"the update failed: {exc}") from None
        inferred = await asyncio.to_thread(store.reinfer)
    return WriteResult(store.data_version, inferred, round(time.perf_counter() - started, 4))
