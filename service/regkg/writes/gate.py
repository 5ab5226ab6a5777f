"""The one gate every write goes through, whatever its door (/update, /graph-store, a revert):

    change (computed by an engine, store untouched) -> protected graphs (403) -> SHACL on the
    affected resources (422, nothing changed) -> change set written to the log (fsync) ->
    committed to the store in one transaction -> inferred graph updated -> the change shipped to
    every engine -> acknowledged.

Writes are serialised by one lock. Cost follows the change: the validation reads the affected
resources and their neighbours, the commit writes the change, the inferred graph is updated from
the change's neighbourhood (a structural change -- a class hierarchy, a control link -- recomputes
it in full), the engines apply the change.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from regkg import vocab
from regkg.auth import Principal
from regkg.errors import ApiError
from regkg.store.base import Store, StoreError
from regkg.workers import Change, EnginePool
from regkg.workers.changes import parse_quads
from regkg.writes.changelog import ChangeLog
from regkg.writes.check import validate_change
from regkg.writes.commit import commit, make_change
from regkg.writes.ledger import Ledger
from regkg.writes.load import shipped_paths

__all__ = ["Gate", "WriteResult", "protected_graphs"]

_MAX_RESULTS = 200


@dataclass(frozen=True)
class WriteResult:
    data_version: str
    inferred: int
    seconds: float
    added: int = 0
    removed: int = 0
    change: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "change": self.change,
            "data_version": self.data_version,
            "added": self.added,
            "removed": self.removed,
            "inferred": self.inferred,
            "seconds": self.seconds,
        }


def protected_graphs() -> dict[str, str]:
    """Graphs only an admin may change, and what to do instead: the shipped files' graphs (their
    truth is the Turtle in git), the ontology, the inferred graph and the change log."""
    found = {
        g: f"its truth is {name} in git: edit the file and run `regkg load {name}`"
        for g, name in shipped_paths().items()
    }
    found[vocab.INFERRED_GRAPH] = "it is computed from the other graphs"
    found[vocab.CHANGES_GRAPH] = "it records the accepted changes"
    return found


class Gate:
    """The write path of one running service."""

    def __init__(
        self, store: Store, pool: EnginePool, log: ChangeLog, publisher: Any, ledger: Ledger | None = None
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.pool = pool
        self.log = log
        self.publisher = publisher
        self.lock = asyncio.Lock()
        self._protected = protected_graphs()
        self._graph_versions: dict[str, int] = {}

    def graph_version(self, graph: str) -> int:
        """How many accepted changes have touched ``graph`` (its ETag)."""
        return self._graph_versions.get(graph, 0)

    def _protect(self, change: Change, who: Principal) -> None:
        if who.is_admin:
            return
        hit = [g for g in change.graphs if g in self._protected]
        if hit:
            g = hit[0]
            raise ApiError(
                403,
                "protected_graph",
                f"<{g}> is a protected graph ({self._protected[g]}); only an admin token may change it. "
                "Write into a graph of your own instead.",
                graphs=hit,
            )

    async def submit(
        self, compute: Callable[[], Awaitable[Change]], who: Principal, *, reverts: str | None = None
    ) -> WriteResult:
        """Run one write through the gate; ApiError 403 / 422 / 4xx leaves the store unchanged."""
        started = time.perf_counter()
        async with self.lock:
            change = await compute()
            if change.empty:
                return WriteResult(self.store.data_version, 0, round(time.perf_counter() - started, 4))
            self._protect(change, who)
            removed, added = parse_quads(change.removed), parse_quads(change.added)
            report = await asyncio.to_thread(validate_change, self.store, removed, added)
            if not report.conforms:
                raise ApiError(
                    422,
                    "shacl_violation",
                    f"the change breaks {len(report.violations)} constraint(s) of shapes/; nothing was changed"
                    + (f" (the first {_MAX_RESULTS} are listed)" if len(report.violations) > _MAX_RESULTS else ""),
                    results=[
                        {"focus": v.focus, "path": v.path, "value": v.value, "message": v.message, "shape": v.shape}
                        for v in report.violations[:_MAX_RESULTS]
                    ],
                    violations=len(report.violations),
                )
            try:
                done = await asyncio.to_thread(
                    commit,
                    self.store,
                    self.log,
                    removed,
                    added,
                    who.name,
                    reverts=reverts,
                    ledger=self.ledger,
                    change=change,
                )
            except (OSError, ValueError, RuntimeError, StoreError) as exc:
                raise ApiError(500, "commit_failed", f"the change could not be committed: {exc}") from None
            for g in change.graphs:
                self._graph_versions[g] = self._graph_versions.get(g, 0) + 1
            await self.pool.publish(done.logged + make_change(done.lost, done.gained))
            if self.pool.needs_snapshot:
                self.pool.rebase(await self.publisher.snapshot())
        return WriteResult(
            self.store.data_version,
            len(done.gained) - len(done.lost),
            round(time.perf_counter() - started, 4),
            added=change.added_count,
            removed=change.removed_count,
            change=done.changeset.id,
        )

    async def revert(self, change_id: str, who: Principal) -> WriteResult:
        """An inverse change set through the same gate: the change's added quads removed (where
        still there) and its removed quads added back (where still missing)."""
        cs = self.log.get(change_id)
        if cs is None:
            raise ApiError(404, "not_found", f"no change {change_id}")
        if (done := self.log.reverted(change_id)) is not None:
            raise ApiError(409, "already_reverted", f"change {change_id} was reverted by change {done}")
        removed, added = ChangeLog.quads(cs)
        changes_graph = ox.NamedNode(vocab.CHANGES_GRAPH)

        async def inverse() -> Change:
            def compute() -> Change:
                back = [q for q in added if q.graph_name != changes_graph and self._has(q)]
                again = [q for q in removed if q.graph_name != changes_graph and not self._has(q)]
                return make_change(back, again)

            return await asyncio.to_thread(compute)

        return await self.submit(inverse, who, reverts=change_id)

    def _has(self, q: ox.Quad) -> bool:
        return bool(self.store.has(q))  # type: ignore[attr-defined]
