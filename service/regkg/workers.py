"""Query workers: processes that each hold the graph in memory and evaluate SPARQL.

Neither pyoxigraph nor rdflib can cancel a running query, and rdflib's SPARQL parser
is not thread-safe. So every client-controlled query runs in a worker process of a
small pool: a query that passes its time limit, or whose client goes away, is ended
by killing its worker (SIGKILL: its CPU work really stops) and a fresh worker takes
its place, while the web process and the other workers go on serving.

Each worker loads a *snapshot* -- an N-Quads dump of the durable store written by
the web process (or, for a remote store, the remote endpoint's URL) -- into its own
in-memory pyoxigraph store. After a write, :meth:`QueryPool.refresh` points the pool
at a new snapshot and every worker reloads it before serving its next query.

Messages on a worker's pipe (pickled tuples): to the worker ``("query", dict)``,
``("reload", spec)``; from it ``("ready", info)``, ``("head", outcome, first_bytes, finished)``,
``("chunk", bytes)``, ``("end", info)``, ``("error", error)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final

from regkg import formats, vocab
from regkg.config import Settings
from regkg.errors import ApiError
from regkg.sparql import Outcome

__all__ = ["QueryJob", "QueryPool", "QueryResponse"]

log = logging.getLogger("regkg.workers")

_CTX: Final = multiprocessing.get_context("spawn")
_START_TIMEOUT: Final = 600.0
_POLL: Final = 0.2


@dataclass(frozen=True)
class QueryJob:
    """One query as the pool runs it."""

    text: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    #: negotiate among this kind only (None: from the query form).
    max_rows: int | None = None
    timeout: float | None = None


@dataclass
class QueryResponse:
    """A query's outcome (format, truncation) and its body, streamed from the worker."""

    outcome: Outcome
    body: AsyncIterator[bytes]
    #: the whole body, when it came from the worker in one message (the worker is free again).
    complete: bytes | None = None

    async def read(self) -> bytes:
        if self.complete is not None:
            return self.complete
        return b"".join([chunk async for chunk in self.body])


class _Timeout(Exception):
    pass


class _Gone(Exception):
    """The client went away."""


class _Died(Exception):
    """The worker process ended unexpectedly."""


@dataclass(eq=False)
class _Worker:
    proc: Any
    conn: multiprocessing.connection.Connection
    generation: int
    started: float = field(default_factory=time.time)
    busy_since: float | None = None
    jobs: int = 0
    quads: int = 0
    ready: bool = False

    @property
    def pid(self) -> int | None:
        return self.proc.pid  # type: ignore[no-any-return]


