"""The SPARQL Update door (and the snapshots engines start from).

An update is evaluated in a sandboxed engine against its copy of the graph, which gives back the
change (quads removed and added) and leaves its copy as it was -- the web process never parses
client SPARQL -- and the change goes through the gate (:mod:`regkg.writes.gate`). A remote store
would apply updates itself once an engine has checked them, with no SHACL gate, change log or
revert: so it takes none unless the deployment says so (``REGKG_REMOTE_WRITES=ungated``).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from regkg import sparql, vocab
from regkg.auth import Principal
from regkg.errors import ApiError
from regkg.store.base import Store, StoreError
from regkg.workers import Change, EnginePool, UpdateJob
from regkg.writes.gate import Gate, WriteResult

__all__ = ["Publisher", "apply_update"]


class Publisher:
    """Writes snapshots of the durable store for the zygote to start from."""

    def __init__(self, store: Store, folder: Path) -> None:
        self.store = store
        self.folder = folder
        self.serial = 0
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


async def apply_update(
    request: sparql.ProtocolRequest,
    gate: Gate | None,
    store: Store,
    pool: EnginePool,
    who: Principal,
    base_iri: str | None = None,
    *,
    ungated_remote: bool = False,
) -> WriteResult:
    """Apply one SPARQL 1.1 Update request all-or-nothing through the gate."""
    job = UpdateJob(request.text, request.default_graphs, request.named_graphs, base_iri=base_iri)
    if gate is None:
        if not ungated_remote:
            raise ApiError(
                403,
                "writes_off",
                "this service's store is a remote SPARQL server, which would apply the update itself: no SHACL "
                "check, no change log, no revert. Write through that server's own tools, or set "
                "REGKG_REMOTE_WRITES=ungated to let this endpoint pass updates on unchecked.",
            )
        return await _apply_remote(request, store, pool)

    async def compute() -> Change:
        return await pool.compute_change(job)

    return await gate.submit(compute, who)


async def _apply_remote(request: sparql.ProtocolRequest, store: Store, pool: EnginePool) -> WriteResult:
    """A remote store applies the update itself, once an engine has checked it."""
    started = time.perf_counter()
    await pool.check("update", request.text)
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
