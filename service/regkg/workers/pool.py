"""The engine pool: sandboxed processes that each hold the graph in memory, in two lanes.

Neither pyoxigraph nor rdflib can cancel a running query, so every client-controlled query runs in
an engine process: one that passes its time limit, or whose client goes away, is killed and a
fresh one takes its place, while the web process and the other engines go on serving.

**Fairness.** One client cannot take the endpoint from the others:

* a client (its address, or its token's name) has at most ``REGKG_CLIENT_CONCURRENCY`` queries in
  flight; one more is answered 429 with Retry-After;
* engines form a *fast lane* and a *slow lane* (``REGKG_SLOW_WORKERS``), whose engines run at a
  lower CPU priority. A query starts in the fast lane with a short budget
  (``REGKG_SHORT_QUERY_SECONDS``). One that overruns it marks its client heavy for
  ``REGKG_HEAVY_CLIENT_SECONDS`` and moves to the slow lane: its engine is demoted there (lower CPU
  priority) and a fresh fast engine is forked at once -- or, when the slow lane already holds twice
  its size, the engine is killed and the query starts again in the slow lane. A heavy client's
  queries go to the slow lane directly. So long queries queue behind each other, and short ones
  never queue behind them.

**Engines are forked** from a zygote that holds the loaded graph (copy-on-write pages, shared),
so replacing a killed engine costs milliseconds, not a reload.

**Versions.** Engines start from an N-Quads snapshot and then move by changes (quads removed and
added, :class:`~regkg.workers.messages.Change`): :meth:`EnginePool.publish` records a change and
brings idle engines up to it; a busy engine catches up before its next query. So a write costs
what it changed, not the graph, and a query that starts after a write's acknowledgement sees it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

from regkg.errors import ApiError
from regkg.sparql import Outcome
from regkg.workers.base import Behind, Engines, timeout_error
from regkg.workers.handle import Died, Gone, Handle, Lane, Timeout
from regkg.workers.messages import (
    Change,
    Checked,
    CheckOnly,
    Chunk,
    ComputeChange,
    Computed,
    End,
    Failed,
    GraphJob,
    Head,
    QueryJob,
    RunQuery,
    UpdateJob,
)

__all__ = ["EnginePool", "QueryResponse"]

log = logging.getLogger("regkg.workers")

#: Past this many bytes of changes since the last snapshot, a new snapshot is due.
_COMPACT_BYTES: Final = 64 * 1024 * 1024


@dataclass
class QueryResponse:
    """A query's outcome (format, truncation) and its body, streamed from the engine."""

    outcome: Outcome
    body: AsyncIterator[bytes]
    #: the whole body, when it came in one message (the engine is free again).
    complete: bytes | None = None


@dataclass
class _Client:
    in_flight: int = 0
    heavy_until: float = 0.0


