"""Property-based fuzzing of /sparql and /update (issue 9): random and mutated queries and updates --
seeded from queries/ and the W3C syntax suites -- never get a 5xx other than a 503 time-out, never
kill an engine, and never take the web process down. Bounded so that it stays quick."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regkg import resources

from .conftest import LiveServer, running_server

pytestmark = pytest.mark.slow

W3C = Path(__file__).resolve().parents[2] / "shared" / "w3c-rdf-tests" / "sparql" / "sparql11"


def _seeds() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(resources.queries_dir().glob("*.rq"))]
    for suite in ("syntax-query", "syntax-update-1", "syntax-update-2"):
        folder = W3C / suite
        if folder.is_dir():
            texts += [p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.glob("*.r[qu]"))[:60]]
    return texts


SEEDS = _seeds()
PIECES = [
    "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/>",
    "!" * 300,
    "(" * 250,
    "||" * 300,
    "/" * 300,
    "{",
    "}",
    "\\u0053ERVICE",
    "FROM <file:///etc/passwd>",
    "\x01",
    "\ud800",
    "'",
    '"""',
    "#",
    "<",
    ">",
    ".",
    ";",
    "GRAPH ?g {",
    "BIND(<http://example/f>(1) AS ?z)",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DROP ALL",
]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(0, 4))):
        pos = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "duplicate", "random"]))
        if op == "insert":
            text = text[:pos] + draw(st.sampled_from(PIECES)) + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 40)) :]
        elif op == "duplicate":
            text = text[:pos] + text[pos : pos + 30] * draw(st.integers(2, 50)) + text[pos:]
        else:
            text = text[:pos] + draw(st.text(max_size=20)) + text[pos:]
    return text


def _check(r: httpx.Response) -> None:
    assert r.status_code < 500 or r.status_code == 503, (r.status_code, r.text[:500])
    if r.status_code >= 400:
        assert r.json()["error"]["code"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(mutated(), st.text(max_size=300)))
def test_fuzz_queries(text: str, client: httpx.Client) -> None:
    body = text.encode("utf-8", "surrogatepass")
    _check(client.post("/sparql", content=body, headers={"Content-Type": "application/sparql-query"}))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server of its own on a small store, which the fuzzed updates may wreck."""
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "small.nq").write_text("<urn:x:s> <urn:x:p> <urn:x:o> <urn:x:g> .\n")
    with running_server(folder, REGKG_STORE=f"snapshot:{folder / 'small.nq'}") as server:
        yield server


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutated())
def test_fuzz_updates(text: str, scratch: LiveServer) -> None:
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {scratch.write_token}"}
    with httpx.Client(base_url=scratch.url, timeout=30) as c:
        _check(c.post("/update", content=text.encode("utf-8", "surrogatepass"), headers=headers))
        _check(c.post("/sparql", content=text.encode("utf-8", "surrogatepass"), headers=_QUERY))


_QUERY = {"Content-Type": "application/sparql-query"}


@pytest.mark.parametrize("server", ["live_server", "scratch"])
def test_fuzzing_left_every_process_alive(server: str, request: pytest.FixtureRequest) -> None:
    live: LiveServer = request.getfixturevalue(server)
    h = live.health()
    assert live.alive()
    assert h["workers"]["crashes"] == 0, h  # type: ignore[index]
    assert h["workers"]["alive"] == 2, h  # type: ignore[index]
