"""Every error path of the whole service answers with the one JSON error shape.

One table of (method, path, params, headers, body, expected status, expected code) over every
router -- SPARQL protocol, updates, linked data, exploration API, pages -- checked against the
live server. A second test makes sure no route of the OpenAPI schema is left out of the table.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer

ID = "https://w3id.org/regkg/id/"
TAOBAO = ID + "platform/taobao"
CAC = ID + "org/cyberspace-administration-of-china"
UNKNOWN = ID + "org/no-such-company"
JSON = {"Accept": "application/json"}

# (method, path, params, headers, body, status, code or None for "any code")
Case = tuple[str, str, dict[str, Any], dict[str, str], bytes | None, int, str | None]

CASES: list[Case] = [
    # -- service ------------------------------------------------------------------
    ("POST", "/healthz", {}, {}, None, 405, "method_not_allowed"),
    ("GET", "/no/such/path", {}, JSON, None, 404, "not_found"),
    # -- SPARQL protocol ---------------------------------------------------------
    ("GET", "/sparql", {"query": "SELECT WHERE {"}, {}, None, 400, None),
    ("GET", "/sparql", {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}, {"Accept": "image/png"}, None, 406, None),
    ("POST", "/sparql", {}, {"Content-Type": "image/png"}, b"xx", 400, "unsupported_media_type"),
    ("PUT", "/sparql", {}, {}, b"", 405, "method_not_allowed"),
    ("POST", "/update", {}, {"Content-Type": "application/sparql-update"}, b"CLEAR ALL", 401, "unauthorized"),
    (
        "POST",
        "/update",
        {},
        {"Content-Type": "application/sparql-update", "Authorization": "Bearer wrong"},
        b"CLEAR ALL",
        401,
        "unauthorized",
    ),
    ("GET", "/update", {}, {}, None, 405, "method_not_allowed"),
    # -- the write gate: change log, graph store, drafts -------------------------
    ("GET", "/api/changes", {"limit": 0}, {}, None, 422, "invalid_request"),
    ("GET", "/api/changes", {"before": "not hex"}, {}, None, 422, "invalid_request"),
    ("GET", "/api/changes/0123456789abcdef", {}, JSON, None, 404, "not_found"),
    ("POST", "/api/changes/0123456789abcdef/revert", {}, {}, b"", 401, "unauthorized"),
    ("GET", "/changes.atom", {"limit": 0}, {}, None, 422, "invalid_request"),
    ("GET", "/graph-store", {}, {}, None, 400, "bad_request"),
    ("GET", "/graph-store", {"graph": "not an iri"}, {}, None, 400, "invalid_iri"),
    ("GET", "/graph-store", {"graph": "urn:regkg:no-such-graph"}, {}, None, 404, "not_found"),
    ("PUT", "/graph-store", {"graph": "urn:regkg:x"}, {"Content-Type": "text/turtle"}, b"", 401, "unauthorized"),
    ("DELETE", "/graph-store", {"graph": "urn:regkg:x"}, {}, None, 401, "unauthorized"),
    ("POST", "/api/draft", {}, {"Content-Type": "text/plain"}, b"x", 401, "unauthorized"),
    ("POST", "/api/draft/render", {}, {"Content-Type": "application/json"}, b"{}", 401, "unauthorized"),
    # -- linked data -------------------------------------------------------------
    ("GET", "/id/org/no-such-company", {}, JSON, None, 404, "not_found"),
    ("GET", "/id/platform/taobao", {}, {"Accept": "image/png"}, None, 406, "not_acceptable"),
    ("GET", "/concern/no-such-concern", {}, JSON, None, 404, "not_found"),
    ("GET", "/sector/no-such-sector", {}, JSON, None, 404, "not_found"),
    ("GET", "/data/org/no-such-company.ttl", {}, {}, None, 404, "not_found"),
    ("GET", "/data/platform/taobao.xyz", {}, {}, None, 404, "not_found"),
    ("GET", "/ontology", {}, {"Accept": "image/png"}, None, 406, None),
    ("GET", "/ontology.xyz", {}, {}, None, 404, "not_found"),
    ("POST", "/context.jsonld", {}, {}, b"", 405, "method_not_allowed"),
    ("GET", "/.well-known/void", {}, {"Accept": "image/png"}, None, 406, "not_acceptable"),
    ("GET", "/export", {}, {"Accept": "image/png"}, None, 406, "not_acceptable"),
    ("GET", "/export.xyz", {}, {}, None, 404, "not_found"),
    ("GET", "/graph/data/no-such-file", {}, {}, None, 404, "not_found"),
    ("GET", "/graph/inferred", {}, {"Accept": "image/png"}, None, 406, "not_acceptable"),
    ("GET", "/ontology/9.9.9", {}, {}, None, 404, "not_found"),
    # -- exploration API: bad parameters 422, unknown entities 404 ---------------------
    ("GET", "/api/search", {}, {}, None, 422, "invalid_request"),
    ("GET", "/api/search", {"q": ""}, {}, None, 422, "invalid_request"),
    ("GET", "/api/search", {"q": "taobao", "limit": 0}, {}, None, 422, "invalid_request"),
    ("GET", "/api/search", {"q": "taobao", "limit": 101}, {}, None, 422, "invalid_request"),
    ("GET", "/api/search", {"q": "taobao", "limit": "ten"}, {}, None, 422, "invalid_request"),
    ("GET", "/api/search", {"q": "x" * 201}, {}, None, 422, "invalid_request"),
    ("GET", "/api/search", {"q": "taobao", "type": "no such type"}, {}, None, 422, "invalid_iri"),
    ("GET", "/api/search", {"q": "taobao", "type": "Platform"}, {}, None, 422, "invalid_iri"),
    ("GET", "/api/entity", {}, {}, None, 422, "invalid_request"),
    ("GET", "/api/entity", {"iri": "not an iri"}, {}, None, 422, "invalid_iri"),
    ("GET", "/api/entity", {"iri": "<" + TAOBAO + ">"}, {}, None, 422, "invalid_iri"),
    ("GET", "/api/entity", {"iri": "http:relative"}, {}, None, 422, "invalid_iri"),
    ("GET", "/api/entity", {"iri": UNKNOWN}, {}, None, 404, "not_found"),
    ("GET", "/api/neighbourhood", {}, {}, None, 422, "invalid_request"),
    ("GET", "/api/neighbourhood", {"iri": TAOBAO, "hops": 0}, {}, None, 422, "invalid_request"),
    ("GET", "/api/neighbourhood", {"iri": TAOBAO, "hops": 4}, {}, None, 422, "invalid_request"),
    ("GET", "/api/neighbourhood", {"iri": TAOBAO, "limit": 0}, {}, None, 422, "invalid_request"),
    ("GET", "/api/neighbourhood", {"iri": TAOBAO, "limit": 501}, {}, None, 422, "invalid_request"),
    ("GET", "/api/neighbourhood", {"iri": "bad iri"}, {}, None, 422, "invalid_iri"),
    ("GET", "/api/neighbourhood", {"iri": UNKNOWN}, {}, None, 404, "not_found"),
    ("GET", "/api/neighbourhood", {"iri": TAOBAO, "concern": "no-such-concern"}, {}, None, 404, "not_found"),
    ("GET", "/api/neighbourhood", {"iri": TAOBAO}, {"Accept": "image/png"}, None, 406, "not_acceptable"),
    ("GET", "/api/path", {"to": CAC}, {}, None, 422, "invalid_request"),
    ("GET", "/api/path", {"from": TAOBAO}, {}, None, 422, "invalid_request"),
    ("GET", "/api/path", {"from": TAOBAO, "to": CAC, "max_hops": 0}, {}, None, 422, "invalid_request"),
    ("GET", "/api/path", {"from": TAOBAO, "to": CAC, "max_hops": 9}, {}, None, 422, "invalid_request"),
    ("GET", "/api/path", {"from": "nope", "to": CAC}, {}, None, 422, "invalid_iri"),
    ("GET", "/api/path", {"from": UNKNOWN, "to": CAC}, {}, None, 404, "not_found"),
    ("GET", "/api/path", {"from": TAOBAO, "to": UNKNOWN}, {}, None, 404, "not_found"),
    ("GET", "/api/group", {}, {}, None, 422, "invalid_request"),
    ("GET", "/api/group", {"iri": "bad iri"}, {}, None, 422, "invalid_iri"),
    ("GET", "/api/group", {"iri": UNKNOWN}, {}, None, 404, "not_found"),
    ("GET", "/api/group", {"iri": CAC}, {}, None, 422, "not_a_group_member"),
    ("POST", "/api/examples", {}, {}, b"", 405, "method_not_allowed"),
    # -- pages (JSON errors for clients that do not ask for HTML) -------------------
    ("GET", "/page/org/no-such-company", {}, JSON, None, 404, "not_found"),
    ("GET", "/page/org/bad..key", {}, JSON, None, 404, "not_found"),
    ("GET", "/page", {}, JSON, None, 422, "invalid_request"),
    ("GET", "/page", {"iri": "bad iri"}, JSON, None, 422, "invalid_iri"),
    ("GET", "/page", {"iri": "https://example.org/nothing"}, JSON, None, 404, "not_found"),
    ("GET", "/explore", {"iri": UNKNOWN}, JSON, None, 404, "not_found"),
    ("GET", "/explore", {"iri": "bad iri"}, JSON, None, 422, "invalid_iri"),
    ("POST", "/query", {}, JSON, b"", 405, "method_not_allowed"),
    ("POST", "/", {}, JSON, b"", 405, "method_not_allowed"),
    ("GET", "/static/no-such-file.js", {}, JSON, None, 404, "not_found"),
]


def _id(case: Case) -> str:
    method, path, params, headers, _body, status, _code = case
    extra = ",".join(f"{k}={str(v)[:20]}" for k, v in params.items())
    return f"{method} {path}?{extra} [{headers.get('Accept', '')}] -> {status}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_error_shape(client: httpx.Client, case: Case) -> None:
    method, path, params, headers, body, status, code = case
    r = client.request(method, path, params=params, headers=headers, content=body)
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"].startswith("application/json"), r.headers["content-type"]
    payload = r.json()
    assert set(payload) == {"error"}, payload
    error = payload["error"]
    assert isinstance(error.get("code"), str) and error["code"], payload
    assert isinstance(error.get("message"), str) and error["message"], payload
    if code is not None:
        assert error["code"] == code, payload


def test_every_route_has_an_error_case(live_server: LiveServer) -> None:
    """Each path of the OpenAPI schema appears in the table (a new route needs its error cases)."""
    schema = httpx.get(live_server.url + "/openapi.json", timeout=10).json()
    covered = {c[1] for c in CASES}

    def matches(template: str) -> bool:
        head = template.split("{", 1)[0]
        return any(p == template or (("{" in template) and p.startswith(head) and len(p) > len(head)) for p in covered)

    missing = [p for p in schema["paths"] if not matches(p)]
    assert not missing, f"routes without an error case in CASES: {missing}"


def test_pages_answer_browsers_with_html(client: httpx.Client) -> None:
    r = client.get("/page/org/no-such-company", headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Not found" in r.text


# -- hostile values in every parameter ---------------------------------------------------------

# Values no parameter accepts as they are: control characters, a lone surrogate (sent as the
# UTF-8 bytes of one, which no decoder accepts), and over-long values.
HOSTILE = {
    "control character": "%01",
    "control character in an IRI": "https%3A%2F%2Fw3id.org%2Fregkg%2Fid%2Forg%2F%01",
    "lone surrogate": "%ED%A0%80",
    "over-long": "x" * 5000,
}
# A valid value for each parameter, so that only the one under test is hostile.
VALID = {
    "iri": TAOBAO,
    "from": TAOBAO,
    "to": CAC,
    "q": "taobao",
    "query": "ASK {}",
    "limit": "5",
    "hops": "1",
    "max_hops": "3",
    "format": "ttl",
}


def _query_parameters(live_server: LiveServer) -> list[tuple[str, str, list[str]]]:
    schema = httpx.get(live_server.url + "/openapi.json", timeout=10).json()
    found = []
    for path, ops in schema["paths"].items():
        if "{" in path or "get" not in ops:
            continue
        params = [p["name"] for p in ops["get"].get("parameters", []) if p.get("in") == "query"]
        for name in params:
            found.append((path, name, params))
    return found


def test_hostile_values_in_every_parameter(client: httpx.Client, live_server: LiveServer) -> None:
    """Every GET parameter of every route, given each hostile value: a 4xx in the one error shape
    (never a 5xx), and the server stays up."""
    cases = _query_parameters(live_server)
    assert len(cases) >= 10
    problems = []
    for path, name, params in cases:
        for what, value in HOSTILE.items():
            others = "&".join(f"{p}={VALID[p]}" for p in params if p != name and p in VALID)
            url = f"{path}?{name}={value}" + (f"&{others}" if others else "")
            r = client.get(url, headers={"Accept": "application/json"})
            if not 400 <= r.status_code < 500:
                problems.append(f"{url[:120]} ({what}): {r.status_code} {r.text[:200]}")
                continue
            if r.headers["content-type"].startswith("application/json"):
                body = r.json()
                if set(body) != {"error"} or not body["error"].get("code"):
                    problems.append(f"{url[:120]} ({what}): not the error shape: {body}")
            else:
                problems.append(f"{url[:120]} ({what}): {r.headers['content-type']}")
    assert not problems, "\n".join(problems)
    assert live_server.alive()


@pytest.mark.parametrize("value", ["%01", "%ED%A0%80", "a" * 3000])
@pytest.mark.parametrize("path", ["/page/org/", "/id/org/", "/data/org/", "/graph/data/"])
def test_hostile_values_in_paths(client: httpx.Client, path: str, value: str) -> None:
    r = client.get(path + value, headers={"Accept": "application/json"})
    assert 400 <= r.status_code < 500, r.text[:300]
    assert r.json()["error"]["code"]
