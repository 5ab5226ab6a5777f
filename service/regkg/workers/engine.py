"""Inside the engine processes: the zygote loads a snapshot and confines itself, then forks engines
that serve messages.

Everything that reads client SPARQL runs here and never in the web process: the nesting check,
rdflib's parse (policy), pyoxigraph's parse and evaluation. A process that a hostile input still
manages to crash takes only itself down; the pool replaces it.

The engine serves from one thread with a 512 MiB stack (virtual memory, touched only as deep as
a parse goes), so the recursive parsers have room far beyond the nesting limit.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing.connection
import os
import re
import select
import signal
import sys
import threading
from multiprocessing import reduction
from typing import Any, Final

import pyoxigraph as ox

from regkg import vocab
from regkg.config import Settings
from regkg.errors import ApiError
from regkg.workers.changes import Diverged, apply_change, compute_change, inspect
from regkg.workers.messages import (
    ApplyChange,
    Checked,
    CheckOnly,
    Chunk,
    ComputeChange,
    Computed,
    End,
    Failed,
    Fork,
    Forked,
    Head,
    Ready,
    RunQuery,
)

__all__ = ["PipePair", "zygote"]

log = logging.getLogger("regkg.engine")

_STACK_BYTES: Final = 512 * 1024 * 1024
_UNSUPPORTED: Final = re.compile(r"The custom function <([^>]*)> is not supported")


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when the web process dies, whatever it was doing."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _preload() -> None:
    """Import now what serving imports later, while the file system is still readable."""
    import pyparsing  # noqa: F401
    import rdflib.plugins.sparql.parser  # noqa: F401

    from regkg import formats, sparql  # noqa: F401

    sparql.inspect("query", "SELECT * WHERE { ?s ?p ?o FILTER(<urn:x:f>(?o)) }")
    sparql.inspect("update", "INSERT DATA { <urn:x:s> <urn:x:p> 1 }")


def _error(exc: ApiError, fatal: bool = False) -> Failed:
    return Failed(exc.status, exc.code, exc.message, dict(exc.headers), dict(exc.extra), fatal)


class PipePair:
    """Two pipes as one duplex connection (an engine cannot create sockets once confined)."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.reader = multiprocessing.connection.Connection(read_fd, writable=False)
        self.writer = multiprocessing.connection.Connection(write_fd, readable=False)

    def send(self, obj: object) -> None:
        self.writer.send(obj)

    def recv(self) -> Any:
        return self.reader.recv()

    def poll(self, timeout: float = 0.0) -> bool:
        """Whether a message (or end of file) is there; one poll(2), where Connection.poll builds
        a selector each time (the web process asks before each query)."""
        p = select.poll()
        p.register(self.reader.fileno(), select.POLLIN)
        return bool(p.poll(max(0, round(timeout * 1000))))

    def fileno(self) -> int:
        return self.reader.fileno()

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


def zygote(ctl: multiprocessing.connection.Connection, source: str, settings: Settings) -> None:
    """The zygote: loads the graph once, confines itself, then forks engines on request.

    A forked engine shares the zygote's pages (copy on write), starts in milliseconds, and inherits
    the sandbox. The zygote follows every change too, so engines start at the current version. It
    never evaluates client text."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    try:
        store = _load(source)
        _preload()
        report: dict[str, Any] = {"enabled": False}
        if settings.sandbox:
            from regkg.sandbox import confine

            report = {"enabled": True, **confine().as_dict()}
    except Exception as exc:
        ctl.send(Failed(500, "engine_start", f"the engine could not start: {exc}", fatal=True))
        return
    count = len(store)  # kept up to date by each change: counting the copy costs the graph
    ctl.send(Ready(os.getpid(), count, report))
    web = os.getppid()
    while True:
        _reap()
        try:
            if not ctl.poll(0.5):
                continue
            msg = ctl.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if isinstance(msg, Fork):
            to_engine_r, to_engine_w = os.pipe()
            from_engine_r, from_engine_w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the engine
                try:
                    if msg.nice:
                        os.nice(msg.nice)
                    os.close(to_engine_w)
                    os.close(from_engine_r)
                    ctl.close()
                    _engine(PipePair(to_engine_r, from_engine_w), store, count, settings, report)
                finally:
                    os._exit(0)
            os.close(to_engine_r)
            os.close(from_engine_w)
            ctl.send(Forked(pid))
            reduction.send_handle(ctl, to_engine_w, web)
            reduction.send_handle(ctl, from_engine_r, web)
            os.close(to_engine_w)
            os.close(from_engine_r)
        elif isinstance(msg, ApplyChange):
            count += apply_change(store, msg.change)
            ctl.send(Ready(os.getpid(), count, report))


def _reap() -> None:
    with contextlib.suppress(ChildProcessError):
        while True:
            pid, _status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                return


def _engine(conn: PipePair, store: ox.Store, count: int, settings: Settings, report: dict[str, Any]) -> None:
    """A forked engine: serve from a thread with a deep stack until the web process hangs up."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()  # with the zygote
    conn.send(Ready(os.getpid(), count, report))
    threading.stack_size(_STACK_BYTES)
    sys.setrecursionlimit(200_000)
    t = threading.Thread(target=_serve, args=(conn, store, count, settings), name="regkg-engine", daemon=True)
    t.start()
    t.join()


