"""The SPARQL 1.1 Protocol, independent of HTTP frameworks and of where queries run.

* :func:`read_request` turns the parts of an HTTP request (method, Content-Type,
  parameters, body) into a :class:`ProtocolRequest`, or raises :class:`ApiError` 400 /
  413 for protocol misuse.
* :func:`check_text` applies the cheap limits before any parser sees the text:
  size, NUL characters, and bracket nesting depth (:func:`nesting_depth`, a small
  tokenizer that skips strings, IRIs and comments); pyoxigraph aborts the whole
  process on a few thousand nested groups.
* :func:`inspect` parses with rdflib's SPARQL parser (in a thread with a deep stack,
  one parse at a time: that parser is not thread-safe) and decides on the parse
  tree whether the operation is allowed: SERVICE, LOAD, and FROM / FROM NAMED / USING
  naming a graph the store does not hold are refused with 403. Nothing is ever
  fetched from the network or read from a file.
* :func:`evaluate` runs a checked query on a :class:`~regkg.store.Store`, applies
  the row cap and writes the result with pyoxigraph's serialisers to a byte sink.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Final, Literal, TypeVar, cast
from urllib.parse import parse_qsl

import pyoxigraph as ox

from regkg import formats
from regkg.config import Settings
from regkg.errors import ApiError

__all__ = [
    "TRUNCATED_HEADER",
    "Inspection",
    "Outcome",
    "ProtocolRequest",
    "apply_using",
    "check_text",
    "choose_format",
    "evaluate",
    "inspect",
    "nesting_depth",
    "read_request",
    "service_description",
]

#: Response header set to "true" when the row cap cut the result (never silent).
TRUNCATED_HEADER: Final = "X-RegKG-Truncated"
#: Response header giving the row cap in force.
MAX_ROWS_HEADER: Final = "X-RegKG-Max-Rows"

Operation = Literal["query", "update"]

_FORM_TYPE: Final = "application/x-www-form-urlencoded"
_DIRECT_TYPES: Final[dict[str, str]] = {"query": "application/sparql-query", "update": "application/sparql-update"}
_GRAPH_PARAMS: Final[dict[str, tuple[str, str]]] = {
    "query": ("default-graph-uri", "named-graph-uri"),
    "update": ("using-graph-uri", "using-named-graph-uri"),
}


@dataclass(frozen=True)
class ProtocolRequest:
    """A query or update operation as the protocol delivers it."""

    operation: Operation
    text: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


def _bad(message: str, code: str = "bad_request", status: int = 400, **extra: Any) -> ApiError:
    return ApiError(status, code, message, **extra)


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad(f"the {what} is not valid UTF-8 (byte {exc.start})", "invalid_encoding") from None


def _media_type(content_type: str | None) -> tuple[str, dict[str, str]]:
    if not content_type:
        return "", {}
    parts = content_type.split(";")
    params = {}
    for p in parts[1:]:
        if "=" in p:
            k, v = p.split("=", 1)
            params[k.strip().lower()] = v.strip().strip('"')
    return parts[0].strip().lower(), params


def read_request(
    operation: Operation,
    method: str,
    query_string: bytes | str,
    content_type: str | None,
    body: bytes,
    settings: Settings,
    parsed: Sequence[tuple[str, str]] | None = None,
) -> ProtocolRequest | None:
    """Parse a protocol request; None for a GET on the query endpoint with no query (service description).

    ``parsed`` may give the URL parameters as the web framework already decoded them (lossily:
    invalid UTF-8 becomes U+FFFD); the raw ``query_string`` is decoded strictly only when they
    hold a U+FFFD, to tell a real one from bytes that are not UTF-8.
    """
    if parsed is not None and not any("\ufffd" in k or "\ufffd" in v for k, v in parsed):
        url_params = list(parsed)
    else:
        qs_raw = query_string if isinstance(query_string, bytes) else query_string.encode("latin-1")
        try:
            url_params = parse_qsl(
                qs_raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False, errors="strict"
            )
        except UnicodeDecodeError:
            raise _bad("the URL's query string is not valid UTF-8", "invalid_encoding") from None
    if len(body) > settings.max_query_bytes + 64 * 1024:
        raise _query_too_large(len(body), settings)
    params: list[tuple[str, str]] = list(url_params)
    text: str | None = None
    name = operation  # the parameter that carries the operation: query= or update=
    if method == "GET":
        if operation == "update":
            raise ApiError(405, "method_not_allowed", "updates must be sent with POST", headers={"Allow": "POST"})
    elif method == "POST":
        mt, ct_params = _media_type(content_type)
        charset = ct_params.get("charset", "utf-8").lower()
        if charset not in {"utf-8", "utf8"}:
            raise _bad(f"unsupported charset {charset!r}; send UTF-8", "unsupported_media_type")
        if mt == _FORM_TYPE:
            form_text = _decode(body, "request body")
            try:
                params += parse_qsl(form_text, keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                raise _bad("the form body is not valid UTF-8 once URL-decoded", "invalid_encoding") from None
        elif mt == _DIRECT_TYPES[operation]:
            if any(k == name for k, _ in url_params):
                raise _bad(f"the {name} is given both in the URL and in the body", "duplicate_parameter")
            text = _decode(body, f"{operation} body")
        elif mt == _DIRECT_TYPES["update"] and operation == "query":
            raise _bad("updates are not accepted here; POST them to /update", "update_not_allowed")
        elif not mt:
            raise _bad(
                f"missing Content-Type; use {_FORM_TYPE} or {_DIRECT_TYPES[operation]}",
                "unsupported_media_type",
            )
        else:
            raise _bad(
                f"unsupported Content-Type {mt!r}; use {_FORM_TYPE} or {_DIRECT_TYPES[operation]}",
                "unsupported_media_type",
            )
    else:  # pragma: no cover - routes only accept GET and POST
        raise ApiError(405, "method_not_allowed", f"method {method} not allowed")

    values = [v for k, v in params if k == name]
    if operation == "query" and any(k == "update" for k, _ in params):
        raise _bad("updates are not accepted here; POST them to /update", "update_not_allowed")
    if text is None:
        if len(values) > 1:
            raise _bad(f"the {name} parameter is given {len(values)} times; give it once", "duplicate_parameter")
        if not values:
            if operation == "query" and method == "GET" and not params:
                return None
            raise _bad(f"missing the {name} parameter", "missing_parameter")
        text = values[0]
    default_key, named_key = _GRAPH_PARAMS[operation]
    return ProtocolRequest(
        operation=operation,
        text=text,
        default_graphs=tuple(v for k, v in params if k == default_key),
        named_graphs=tuple(v for k, v in params if k == named_key),
    )


def _query_too_large(size: int, settings: Settings) -> ApiError:
    return ApiError(
        413,
        "too_large",
        f"the query is {size} bytes; the limit is {settings.max_query_bytes} (REGKG_MAX_QUERY_BYTES)",
        limit=settings.max_query_bytes,
    )


# -- cheap checks, before any parser ---------------------------------------

_TOKEN: Final = re.compile(
    r"""
      (?P<comment>\#[^\r\n]*)
    | (?P<long>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)|\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z))
    | (?P<string>'(?:[^'\\\r\n]|\\.)*(?:'|$)|"(?:[^"\\\r\n]|\\.)*(?:"|$))
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<open>[({\[])
    | (?P<close>[)}\]])
    | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
    | (?P<word>[A-Za-z_](?:[A-Za-z0-9_\-.:]|\\.)*)
    | (?P<escape>\\.)
    | (?P<other>[^#'"<({\[)}\]A-Za-z_?$\\]+|<|[?$\\])
    """,
    re.VERBOSE | re.DOTALL | re.MULTILINE,
)


def nesting_depth(text: str) -> int:
    """The deepest nesting of (), {} and [] in SPARQL text, ignoring strings, IRIs and comments."""
    depth = deepest = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "iri":
            # What looks like an IRI may be `<` and `>` operators around a bracketed expression
            # (`?a<((1))>2`): count its brackets too, erring towards a deeper estimate.
            for ch in m.group():
                if ch in "([":
                    depth += 1
                    deepest = max(deepest, depth)
                elif ch in ")]":
                    depth = max(0, depth - 1)
    return deepest


def apply_using(text: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """Apply the protocol's using-graph-uri / using-named-graph-uri to every DELETE/INSERT ... WHERE
    operation of an update, as USING / USING NAMED clauses (SPARQL 1.1 Protocol 2.2.3).

    Works on tokens (strings, IRIs and comments are skipped), inserting the clauses before each
    top-level WHERE. The caller has checked on the parse tree that the text has no USING or WITH.
    """
    clauses = "".join(f" USING <{g}>" for g in default_graphs) + "".join(f" USING NAMED <{g}>" for g in named_graphs)
    out: list[str] = []
    depth = 0
    last = 0
    previous_word = ""
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "word":
            word = m.group().upper()
            if depth == 0 and word == "WHERE":
                if previous_word == "DELETE":
                    raise _bad(
                        "using-graph-uri cannot apply to DELETE WHERE; write DELETE { ... } WHERE { ... }",
                        "bad_request",
                    )
                out.append(text[last : m.start()])
                out.append(clauses.strip() + " ")
                last = m.start()
            if depth == 0:
                previous_word = word
    out.append(text[last:])
    return "".join(out)


def check_text(text: str, settings: Settings, what: str = "query") -> None:
    """Size, NUL and nesting checks that must pass before any parser sees ``text``."""
    size = len(text.encode("utf-8"))
    if size > settings.max_query_bytes:
        raise _query_too_large(size, settings)
    if not text.strip():
        raise _bad(f"the {what} is empty", "empty_query")
    if "\x00" in text:
        raise _bad(f"the {what} contains a NUL character (position {text.index(chr(0))})", "invalid_character")
    depth = nesting_depth(text)
    if depth > settings.max_nesting:
        raise _bad(
            f"the {what} nests brackets {depth} deep; the limit is {settings.max_nesting} (REGKG_MAX_NESTING)",
            "too_deeply_nested",
            limit=settings.max_nesting,
        )


# -- parsing and policy -------------------------------------------------------

_PARSE_LOCK: Final = threading.Lock()
_STACK_BYTES: Final = 256 * 1024 * 1024
T = TypeVar("T")


def _deep(fn: Callable[[], T]) -> T:
    """Run ``fn`` in a fresh thread with a deep stack, one at a time (rdflib's parser recurses
    deeply and is not thread-safe)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc

    with _PARSE_LOCK:
        old_limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old_limit, 100_000))
        old = threading.stack_size(_STACK_BYTES)
        try:
            t = threading.Thread(target=run, name="regkg-sparql-parse", daemon=True)
        finally:
            threading.stack_size(old)
        try:
            t.start()
            t.join()
        finally:
            sys.setrecursionlimit(old_limit)
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Inspection:
    """What the parser found: the query form and the graphs the operation names."""

    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE
    graphs: frozenset[str] = field(default_factory=frozenset)
    #: the text has FROM / FROM NAMED (USING / USING NAMED / WITH) clauses, which define its dataset.
    has_dataset_clause: bool = False

    @property
    def kind(self) -> formats.Kind:
        return formats.Kind.RESULTS if self.form in {"SELECT", "ASK"} else formats.Kind.GRAPH


