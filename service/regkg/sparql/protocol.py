"""The SPARQL 1.1 Protocol's requests: :func:`read_request` turns the parts of an HTTP request
(method, Content-Type, parameters, body) into a :class:`ProtocolRequest`, or raises
:class:`ApiError` 400 / 405 / 413 for protocol misuse. It never parses SPARQL: the text goes to
an engine process as it came."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import parse_qsl

from regkg.config import Settings
from regkg.errors import ApiError
from regkg.sparql.limits import bad, query_too_large

__all__ = ["Operation", "ProtocolRequest", "read_request"]

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


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad(f"the {what} is not valid UTF-8 (byte {exc.start})", "invalid_encoding") from None


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
            raise bad("the URL's query string is not valid UTF-8", "invalid_encoding") from None
    if len(body) > settings.max_query_bytes + 64 * 1024:
        raise query_too_large(len(body), settings)
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
            raise bad(f"unsupported charset {charset!r}; send UTF-8", "unsupported_media_type")
        if mt == _FORM_TYPE:
            form_text = _decode(body, "request body")
            try:
                params += parse_qsl(form_text, keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                raise bad("the form body is not valid UTF-8 once URL-decoded", "invalid_encoding") from None
        elif mt == _DIRECT_TYPES[operation]:
            if any(k == name for k, _ in url_params):
                raise bad(f"the {name} is given both in the URL and in the body", "duplicate_parameter")
            text = _decode(body, f"{operation} body")
        elif mt == _DIRECT_TYPES["update"] and operation == "query":
            raise bad("updates are not accepted here; POST them to /update", "update_not_allowed")
        elif not mt:
            raise bad(
                f"missing Content-Type; use {_FORM_TYPE} or {_DIRECT_TYPES[operation]}",
                "unsupported_media_type",
            )
        else:
            raise bad(
                f"unsupported Content-Type {mt!r}; use {_FORM_TYPE} or {_DIRECT_TYPES[operation]}",
                "unsupported_media_type",
            )
    else:  # pragma: no cover - routes only accept GET and POST
        raise ApiError(405, "method_not_allowed", f"method {method} not allowed")

    values = [v for k, v in params if k == name]
    if operation == "query" and any(k == "update" for k, _ in params):
        raise bad("updates are not accepted here; POST them to /update", "update_not_allowed")
    if text is None:
        if len(values) > 1:
            raise bad(f"the {name} parameter is given {len(values)} times; give it once", "duplicate_parameter")
        if not values:
            if operation == "query" and method == "GET" and not params:
                return None
            raise bad(f"missing the {name} parameter", "missing_parameter")
        text = values[0]
    default_key, named_key = _GRAPH_PARAMS[operation]
    return ProtocolRequest(
        operation=operation,
        text=text,
        default_graphs=tuple(v for k, v in params if k == default_key),
        named_graphs=tuple(v for k, v in params if k == named_key),
    )
