"""Cross-origin reads (regkg.api.cors), over HTTP against the shared live server: a page of any
origin -- YASGUI or Comunica served elsewhere -- may query /sparql and read the linked data, its
preflight is answered, and the headers a script needs (ETag, the row cap's) are exposed."""

from __future__ import annotations

import http.server
import json
import threading

import httpx
import pytest

from tests.conftest import LiveServer
from tests.test_web import CHROMIUM, CHROMIUM_ARGS

ORIGIN = {"Origin": "https://yasgui.example"}
JSON = "application/sparql-results+json"
ALIBABA = "https://w3id.org/regkg/id/org/alibaba-group"
LOOKUP = f"SELECT ?p ?o WHERE {{ <{ALIBABA}> ?p ?o }}"


def _cors(r: httpx.Response) -> None:
    assert r.headers.get_list("access-control-allow-origin") == ["*"], r.headers
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert {"etag", "x-regkg-truncated", "x-regkg-max-rows", "link", "retry-after"} <= exposed


def test_a_preflight_is_answered(client: httpx.Client) -> None:
    r = client.options(
        "/sparql",
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, accept",
        },
    )
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "POST" in r.headers["access-control-allow-methods"]
    assert r.headers["access-control-allow-headers"] == "content-type, accept"
    # An OPTIONS that is no preflight is the app's (405: the routes take no OPTIONS).
    assert client.options("/sparql").status_code == 405


def test_queries_of_every_path_can_be_read_across_origins(client: httpx.Client) -> None:
    lane = client.get("/sparql", params={"query": LOOKUP}, headers={**ORIGIN, "Accept": JSON})
    assert lane.status_code == 200 and lane.headers["x-regkg-lane"] == "lookup"
    _cors(lane)
    revalidated = client.get(
        "/sparql", params={"query": LOOKUP}, headers={**ORIGIN, "Accept": JSON, "If-None-Match": lane.headers["etag"]}
    )
    assert revalidated.status_code == 304
    _cors(revalidated)
    engine = client.get("/sparql", params={"query": LOOKUP + " # engine"}, headers={**ORIGIN, "Accept": JSON})
    assert engine.status_code == 200 and "x-regkg-lane" not in engine.headers
    _cors(engine)
    posted = client.post(
        "/sparql", content=LOOKUP, headers={**ORIGIN, "Accept": JSON, "Content-Type": "application/sparql-query"}
    )
    assert posted.status_code == 200
    _cors(posted)
    wrong = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}, headers=ORIGIN)
    assert wrong.status_code == 400, "a script can read the error message too"
    _cors(wrong)


def test_linked_data_carries_one_allow_origin(client: httpx.Client) -> None:
    for path in ("/id/org/alibaba-group", "/data/org/alibaba-group"):
        r = client.get(path, headers={**ORIGIN, "Accept": "text/turtle"})
        _cors(r)  # a redirect too: a browser follows it only if it may read it
        final = client.get(path, headers={**ORIGIN, "Accept": "text/turtle"}, follow_redirects=True)
        assert final.status_code == 200 and final.headers["content-type"].startswith("text/turtle")
        _cors(final)


def test_no_origin_no_cors_headers(client: httpx.Client) -> None:
    for r in (
        client.get("/sparql", params={"query": LOOKUP}, headers={"Accept": JSON}),
        client.get("/sparql", params={"query": LOOKUP + " # engine"}, headers={"Accept": JSON}),
    ):
        assert "access-control-allow-origin" not in r.headers


# -- in a browser: a page of another origin queries the endpoint ------------------------------------


def test_a_page_of_another_origin_reads_answers_in_a_browser(live_server: LiveServer) -> None:
    """Chromium loads a page from another origin (a second local server, another port) whose script
    POSTs application/sparql-query to regkg -- the browser sends a preflight first -- and GETs a
    lookup; the script reads both answers and the ETag. (A public site's page reaching a server on
    the reader's own machine needs the browser's Local Network Access permission besides.)"""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make browser)")

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<!doctype html><title>another origin</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    other = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    script = """async (base) => {
        const post = await fetch(base + "/sparql", {method: "POST", body: QUERY,
            headers: {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}});
        const get = await fetch(base + "/sparql?query=" + encodeURIComponent(QUERY),
            {headers: {"Accept": "application/sparql-results+json"}});
        return {post: (await post.json()).results.bindings.length, get: (await get.json()).results.bindings.length,
                etag: get.headers.get("ETag"), lane: get.headers.get("X-RegKG-Lane"), origin: location.origin};
    }""".replace("QUERY", json.dumps(LOOKUP))
    try:
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{other.server_address[1]}/")
                got = page.evaluate(script, live_server.url)
            finally:
                browser.close()
    finally:
        other.shutdown()
        other.server_close()
    assert got["origin"] != live_server.url, "the page is of another origin"
    assert got["post"] > 10 and got["get"] == got["post"], got
    assert got["etag"] and got["lane"] == "lookup", got