_FORMS: Final = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


def _walk(node: Any, visit: Callable[[Any], None]) -> None:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, CompValue):
            visit(n)
            stack.extend(n.values())
        elif isinstance(n, ParseResults | list | tuple):
            stack.extend(n)


def _parse_error(exc: Exception, text: str) -> ApiError:
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "col", None)
    msg = getattr(exc, "msg", None) or str(exc)
    where = f" at line {line}, column {col}" if line is not None else ""
    return _bad(f"SPARQL syntax error{where}: {msg}", "syntax_error", line=line, column=col)


def inspect(
    operation: Operation,
    text: str,
    known_graphs: Callable[[], Iterable[str]],
    protocol_graphs: Sequence[str] = (),
) -> Inspection:
    """Parse ``text`` and refuse what must never run: SERVICE, LOAD, unknown FROM / USING graphs.

    ``known_graphs`` is called only when the operation names graphs. Raises ApiError
    400 (syntax, an update sent as a query) or 403 (forbidden operation).
    """
    if operation == "query":
        quick = _quick_form(text)
        if quick is not None:
            _check_graphs(set(protocol_graphs), known_graphs)
            return Inspection(form=quick)
    elif _quick_update(text):
        _check_graphs(set(protocol_graphs), known_graphs)
        return Inspection(form="UPDATE")
    return _inspect_parsed(operation, text, known_graphs, protocol_graphs)


