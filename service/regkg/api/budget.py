"""The one budget of the reads that do not go through /sparql: exploration, pages, linked data, export.

Each read runs on a worker thread (FastAPI's pool for the plain ``def`` routes, :func:`run` for the
async ones), never on the event loop, under two limits that are settings (README, limits table):

* ``REGKG_EXPLORE_TIMEOUT`` (:attr:`Settings.explore_timeout`): past it the read is abandoned at its
  next check (:mod:`regkg.explore.deadline`) and the client gets 503 in the one error shape, with
  Retry-After, as /sparql answers a query over its time limit;
* ``REGKG_EXPLORE_CLIENT_CONCURRENCY`` (:attr:`Settings.explore_client_concurrency`): one client (its
  address, as for /sparql) with that many reads running gets 429 with Retry-After for one more, so a
  single client cannot hold every worker thread.

Node, row and path caps are the REGKG_EXPLORE_* and REGKG_SEARCH_* settings the work itself applies.

The export (``GET /export...``) streams the whole graph for as long as the client reads, so it is
bounded apart, by an :class:`ExportGate` (one per app) and a :class:`BudgetedStream` response:

* ``REGKG_EXPORT_CONCURRENCY`` (:attr:`Settings.export_concurrency`): exports streaming at once in the
  whole service, and one per client; past either, 429 with Retry-After before any byte of the body;
* ``REGKG_EXPORT_TIMEOUT`` (:attr:`Settings.export_timeout`): past it the stream is stopped (its
  producer thread with it) and the connection aborted without the terminating chunk, so the client
  sees a failed transfer and never a complete-looking, short file; a failure mid-stream likewise.

The slot is given back however the stream ends: finished, failed, client gone or timed out.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncGenerator, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Final, ParamSpec, TypeVar

from fastapi import Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from regkg.api.deps import client_id, get_settings
from regkg.errors import ApiError
from regkg.explore import deadline

__all__ = ["BudgetedStream", "ExportGate", "ExportSlot", "ReadBudget", "bounded", "export_gate", "read_budget", "run"]

P = ParamSpec("P")
T = TypeVar("T")

log = logging.getLogger("regkg.budget")

_CREATING = threading.Lock()

#: How long a refused export waits for a slot before its 429. A client that leaves a stream and asks
#: again at once (or asks again as soon as it has the whole body) still holds its slot for the few
#: turns of the event loop the server takes to notice; it should not be refused for that.
_PATIENCE: Final = 0.25
_EXPORT_RETRY_AFTER: Final = "5"


class ReadBudget:
    """The time limit and the per-client count of reads in flight, one per app."""

    def __init__(self, timeout: float, concurrency: int) -> None:
        self.timeout = timeout
        self.concurrency = concurrency
        self._lock = threading.Lock()
        self._in_flight: dict[str, int] = {}

    @contextmanager
    def slot(self, client: str) -> Iterator[None]:
        with self._lock:
            running = self._in_flight.get(client, 0)
            if self.concurrency and running >= self.concurrency:
                raise ApiError(
                    429,
                    "too_many_requests",
                    f"this client already has {running} reads running; the limit is {self.concurrency} "
                    "(REGKG_EXPLORE_CLIENT_CONCURRENCY)",
                    headers={"Retry-After": "1"},
                    limit=self.concurrency,
                )
            self._in_flight[client] = running + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._in_flight[client] - 1
                if left:
                    self._in_flight[client] = left
                else:
                    del self._in_flight[client]

    def over(self) -> ApiError:
        return ApiError(
            503,
            "timeout",
            f"the read took longer than its limit of {self.timeout} s (REGKG_EXPLORE_TIMEOUT)",
            headers={"Retry-After": "1"},
            limit=self.timeout,
        )


class ExportSlot:
    """One export's place under the gate; :meth:`release` may be called any number of times."""

    def __init__(self, gate: ExportGate, client: str) -> None:
        self.gate = gate
        self.client = client
        self._held = True

    @property
    def timeout(self) -> float:
        return self.gate.timeout

    def release(self) -> None:
        if self._held:
            self._held = False
            self.gate._release(self.client)


