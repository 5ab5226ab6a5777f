"""/insights: the charts' query files (queries/13-16) and their answers on the shipped data, the
CSV and query downloads, and the page in a real browser (Debian's chromium) at 1400x1000 and
390x844: every chart drawn from its query, in English and in Chinese, no request to another
host, no JavaScript error, axe-core's WCAG 2.1 AA rules, no horizontal scrolling. Screenshots
go to tests/screenshots/insights-*.png."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from regkg.api.insights import CHARTS
from tests.conftest import LiveServer
from tests.shipped import ACTION, CONCERN, ORG, query_file, rows_of, shipped_store
from tests.test_a11y import AXE, CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, VIEWPORTS, Tab, page_width, run_axe

FILES = [f"{c.query}.rq" for c in CHARTS]
JUR = "https://w3id.org/regkg/id/jurisdiction/"
ALIBABA = ORG + "alibaba-group"
SAMR = ORG + "state-administration-for-market-regulation"
SAMR_ALIBABA_EUR = Decimal("2335384118.67")  # README: the 18.228 billion yuan fine in euros (April 2021 rates)


@pytest.fixture(scope="module")
def store() -> Any:
    return shipped_store()


def answer(store: Any, name: str) -> list[dict[str, Any]]:
    return rows_of(store.query(query_file(name).read_text(encoding="utf-8")))


# ------------------------------------------------------------------ the query files


@pytest.mark.parametrize("name", FILES)
def test_header_states_question_result_and_parameter(name: str) -> None:
    header = []
    for line in query_file(name).read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        header.append(line.lstrip("# ").strip())
    words = " ".join(header)
    assert words.startswith(f"Question {int(name[:2])}:"), name
    for needed in ("Returns", "Parameter", "Relies on", "/insights"):
        assert needed in words, f"{name}: the header must say {needed!r}"


def test_q13_fines_by_jurisdiction_add_up_to_the_yearly_totals_of_q11(store: Any) -> None:
    rows = answer(store, "13-fines-by-jurisdiction-year.rq")
    by_year: dict[int, Decimal] = defaultdict(Decimal)
    for r in rows:
        assert r["totalEur"] >= 0 and r["totalUsd"] >= 0 and r["fines"] >= r["unconverted"] >= 0
        by_year[r["year"]] += r["totalUsd"]
    yearly = {r["year"]: r["totalUsd"] for r in answer(store, "11-total-fines-usd-by-year.rq")}
    # every action has one jurisdiction (its regulator's): the jurisdictions' sums are the year's sum
    assert by_year == {y: t for y, t in yearly.items() if y is not None}
    years = [r["year"] for r in rows]
    assert years == sorted(years), "ordered by year"
    for y in set(years):
        eur = [r["totalEur"] for r in rows if r["year"] == y]
        assert eur == sorted(eur, reverse=True), f"{y}: largest EUR total first"


def test_q13_china_2021_holds_the_samr_alibaba_fine(store: Any) -> None:
    rows = answer(store, "13-fines-by-jurisdiction-year.rq")
    cn = [r for r in rows if r["jurisdiction"] == JUR + "cn" and r["year"] == 2021]
    assert len(cn) == 1
    assert cn[0]["code"] == "CN" and cn[0]["nameEn"] == "China" and cn[0]["nameZh"] == "中国"
    assert cn[0]["totalEur"] >= SAMR_ALIBABA_EUR
    assert cn[0]["totalUsd"] > cn[0]["totalEur"]  # the dollar was worth less than the euro in 2021


def test_q14_concerns_per_year(store: Any) -> None:
    rows = answer(store, "14-actions-by-concern-year.rq")
    got = {(r["concern"], r["year"]): r["actions"] for r in rows}
    assert got[(CONCERN + "child-safety", 2021)] >= 5  # the CAC's summer campaign on content for minors
    assert got[(CONCERN + "antitrust", 2021)] >= 2  # SAMR on Alibaba and on Meituan
    labels = {r["concern"]: (r["labelEn"], r["labelZh"]) for r in rows}
    assert labels[CONCERN + "child-safety"] == ("child safety", "未成年人保护")
    assert all(r["labelEn"] and r["labelZh"] for r in rows), "every concern has both labels"
    # an action counts once per concern: a concern's count never exceeds the year's actions
    years = defaultdict(int)
    for r in answer(store, "16-regulator-activity.rq"):
        years[r["year"]] += r["actions"]
    for (concern, year), n in got.items():
        assert n <= years[year], (concern, year)


def test_q15_groups_most_actions(store: Any) -> None:
    rows = answer(store, "15-groups-most-actions.rq")
    assert 0 < len(rows) <= 20
    counts = [r["actions"] for r in rows]
    assert counts == sorted(counts, reverse=True)
    groups = {r["group"] for r in rows}
    assert ORG + "taobao-china" not in groups and ORG + "ant-group" not in groups, "a subsidiary is not a group"
    alibaba = next(r for r in rows if r["group"] == ALIBABA)
    assert alibaba["nameZh"] == "阿里巴巴集团控股有限公司"
    actions = {r["action"] for r in answer(store, "01-group-actions.rq")}  # question 1's default group is Alibaba
    assert alibaba["actions"] == len(actions)
    assert ACTION + "2021-04-10-samr-alibaba" in actions
    assert alibaba["first"] <= 2021 <= alibaba["last"]
    assert all(r["fines"] <= r["actions"] and r["jurisdictions"] >= 1 for r in rows)


def test_q16_regulator_activity(store: Any) -> None:
    rows = answer(store, "16-regulator-activity.rq")
    totals = [r["total"] for r in rows]
    assert totals == sorted(totals, reverse=True), "most active first"
    per_regulator: dict[str, int] = defaultdict(int)
    for r in rows:
        per_regulator[r["regulator"]] += r["actions"]
        assert r["probes"] + r["decisions"] + r["rulings"] <= r["actions"] * 2, r
    for r in rows:
        assert per_regulator[r["regulator"]] <= r["total"]
    samr = {r["year"]: r for r in rows if r["regulator"] == SAMR}
    assert samr[2021]["decisions"] >= 2 and samr[2021]["nameZh"] == "国家市场监督管理总局"
    assert samr[2021]["code"] == "CN"
    assert per_regulator[SAMR] == samr[2021]["total"], "every SAMR action is dated"


# ------------------------------------------------------------------ downloads


@pytest.mark.slow
def test_page_names_each_charts_csv(client: httpx.Client) -> None:
    r = client.get("/insights")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for c in CHARTS:
        assert f'</insights/{c.query}.csv>; rel="alternate"; type="text/csv"' in r.headers["link"]
        assert f'href="/insights/{c.query}.csv"' in r.text and f'href="/insights/{c.query}.rq"' in r.text


@pytest.mark.slow
@pytest.mark.parametrize("name", [c.query for c in CHARTS])
def test_csv_is_the_query_files_answer(client: httpx.Client, store: Any, name: str) -> None:
    r = client.get(f"/insights/{name}.csv")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == f'attachment; filename="{name}.csv"'
    table = list(csv.reader(io.StringIO(r.text)))
    expected = answer(store, f"{name}.rq")
    assert table[0] == list(expected[0]), "the header row is the query's variables"
    assert len(table) - 1 == len(expected)
    rq = client.get(f"/insights/{name}.rq")
    assert rq.status_code == 200 and rq.text == query_file(f"{name}.rq").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", ["/insights/01-group-actions.csv", "/insights/nothing.rq", "/insights/..%2Fsecret.csv"]
)
def test_only_the_charts_queries_are_served(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


@pytest.mark.slow
def test_home_page_links_the_insights(client: httpx.Client) -> None:
    assert 'href="/insights"' in client.get("/").text


# ------------------------------------------------------------------ in a browser

DRAWN = "() => [...document.querySelectorAll('[data-chart]')].every((s) => s.dataset.drawn === 'true')"
CHART_STATE = """() => [...document.querySelectorAll('[data-chart]')].map((s) => ({
  id: s.dataset.chart,
  marks: s.querySelectorAll('.chart svg rect, .chart svg path, .chart svg circle').length,
  rows: s.querySelectorAll('.table-wrap tbody tr').length,
  title: s.querySelector('h2').innerText,
  summary: s.querySelector('figcaption').innerText,
  width: Math.round(s.querySelector('.chart').scrollWidth),
  box: Math.round(s.querySelector('.chart').clientWidth),
}))"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make browser)")
    if not AXE.exists():
        pytest.skip("front-end packages not installed: run `make vendor`")
    SCREENSHOTS.mkdir(exist_ok=True)
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.mark.slow
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_every_chart_is_drawn_accessible_and_fits(browser: Any, live_server: LiveServer, viewport: str) -> None:
    t = Tab(browser, live_server, viewport)
    sparql_posts: list[str] = []
    t.page.on("request", lambda r: sparql_posts.append(r.post_data or "") if r.url.endswith("/sparql") else None)
    try:
        pg = t.page
        width = VIEWPORTS[viewport]["width"]
        pg.goto("/insights")
        pg.wait_for_function(DRAWN, timeout=30_000)
        states = pg.evaluate(CHART_STATE)
        assert [s["id"] for s in states] == [c.id for c in CHARTS]
        for s, c in zip(states, CHARTS, strict=True):
            assert s["marks"] > 5, s
            # the same server's CSV (the shipped files may change while the suite runs)
            rows = httpx.get(f"{live_server.url}/insights/{c.query}.csv", timeout=30).text.strip().count("\n")
            assert s["rows"] == rows, f"{c.id}: the table is the query's answer"
            assert s["title"] == c.title_en
            assert len(s["summary"]) > 60 and "did not answer" not in s["summary"], s
            assert s["width"] <= s["box"], f"{c.id}: the chart is wider than its box"
        # the charts come from the query files, sent as they are
        texts = {query_file(f"{c.query}.rq").read_text(encoding="utf-8") for c in CHARTS}
        assert texts <= set(sparql_posts)
        pg.screenshot(path=str(SCREENSHOTS / f"insights-{width}.png"), full_page=True)
        problems = []
        bad = [v for v in run_axe(pg, []) if v["impact"] in {"critical", "serious"}]
        if bad:
            problems.append("axe: " + json.dumps(bad, indent=1, ensure_ascii=False)[:4000])
        scroll, inner = page_width(pg)
        if scroll > inner:
            problems.append(f"the page is {scroll} px wide in a {inner} px viewport")

        # in Chinese: titles, summaries, tables and the page's language switch without a reload
        pg.get_by_role("link", name="中文").click()
        pg.wait_for_function("() => document.documentElement.lang === 'zh-Hans'")
        pg.wait_for_function(DRAWN)
        zh = pg.evaluate(CHART_STATE)
        for s, c in zip(zh, CHARTS, strict=True):
            assert s["title"] == c.title_zh
            assert any("\u4e00" <= ch <= "\u9fff" for ch in s["summary"]), s["summary"]
        assert "lang=zh" in pg.url
        assert pg.locator("#chart-fines .chart").inner_text().count("中国") >= 1
        pg.screenshot(path=str(SCREENSHOTS / f"insights-zh-{width}.png"), full_page=True)
        bad = [v for v in run_axe(pg, []) if v["impact"] in {"critical", "serious"}]
        if bad:
            problems.append("axe (zh): " + json.dumps(bad, indent=1, ensure_ascii=False)[:4000])

        # US dollars: the fines chart is drawn again in the other currency
        pg.get_by_label("美元（USD）").check()
        pg.wait_for_function("() => document.querySelector('#plot-fines').innerText.includes('USD')")
        if t.foreign:
            problems.append(f"requests to another host: {t.foreign}")
        if t.errors:
            problems.append(f"JavaScript errors: {t.errors}")
        assert not problems, f"/insights at {viewport}:\n" + "\n".join(problems)
    finally:
        t.close()