class QueryPool:
    """A pool of query worker processes over one snapshot of the store."""

    def __init__(self, settings: Settings, source: str, size: int | None = None) -> None:
        self.settings = settings
        self.source = source
        self.size = max(1, size or settings.workers)
        self.generation = 0
        self._workers: list[_Worker] = []
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False
        self.stats = {"queries": 0, "timeouts": 0, "disconnects": 0, "restarts": 0, "crashes": 0}

    # -- life cycle ----------------------------------------------------------------
    async def start(self) -> None:
        workers = await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        for w in workers:
            self._idle.put_nowait(w)

    async def close(self) -> None:
        self._closed = True
        for t in list(self._tasks):
            t.cancel()
        for w in list(self._workers):
            self._kill(w, replace=False)

    async def _spawn(self) -> _Worker:
        parent, child = _CTX.Pipe(duplex=True)
        proc = _CTX.Process(
            target=_worker_main,
            args=(child, self.source, self.settings),
            name="regkg-query-worker",
            daemon=True,
        )
        await asyncio.to_thread(proc.start)
        child.close()
        w = _Worker(proc=proc, conn=parent, generation=self.generation)
        self._workers.append(w)
        loop = asyncio.get_running_loop()
        try:
            msg = await self._recv(w, loop.time() + _START_TIMEOUT)
        except (_Timeout, _Died) as exc:
            self._kill(w, replace=False)
            raise RuntimeError(f"a query worker failed to start: {exc!r}") from None
        if msg[0] != "ready":
            self._kill(w, replace=False)
            raise RuntimeError(f"a query worker failed to start: {msg[1]}")
        w.ready = True
        w.quads = int(msg[1].get("quads", 0))
        return w

    def _kill(self, w: _Worker, *, replace: bool = True) -> None:
        """End a worker at once (SIGKILL) and, unless closing, start a fresh one."""
        with contextlib.suppress(Exception):
            w.proc.kill()
        with contextlib.suppress(Exception):
            w.conn.close()
        # Reap the process without blocking the event loop.
        t = asyncio.get_running_loop().run_in_executor(None, w.proc.join, 5)
        t.add_done_callback(lambda _f: None)
        if w in self._workers:
            self._workers.remove(w)
        if replace and not self._closed:
            self.stats["restarts"] += 1
            task = asyncio.create_task(self._replace())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _replace(self) -> None:
        try:
            w = await self._spawn()
        except Exception:
            log.exception("could not start a replacement query worker")
            await asyncio.sleep(1.0)
            if not self._closed:
                task = asyncio.create_task(self._replace())
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            return
        self._idle.put_nowait(w)

    async def refresh(self, source: str) -> None:
        """Point the pool at a new snapshot; returns once every worker serves it.

        Each worker is taken as it becomes idle and reloads before it is handed out again;
        workers started from now on load the new snapshot directly."""
        self.source = source
        self.generation += 1
        deadline = asyncio.get_running_loop().time() + _START_TIMEOUT
        held: list[_Worker] = []
        try:
            for _ in range(len(self._workers)):
                held.append(await self._acquire(deadline))
        except _Timeout:
            log.warning("some query workers did not take the new snapshot in time")
        finally:
            for w in held:
                self._release(w)

    # -- acquiring -----------------------------------------------------------------
    async def _acquire(self, deadline: float) -> _Worker:
        loop = asyncio.get_running_loop()
        while True:
            if not self._idle.empty():
                w = self._idle.get_nowait()
            else:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise _Timeout()
                try:
                    w = await asyncio.wait_for(self._idle.get(), remaining)
                except TimeoutError:
                    raise _Timeout() from None
            if w not in self._workers or not w.proc.is_alive():
                self._kill(w) if w in self._workers else None
                continue
            if w.generation != self.generation:
                try:
                    w.conn.send(("reload", self.source))
                    msg = await self._recv(w, loop.time() + _START_TIMEOUT)
                except (_Timeout, _Died, OSError):
                    self._kill(w)
                    continue
                if msg[0] != "ready":
                    self._kill(w)
                    continue
                w.generation = self.generation
                w.quads = int(msg[1].get("quads", 0))
            return w

    async def _recv(
        self,
        w: _Worker,
        deadline: float,
        is_disconnected: Callable[[], Awaitable[bool]] | None = None,
    ) -> tuple[Any, ...]:
        loop = asyncio.get_running_loop()
        try:
            fd = w.conn.fileno()
        except (OSError, ValueError):
            raise _Died() from None
        # Wait for the pipe to become readable (epoll, level-triggered: data already there wakes
        # at once; so does the end of a dead worker's pipe), in slices, asking between slices
        # whether the client is still there. No selector per call, no task: one future, one timer.
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise _Timeout()
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
                raise _Gone()
        try:
            msg = w.conn.recv()
        except (EOFError, OSError):
            raise _Died() from None
        return msg  # type: ignore[no-any-return]

    # -- queries -------------------------------------------------------------------
    async def execute(
        self,
        job: QueryJob,
        is_disconnected: Callable[[], Awaitable[bool]] | None = None,
    ) -> QueryResponse:
        """Run a query in a worker; raises ApiError (4xx from the checks, 503 on time-out)."""
        loop = asyncio.get_running_loop()
        timeout = job.timeout if job.timeout is not None else self.settings.query_timeout
        max_rows = job.max_rows if job.max_rows is not None else self.settings.max_rows
        deadline = loop.time() + timeout
        self.stats["queries"] += 1
        try:
            w = await self._acquire(deadline)
        except _Timeout:
            self.stats["timeouts"] += 1
            raise _timeout_error(timeout, busy=True) from None
        w.busy_since = time.time()
        w.jobs += 1
        payload = {
            "text": job.text,
            "default_graphs": job.default_graphs,
            "named_graphs": job.named_graphs,
            "accept": job.accept,
            "max_rows": max_rows,
        }
        try:
            w.conn.send(("query", payload))
            msg = await self._recv(w, deadline, is_disconnected)
        except BaseException as exc:
            self._fail(w, exc)
            if isinstance(exc, _Timeout):
                raise _timeout_error(timeout) from None
            if isinstance(exc, _Gone):
                raise ApiError(499, "client_closed", "the client closed the connection") from None
            if isinstance(exc, _Died | OSError):
                raise ApiError(500, "worker_died", "the query worker ended unexpectedly") from None
            raise
        if msg[0] == "error":
            self._release(w)
            raise _api_error(msg[1])
        if msg[0] != "head":  # pragma: no cover - protocol violation
            self._kill(w)
            raise ApiError(500, "internal_error", f"unexpected worker message {msg[0]!r}")
        _, head, first, finished = msg
        outcome = Outcome(**head)
        if finished:
            self._release(w)
            return QueryResponse(outcome, _once(first), complete=first)
        return QueryResponse(outcome, self._stream(w, deadline, first))

    async def _stream(self, w: _Worker, deadline: float, first: bytes) -> AsyncIterator[bytes]:
        finished = False
        try:
            yield first
            while True:
                try:
                    kind, value = await self._recv(w, deadline)
                except _Timeout:
                    self.stats["timeouts"] += 1
                    raise
                if kind == "chunk":
                    yield value
                elif kind == "end":
                    finished = True
                    return
                else:  # an error after the head: the status is sent already; cut the stream short
                    finished = True
                    raise RuntimeError(f"query failed while streaming: {value.get('message')}")
        finally:
            if finished:
                self._release(w)
            else:
                # Cancelled (the client went away), timed out or died: end the worker's work now.
                self.stats["disconnects"] += 1
                self._kill(w)

    def _fail(self, w: _Worker, exc: BaseException) -> None:
        if isinstance(exc, _Timeout):
            self.stats["timeouts"] += 1
        elif isinstance(exc, _Gone | asyncio.CancelledError):
            self.stats["disconnects"] += 1
        elif isinstance(exc, _Died):
            self.stats["crashes"] += 1
        self._kill(w)

    def _release(self, w: _Worker) -> None:
        w.busy_since = None
        if w in self._workers:
            self._idle.put_nowait(w)

    async def fetch(self, text: str, media_type: str = "application/sparql-results+json", **kw: Any) -> bytes:
        """Run a query and return its whole serialised result (for routers that post-process)."""
        response = await self.execute(QueryJob(text=text, accept=media_type, **kw))
        return await response.read()

    # -- state -----------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        now = time.time()
        workers = [
            {
                "pid": w.pid,
                "state": "busy" if w.busy_since is not None else ("idle" if w.ready else "starting"),
                "busy_seconds": round(now - w.busy_since, 3) if w.busy_since is not None else None,
                "jobs": w.jobs,
                "quads": w.quads,
                "generation": w.generation,
                "alive": bool(w.proc.is_alive()),
            }
            for w in self._workers
        ]
        return {
            "size": self.size,
            "alive": sum(1 for w in workers if w["alive"]),
            "idle": self._idle.qsize(),
            "generation": self.generation,
            "workers": workers,
            **self.stats,
        }


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _settle(fut: asyncio.Future[bool], value: bool) -> None:
    if not fut.done():
        fut.set_result(value)