class EnginePool(Engines):
    """The engines, with queries run fairly (lanes, per-client limits) and changes computed and published."""

    # -- queries ------------------------------------------------------------------------
    def _client(self, name: str) -> _Client:
        if len(self._clients) > 10_000:
            now = time.time()
            for key in [k for k, c in self._clients.items() if not c.in_flight and c.heavy_until < now]:
                del self._clients[key]
        client: _Client = self._clients.setdefault(name, _Client())
        return client

    async def execute(
        self, job: QueryJob, is_disconnected: Callable[[], Awaitable[bool]] | None = None
    ) -> QueryResponse:
        """Run a query in an engine; raises ApiError (4xx from the checks, 429 over the client's
        share, 503 on time-out)."""
        client = self._client(job.client)
        limit = self.settings.client_concurrency
        if limit and client.in_flight >= limit:
            self.stats["refused_over_concurrency"] += 1
            raise ApiError(
                429,
                "too_many_requests",
                f"this client already has {client.in_flight} queries running or waiting; the limit is "
                f"{limit} (REGKG_CLIENT_CONCURRENCY)",
                headers={"Retry-After": "1"},
                limit=limit,
            )
        client.in_flight += 1
        try:
            if self.remote is not None:
                try:
                    return await self._execute_remote(job)
                finally:
                    client.in_flight -= 1
            return await self._execute(job, client, is_disconnected)
        except BaseException:
            client.in_flight -= 1
            raise

    async def _execute(
        self, job: QueryJob, client: _Client, is_disconnected: Callable[[], Awaitable[bool]] | None
    ) -> QueryResponse:
        loop = asyncio.get_running_loop()
        timeout = job.timeout if job.timeout is not None else self.settings.query_timeout
        max_rows = job.max_rows if job.max_rows is not None else self.settings.max_rows
        deadline = loop.time() + timeout
        self.stats["queries"] += 1
        has_slow = self.sizes["slow"] > 0
        heavy = has_slow and client.heavy_until > time.time()
        lanes: tuple[Lane, ...] = ("slow",) if heavy else ("fast", "slow")
        while True:
            try:
                h = await self._acquire(lanes, deadline)
            except Timeout:
                self.stats["timeouts"] += 1
                raise timeout_error(timeout, busy=True) from None
            h.busy_since = time.time()
            h.client = job.client
            h.jobs += 1
            short = self.settings.short_query_seconds
            watch = has_slow and h.lane == "fast" and short > 0
            try:
                await h.send(RunQuery(job, max_rows))
                try:
                    msg = await h.recv(min(deadline, loop.time() + short) if watch else deadline, is_disconnected)
                except Timeout:
                    if not watch or loop.time() >= deadline:
                        raise
                    client.heavy_until = time.time() + self.settings.heavy_client_seconds
                    self.stats["moved_to_slow_lane"] += 1
                    if sum(1 for x in self._handles if x.lane == "slow") >= 2 * max(1, self.sizes["slow"]):
                        self._drop(h)  # the slow lane is full: start again there, in turn
                        lanes = ("slow",)
                        deadline = loop.time() + timeout
                        continue
                    # It goes on in the slow lane, at a lower CPU priority (the lane is over its
                    # size until it ends); a new fast engine is forked at once.
                    h.demote()
                    self._spawn_later("fast")
                    msg = await h.recv(deadline, is_disconnected)
            except BaseException as exc:
                self._fail(h, exc)
                if isinstance(exc, Timeout):
                    raise timeout_error(timeout) from None
                if isinstance(exc, Gone):
                    raise ApiError(499, "client_closed", "the client closed the connection") from None
                if isinstance(exc, Died | OSError):
                    raise ApiError(500, "engine_died", "the query engine ended unexpectedly") from None
                raise
            return self._respond(h, msg, deadline, client)

    async def check(self, operation: str, text: str, timeout: float | None = None) -> Checked:
        """Check and parse an operation in an engine (for a remote store)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (timeout or self.settings.query_timeout)
        try:
            h = await self._acquire(("fast", "slow"), deadline)
        except Timeout:
            raise timeout_error(timeout or self.settings.query_timeout, busy=True) from None
        try:
            await h.send(CheckOnly(operation, text))
            msg = await h.recv(deadline)
        except BaseException as exc:
            self._fail(h, exc)
            if isinstance(exc, Timeout | Died):
                raise ApiError(503, "busy", "the engine could not check the operation in time") from None
            raise
        self._release(h)
        if isinstance(msg, Failed):
            raise ApiError(msg.status, msg.code, msg.message, headers=msg.headers, **msg.extra)
        assert isinstance(msg, Checked)
        return msg

    async def _execute_remote(self, job: QueryJob) -> QueryResponse:
        from regkg import sparql, vocab
        from regkg.sparql.policy import Inspection

        checked = await self.check("query", job.text)
        timeout = job.timeout if job.timeout is not None else self.settings.query_timeout
        max_rows = job.max_rows if job.max_rows is not None else self.settings.max_rows
        fmt = sparql.choose_format(Inspection(form=checked.form), job.accept)
        chunks: list[bytes] = []

        def run() -> Outcome:
            result = self.remote.query(
                job.text,
                default_graph_uris=job.default_graphs or None,
                named_graph_uris=job.named_graphs or None,
                prefixes=vocab.PREFIXES,
                query_dataset=checked.has_dataset_clause,
            )
            return sparql.evaluate(result, fmt, max_rows, chunks.append)

        try:
            outcome = await asyncio.wait_for(asyncio.to_thread(run), timeout)
        except TimeoutError:
            raise timeout_error(timeout) from None
        except (OSError, ValueError, RuntimeError, SyntaxError) as exc:
            raise ApiError(502, "store_failed", f"the remote store failed: {exc}") from None
        body = b"".join(chunks)
        return QueryResponse(outcome, _once(body), complete=body)

    def _respond(self, h: Handle, msg: Any, deadline: float, client: _Client) -> QueryResponse:
        if isinstance(msg, Failed):
            self._done(h, client)
            raise ApiError(msg.status, msg.code, msg.message, headers=msg.headers, **msg.extra)
        if not isinstance(msg, Head):  # pragma: no cover - protocol violation
            self._drop(h)
            client.in_flight -= 1
            raise ApiError(500, "internal_error", f"unexpected engine message {type(msg).__name__}")
        outcome = Outcome(**msg.outcome)
        if msg.finished:
            self._done(h, client)
            return QueryResponse(outcome, _once(msg.first), complete=msg.first)
        return QueryResponse(outcome, self._stream(h, deadline, msg.first, client))

    def _done(self, h: Handle, client: _Client) -> None:
        client.in_flight -= 1
        self._release(h)

    async def _stream(self, h: Handle, deadline: float, first: bytes, client: _Client) -> AsyncIterator[bytes]:
        finished = False
        try:
            yield first
            while True:
                try:
                    msg = await h.recv(deadline)
                except Timeout:
                    self.stats["timeouts"] += 1
                    raise
                if isinstance(msg, Chunk):
                    yield msg.data
                elif isinstance(msg, End):
                    finished = True
                    return
                else:  # an error after the head: the status is sent already; cut the stream short
                    finished = True
                    raise RuntimeError(f"query failed while streaming: {getattr(msg, 'message', msg)}")
        finally:
            client.in_flight -= 1
            if finished:
                self._release(h)
            else:
                # Cancelled (the client went away), timed out or died: end the engine's work now.
                self.stats["disconnects"] += 1
                self._drop(h)

    # -- changes --------------------------------------------------------------------------
    async def compute_change(self, job: UpdateJob | GraphJob) -> Change:
        """Evaluate an update in an engine (never in the web process) and return its change."""
        loop = asyncio.get_running_loop()
        timeout = job.timeout if job.timeout is not None else self.settings.query_timeout
        deadline = loop.time() + timeout
        try:
            h = await self._acquire(("slow", "fast"), deadline)
        except Timeout:
            raise timeout_error(timeout, busy=True) from None
        h.busy_since = time.time()
        h.client = "update"
        try:
            await h.send(ComputeChange(job))
            msg = await h.recv(deadline)
        except BaseException as exc:
            self._fail(h, exc)
            if isinstance(exc, Timeout):
                raise timeout_error(timeout, what="update") from None
            if isinstance(exc, Died):
                raise ApiError(500, "engine_died", "the engine ended unexpectedly; nothing was changed") from None
            raise
        if isinstance(msg, Failed):
            self._drop(h) if msg.fatal else self._release(h)
            raise ApiError(msg.status, msg.code, msg.message, headers=msg.headers, **msg.extra)
        self._release(h)
        assert isinstance(msg, Computed)
        return msg.change

    async def publish(self, change: Change) -> int:
        """Record a committed change as the next version and bring the idle engines up to it."""
        self.version += 1
        self.changes.append((self.version, change))
        self.stats["changes"] += 1
        if self.zygote is not None and self.zygote.alive:
            await self.zygote.apply(change, self.version)
        loop = asyncio.get_running_loop()
        idle = list(self._idle)
        self._idle.clear()
        recycle = self.settings.engine_recycle_changes
        for h in idle:
            try:
                await self._catch_up(h, loop.time() + 60)
            except (Died, Timeout, Behind):
                self._drop(h)
                continue
            self._release(h)
        if recycle:
            for h in list(self._handles):
                if h.applied >= recycle and not h.recycling:
                    h.recycling = True
                    task = asyncio.create_task(self._recycle(h))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
        return self.version

    async def _recycle(self, h: Handle) -> None:
        """Replace an engine by a fresh fork of the zygote, in the background (a write's
        acknowledgement does not wait for it): the pages its changes made private become shared
        again, so memory does not grow with every write. The fresh engine takes the old one's place
        before the old one goes -- at once if idle, when its job ends if busy -- so the lane never
        has a gap."""
        try:
            fresh = await self._fork(h.lane)
        except Exception:
            h.recycling = False
            return
        if self._closed:
            fresh.kill()
            return
        if h in self._handles:
            self._handles[self._handles.index(h)] = fresh
            if h in self._idle:
                self._idle.remove(h)
                h.kill()
            else:
                h.retiring = True  # busy: killed when its job ends (see _release)
        else:
            self._handles.append(fresh)  # it went meanwhile; _release retires a lane over its size
        self.stats["recycled"] += 1
        self._release(fresh)

    @property
    def needs_snapshot(self) -> bool:
        return sum(len(c.removed) + len(c.added) for _, c in self.changes) > _COMPACT_BYTES

    def rebase(self, source: str) -> None:
        """A new snapshot at the current version: engines started from now on load it."""
        self.source = source
        self.snapshot_version = self.version
        self.changes = [
            (v, c) for v, c in self.changes if any(h.version < v for h in self._handles)
        ]  # the zygote is current: it needs none


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data
