"""The engines as a set: start them (forked from the zygote), hand them out by lane, replace the
ones that die or are killed, keep each at the current data version, and report their state.
:class:`~regkg.workers.pool.EnginePool` adds what runs on them: queries, fairly, and changes."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

from regkg.config import Settings
from regkg.errors import ApiError
from regkg.workers.handle import Died, Gone, Handle, Lane, Timeout, Zygote, start_zygote
from regkg.workers.messages import ApplyChange, Change, Ready

__all__ = ["Behind", "Engines", "timeout_error"]

log = logging.getLogger("regkg.workers")


class Engines:
    """Engine processes over one snapshot plus the changes published since."""

    def __init__(self, settings: Settings, source: str, version: int = 0, remote: Any = None) -> None:
        self.settings = settings
        #: a remote store evaluates queries itself; engines then only check them.
        self.remote = remote
        self.source = source
        self.snapshot_version = version
        self.version = version
        self.changes: list[tuple[int, Change]] = []
        total = max(1, settings.workers)
        slow = min(max(0, settings.slow_workers), total - 1)
        self.sizes: dict[Lane, int] = {"fast": total - slow, "slow": slow}
        self.zygote: Zygote | None = None
        self._handles: list[Handle] = []
        self._idle: list[Handle] = []
        self._waiters: list[tuple[asyncio.Future[Handle], tuple[Lane, ...]]] = []
        self._clients: dict[str, Any] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._deaths: list[float] = []
        self._closed = False
        self.stats = {
            "queries": 0,
            "lookups_in_lane": 0,  # point lookups answered in the web process (regkg.api.lane)
            "timeouts": 0,
            "disconnects": 0,
            "restarts": 0,
            "crashes": 0,
            "moved_to_slow_lane": 0,
            "refused_over_concurrency": 0,
            "changes": 0,
            "recycled": 0,
        }

    # -- life cycle ------------------------------------------------------------------
    async def start(self) -> None:
        self.zygote = await start_zygote(self.source, self.settings, self.version)
        fast: list[Lane] = ["fast"]
        slow: list[Lane] = ["slow"]
        for lane in fast * self.sizes["fast"] + slow * self.sizes["slow"]:
            h = await self.zygote.fork(lane)
            self._handles.append(h)
            self._release(h)

    async def close(self) -> None:
        self._closed = True
        for t in list(self._tasks):
            t.cancel()
        for h in list(self._handles):
            self._handles.remove(h)
            h.kill()
        if self.zygote is not None:
            self.zygote.kill()

    async def _fork(self, lane: Lane) -> Handle:
        """A new engine from the zygote (restarted from the snapshot if it died)."""
        z = self.zygote
        if z is None or not z.alive:
            if z is not None:
                z.kill()
            z = self.zygote = await start_zygote(self.source, self.settings, self.snapshot_version)
            for v, change in self.changes:
                if v > z.version:
                    await z.apply(change, v)
        return await z.fork(lane)

    def _drop(self, h: Handle, *, died: bool = False) -> None:
        """Kill an engine and start a fresh one in its lane."""
        if h in self._idle:
            self._idle.remove(h)
        h.kill()
        if h not in self._handles:
            return
        self._handles.remove(h)
        if died:
            self._deaths.append(time.time())
        if not self._closed and sum(1 for x in self._handles if x.lane == h.lane) < self.sizes[h.lane]:
            self.stats["restarts"] += 1
            self._spawn_later(h.lane)

    def _spawn_later(self, lane: Lane) -> None:
        task = asyncio.create_task(self._replace(lane))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _replace(self, lane: Lane) -> None:
        try:
            h = await self._fork(lane)
        except Exception:
            log.exception("could not start a replacement engine")
            await asyncio.sleep(1.0)
            if not self._closed:
                self._spawn_later(lane)
            return
        if self._closed:
            h.kill()
            return
        self._handles.append(h)
        self._release(h)

    # -- acquiring ---------------------------------------------------------------------
    def _release(self, h: Handle) -> None:
        h.busy_since = None
        h.client = None
        if h not in self._handles:
            if h.retiring:
                h.kill()  # recycled while busy: its replacement already serves
            return
        if sum(1 for x in self._handles if x.lane == h.lane) > self.sizes[h.lane]:
            self._handles.remove(h)  # a lane over its size (after a move): retire the engine
            h.kill()
            return
        for entry in self._waiters:
            fut, lanes = entry
            if not fut.done() and h.lane in lanes:
                self._waiters.remove(entry)
                fut.set_result(h)
                return
        self._idle.append(h)

    async def _acquire(self, lanes: Sequence[Lane], deadline: float) -> Handle:
        loop = asyncio.get_running_loop()
        order = tuple(lanes)
        while True:
            h = next((x for lane in order for x in self._idle if x.lane == lane), None)
            if h is not None:
                self._idle.remove(h)
            else:
                fut: asyncio.Future[Handle] = loop.create_future()
                entry = (fut, order)
                self._waiters.append(entry)
                # A timer rather than asyncio.wait, which costs a point lookup more than its
                # query's pickling: the future fails with Timeout at the deadline.
                timer = loop.call_later(max(0.0, deadline - loop.time()), _expire, fut)
                try:
                    h = await fut
                except BaseException as exc:  # timed out, or cancelled: give back an engine handed over
                    if entry in self._waiters:
                        self._waiters.remove(entry)
                    if not isinstance(exc, Timeout) and fut.done() and not fut.cancelled() and not fut.exception():
                        self._release(fut.result())
                    fut.cancel()
                    raise
                finally:
                    timer.cancel()
            if h.conn.poll(0):
                # An idle engine has answered everything it was sent, so its pipe is readable
                # only at end of file: it died (one poll; reading /proc costs more per query).
                self._drop(h, died=True)
                continue
            if h.version >= self.version:
                return h
            try:
                await self._catch_up(h, deadline)
            except (Died, Timeout, Behind):
                self._drop(h)
                continue
            return h

    async def _catch_up(self, h: Handle, deadline: float) -> None:
        if h.version >= self.version:
            return
        if h.version < self.snapshot_version and not any(v == h.version + 1 for v, _ in self.changes):
            raise Behind()
        loop = asyncio.get_running_loop()
        for v, change in self.changes:
            if v <= h.version:
                continue
            await h.send(ApplyChange(change, v))
            msg = await h.recv(max(deadline, loop.time() + 60))
            if not isinstance(msg, Ready):
                raise Died()
            h.version = v
            h.quads = msg.quads
            h.applied += 1

    def _fail(self, h: Handle, exc: BaseException) -> None:
        if isinstance(exc, Timeout):
            self.stats["timeouts"] += 1
        elif isinstance(exc, Gone | asyncio.CancelledError):
            self.stats["disconnects"] += 1
        elif isinstance(exc, Died):
            self.stats["crashes"] += 1
        self._drop(h, died=isinstance(exc, Died))

    # -- state ------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        now = time.time()
        self._deaths = [t for t in self._deaths if now - t < 60]
        engines = [
            {
                "pid": h.pid,
                "lane": h.lane,
                "state": "busy" if h.busy_since is not None else "idle",
                "busy_seconds": round(now - h.busy_since, 3) if h.busy_since is not None else None,
                "jobs": h.jobs,
                "quads": h.quads,
                "version": h.version,
                "alive": h.alive,
            }
            for h in self._handles
        ]
        lanes: dict[str, dict[str, int]] = {}
        for lane, size in self.sizes.items():
            mine = [e for e in engines if e["lane"] == lane]
            lanes[lane] = {
                "size": size,
                "alive": sum(1 for e in mine if e["alive"]),
                "idle": sum(1 for e in mine if e["state"] == "idle"),
                "waiting": sum(1 for _, ls in self._waiters if ls[0] == lane),
            }
        reasons = []
        for name, info in lanes.items():
            if info["size"] and info["alive"] < info["size"]:
                reasons.append(f"{info['size'] - info['alive']} {name}-lane engine(s) restarting")
            if info["size"] and info["idle"] == 0 and info["waiting"]:
                reasons.append(f"the {name} lane is saturated: {info['waiting']} queries waiting")
        if self._deaths:
            reasons.append(f"{len(self._deaths)} engine(s) died in the last minute")
        sandbox = next((h.sandbox for h in self._handles if h.sandbox), {"enabled": False})
        if not sandbox.get("enabled"):
            reasons.append("the engines are not sandboxed (REGKG_SANDBOX=off)")
        return {
            "size": len(self._handles),
            "alive": sum(1 for e in engines if e["alive"]),
            "version": self.version,
            "lanes": lanes,
            "heavy_clients": sum(1 for c in self._clients.values() if c.heavy_until > now),
            "sandbox": sandbox,
            "degraded": reasons,
            "engines": engines,
            **self.stats,
        }


def _expire(fut: asyncio.Future[Handle]) -> None:
    if not fut.done():
        fut.set_exception(Timeout())


class Behind(Exception):
    """An engine missed changes that were compacted away: replace it."""


def timeout_error(timeout: float, busy: bool = False, what: str = "query") -> ApiError:
    retry = str(max(1, round(timeout)))
    if busy:
        message = f"every engine stayed busy for {timeout:g} s; try again shortly"
    else:
        message = f"the {what} ran longer than {timeout:g} s (REGKG_QUERY_TIMEOUT) and was stopped; " + (
            "make it more selective or add a LIMIT" if what == "query" else "nothing was changed"
        )
    return ApiError(503, "timeout" if not busy else "busy", message, headers={"Retry-After": retry}, limit=timeout)
