"""What an operation may do, decided on one real parse: every query and update is parsed by
rdflib's SPARQL 1.1 grammar (in the engine process, never the web process) and judged on the tree.

The parse tree tells: the query form (for content negotiation); SERVICE and LOAD, refused with
403 and a clear message; the graphs a dataset clause names (they need not exist: a graph the
store does not hold is an empty graph, never fetched); the function IRIs called (an unknown one
is an expression error, not a syntax error); and, for an update, which graphs it can change.

This is the first line, for clear messages. It is not the guard: the engine process is
sandboxed (:mod:`regkg.sandbox`), so a spelling this parse reads differently from the engine's
own parser still reaches nothing.

:func:`plain_query` lets a query that plainly has nothing to judge skip the parse (it costs a
point lookup most of its time); see there why that can only ever send more texts to the parse.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeVar

from regkg import formats
from regkg.errors import ApiError
from regkg.sparql.limits import bad

__all__ = ["ALL_GRAPHS", "DEFAULT_GRAPH", "Inspection", "inspect", "plain_query"]

Operation = Literal["query", "update"]

#: In :attr:`Inspection.touched`: the store's default graph, and "any graph" (the update names a
#: graph by a variable or a relative IRI, or works on NAMED / ALL).
DEFAULT_GRAPH: Final = ""
ALL_GRAPHS: Final = "*"

_XSD: Final = "http://www.w3.org/2001/XMLSchema#"
_STACK_BYTES: Final = 256 * 1024 * 1024
_PARSE_LOCK: Final = threading.Lock()
T = TypeVar("T")


@dataclass(frozen=True)
class Inspection:
    """What the parse found."""

    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE or UPDATE
    graphs: frozenset[str] = field(default_factory=frozenset)
    #: the text has FROM / FROM NAMED (USING / USING NAMED / WITH) clauses, which define its dataset.
    has_dataset_clause: bool = False
    #: IRIs called as functions that are not XSD casts (the engine gets them as unknown functions).
    functions: frozenset[str] = field(default_factory=frozenset)
    #: for an update: the graphs it may change (IRIs, DEFAULT_GRAPH, or ALL_GRAPHS).
    touched: frozenset[str] = field(default_factory=frozenset)
    #: an update made only of INSERT DATA / DELETE DATA: the graphs it changes are the ones its
    #: quads name, so nothing else can change (the engine skips its whole-copy check).
    data_only: bool = False
    #: from :func:`plain_query` without a parse: the text cannot hold what the fields above record,
    #: and ``form`` is not known (the engine takes it from its own result).
    plain: bool = False

    @property
    def kind(self) -> formats.Kind:
        return formats.Kind.RESULTS if self.form in {"SELECT", "ASK"} else formats.Kind.GRAPH


_FORMS: Final = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


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


def _parse_error(exc: Exception) -> ApiError:
    line = getattr(exc, "lineno", None)
    col = getattr(exc, "col", None)
    msg = getattr(exc, "msg", None) or str(exc)
    where = f" at line {line}, column {col}" if line is not None else ""
    return bad(f"SPARQL syntax error{where}: {msg}", "syntax_error", line=line, column=col)


def _get(node: Any, key: str) -> Any:
    """A parse-tree node's value for ``key`` or None (CompValue.get returns the key when missing)."""
    return dict.get(node, key)


def _show(term: Any) -> str:
    from rdflib import URIRef, Variable

    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Variable):
        return f"?{term}"
    return "" if term is None else str(term)


def _graph_ref(term: Any) -> str:
    """A graph an update names, as :attr:`Inspection.touched` records it."""
    from rdflib import URIRef

    if isinstance(term, URIRef) and ":" in str(term):
        return str(term)
    if isinstance(term, str) and term.upper() == "DEFAULT":
        return DEFAULT_GRAPH
    return ALL_GRAPHS  # NAMED, ALL, a variable, or a relative IRI (resolved later by the engine)


def _parse(operation: Operation, text: str) -> Any:
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
                    raise _parse_error(exc) from None
                raise bad("this is an update; POST it to /update", "update_not_allowed") from None
        try:
            return parseUpdate(text)
        except ParseException as exc:
            raise _parse_error(exc) from None

    try:
        return _deep(parse)
    except RecursionError:
        raise bad("the operation is nested too deeply to parse", "too_deeply_nested") from None
    except ApiError:
        raise
    except Exception as exc:  # rdflib raises assorted errors on odd input (bad IRIs, prefixes)
        raise _parse_error(exc) from None


