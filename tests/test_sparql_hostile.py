"""Hostile input over HTTP against a running server: each gets a clear 4xx or 503, the process
stays up, nothing is fetched from the network or read from a file, and no CPU is left burning."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import httpx
import pytest

from .conftest import LiveServer

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def _error(r: httpx.Response, status: int, code: str | None = None) -> dict[str, str]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]  # type: ignore[no-any-return]


def _forbidden_queries(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{url}> {{ ?s ?q ?r }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }} LIMIT 1",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?svc) SERVICE ?svc {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?svc {{ <{url}> }} SERVICE SILENT ?svc {{ ?s ?p ?o }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX service: <urn:x:> SELECT * WHERE {{ ?s service:p ?o . SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


def test_escaped_keywords_fetch_nothing(client: httpx.Client, listener: Listener) -> None:
    """SPARQL expands \\u escapes before lexing: a SERVICE spelt with one is still caught."""
    query = f"SELECT * WHERE {{ \\u0053ERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    r = client.get("/sparql", params={"query": query})
    assert r.status_code in {400, 403}, r.text
    assert listener.connections == 0


@pytest.mark.parametrize("index", range(len(_forbidden_queries("x"))))
def test_forbidden_queries_fetch_nothing(index: int, client: httpx.Client, listener: Listener) -> None:
    query = _forbidden_queries(listener.url)[index]
    for method in ("GET", "POST"):
        if method == "GET":
            r = client.get("/sparql", params={"query": query})
        else:
            r = client.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
        err = _error(r, 403, "forbidden")
        assert "SERVICE" in err["message"]
    time.sleep(0.1)
    assert listener.connections == 0


def _dataset_queries(url: str) -> list[str]:
    return [
        f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
        f"DESCRIBE <{url}> FROM <{url}>",
    ]


@pytest.mark.parametrize("index", range(len(_dataset_queries("x"))))
def test_dataset_clauses_name_graphs_of_the_store(index: int, client: httpx.Client, listener: Listener) -> None:
    """FROM / FROM NAMED of a graph the store does not hold is an empty graph: never fetched, never read."""
    query = _dataset_queries(listener.url)[index]
    accept = "application/n-triples" if query.startswith("DESCRIBE") else "text/csv"
    r = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert len(r.text.strip().splitlines()) <= (0 if accept == "application/n-triples" else 1)  # an empty graph
    time.sleep(0.1)
    assert listener.connections == 0


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("target", ["listener", "file:///etc/passwd"])
def test_graph_parameters_fetch_nothing(param: str, target: str, client: httpx.Client, listener: Listener) -> None:
    url = listener.url if target == "listener" else target
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", param: url})
    assert r.status_code == 200 and r.json()["results"]["bindings"] == [], r.text
    assert listener.connections == 0


def _updates(url: str) -> list[str]:
    return [
        f"LOAD <{url}>",
        f"LOAD SILENT <{url}> INTO GRAPH <urn:regkg:test:load>",
        "LOAD <file:///etc/passwd>",
        f"INSERT DATA {{ GRAPH <urn:regkg:test:x> {{ <urn:a> <urn:b> <urn:c> }} }} ; LOAD <{url}>",
        f"INSERT {{ GRAPH <urn:regkg:test:x> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


@pytest.mark.parametrize("index", range(len(_updates("x"))))
def test_forbidden_updates_fetch_nothing(
    index: int, client: httpx.Client, listener: Listener, live_server: LiveServer
) -> None:
    update = _updates(listener.url)[index]
    before = live_server.health()["data_version"]
    r = client.post(
        "/update",
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {live_server.write_token}"},
    )
    _error(r, 403)
    assert listener.connections == 0
    assert live_server.health()["data_version"] == before
    # Sent to the query endpoint, an update is refused before anything runs.
    _error(client.get("/sparql", params={"query": update}), 400, "update_not_allowed")
    assert listener.connections == 0


def test_escaped_load_fetches_nothing(client: httpx.Client, listener: Listener, live_server: LiveServer) -> None:
    r = client.post(
        "/update",
        content=f"\\u004COAD <{listener.url}>".encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {live_server.write_token}"},
    )
    assert r.status_code in {400, 403}, r.text
    assert listener.connections == 0


@pytest.mark.parametrize(
    "update",
    [
        "INSERT { GRAPH <urn:regkg:test:x> { ?s ?p ?o } } USING <{url}> WHERE { ?s ?p ?o }",
        "INSERT { GRAPH <urn:regkg:test:x> { ?s ?p ?o } } USING NAMED <{url}> WHERE { GRAPH ?g { ?s ?p ?o } }",
    ],
)
def test_using_a_graph_the_store_lacks_fetches_nothing(
    update: str, client: httpx.Client, listener: Listener, live_server: LiveServer
) -> None:
    """USING a graph the store does not hold reads an empty graph: the update changes nothing."""
    before = live_server.health()["data_version"]
    r = client.post(
        "/update",
        content=update.replace("{url}", listener.url).encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {live_server.write_token}"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 0
    assert live_server.health()["data_version"] == before
    assert listener.connections == 0


def test_using_graph_parameter_fetches_nothing(
    client: httpx.Client, listener: Listener, live_server: LiveServer
) -> None:
    r = client.post(
        "/update",
        params={"using-graph-uri": listener.url},
        content=b"INSERT { GRAPH <urn:regkg:test:x> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {live_server.write_token}"},
    )
    assert r.status_code == 200 and r.json()["added"] == 0, r.text
    assert listener.connections == 0


BAD_TEXT = [
    ("empty", "", 400, "missing_parameter"),  # GET ?query= with an empty value
    ("blank", "   \n\t ", 400, "empty_query"),
    ("nul", 'SELECT * WHERE { ?s ?p "a\x00b" }', 400, "invalid_character"),
    ("nested groups", "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000, 400, "too_deeply_nested"),
    (
        "nested expressions",
        "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
        400,
        "too_deeply_nested",
    ),
    ("nested paths", "SELECT * WHERE { ?s " + "(" * 3000 + "rdf:type" + ")" * 3000 + " ?o }", 400, "too_deeply_nested"),
    (
        "nested blank nodes",
        "SELECT * WHERE { ?s ?p " + "[ ?p " * 3000 + "1" + " ]" * 3000 + " }",
        400,
        "too_deeply_nested",
    ),
    (
        "nesting hidden as an IRI",
        "SELECT * WHERE { FILTER(?a<" + "(" * 3000 + "1" + ")" * 3000 + ">2) }",
        400,
        "too_deeply_nested",
    ),
    ("unclosed nesting", "SELECT * WHERE " + "{" * 5000, 400, "too_deeply_nested"),
]


@pytest.mark.parametrize(("name", "text", "status", "code"), BAD_TEXT, ids=[b[0] for b in BAD_TEXT])
def test_bad_text(name: str, text: str, status: int, code: str, client: httpx.Client, live_server: LiveServer) -> None:
    if name == "empty":
        r = client.get("/sparql?query=")
        # An empty query parameter is an empty query.
        _error(r, 400)
    else:
        _error(
            client.post("/sparql", content=text.encode(), headers={"Content-Type": "application/sparql-query"}),
            status,
            code,
        )
        _error(client.post("/sparql", data={"query": text}), status, code)
    assert live_server.alive()
    assert live_server.health()["workers"]["crashes"] == 0  # type: ignore[index]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE " + "{" * 150 + " ?s ?p ?o " + "}" * 150 + " LIMIT 1",
        "SELECT * WHERE { FILTER(" + "(" * 150 + "1" + ")" * 150 + ") }",
        "SELECT * WHERE { ?s " + "(" * 150 + "rdf:type" + ")" * 150 + " ?o } LIMIT 1",
    ],
    ids=["groups", "expressions", "paths"],
)
def test_nesting_under_the_limit_is_served(text: str, client: httpx.Client, live_server: LiveServer) -> None:
    """Nesting below REGKG_MAX_NESTING (200) reaches both parsers and the engine, and is answered."""
    r = client.post("/sparql", content=text.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200, r.text
    # with a FROM clause of a graph the store lacks: an empty dataset
    r = client.get("/sparql", params={"query": text.replace("SELECT *", "SELECT * FROM <urn:none>", 1)})
    assert r.status_code == 200, r.text
    assert live_server.alive()


def test_non_utf8_query_string(client: httpx.Client) -> None:
    _error(client.get("/sparql?query=SELECT%20%FF%FE"), 400, "invalid_encoding")


def test_oversize_query(client: httpx.Client, live_server: LiveServer) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000
    _error(
        client.post("/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"}),
        413,
        "too_large",
    )
    _error(client.post("/sparql", data={"query": big}), 413, "too_large")
    huge = b"x" * 5_000_000
    _error(client.post("/sparql", content=huge, headers={"Content-Type": "application/sparql-query"}), 413, "too_large")
    assert live_server.alive()


def test_unsupported_accept(client: httpx.Client) -> None:
    err = _error(client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "application/pdf"}), 406)
    assert "application/sparql-results+json" in err["message"]


HEAVY = [
    ("cartesian product", CARTESIAN),
    ("negated property path closure", "SELECT (COUNT(*) AS ?n) WHERE { ?a (rdf:type|!rdf:type)* ?b }"),
    ("order by over a huge join", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"),
    (
        "catastrophic regex",
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f "
        'FILTER(REGEX(CONCAT(STR(?c), STR(?f), "!"), "^(([a-z])+.)+[A-Z]([a-z])+$")) }',
    ),
]


@pytest.mark.parametrize(("name", "query"), HEAVY, ids=[h[0] for h in HEAVY])
def test_heavy_queries_are_stopped(name: str, query: str, client: httpx.Client, live_server: LiveServer) -> None:
    started = time.monotonic()
    r = client.get("/sparql", params={"query": query})
    elapsed = time.monotonic() - started
    assert elapsed < live_server.query_timeout + 2.0
    if r.status_code != 200:  # finished in time is fine too; otherwise a clear 503
        err = _error(r, 503, "timeout")
        assert "REGKG_QUERY_TIMEOUT" in err["message"]
        assert int(r.headers["retry-after"]) >= 1
    assert live_server.alive()
    _wait_for_workers(live_server)


def _wait_for_workers(server: LiveServer, seconds: float = 30) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while True:
        h = server.health()
        workers = h["workers"]
        if workers["alive"] == 2:  # type: ignore[index]
            return h
        assert time.monotonic() < deadline, h
        time.sleep(0.1)


def _cpu_ticks(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return None
    if fields[0] in {"Z", "X"}:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def _busy_pid(server: LiveServer, deadline: float) -> int:
    while time.monotonic() < deadline:
        for w in server.health()["workers"]["engines"]:  # type: ignore[index]
            if w["state"] == "busy":
                return int(w["pid"])
        time.sleep(0.05)
    raise AssertionError("no worker became busy")


def test_runaway_query_is_killed_and_service_stays_responsive(client: httpx.Client, live_server: LiveServer) -> None:
    _wait_for_workers(live_server)
    before = live_server.health()["workers"]["timeouts"]  # type: ignore[index]
    with ThreadPoolExecutor(1) as pool, contextlib.ExitStack() as stack:
        started = time.monotonic()
        future = pool.submit(lambda: httpx.get(live_server.url + "/sparql", params={"query": CARTESIAN}, timeout=30))
        pid = _busy_pid(live_server, started + 2)
        ticks = _cpu_ticks(pid)
        assert ticks is not None
        # While it burns CPU: /healthz answers within a second, and another client's light queries
        # are served (another client: another loopback address, as fairness is per client).
        other = stack.enter_context(httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=5))
        light = 0
        while not future.done():
            t = time.monotonic()
            assert httpx.get(live_server.url + "/healthz", timeout=5).status_code == 200
            assert time.monotonic() - t < 1.0
            t = time.monotonic()
            r = other.get(live_server.url + "/sparql", params={"query": "ASK { ?s a rk:Regulator }"})
            assert r.status_code == 200 and r.json()["boolean"] is True
            assert time.monotonic() - t < 1.0
            light += 1
            time.sleep(0.1)
        r = future.result()
        elapsed = time.monotonic() - started
    assert light >= 3
    _error(r, 503, "timeout")
    assert r.headers["retry-after"]
    assert live_server.query_timeout - 0.5 < elapsed < live_server.query_timeout + 2
    # Its worker burned CPU while it ran, and is gone now: the CPU work really stopped.
    deadline = time.monotonic() + 2
    while _cpu_ticks(pid) is not None:
        assert time.monotonic() < deadline, f"worker {pid} still alive after the time-out"
        time.sleep(0.05)
    h = _wait_for_workers(live_server)
    assert h["workers"]["timeouts"] > before  # type: ignore[index]
    assert pid not in {w["pid"] for w in h["workers"]["engines"]}  # type: ignore[index]


def test_client_disconnect_stops_the_query(live_server: LiveServer) -> None:
    before = _wait_for_workers(live_server)["workers"]
    host, port = live_server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    request = f"GET /sparql?query={quote(CARTESIAN)} HTTP/1.1\r\nHost: {host}\r\n\r\n"
    sock.sendall(request.encode())
    pid = _busy_pid(live_server, time.monotonic() + 2)
    sock.close()  # the client goes away while its query runs, before the time-out
    closed = time.monotonic()
    while _cpu_ticks(pid) is not None:
        assert time.monotonic() - closed < 5, "the worker kept running"
        time.sleep(0.05)
    assert live_server.alive()
    after = _wait_for_workers(live_server)["workers"]
    # It was the disconnect that ended the worker, not the time-out.
    assert after["disconnects"] == before["disconnects"] + 1  # type: ignore[index]
    assert after["timeouts"] == before["timeouts"]  # type: ignore[index]


def test_nothing_was_fetched_at_all(listener: Listener) -> None:
    assert listener.connections == 0