def _timeout_error(timeout: float, busy: bool = False) -> ApiError:
    retry = str(max(1, round(timeout)))
    if busy:
        message = f"every query worker stayed busy for {timeout:g} s; try again shortly"
    else:
        message = (
            f"the query ran longer than {timeout:g} s (REGKG_QUERY_TIMEOUT) and was stopped; "
            "make it more selective or add a LIMIT"
        )
    return ApiError(503, "timeout" if not busy else "busy", message, headers={"Retry-After": retry}, limit=timeout)


def _api_error(err: dict[str, Any]) -> ApiError:
    return ApiError(
        int(err["status"]),
        str(err["code"]),
        str(err["message"]),
        headers=err.get("headers") or {},
        **(err.get("extra") or {}),
    )


# ---------------------------------------------------------------------------------------
# Inside the worker process


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this worker when the web process dies, whatever it was doing."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _worker_main(conn: multiprocessing.connection.Connection, source: str, settings: Settings) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    try:
        store = _open(source, settings)
    except Exception as exc:
        conn.send(("error", {"status": 500, "code": "worker_start", "message": str(exc)}))
        return
    conn.send(("ready", {"pid": os.getpid(), "quads": _size(store)}))
    while True:
        try:
            kind, value = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if kind == "query":
            _run_query(conn, store, value, settings)
        elif kind == "reload":
            try:
                store = None
                gc.collect()
                store = _open(value, settings)
            except Exception as exc:
                conn.send(("error", {"status": 500, "code": "worker_reload", "message": str(exc)}))
                return
            conn.send(("ready", {"pid": os.getpid(), "quads": _size(store)}))
        elif kind == "stop":
            return


