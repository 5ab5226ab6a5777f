"""The web pages: over HTTP (twins, redirects), then in a real browser (Playwright driving Debian's
chromium, never a downloaded one). Screenshots go to tests/screenshots/ (git-ignored) for people
to look at.

The browser walk is the issue's "done when": from the home page find Taobao, see it belongs to
Alibaba, see every action against the Alibaba group with amounts and sources, and walk in the
explorer from Taobao to the CAC and on to the other platforms it fined the same day; then run an
example query in the editor and see its rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from tests.conftest import LiveServer

ID = "https://w3id.org/regkg/id/"
TAOBAO = ID + "platform/taobao"
CAC = ID + "org/cyberspace-administration-of-china"
CAC_TAOBAO = ID + "action/2021-07-21-cac-minors-taobao"
CAC_QQ = ID + "action/2021-07-21-cac-minors-qq"
QQ = ID + "platform/qq"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VENDOR = Path(__file__).parents[1] / "service" / "regkg" / "web" / "static" / "vendor"

# -- over HTTP -------------------------------------------------------------------------------

# (path, the alternate every page must name in its Link header and its <link rel=alternate>)
PAGES = [
    ("/", "/.well-known/void"),
    ("/page/platform/taobao", "/data/platform/taobao.ttl"),
    ("/page/org/alibaba-group", "/data/org/alibaba-group.jsonld"),
    ("/page/concern/antitrust", "/data/concern/antitrust.ttl"),
    ("/page/action/2021-07-21-cac-minors-taobao", "/data/action/2021-07-21-cac-minors-taobao.nt"),
    ("/explore?iri=" + TAOBAO, "/api/neighbourhood?iri="),
    ("/query", "/api/examples"),
]


@pytest.mark.parametrize(("path", "twin"), PAGES)
def test_page_names_its_twin(client: httpx.Client, path: str, twin: str) -> None:
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert 'rel="alternate"' in r.headers["link"]
    assert twin in r.headers["link"]
    links = re.findall(r'<link rel="alternate" type="([^"]+)" href="([^"]+)">', r.text)
    assert any(href.startswith(twin.replace("&", "&amp;")) for _t, href in links), links
    # every alternate answers
    for _media, href in links:
        target = href.replace("&amp;", "&")
        assert client.get(target).status_code == 200, target


@pytest.mark.parametrize(
    ("iri", "location"),
    [(TAOBAO, "/page/platform/taobao"), ("concern:antitrust", "/page/concern/antitrust")],
)
def test_page_by_iri_redirects(client: httpx.Client, iri: str, location: str) -> None:
    r = client.get("/page", params={"iri": iri}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == location


def test_page_for_an_iri_outside_the_base(client: httpx.Client) -> None:
    r = client.get("/page", params={"iri": "https://schema.org/Service"}, headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "Service" in r.text


def test_taobao_page_shows_group(client: httpx.Client) -> None:
    html = client.get("/page/platform/taobao").text
    assert re.search(r"Part of the <a href=\"/page/org/alibaba-group\">Alibaba Group Holding Limited</a> group", html)
    assert "CNY 18,228,000,000" in html  # the SAMR fine, in the group's timeline
    assert "淘宝" in html


def test_static_vendor_served(client: httpx.Client) -> None:
    if not (VENDOR / ".installed").exists():
        pytest.skip("front-end packages not installed: run `make vendor`")
    for name in ("cytoscape.min.js", "cytoscape-fcose.js", "yasgui.min.js", "yasgui.min.css"):
        assert client.get("/static/vendor/" + name).status_code == 200


def test_text_is_compressed_and_versioned_assets_are_cached(client: httpx.Client) -> None:
    gz = {"Accept-Encoding": "gzip"}
    page = client.get("/page/org/alibaba-group", headers=gz)
    assert page.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in page.headers["vary"].lower()
    assert int(page.headers["content-length"]) < len(page.content) / 3
    assert "content-encoding" not in client.get("/", headers={"Accept-Encoding": "identity"}).headers
    assert client.get("/api/search", params={"q": "alibaba"}, headers=gz).headers["content-encoding"] == "gzip"
    # a malformed quality value is not an error (it was a 500 before): no gzip, the plain answer
    for odd in ("gzip;q=abc", "gzip;q=", "gzip ; q=0.x"):
        r = client.get("/page/org/alibaba-group", headers={"Accept-Encoding": odd})
        assert r.status_code == 200 and "content-encoding" not in r.headers, odd
    # pages name their scripts and styles with a version: those are kept for a year
    versioned = re.findall(r'(?:href|src)="(/static/[^"?]+\?v=[0-9a-f]{10})"', page.text)
    assert any(v.startswith("/static/style.css?v=") for v in versioned), versioned
    for url in versioned:
        r = client.get(url, headers=gz)
        assert r.status_code == 200, url
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable", url
        if url.endswith((".js", ".css")) or ".js?" in url or ".css?" in url:
            assert r.headers.get("content-encoding") == "gzip", url
    assert client.get("/static/style.css").headers["cache-control"] == "no-cache"  # unversioned: revalidate


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_api_docs_are_served_from_local_assets(client: httpx.Client, path: str) -> None:
    html = client.get(path).text
    assert '<header class="site">' in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(not s.startswith(("http:", "https:", "//")) for s in sources), sources
    assert any("/static/vendor/" in s for s in sources), sources


# -- in the browser ------------------------------------------------------------------------
playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make browser)")
    if not (VENDOR / ".installed").exists():
        pytest.skip("front-end packages not installed: run `make vendor`")
    SCREENSHOTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: object, live_server: LiveServer) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=live_server.url)  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    errors: list[str] = []
    foreign: list[str] = []
    host = urlparse(live_server.url).netloc
    pg.on("pageerror", lambda exc: errors.append(str(exc)))

    def record(request: object) -> None:
        url = urlparse(request.url)  # type: ignore[attr-defined]
        if url.scheme in {"http", "https"} and url.netloc != host:
            foreign.append(request.url)  # type: ignore[attr-defined]

    pg.on("request", record)
    try:
        yield pg
        assert not errors, f"JavaScript errors: {errors}"
        assert not foreign, f"the page loaded something from another host: {foreign}"
    finally:
        context.close()


def node_count(pg: object, iri: str | None = None) -> int:
    js = "(id) => id ? window.regkgExplorer.cy.getElementById(id).length : window.regkgExplorer.cy.nodes().length"
    return int(pg.evaluate(js, iri))  # type: ignore[attr-defined]


def click_node(pg: object, iri: str) -> None:
    """Click a node of the explorer where it is drawn, as a person would."""
    pos = pg.evaluate(  # type: ignore[attr-defined]
        """(id) => { const cy = window.regkgExplorer.cy; const n = cy.getElementById(id);
                     cy.center(n); const p = n.renderedPosition();
                     const r = cy.container().getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }""",
        iri,
    )
    mouse = pg.mouse  # type: ignore[attr-defined]
    # move onto the node first, as a hand does: Cytoscape hit-tests on pointer movement
    mouse.move(pos[0] - 40, pos[1] - 40)
    mouse.move(pos[0], pos[1], steps=4)
    mouse.down()
    pg.wait_for_timeout(60)  # type: ignore[attr-defined]
    mouse.up()


def click_until(pg: object, iri: str, appears: str) -> None:
    """Click node ``iri`` until node ``appears`` is in the graph (a busy machine may drop a first click)."""
    check = f"window.regkgExplorer.cy.getElementById('{appears}').length === 1"
    for attempt in range(3):
        click_node(pg, iri)
        try:
            pg.wait_for_function(check, timeout=8000)  # type: ignore[attr-defined]
            return
        except playwright_api.TimeoutError:
            if attempt == 2:
                raise


@pytest.mark.slow
def test_find_taobao_and_its_group(page: object) -> None:
    pg = page
    pg.goto("/")  # type: ignore[attr-defined]
    pg.fill("#q", "taobao")  # type: ignore[attr-defined]
    first = pg.locator(".big-search .suggestions li[role=option]").first  # type: ignore[attr-defined]
    first.wait_for()
    assert first.inner_text().startswith("Taobao")
    pg.screenshot(path=str(SCREENSHOTS / "01-home-suggestions.png"))  # type: ignore[attr-defined]
    first.click()
    pg.wait_for_url("**/page/platform/taobao")  # type: ignore[attr-defined]
    belongs = pg.locator("#belongs-to")  # type: ignore[attr-defined]
    assert "Alibaba Group Holding Limited" in belongs.inner_text()
    pg.wait_for_function("document.querySelectorAll('#mini-graph canvas').length > 0")  # type: ignore[attr-defined]
    pg.screenshot(path=str(SCREENSHOTS / "02-taobao.png"), full_page=True)  # type: ignore[attr-defined]
    # every action against the group, with amounts and sources
    group = pg.locator("#group")  # type: ignore[attr-defined]
    text = group.inner_text()
    assert "SAMR fines Alibaba Group 18.228 billion yuan" in text
    assert "CNY 18,228,000,000" in text
    assert "CAC penalty on Taobao" in text
    assert group.locator(".sources-inline a").count() >= 5
    assert "Ant Group" in group.locator(".group-lists > div", has_text="Minority stakes").inner_text()
    belongs.locator("a").first.click()
    pg.wait_for_url("**/page/org/alibaba-group")  # type: ignore[attr-defined]
    assert "The Alibaba Group Holding Limited group" in pg.locator("#group h2").inner_text()  # type: ignore[attr-defined]
    pg.screenshot(path=str(SCREENSHOTS / "03-alibaba-group.png"), full_page=True)  # type: ignore[attr-defined]


@pytest.mark.slow
def test_explorer_walks_from_taobao_to_the_cac_and_the_other_platforms(page: object) -> None:
    pg = page
    pg.goto("/page/platform/taobao")  # type: ignore[attr-defined]
    pg.click("text=Open in explorer")  # type: ignore[attr-defined]
    pg.wait_for_url("**/explore?iri=*")  # type: ignore[attr-defined]
    pg.wait_for_function("window.regkgExplorer && window.regkgExplorer.cy.nodes().length > 3")  # type: ignore[attr-defined]
    assert node_count(pg, CAC_TAOBAO) == 1 and node_count(pg, CAC) == 0
    # Taobao and Alibaba sit in one compound node: the group
    parent = pg.evaluate("(id) => window.regkgExplorer.cy.getElementById(id).parent().id()", TAOBAO)  # type: ignore[attr-defined]
    assert parent == "group:" + ID + "org/alibaba-group"
    click_until(pg, CAC_TAOBAO, CAC)  # expand the action: its regulator appears
    assert "CAC penalty on Taobao" in pg.locator("#details").inner_text()  # type: ignore[attr-defined]
    click_until(pg, CAC, CAC_QQ)  # expand the regulator: the other actions of that day appear
    # keep only the actions of 21 July 2021
    pg.fill("#f-from", "2021-07-21")  # type: ignore[attr-defined]
    pg.fill("#f-to", "2021-07-21")  # type: ignore[attr-defined]
    pg.dispatch_event("#f-to", "change")  # type: ignore[attr-defined]
    only_that_day = """() => {
        const shown = window.regkgExplorer.cy.nodes('[kind = "action"]').filter((n) => n.visible());
        return shown.length > 0 && shown.every((n) => n.data('date') === '2021-07-21');
    }"""
    pg.wait_for_function(only_that_day, timeout=10_000)  # type: ignore[attr-defined]
    visible = pg.evaluate(  # type: ignore[attr-defined]
        """() => window.regkgExplorer.cy.nodes('[kind = "action"]').filter((n) => n.visible()).map((n) => n.id())"""
    )
    assert CAC_QQ in visible and CAC_TAOBAO in visible, visible
    click_until(pg, CAC_QQ, QQ)  # on to the platform fined the same day
    pg.wait_for_timeout(300)  # type: ignore[attr-defined]
    pg.screenshot(path=str(SCREENSHOTS / "04-explorer.png"))  # type: ignore[attr-defined]
    # back to the entity page from the explorer
    pg.locator("#details a.button", has_text="Open page").click()  # type: ignore[attr-defined]
    pg.wait_for_url("**/page/action/2021-07-21-cac-minors-qq")  # type: ignore[attr-defined]


@pytest.mark.slow
def test_query_editor_runs_an_example(page: object, client: httpx.Client) -> None:
    examples = client.get("/api/examples").json()["examples"]
    pg = page
    pg.goto("/query")  # type: ignore[attr-defined]
    pg.locator(".yasqe .CodeMirror").first.wait_for()  # type: ignore[attr-defined]
    tabs = pg.locator(".tabsList .tab")  # type: ignore[attr-defined]
    assert tabs.count() == max(1, len(examples))
    if examples:
        assert examples[0]["title"][:20] in tabs.first.inner_text()
    pg.locator(".yasqe_queryButton").first.click()  # type: ignore[attr-defined]
    rows = pg.locator(".yasr .dataTable tbody tr")  # type: ignore[attr-defined]
    rows.first.wait_for()
    assert rows.count() >= 1
    assert "No data available" not in rows.first.inner_text()
    pg.screenshot(path=str(SCREENSHOTS / "05-query.png"), full_page=True)  # type: ignore[attr-defined]


@pytest.mark.slow
def test_explorer_finds_a_path(page: object) -> None:
    """From Taobao, ask for the shortest path to Kuaishou: it is drawn, through the actions of 21 July 2021."""
    pg = page
    pg.goto("/explore?iri=" + TAOBAO)  # type: ignore[attr-defined]
    pg.wait_for_function("window.regkgExplorer && window.regkgExplorer.cy.nodes().length > 3")  # type: ignore[attr-defined]
    pg.fill("#path-q", "kuaishou")  # type: ignore[attr-defined]
    hit = pg.locator("#path-q-list li[role=option]", has_text="Kuaishou").first  # type: ignore[attr-defined]
    hit.wait_for()
    hit.click()
    kuaishou = ID + "platform/kuaishou"
    pg.wait_for_function(f"window.regkgExplorer.cy.getElementById('{kuaishou}').hasClass('path')")  # type: ignore[attr-defined]
    assert pg.evaluate("() => window.regkgExplorer.cy.edges('.path').length") >= 4  # type: ignore[attr-defined]
    on_path = pg.evaluate("() => window.regkgExplorer.cy.nodes('.path').map((n) => n.id())")  # type: ignore[attr-defined]
    assert CAC_TAOBAO in on_path
    assert "shortest path" in pg.locator("#status").inner_text()  # type: ignore[attr-defined]
    pg.screenshot(path=str(SCREENSHOTS / "06-explorer-path.png"))  # type: ignore[attr-defined]


def test_action_page_shows_its_outcome(client: httpx.Client) -> None:
    html = client.get("/page/action/2021-04-10-samr-alibaba").text
    outcome = html[html.index('id="outcomes"') :]
    assert "Fine of 18.228 billion yuan on Alibaba Group" in outcome
    assert "CNY 18,228,000,000" in outcome