def inspect(operation: Operation, text: str) -> Inspection:
    """Parse ``text`` and refuse what must never run (403: SERVICE, LOAD); 400 for bad syntax."""
    from rdflib import URIRef

    tree = _parse(operation, text)
    form = "UPDATE"
    named: set[str] = set()
    functions: set[str] = set()
    touched: set[str] = set()
    operations: set[str] = set()
    dataset_clause = False
    problems: list[str] = []

    def visit(n: Any) -> None:
        nonlocal form, dataset_clause
        name = n.name
        if name in _FORMS:
            form = _FORMS[name]
        elif name == "ServiceGraphPattern":
            problems.append(
                f"SERVICE {_show(_get(n, 'term'))} is not allowed: this endpoint never queries other services"
            )
        elif name == "Load":
            problems.append(f"LOAD {_show(_get(n, 'iri'))} is not allowed: this service never fetches data")
        elif name == "Function":
            iri = _get(n, "iri")
            if isinstance(iri, URIRef) and not str(iri).startswith(_XSD):
                functions.add(str(iri))
        elif name in {"DatasetClause", "UsingClause"}:
            iri = _get(n, "default") if _get(n, "default") is not None else _get(n, "named")
            if iri is not None:
                named.add(str(iri))
                dataset_clause = True
        if operation == "update":
            if name in _UPDATE_OPERATIONS:
                operations.add(name)
            _touch(n, touched)
            if name == "Modify" and _get(n, "withClause") is not None:
                dataset_clause = True

    _walk(tree, visit)
    if problems:
        raise ApiError(403, "forbidden", problems[0], problems=problems)
    return Inspection(
        form=form,
        graphs=frozenset(named),
        has_dataset_clause=dataset_clause,
        functions=frozenset(functions),
        touched=frozenset(touched),
        data_only=operation == "update" and bool(operations) and operations <= {"InsertData", "DeleteData"},
    )


#: What sends a query to the full parse: the letters of the keywords the parse acts on (SERVICE,
#: LOAD, FROM), a bracket (every function call and expression has one) and a backslash (the only
#: way to spell a character otherwise). Matched anywhere, IRIs and strings included.
_NOT_PLAIN: Final = re.compile(r"service|load|from|[(\\]", re.IGNORECASE)
_PLAIN: Final = Inspection(form="SELECT", plain=True)


def plain_query(text: str, full: Callable[[Operation, str], Inspection] | None = None) -> Inspection:
    """:func:`inspect` for a query, without rdflib's parse when the text plainly has nothing it
    would find; otherwise the full parse.

    Why this only ever sends more texts to the parse, never fewer: the engine can act on SERVICE,
    LOAD or FROM only if those letters stand one after another in the text (in some case), since
    a backslash escape is the only other way to spell a letter and texts with a backslash go to
    the parse; a function (whose IRI the parse records) is always called with a bracket; and
    non-ASCII texts go to the parse too, so no case folding beyond ASCII can make a keyword.
    The scan does not tokenize (an IRI or a string with "service" in it goes to the parse as
    well), so there is no lexer here that could read a text differently from the engine's.

    It decides nothing about safety either way: the engine process is sandboxed. A syntax error
    in a plain text still gets the parse's message (the engine runs :func:`inspect` then).
    ``full`` is the parse to use otherwise (the engine's remembers texts asked again)."""
    if text.isascii() and _NOT_PLAIN.search(text) is None:
        return _PLAIN
    return (full or inspect)("query", text)


_INSERT_DATA: Final = re.compile(r"\binsert\s+data\b", re.IGNORECASE)
#: Every keyword that starts or shapes another update operation, SERVICE and LOAD among them.
_NOT_INSERT_DATA: Final = re.compile(
    r"\b(?:delete|where|with|using|clear|drop|create|add|move|copy|load|service|from)\b|\\", re.IGNORECASE
)


def plain_insert_data(text: str) -> bool:
    """Whether an update is plainly only INSERT DATA operations, so that an engine may evaluate it
    on an empty scratch store and take what lands there as the quads it adds, without rdflib's
    parse (60 ms for 100 triples).

    The same argument as :func:`plain_query`: an operation other than INSERT DATA needs one of
    those keywords spelled out in ASCII letters (a backslash escape, the only other spelling,
    sends the text to the parse), so a text without any of them cannot hold one; a keyword inside
    a literal or an IRI merely sends the text to the parse too. It decides nothing about safety."""
    return text.isascii() and _INSERT_DATA.search(text) is not None and _NOT_INSERT_DATA.search(text) is None


_UPDATE_OPERATIONS: Final = frozenset(
    {"InsertData", "DeleteData", "DeleteWhere", "Modify", "Clear", "Drop", "Create", "Add", "Move", "Copy", "Load"}
)


def _touch(n: Any, touched: set[str]) -> None:
    """Record the graphs an update operation node can change."""
    name = n.name
    if name in {"InsertData", "DeleteData", "DeleteWhere", "InsertClause", "DeleteClause"}:
        touched.add(DEFAULT_GRAPH)
    elif name == "QuadsNotTriples":
        touched.add(_graph_ref(_get(n, "term")))
    elif name == "Modify":
        with_iri = _get(n, "withClause")
        if with_iri is not None:
            touched.add(_graph_ref(with_iri))
    elif name in {"Clear", "Drop", "Create"}:
        touched.add(_graph_ref(_get(n, "graphiri")))
    elif name in {"Add", "Move", "Copy"}:
        for g in _get(n, "graph") or ():
            touched.add(_graph_ref(g))