class ExportGate:
    """The exports streaming now, by client, against REGKG_EXPORT_CONCURRENCY; one per app.

    Used on the event loop only (the export route is async and its stream runs there), so the counts
    need no lock."""

    def __init__(self, timeout: float, concurrency: int) -> None:
        self.timeout = timeout
        self.concurrency = concurrency
        self._streaming: dict[str, int] = {}
        self._released = asyncio.Event()

    @property
    def streaming(self) -> int:
        return sum(self._streaming.values())

    def _refusal(self, client: str) -> ApiError | None:
        if not self.concurrency:
            return None
        if client in self._streaming:
            message = "this client already has an export streaming; one at a time per client (REGKG_EXPORT_CONCURRENCY)"
        elif (running := self.streaming) >= self.concurrency:
            streams = "export is" if running == 1 else "exports are"
            message = (
                f"{running} {streams} streaming; the limit is {self.concurrency} at once (REGKG_EXPORT_CONCURRENCY)"
            )
        else:
            return None
        headers = {"Retry-After": _EXPORT_RETRY_AFTER}
        return ApiError(429, "too_many_requests", message, headers=headers, limit=self.concurrency)

    async def admit(self, client: str) -> ExportSlot:
        """A slot for ``client``, waiting up to :data:`_PATIENCE` for one to be given back, else 429."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + _PATIENCE
        while (refusal := self._refusal(client)) is not None:
            released = self._released
            try:
                await asyncio.wait_for(released.wait(), give_up - loop.time())
            except TimeoutError:
                raise refusal from None
        self._streaming[client] = self._streaming.get(client, 0) + 1
        return ExportSlot(self, client)

    def _release(self, client: str) -> None:
        left = self._streaming[client] - 1
        if left:
            self._streaming[client] = left
        else:
            del self._streaming[client]
        # wake the waiters of this release; later ones wait for the next
        self._released.set()
        self._released = asyncio.Event()


class BudgetedStream(StreamingResponse):
    """A streamed body that holds an :class:`ExportSlot` while it runs.

    It ends complete, with the terminating chunk, or aborted without it: past the slot's time limit,
    or when the body raises, the response returns without finishing, and the server (uvicorn) closes
    the connection, so the client sees a failed transfer. Starlette's StreamingResponse would leave
    the body's generator suspended (its producer thread running) when the client goes, and has no
    time limit."""

    def __init__(
        self, body: AsyncGenerator[bytes, None], slot: ExportSlot, *, media_type: str, headers: Mapping[str, str]
    ) -> None:
        super().__init__(body, media_type=media_type, headers=headers)
        self.chunks = body
        self.slot = slot

    async def stream_response(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        async for chunk in self.chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        # the work is done: a client that asks again as soon as it has the last byte finds the slot free
        self.slot.release()
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    @staticmethod
    async def _until_disconnect(receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        streaming = asyncio.ensure_future(self.stream_response(send))
        leaving = asyncio.ensure_future(self._until_disconnect(receive))
        limit = self.slot.timeout
        try:
            done, _ = await asyncio.wait(
                (streaming, leaving), timeout=limit or None, return_when=asyncio.FIRST_COMPLETED
            )
            if streaming in done:
                streaming.result()
            elif not done:
                log.warning(
                    "an export to %s ran past REGKG_EXPORT_TIMEOUT (%g s): stopped, its connection aborted",
                    self.slot.client,
                    limit,
                )
        except Exception:
            log.error(
                "an export to %s failed after it started: its connection aborted", self.slot.client, exc_info=True
            )
        finally:
            try:
                for task in (streaming, leaving):
                    task.cancel()
                await asyncio.gather(streaming, leaving, return_exceptions=True)
                await self.chunks.aclose()  # stops the producer
            finally:
                self.slot.release()


def _per_app(request: Request, name: str, make: Callable[[], T]) -> T:
    """The app's one ``name`` object, made on first use."""
    made = getattr(request.app.state, name, None)
    if made is None:
        with _CREATING:
            made = getattr(request.app.state, name, None)
            if made is None:
                made = make()
                setattr(request.app.state, name, made)
    return made  # type: ignore[no-any-return]


def read_budget(request: Request) -> ReadBudget:
    settings = get_settings(request)
    return _per_app(
        request, "read_budget", lambda: ReadBudget(settings.explore_timeout, settings.explore_client_concurrency)
    )


def export_gate(request: Request) -> ExportGate:
    settings = get_settings(request)
    return _per_app(request, "export_gate", lambda: ExportGate(settings.export_timeout, settings.export_concurrency))


@contextmanager
def bounded(request: Request) -> Iterator[None]:
    """The body (a route's work, already on a worker thread) under the app's budget. An answer ready
    only after the limit is refused too, so the limit holds whether or not the work reached a check."""
    budget = read_budget(request)
    with budget.slot(client_id(request)):
        try:
            with deadline.within(budget.timeout):
                yield
                deadline.check()
        except deadline.OverBudget:
            raise budget.over() from None


async def run(request: Request, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args)`` on a worker thread under the app's budget: for async routes."""
    budget = read_budget(request)

    def work() -> T:
        with deadline.within(budget.timeout):
            result = fn(*args, **kwargs)
            deadline.check()
            return result

    with budget.slot(client_id(request)):
        try:
            return await asyncio.to_thread(work)
        except deadline.OverBudget:
            raise budget.over() from None