#: Keywords that only the parse tree may judge. In a query: SERVICE and FROM (NAMED), and every
#: update verb (an update sent as a query is refused with its own message).
_SLOW_QUERY_KEYWORDS: Final = frozenset(
    {"SERVICE", "FROM", "NAMED", "LOAD", "USING", "WITH", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD"}
    | {"MOVE", "COPY", "DATA"}
)
#: In an update: SERVICE, LOAD, and USING / WITH (which name a dataset).
_SLOW_UPDATE_KEYWORDS: Final = frozenset({"SERVICE", "LOAD", "USING", "WITH", "NAMED", "FROM"})
_QUERY_FORMS: Final = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_KEYWORD_IN_IRI: Final = re.compile(
    r"(?<![A-Za-z0-9_:#/.\-])(SERVICE|FROM|LOAD|USING|WITH|INSERT|DELETE)(?![A-Za-z0-9_])", re.IGNORECASE
)


def _scan(text: str, slow: frozenset[str]) -> tuple[bool, str | None]:
    """Whether the text is free of the ``slow`` keywords, and its query form (first top-level
    SELECT / ASK / CONSTRUCT / DESCRIBE).

    An operation can only reach the network, read a file or name a dataset through a few keywords
    (SERVICE, FROM, LOAD, USING, WITH). When none of them occurs as a token (strings, IRIs and
    comments skipped; escapes \\u / \\U, which the SPARQL grammar expands before lexing, always send
    the text to the parser), there is nothing to refuse and the rdflib parse (milliseconds, and
    not thread-safe) is skipped; pyoxigraph still parses and reports syntax errors. Anything else
    is decided by :func:`_inspect_parsed` on the parse tree.
    """
    if "\\u" in text or "\\U" in text:
        return False, None
    form = None
    depth = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word":
            word = m.group().upper()
            if word in slow:
                return False, None
            if form is None and depth == 0 and word in _QUERY_FORMS:
                form = word
        elif kind == "iri" and _KEYWORD_IN_IRI.search(m.group()[1:-1]):
            # maybe `<` and `>` used as operators around a keyword: let the parser judge
            return False, None
    return True, form


def _quick_form_uncached(text: str) -> str | None:
    ok, form = _scan(text, _SLOW_QUERY_KEYWORDS)
    return form if ok else None


_quick_form_cached = functools.lru_cache(maxsize=1024)(_quick_form_uncached)


def _quick_form(text: str) -> str | None:
    """The query form when the tokens show nothing for the parser to judge, else None."""
    # Short texts (the usual queries, asked again and again) are remembered.
    return _quick_form_cached(text) if len(text) <= 4096 else _quick_form_uncached(text)


def _quick_update(text: str) -> bool:
    """True when an update's tokens show no SERVICE, LOAD, USING or WITH."""
    return _scan(text, _SLOW_UPDATE_KEYWORDS)[0]


def _check_graphs(named: set[str], known_graphs: Callable[[], Iterable[str]]) -> None:
    if not named:
        return
    known = set(known_graphs())
    unknown = sorted(g for g in named if g not in known)
    if unknown:
        raise ApiError(
            403,
            "unknown_graph",
            f"<{unknown[0]}> is not a graph of this store; FROM, FROM NAMED, USING and the "
            "graph parameters may only name graphs it holds (nothing is fetched)",
            graphs=unknown,
        )


def _inspect_parsed(
    operation: Operation,
    text: str,
    known_graphs: Callable[[], Iterable[str]],
    protocol_graphs: Sequence[str] = (),
) -> Inspection:
    """:func:`inspect` on rdflib's parse tree."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    def parse() -> Any:
        if operation == "query":
            try:
                return parseQuery(text)
            except ParseException as exc:
                try:
                    parseUpdate(text)
                except Exception:
                    raise _parse_error(exc, text) from None
                raise _bad("this is an update; POST it to /update", "update_not_allowed") from None
        try:
            return parseUpdate(text)
        except ParseException as exc:
            raise _parse_error(exc, text) from None

    try:
        tree = _deep(parse)
    except RecursionError:
        raise _bad("the query is nested too deeply to parse", "too_deeply_nested") from None
    except ApiError:
        raise
    except Exception as exc:  # rdflib raises assorted errors on odd input (bad IRIs, prefixes)
        raise _parse_error(exc, text) from None

    form = "UPDATE"
    named: set[str] = set(protocol_graphs)
    dataset_clause = False
    problems: list[str] = []

    def visit(n: Any) -> None:
        nonlocal form, dataset_clause
        name = n.name
        if name in _FORMS:
            form = _FORMS[name]
        elif name == "ServiceGraphPattern":
            target = _get(n, "term")
            problems.append(f"SERVICE {_show(target)} is not allowed: this endpoint never queries other services")
        elif name == "Load":
            problems.append(f"LOAD {_show(_get(n, 'iri'))} is not allowed: this service never fetches data")
        elif name == "Modify" and _get(n, "withClause") is not None:
            dataset_clause = True  # WITH may name a new graph to write into: not checked as a source
        elif name in {"DatasetClause", "UsingClause"}:
            iri = _get(n, "default") if _get(n, "default") is not None else _get(n, "named")
            if iri is not None:
                named.add(str(iri))
                dataset_clause = True

    _walk(tree, visit)
    if problems:
        raise ApiError(403, "forbidden", problems[0], problems=problems)
    _check_graphs(named, known_graphs)
    return Inspection(form=form, graphs=frozenset(named), has_dataset_clause=dataset_clause)


def _get(node: Any, key: str) -> Any:
    """A parse-tree node's value for ``key`` or None (CompValue.get returns the key when missing)."""
    return dict.get(node, key)


def _show(term: Any) -> str:
    if term is None:
        return ""
    from rdflib import URIRef, Variable

    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Variable):
        return f"?{term}"
    return str(term)