def _load(source: str) -> ox.Store:
    """The engine's copy: an N-Quads snapshot, or nothing for a remote store (which evaluates
    queries itself; the engine then only checks them)."""
    store = ox.Store()
    if source.startswith("snapshot:"):
        store.bulk_load(path=source.removeprefix("snapshot:"), format=ox.RdfFormat.N_QUADS)
    gc.collect()
    gc.freeze()
    return store


def _serve(conn: Any, store: ox.Store, count: int, settings: Settings) -> None:
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if isinstance(msg, RunQuery):
            _run_query(conn, store, msg, settings)
        elif isinstance(msg, ComputeChange):
            try:
                conn.send(Computed(compute_change(store, msg, settings)))
            except ApiError as exc:
                conn.send(_error(exc))
            except Diverged as exc:
                conn.send(_error(ApiError(500, "engine_diverged", str(exc)), fatal=True))
                return
        elif isinstance(msg, CheckOnly):
            try:
                from regkg import sparql

                sparql.check_text(msg.text, settings, msg.operation)
                found = inspect(msg.operation, msg.text)
                conn.send(Checked(found.form, found.has_dataset_clause))
            except ApiError as exc:
                conn.send(_error(exc))
        elif isinstance(msg, ApplyChange):
            count += apply_change(store, msg.change)
            conn.send(Ready(os.getpid(), count))


# -- queries ------------------------------------------------------------------------------


def _unknown_function(*_args: Any) -> None:
    """An IRI called as a function that the engine does not know: an expression error (unbound)."""
    return None


def run_query(store: ox.Store, msg: RunQuery, settings: Settings) -> tuple[Any, Any]:
    """Check and start one query; returns (pyoxigraph result, inspection or None)."""
    from regkg import sparql

    job = msg.job
    sparql.check_text(job.text, settings)
    inspection = sparql.plain_query(job.text, inspect) if job.check_policy else None
    functions = {ox.NamedNode(f): _unknown_function for f in (inspection.functions if inspection else ())}
    kwargs: dict[str, Any] = {
        "prefixes": dict(vocab.PREFIXES),
        "base_iri": job.base_iri,
        "custom_functions": functions or None,
    }
    if job.default_graphs or job.named_graphs:
        # The protocol's graph parameters override FROM / FROM NAMED; with only one of the two
        # given, the other part of the dataset is empty (SPARQL 1.1 Protocol 2.1.4).
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs] or ox.DefaultGraph()
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    elif not (inspection and inspection.has_dataset_clause):
        kwargs["use_default_graph_as_union"] = True
    for _ in range(16):
        try:
            return store.query(job.text, **kwargs), inspection
        except SyntaxError as exc:
            if inspection is not None and inspection.plain:
                inspect("query", job.text)  # its message: line and column, 403, "an update"
            raise ApiError(400, "syntax_error", f"SPARQL syntax error: {exc.msg or exc}") from None
        except ValueError as exc:  # a bad IRI in the graph parameters or the base
            raise ApiError(400, "bad_request", str(exc)) from None
        except RuntimeError as exc:
            # A function IRI the parse tree gave only as a prefixed name: the engine names it.
            m = _UNSUPPORTED.search(str(exc))
            if m is None:
                raise
            functions[ox.NamedNode(m.group(1))] = _unknown_function
            kwargs["custom_functions"] = functions
    raise ApiError(400, "query_failed", "the query calls too many unknown functions")


def _run_query(conn: Any, store: ox.Store, msg: RunQuery, settings: Settings) -> None:
    from regkg import formats, sparql
    from regkg.sparql.policy import Inspection

    head: dict[str, Any] | None = None
    head_sent = False
    held: list[bytes] = []

    def on_head(outcome: sparql.Outcome) -> None:
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
            conn.send(Head(head or {}, held.pop(), False))
            head_sent = True
        conn.send(Chunk(data))

    try:
        result, _inspection = run_query(store, msg, settings)
        form = "CONSTRUCT" if isinstance(result, ox.QueryTriples) else "SELECT"
        fmt = sparql.choose_format(Inspection(form=form), msg.job.accept)
        outcome = sparql.evaluate(result, fmt, msg.max_rows, emit, on_head)
        if not head_sent:
            conn.send(Head(vars(outcome).copy(), held[0] if held else b"", True))
        else:
            conn.send(End(outcome.rows, outcome.truncated))
    except ApiError as exc:
        conn.send(_error(exc))
    except formats.NotAcceptable as exc:  # pragma: no cover - choose_format converts it
        conn.send(_error(ApiError(406, "not_acceptable", str(exc))))
    except (OSError, ValueError, RuntimeError, TypeError, SyntaxError) as exc:
        status = 500 if head_sent else 400
        conn.send(_error(ApiError(status, "query_failed", f"the query failed: {exc}")))


# -- changes ----------------------------------------------------------------------------------
