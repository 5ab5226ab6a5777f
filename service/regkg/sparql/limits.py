"""The cheap limits that hold before any parser sees client text: size, NUL, and nesting depth.

The engine's parser (pyoxigraph's, a recursive-descent grammar) recurses once per bracket *and*
once per operator in a run: ``!!!!…true``, ``a || b || …``, a path ``:p/:p/…`` and ``+1+1+…``
each nest one level deeper per operator, and about ten thousand levels overflow its stack and
abort the process. So :func:`nesting_depth` counts what that parser nests: brackets, and the
operators of a run inside one bracket level (a run ends at ``.``, ``;`` and ``,``). It is a
lexer, not a parser: strings, IRIs and comments are skipped, ``\\u`` escapes are expanded first
(as the grammar does before lexing), and where ``<`` … ``>`` may be an IRI or two operators it
counts the deeper reading. Checks run in the engine process, never in the web process.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

from regkg.config import Settings
from regkg.errors import ApiError

__all__ = ["apply_using", "bad", "check_text", "expand_escapes", "nesting_depth", "query_too_large", "tokens"]


def bad(message: str, code: str = "bad_request", status: int = 400, **extra: Any) -> ApiError:
    return ApiError(status, code, message, **extra)


def query_too_large(size: int, settings: Settings) -> ApiError:
    return ApiError(
        413,
        "too_large",
        f"the query is {size} bytes; the limit is {settings.max_query_bytes} (REGKG_MAX_QUERY_BYTES)",
        limit=settings.max_query_bytes,
    )


_TOKEN: Final = re.compile(
    r"""
      (?P<comment>\#[^\r\n]*)
    | (?P<long>'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)|\"\"\"(?:[^"\\]|\\.|"(?!""))*(?:\"\"\"|\Z))
    | (?P<string>'(?:[^'\\\r\n]|\\.)*(?:'|$)|"(?:[^"\\\r\n]|\\.)*(?:"|$))
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<open>[({\[])
    | (?P<close>[)}\]])
    | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
    | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
    | (?P<word>(?:[A-Za-z_\u00C0-\uFFFF]|:)(?:[A-Za-z0-9_\-.:\u00B7-\uFFFF]|\\.|%[0-9A-Fa-f]{2})*(?<!\.))
    | (?P<separator>[.;,])
    | (?P<operator>\|\||&&|!=|<=|>=|\^\^|[!=<>+\-*/|^?])
    | (?P<space>\s+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL | re.MULTILINE,
)
_STAR_KEYWORDS: Final = frozenset({"SELECT", "DISTINCT", "REDUCED", "DESCRIBE"})
#: Operators that can run on (``!!!``, ``a || b || c``, ``:p/:q/:r``, ``1+1+1``); comparisons cannot,
#: and ``^^`` only tags a literal.
_CHAINING: Final = frozenset({"!", "||", "&&", "+", "-", "*", "/", "|", "^"})
_ESCAPE: Final = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def expand_escapes(text: str) -> str:
    r"""Expand ``\uXXXX`` and ``\UXXXXXXXX`` as the SPARQL grammar does before lexing (19.2)."""
    if "\\u" not in text and "\\U" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group()

    return _ESCAPE.sub(one, text)


def tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, start) of each lexical token, white space left out."""
    return [(m.lastgroup or "other", m.group(), m.start()) for m in _TOKEN.finditer(text) if m.lastgroup != "space"]


def nesting_depth(text: str) -> int:
    """How deep the engine's parser would nest on ``text``: brackets plus operator runs."""
    levels: list[int] = [0]  # the length of the operator run at each open bracket level
    deepest = 0
    running = 0  # len(levels) - 1 + sum(levels), kept up to date
    previous = ""
    for m in _TOKEN.finditer(expand_escapes(text)):
        kind = m.lastgroup
        if kind == "space" or kind == "comment":
            continue
        if kind == "operator" and m.group() == "*" and previous in _STAR_KEYWORDS:
            kind = "word"  # SELECT * is a projection, not a product
        previous = m.group().upper() if kind == "word" else ""
        if kind == "open":
            levels.append(0)
            running += 1
        elif kind == "close":
            if len(levels) > 1:
                running -= 1 + levels.pop()
        elif kind == "operator":
            if m.group() in _CHAINING:
                levels[-1] += 1
                running += 1
        elif kind == "separator":
            running -= levels[-1]
            levels[-1] = 0
        elif kind == "iri":
            # `?a<(((1)))>2` is an IRI to a lexer and two comparisons to a parser: count its
            # brackets too, as the deeper reading.
            deepest = max(deepest, running + sum(1 for ch in m.group() if ch in "(["))
        deepest = max(deepest, running)
    return deepest


def check_text(text: str, settings: Settings, what: str = "query") -> None:
    """Size, NUL and nesting checks that must pass before any parser sees ``text``."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > settings.max_query_bytes:
        raise query_too_large(size, settings)
    if not text.strip():
        raise bad(f"the {what} is empty", "empty_query")
    if "\x00" in text:
        raise bad(f"the {what} contains a NUL character (position {text.index(chr(0))})", "invalid_character")
    depth = nesting_depth(text)
    if depth > settings.max_nesting:
        raise bad(
            f"the {what} nests {depth} levels deep (brackets, and runs of operators such as !, ||, / or +, "
            f"each nest one level); the limit is {settings.max_nesting} (REGKG_MAX_NESTING)",
            "too_deeply_nested",
            limit=settings.max_nesting,
        )


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
                    raise bad("using-graph-uri cannot apply to DELETE WHERE; write DELETE { ... } WHERE { ... }")
                out.append(text[last : m.start()])
                out.append(clauses.strip() + " ")
                last = m.start()
            if depth == 0:
                previous_word = word
    out.append(text[last:])
    return "".join(out)
