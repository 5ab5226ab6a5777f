"""W3C SPARQL 1.1 syntax tests over HTTP, against a running server (``regkg serve``).

Queries are POSTed to /sparql (``application/sparql-query``), updates to /update
(``application/sparql-update``, with a write token), as the files are. The server holds an
empty in-memory store (a ``snapshot:`` of an empty N-Quads file), so that the positive update
tests, which are really applied, run fast and touch no shipped data.

* positive tests pass unless the answer is a 400 (or a 5xx). A 403 is the service's policy, not a
  syntax error, and passes: SERVICE (syntax-fed) and LOAD are refused by design. An update that
  parses but fails when applied (400 ``update_failed``, e.g. CREATE of a graph that exists) passes.
* negative tests pass when the answer is 400 for the text itself (not ``update_failed``).

The syntax tests of the evaluation manifests (aggregates, construct, grouping, delete-insert)
run here too. Known failures are listed in tests/w3c/expected-failures.txt.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import httpx
import pytest

from .conftest import LiveServer, running_server
from .w3c import expected, manifest
from .w3c.manifest import W3CTest

SKIP: Final = manifest.skip_reason()
pytestmark = [pytest.mark.slow, pytest.mark.skipif(SKIP is not None, reason=SKIP or "")]

SUITES: Final = ["syntax-query", "syntax-update-1", "syntax-update-2", "syntax-fed"]
EVAL_SUITES_WITH_SYNTAX: Final = ["aggregates", "construct", "grouping", "delete-insert"]
_POSITIVE: Final = {"PositiveSyntaxTest11", "PositiveUpdateSyntaxTest11"}
_NEGATIVE: Final = {"NegativeSyntaxTest11", "NegativeUpdateSyntaxTest11"}


def _tests() -> list[W3CTest]:
    if SKIP is not None:
        return []
    tests = manifest.load_suites(*SUITES)
    tests += [t for t in manifest.load_suites(*EVAL_SUITES_WITH_SYNTAX) if t.kind in _POSITIVE | _NEGATIVE]
    return [t for t in tests if t.kind in _POSITIVE | _NEGATIVE]


TESTS: Final = _tests()


#: An admin token of the W3C servers: the suites' CLEAR ALL / DROP ALL touch the change log's own
#: graph, which only an admin may change (a writer gets 403, as tests/test_write_gate.py shows).
W3C_ADMIN_TOKEN = "w3c-admin-token"


def empty_store_server(folder: Path) -> contextlib.AbstractContextManager[LiveServer]:
    """``regkg serve`` on an empty in-memory store, writes allowed with the test token (a writer)
    and with :data:`W3C_ADMIN_TOKEN` (an admin)."""
    empty = folder / "empty.nq"
    empty.write_bytes(b"")
    tokens = folder / "tokens.toml"
    digest = hashlib.sha256(W3C_ADMIN_TOKEN.encode()).hexdigest()
    tokens.write_text(f'[[token]]\nname = "w3c"\nrole = "admin"\nsha256 = "{digest}"\n')
    return running_server(folder, REGKG_STORE=f"snapshot:{empty}", REGKG_TOKENS_FILE=str(tokens))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with empty_store_server(tmp_path_factory.mktemp("w3c-syntax")) as s:
        yield s


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def is_update(test: W3CTest) -> bool:
    return "Update" in test.kind or (test.action is not None and test.action.suffix == ".ru")


def send(http: httpx.Client, server: LiveServer, test: W3CTest) -> httpx.Response:
    assert test.action is not None
    body = test.action.read_bytes()
    if is_update(test):
        headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {server.write_token}"}
        return http.post("/update", content=body, headers=headers)
    return http.post("/sparql", content=body, headers={"Content-Type": "application/sparql-query"})


def error_code(r: httpx.Response) -> str | None:
    try:
        return str(r.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


def syntax_failure(test: W3CTest, r: httpx.Response) -> str | None:
    """Why the answer is wrong for this syntax test, or None."""
    code = error_code(r)
    shown = f"{r.status_code} {code or ''}: {r.text[:300]}"
    if test.kind in _POSITIVE:
        if r.status_code >= 500 or (r.status_code == 400 and code != "update_failed"):
            return f"valid SPARQL refused: {shown}"
        return None
    if r.status_code != 400 or code == "update_failed":
        return f"invalid SPARQL not refused with 400 for its syntax: {shown}"
    return None


@pytest.mark.parametrize("test", TESTS, ids=lambda t: t.id)
def test_syntax(test: W3CTest, server: LiveServer, http: httpx.Client, request: pytest.FixtureRequest) -> None:
    if test.not_run:
        pytest.skip(f"{test.id} is {test.not_run} by the W3C (dawgt:approval); not run")
    r = send(http, server, test)
    if test.kind in _POSITIVE and r.status_code == 403:
        # counted apart by tests/w3c/counts.py (a junit property; record_property warns under xunit2)
        request.node.user_properties.append(("policy", f"403 {error_code(r)}"))
    expected.check(test.id, syntax_failure(test, r))