# -- evaluation -------------------------------------------------------------------


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


# -- service description ---------------------------------------------------------------

_SD: Final = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS_NS: Final = "http://www.w3.org/ns/formats/"
_RESULT_FORMAT_IRIS: Final[dict[str, str]] = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
    "application/n-quads": "N-Quads",
    "application/trig": "TriG",
}


def service_description(endpoint: str, graphs: Iterable[str], settings: Settings) -> list[ox.Triple]:
    """A SPARQL 1.1 Service Description of the query endpoint at ``endpoint``."""
    from regkg import vocab

    sd = ox.NamedNode(endpoint)
    rdf_type = ox.NamedNode(vocab.RDF + "type")

    def n(local: str) -> ox.NamedNode:
        return ox.NamedNode(_SD + local)

    ds = ox.BlankNode("dataset")
    dg = ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(sd, rdf_type, n("Service")),
        ox.Triple(sd, n("endpoint"), sd),
        ox.Triple(sd, n("supportedLanguage"), n("SPARQL11Query")),
        ox.Triple(sd, n("feature"), n("UnionDefaultGraph")),
        ox.Triple(sd, n("defaultDataset"), ds),
        ox.Triple(ds, rdf_type, n("Dataset")),
        ox.Triple(ds, n("defaultGraph"), dg),
        ox.Triple(dg, rdf_type, n("Graph")),
        ox.Triple(
            sd,
            ox.NamedNode(vocab.RDFS + "comment"),
            ox.Literal(
                "regkg SPARQL 1.1 endpoint (read only; updates at /update with a token). The default graph is "
                f"the union of the named graphs. Limits: {settings.query_timeout:g} s per query "
                f"(REGKG_QUERY_TIMEOUT), {settings.max_rows} rows (REGKG_MAX_ROWS; a cut result carries "
                f"{TRUNCATED_HEADER}: true), {settings.max_query_bytes} bytes per query. SERVICE, LOAD and "
                "FROM/USING of graphs outside the store are refused.",
                language="en",
            ),
        ),
    ]
    for fmt in formats.FORMATS:
        local = _RESULT_FORMAT_IRIS.get(fmt.media_type)
        if local:
            triples.append(ox.Triple(sd, n("resultFormat"), ox.NamedNode(_FORMATS_NS + local)))
    for g in sorted(set(graphs)):
        node = ox.BlankNode()
        triples.append(ox.Triple(ds, n("namedGraph"), node))
        triples.append(ox.Triple(node, rdf_type, n("NamedGraph")))
        triples.append(ox.Triple(node, n("name"), ox.NamedNode(g)))
    return triples