def _open(source: str, settings: Settings) -> Any:
    from regkg.store import open_store

    store = open_store(source)
    gc.collect()
    gc.freeze()
    return store


def _size(store: Any) -> int:
    try:
        return int(store.describe().get("quads") or 0)
    except Exception:
        return 0


def _run_query(
    conn: multiprocessing.connection.Connection, store: Any, job: dict[str, Any], settings: Settings
) -> None:
    from regkg import sparql

    head: dict[str, Any] | None = None
    head_sent = False
    held: list[bytes] = []

    def on_head(outcome: Outcome) -> None:
        nonlocal head
        head = vars(outcome).copy()

    def emit(data: bytes) -> None:
        # Hold the first chunk: a result that fits in it goes out as one message (head, body and
        # end together); a larger one streams, the head travelling with the first chunk.
        nonlocal head_sent
        if not head_sent:
            if not held:
                held.append(data)
                return
            conn.send(("head", head, held.pop(), False))
            head_sent = True
        conn.send(("chunk", data))

    try:
        text: str = job["text"]
        inspection = sparql.inspect(
            "query",
            text,
            store.named_graphs,
            tuple(job["default_graphs"]) + tuple(job["named_graphs"]),
        )
        fmt = sparql.choose_format(inspection, job["accept"])
        try:
            result = store.query(
                text,
                default_graph_uris=job["default_graphs"] or None,
                named_graph_uris=job["named_graphs"] or None,
                prefixes=vocab.PREFIXES,
                query_dataset=inspection.has_dataset_clause,
            )
        except SyntaxError as exc:
            raise ApiError(400, "syntax_error", f"SPARQL syntax error: {exc.msg or exc}") from None
        outcome = sparql.evaluate(result, fmt, int(job["max_rows"]), emit, on_head)
        if not head_sent:
            conn.send(("head", vars(outcome).copy(), held[0] if held else b"", True))
        else:
            conn.send(("end", {"rows": outcome.rows, "truncated": outcome.truncated}))
    except ApiError as exc:
        conn.send(("error", _error_dict(exc)))
    except formats.NotAcceptable as exc:  # pragma: no cover - choose_format converts it
        conn.send(("error", _error_dict(ApiError(406, "not_acceptable", str(exc)))))
    except (OSError, ValueError, RuntimeError, TypeError) as exc:
        status = 500 if head_sent else 400
        conn.send(("error", _error_dict(ApiError(status, "query_failed", f"the query failed: {exc}"))))


def _error_dict(exc: ApiError) -> dict[str, Any]:
    return {"status": exc.status, "code": exc.code, "message": exc.message, "headers": exc.headers, "extra": exc.extra}
