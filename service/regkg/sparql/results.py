"""Serialising query results with pyoxigraph, under the row cap, to a byte sink (the engine process
streams it to the web process)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any, Final, TypeVar, cast

import pyoxigraph as ox

from regkg import formats
from regkg.errors import ApiError
from regkg.sparql.policy import Inspection

__all__ = ["MAX_ROWS_HEADER", "TRUNCATED_HEADER", "Outcome", "choose_format", "evaluate"]

#: Response header set to "true" when the row cap cut the result (never silent).
TRUNCATED_HEADER: Final = "X-RegKG-Truncated"
#: Response header giving the row cap in force.
MAX_ROWS_HEADER: Final = "X-RegKG-Max-Rows"
T = TypeVar("T")


@dataclass
class Outcome:
    """What evaluation wrote: the format used and whether the row cap cut the result."""

    media_type: str
    content_type: str
    truncated: bool = False
    rows: int = 0

    def headers(self, max_rows: int) -> dict[str, str]:
        h = {TRUNCATED_HEADER: "true" if self.truncated else "false"}
        if max_rows:
            h[MAX_ROWS_HEADER] = str(max_rows)
        return h


class _Sink:
    """A write-only binary file object that forwards to a callback in chunks."""

    def __init__(self, emit: Callable[[bytes], None], chunk: int = 64 * 1024) -> None:
        self._emit = emit
        self._buf = bytearray()
        self._chunk = chunk

    def write(self, data: bytes) -> int:
        self._buf += data
        if len(self._buf) >= self._chunk:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buf:
            self._emit(bytes(self._buf))
            self._buf.clear()

    def writable(self) -> bool:
        return True


def choose_format(inspection: Inspection, accept: str | None) -> formats.Format:
    """Negotiate the response format; raises ApiError 406 naming the supported types."""
    try:
        return formats.negotiate(accept, inspection.kind)
    except formats.NotAcceptable as exc:
        raise ApiError(406, "not_acceptable", str(exc), supported=exc.supported) from None


def _capped(items: Iterable[T], max_rows: int, outcome: Outcome) -> list[T]:
    """At most ``max_rows`` items, recording in ``outcome`` how many and whether more were left."""
    kept: list[T] = []
    for item in items:
        if len(kept) == max_rows:
            outcome.truncated = True
            break
        kept.append(item)
    outcome.rows = len(kept)
    return kept


def evaluate(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Any,
    fmt: formats.Format,
    max_rows: int,
    emit: Callable[[bytes], None],
    on_head: Callable[[Outcome], None] | None = None,
) -> Outcome:
    """Serialise a query result with pyoxigraph, at most ``max_rows`` rows/triples (0 = no cap).

    ``on_head`` is called once the outcome (format, truncation) is known and before the
    first byte is emitted, so an HTTP layer can send headers first.
    """
    outcome = Outcome(fmt.media_type, fmt.content_type)
    sink = cast(IO[bytes], _Sink(emit))

    def head() -> None:
        if on_head is not None:
            on_head(outcome)

    if isinstance(result, ox.QueryBoolean):
        assert fmt.results_format is not None
        head()
        result.serialize(sink, fmt.results_format)
    elif isinstance(result, ox.QuerySolutions):
        assert fmt.results_format is not None
        if not max_rows:
            head()
            result.serialize(sink, fmt.results_format)
        else:
            variables = list(result.variables)
            rows = _capped(result, max_rows, outcome)
            head()
            _solutions(variables, rows).serialize(sink, fmt.results_format)
    else:
        assert fmt.rdf_format is not None
        if not max_rows:
            head()
            ox.serialize(result, sink, fmt.rdf_format, prefixes=_prefixes(fmt))
        else:
            triples = _capped(result, max_rows, outcome)
            head()
            ox.serialize(triples, sink, fmt.rdf_format, prefixes=_prefixes(fmt))
    sink.flush()
    return outcome


def _prefixes(fmt: formats.Format) -> dict[str, str] | None:
    if fmt.rdf_format in {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML}:
        from regkg import vocab

        return dict(vocab.PREFIXES)
    return None


def _solutions(variables: Sequence[ox.Variable], rows: Sequence[ox.QuerySolution]) -> ox.QuerySolutions:
    """Rebuild a QuerySolutions from kept rows, through TSV (whose cells are the terms' own
    N-Triples syntax), so pyoxigraph's serialisers write the truncated result."""
    lines = ["\t".join(map(str, variables))]
    lines += ["\t".join(["" if t is None else str(t) for t in sol]) for sol in rows]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    parsed = ox.parse_query_results(data, ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    return parsed
