"""The engine processes as the web process sees them: the zygote that forks them, and one engine
(receive with a deadline, kill)."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from multiprocessing import reduction
from typing import Any, Final, Literal

from regkg.config import Settings
from regkg.workers import engine
from regkg.workers.messages import ApplyChange, Fork, Forked, Ready

__all__ = ["Died", "Gone", "Handle", "Timeout", "Zygote", "start_zygote"]

_CTX: Final = multiprocessing.get_context("spawn")
_START_TIMEOUT: Final = 600.0
_POLL: Final = 0.2
#: A message this small (with the connection's 4-byte header) fits in an empty pipe whatever its
#: size: Linux shrinks a pipe to one page, never less, when a user holds too many pipe pages.
_DIRECT_BYTES: Final = 4096 - 4
#: Slow-lane engines run at this CPU niceness, so that on a busy machine short queries come first.
SLOW_NICE: Final = 10

Lane = Literal["fast", "slow"]


class Timeout(Exception):
    pass


class Gone(Exception):
    """The client went away."""


class Died(Exception):
    """The engine process ended unexpectedly."""


@dataclass(eq=False)
class Handle:
    """An engine forked by the zygote: its pid and the two pipes to it."""

    pid: int
    conn: Any  # engine.PipePair
    lane: Lane
    #: the data version this engine's copy is at.
    version: int
    started: float = field(default_factory=time.time)
    #: changes applied since the fork: each makes pages private that were shared with the zygote.
    applied: int = 0
    #: a fresh fork is being made to take this engine's place / has taken it (see EnginePool._recycle).
    recycling: bool = False
    retiring: bool = False
    busy_since: float | None = None
    client: str | None = None
    jobs: int = 0
    quads: int = 0
    sandbox: dict[str, Any] = field(default_factory=dict)
    #: the event loop watching the pipe from the engine, and the recv waiting on it (see recv).
    _watched: tuple[asyncio.AbstractEventLoop, int] | None = field(default=None, init=False, repr=False)
    _waiter: asyncio.Future[bool] | None = field(default=None, init=False, repr=False)
    _unawaited: int = field(default=0, init=False, repr=False)

    @property
    def alive(self) -> bool:
        return _alive(self.pid)

    async def send(self, msg: object) -> None:
        """Send without blocking the event loop: a large message (a change) from a thread, since
        it fills the pipe's buffer; a small one (a query) straight away, since it cannot block --
        the engine is idle, so it has read all that was sent before, and an empty pipe always
        holds a page (a thread hop costs a point lookup a good part of its time)."""
        try:
            data = pickle.dumps(msg, pickle.HIGHEST_PROTOCOL)  # messages are plain data (messages.py)
            if len(data) <= _DIRECT_BYTES:
                self.conn.writer.send_bytes(data)
            else:
                await asyncio.to_thread(self.conn.writer.send_bytes, data)
        except (OSError, ValueError, BrokenPipeError) as exc:
            raise Died() from exc

    async def recv(self, deadline: float, is_disconnected: Callable[[], Awaitable[bool]] | None = None) -> Any:
        """The next message, waiting until ``deadline`` (loop time), asking between slices whether
        the client is still there."""
        loop = asyncio.get_running_loop()
        try:
            fd = self.conn.fileno()
        except (OSError, ValueError):
            raise Died() from None
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise Timeout()
            fut: asyncio.Future[bool] = loop.create_future()
            self._watch(loop, fd)
            self._waiter = fut
            timer = loop.call_later(min(remaining, _POLL), _settle, fut, False)
            try:
                readable = await fut
            finally:
                timer.cancel()
                self._waiter = None
            if readable:
                break
            if is_disconnected is not None and await is_disconnected():
                raise Gone()
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            raise Died() from None

    def _watch(self, loop: asyncio.AbstractEventLoop, fd: int) -> None:
        """Have ``loop`` watch the pipe, if it does not already: the watch stays from one answer
        to the next query's (two epoll_ctl calls less per query) and ends when the pipe stays
        readable with no one waiting (level-triggered, it would fire on every turn of the loop).
        Once with no one waiting is normal: the loop saw the answer readable before the task it
        woke had read it."""
        if self._watched == (loop, fd):
            return
        self._unwatch()
        loop.add_reader(fd, self._readable)
        # uvloop's add_reader (libuv's uv_poll) makes the fd non-blocking, and a message larger
        # than the pipe's buffer then fails half-read (a change's answer: "engine died"). The
        # watch needs no such thing: the pipe is read only once readable, and to its message's end.
        os.set_blocking(fd, True)
        self._watched = (loop, fd)

    def _readable(self) -> None:
        if self._waiter is not None:
            self._unawaited = 0
            _settle(self._waiter, True)
        else:
            self._unawaited += 1
            if self._unawaited > 1:
                self._unwatch()

    def _unwatch(self) -> None:
        if self._watched is not None:
            loop, fd = self._watched
            self._watched = None
            self._unawaited = 0
            with contextlib.suppress(Exception):  # the loop may be closed already
                loop.remove_reader(fd)

    def demote(self) -> None:
        """Move to the slow lane: lower CPU priority (raising niceness needs no privilege)."""
        self.lane = "slow"
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, self.pid, SLOW_NICE)

    def kill(self) -> None:
        """End the process at once (SIGKILL: its CPU work really stops); the zygote reaps it."""
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        self._unwatch()
        with contextlib.suppress(Exception):
            self.conn.close()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in {"Z", "X"}
    except (OSError, IndexError):
        return False


class Zygote:
    """The process that holds the loaded graph and forks engines (see engine.zygote)."""

    def __init__(self, proc: Any, ctl: multiprocessing.connection.Connection, quads: int, sandbox: dict[str, Any]):
        self.proc = proc
        self.ctl = ctl
        self.quads = quads
        self.sandbox = sandbox
        self.version = 0
        self.lock = asyncio.Lock()

    @property
    def alive(self) -> bool:
        return bool(self.proc.is_alive())

    async def fork(self, lane: Lane) -> Handle:
        async with self.lock:
            return await asyncio.to_thread(self._fork, lane)

    def _fork(self, lane: Lane) -> Handle:
        from regkg.workers.engine import PipePair

        self.ctl.send(Fork(nice=SLOW_NICE if lane == "slow" else 0))
        if not self.ctl.poll(_START_TIMEOUT):
            raise RuntimeError("the zygote did not fork an engine")
        msg = self.ctl.recv()
        if not isinstance(msg, Forked):
            raise RuntimeError(f"the zygote answered {msg!r}")
        write_fd = reduction.recv_handle(self.ctl)
        read_fd = reduction.recv_handle(self.ctl)
        conn = PipePair(read_fd, write_fd)
        if not conn.poll(_START_TIMEOUT):
            raise RuntimeError("a forked engine did not start")
        ready = conn.recv()
        if not isinstance(ready, Ready):
            raise RuntimeError(f"a forked engine answered {ready!r}")
        return Handle(pid=msg.pid, conn=conn, lane=lane, version=self.version, quads=ready.quads, sandbox=ready.sandbox)

    async def apply(self, change: Any, version: int) -> None:
        async with self.lock:
            await asyncio.to_thread(self._apply, change, version)

    def _apply(self, change: Any, version: int) -> None:
        self.ctl.send(ApplyChange(change, version))
        if not self.ctl.poll(600):
            raise RuntimeError("the zygote did not take a change")
        msg = self.ctl.recv()
        if isinstance(msg, Ready):
            self.quads = msg.quads
            self.version = version

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.ctl.close()


def _settle(fut: asyncio.Future[bool], value: bool) -> None:
    if not fut.done():
        fut.set_result(value)


async def start_zygote(source: str, settings: Settings, version: int) -> Zygote:
    """Spawn the zygote on a snapshot and wait until it is loaded and confined."""
    parent, child = _CTX.Pipe(duplex=True)
    proc = _CTX.Process(target=engine.zygote, args=(child, source, settings), name="regkg-zygote", daemon=True)
    await asyncio.to_thread(proc.start)
    child.close()
    ok = await asyncio.to_thread(parent.poll, _START_TIMEOUT)
    msg = parent.recv() if ok else None
    if not isinstance(msg, Ready):
        with contextlib.suppress(Exception):
            proc.kill()
        raise RuntimeError(getattr(msg, "message", "the zygote did not start"))
    z = Zygote(proc, parent, msg.quads, msg.sandbox)
    z.version = version
    return z
