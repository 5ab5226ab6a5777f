"""One engine process as the web process sees it: start, receive with a deadline, kill."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import multiprocessing.connection
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from regkg.config import Settings
from regkg.workers import engine
from regkg.workers.messages import Failed, Ready

__all__ = ["Died", "Gone", "Handle", "Timeout", "start"]

_CTX: Final = multiprocessing.get_context("spawn")
_START_TIMEOUT: Final = 600.0
_POLL: Final = 0.2

Lane = Literal["fast", "slow"]


class Timeout(Exception):
    pass


class Gone(Exception):
    """The client went away."""


class Died(Exception):
    """The engine process ended unexpectedly."""


@dataclass(eq=False)
class Handle:
    proc: Any
    conn: multiprocessing.connection.Connection
    lane: Lane
    #: the data version this engine's copy is at.
    version: int
    started: float = field(default_factory=time.time)
    busy_since: float | None = None
    client: str | None = None
    jobs: int = 0
    quads: int = 0
    sandbox: dict[str, Any] = field(default_factory=dict)

    @property
    def pid(self) -> int | None:
        return self.proc.pid  # type: ignore[no-any-return]

    @property
    def alive(self) -> bool:
        return bool(self.proc.is_alive())

    async def send(self, msg: object) -> None:
        """Send without blocking the event loop (a large change fills the pipe's buffer)."""
        try:
            await asyncio.to_thread(self.conn.send, msg)
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
            loop.add_reader(fd, _settle, fut, True)
            timer = loop.call_later(min(remaining, _POLL), _settle, fut, False)
            try:
                readable = await fut
            finally:
                timer.cancel()
                loop.remove_reader(fd)
            if readable:
                break
            if is_disconnected is not None and await is_disconnected():
                raise Gone()
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            raise Died() from None

    def kill(self) -> None:
        """End the process at once (SIGKILL: its CPU work really stops) and reap it off the loop."""
        with contextlib.suppress(Exception):
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.conn.close()
        fut = asyncio.get_running_loop().run_in_executor(None, self.proc.join, 5)
        fut.add_done_callback(lambda _f: None)


def _settle(fut: asyncio.Future[bool], value: bool) -> None:
    if not fut.done():
        fut.set_result(value)


async def start(source: str, settings: Settings, lane: Lane, version: int) -> Handle:
    """Spawn an engine on a snapshot and wait until it is confined and ready."""
    parent, child = _CTX.Pipe(duplex=True)
    proc = _CTX.Process(target=engine.main, args=(child, source, settings), name=f"regkg-engine-{lane}", daemon=True)
    await asyncio.to_thread(proc.start)
    child.close()
    h = Handle(proc=proc, conn=parent, lane=lane, version=version)
    loop = asyncio.get_running_loop()
    try:
        msg = await h.recv(loop.time() + _START_TIMEOUT)
    except (Timeout, Died) as exc:
        h.kill()
        raise RuntimeError(f"an engine process failed to start: {exc!r}") from None
    if isinstance(msg, Failed):
        h.kill()
        raise RuntimeError(msg.message)
    assert isinstance(msg, Ready)
    h.quads = msg.quads
    h.sandbox = msg.sandbox
    return h
