"""The whole graph as one document, streamed in constant memory.

Quads come from the store through one lazy iterator (:func:`iter_quads`) and go straight
into a streaming serialiser, so memory does not grow with the graph: pyoxigraph's
serialisers for N-Quads, TriG, Turtle and N-Triples, and :mod:`regkg.linked_data.jsonld`
for JSON-LD with the published context. N-Quads, TriG and JSON-LD (a named graph is
``{"@id": graph, "@graph": [...]}``) keep the named graphs; Turtle and N-Triples write every
quad as a triple (a triple asserted in two graphs appears twice; parsers merge them). The
dataset's VoID/DCAT description comes first, in the named graph ``vocab.VOID_GRAPH`` where
graphs are kept.

:func:`write_export` writes to a file (the CLI); :func:`stream_export` gives the bytes to an
HTTP response, serialising in a thread of its own with at most a few chunks in flight.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import AsyncGenerator, Callable, Iterable, Iterator, Sequence
from typing import BinaryIO, Final

import pyoxigraph as ox

from regkg import formats, urls, vocab
from regkg.linked_data.jsonld import write_jsonld
from regkg.store.base import Store

__all__ = ["EXPORT_FORMATS", "export_format", "iter_quads", "stream_export", "write_export"]

#: The export formats, by extension (quad formats first).
EXPORT_FORMATS: Final[dict[str, formats.Format]] = {
    ext: f for ext in urls.EXPORT_EXTENSIONS if (f := formats.by_extension(ext, formats.Kind.DATASET)) is not None
}

_QUADS: Final = """SELECT ?s ?p ?o ?g WHERE {
    { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o }
}"""

_CHUNK: Final = 64 * 1024


def export_format(name: str | None, accept: str | None = None) -> formats.Format:
    """The export format a request names: an extension or media type in ``name``, else the Accept
    header (N-Quads for anything). Raises :class:`formats.NotAcceptable` for anything else."""
    supported = list(EXPORT_FORMATS.values())
    if name:
        fmt = EXPORT_FORMATS.get(name.lower().lstrip(".")) or formats.by_media_type(name, formats.Kind.DATASET)
        if fmt is None or fmt not in supported:
            exc = formats.NotAcceptable(name, formats.Kind.DATASET)
            exc.supported = [f.media_type for f in supported]
            raise exc
        return fmt
    fmt = formats.negotiate(accept, formats.Kind.DATASET)
    if fmt not in supported:  # RDF/XML is a dataset format of the table but not an export format
        exc = formats.NotAcceptable(accept or "", formats.Kind.DATASET)
        exc.supported = [f.media_type for f in supported]
        raise exc
    return fmt


def iter_quads(store: Store) -> Iterator[ox.Quad]:
    """Every quad of the store, lazily, graph by graph.

    The embedded store is read with pyoxigraph's ``quads_for_pattern`` (seven times faster than
    a SPARQL ``SELECT`` turned into quads: 1.6 s against 12.4 s for a million); any other store
    with one lazy ``SELECT``. Either iterator must be consumed in the thread that created it
    (pyoxigraph's iterators are bound to their thread)."""
    native = getattr(store, "ox", None)
    if isinstance(native, ox.Store):
        yield from native.quads_for_pattern(None, None, None, None)
        return
    result = store.query(_QUADS, query_dataset=True)
    assert isinstance(result, ox.QuerySolutions)
    default = ox.DefaultGraph()
    for row in result:
        g = row["g"]
        yield ox.Quad(row["s"], row["p"], row["o"], default if g is None else g)  # type: ignore[arg-type]


def write_export(
    store: Store,
    fmt: formats.Format,
    out: BinaryIO,
    *,
    description: Sequence[ox.Triple] = (),
    context_url: str,
    quads: Iterable[ox.Quad] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the description and every quad of ``store`` to ``out`` in ``fmt``; returns the number of
    quads (or triples) written, the description included. ``quads`` replaces the store's (benchmarks)."""
    void_graph = ox.NamedNode(vocab.VOID_GRAPH)
    head = (ox.Quad(t.subject, t.predicate, t.object, void_graph) for t in description)
    body = iter_quads(store) if quads is None else iter(quads)
    stream: Iterator[ox.Quad] = itertools.chain(head, body)
    count = 0

    def counted(items: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
        nonlocal count
        for q in items:
            count += 1
            if progress is not None and count % 10_000 == 0:
                progress(count)
            yield q

    if fmt.extension == "jsonld":
        write_jsonld(counted(stream), out, context_url)
    else:
        assert fmt.rdf_format is not None
        prefixes = dict(vocab.PREFIXES)
        if fmt.extension in {"ttl", "nt"}:
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in counted(stream))
            ox.serialize(triples, out, format=fmt.rdf_format, prefixes=prefixes)
        else:
            ox.serialize(counted(stream), out, format=fmt.rdf_format, prefixes=prefixes)
    if progress is not None:
        progress(count)
    return count


class _Cancelled(Exception):
    pass


class _ChannelWriter:
    """A binary file whose writes go, in chunks of about 64 KiB, to an asyncio queue on ``loop``.

    At most ``depth`` chunks are in flight (a semaphore the consumer releases), so a slow client
    holds the serialiser back instead of letting chunks pile up in memory. Nothing here blocks
    an executor thread: the producer has a thread of its own, the consumer awaits the queue."""

    def __init__(self, loop: asyncio.AbstractEventLoop, channel: asyncio.Queue[bytes | BaseException | None],
                 cancelled: threading.Event, depth: int = 8) -> None:  # fmt: skip
        self.loop = loop
        self.channel = channel
        self.cancelled = cancelled
        self.slots = threading.Semaphore(depth)
        self.buffer = bytearray()

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) >= _CHUNK:
            self.put(bytes(self.buffer))
            self.buffer.clear()
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if self.buffer:
            self.put(bytes(self.buffer))
            self.buffer.clear()

    def put(self, item: bytes | BaseException | None) -> None:
        while not self.slots.acquire(timeout=0.5):
            if self.cancelled.is_set():
                raise _Cancelled
        if self.cancelled.is_set():
            raise _Cancelled
        try:
            self.loop.call_soon_threadsafe(self.channel.put_nowait, item)
        except RuntimeError:  # the event loop is closed: nobody is listening any more
            raise _Cancelled from None


async def stream_export(
    store: Store,
    fmt: formats.Format,
    *,
    description: Sequence[ox.Triple] = (),
    context_url: str,
) -> AsyncGenerator[bytes, None]:
    """The export as an async stream of byte chunks (for a StreamingResponse).

    A thread of its own runs the query and the serialiser (pyoxigraph's results must stay in the
    thread that made them); when the stream is closed (the client gone, the time limit of
    :class:`regkg.api.budget.ExportGate` reached) the thread stops at its next chunk. A failure after
    the first chunk is raised, not swallowed: ending the stream normally would give the client a
    complete-looking, silently short file, while an exception lets the server abort the transfer."""
    channel: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue()
    cancelled = threading.Event()
    writer = _ChannelWriter(asyncio.get_running_loop(), channel, cancelled)

    def produce() -> None:
        try:
            write_export(store, fmt, writer, description=description, context_url=context_url)  # type: ignore[arg-type]
            writer.close()
            writer.put(None)
        except _Cancelled:
            return
        except BaseException as exc:  # handed to the consumer, which raises it in the response's task
            try:
                writer.put(exc)
            except _Cancelled:
                return

    thread = threading.Thread(target=produce, name="regkg-export", daemon=True)
    thread.start()
    try:
        while True:
            item = await channel.get()
            writer.slots.release()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        cancelled.set()
