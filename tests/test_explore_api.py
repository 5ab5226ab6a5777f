"""The exploration API over HTTP against the live server: tables of (request, expected) cases."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from tests.conftest import LiveServer

ID = "https://w3id.org/regkg/id/"
RK = "https://w3id.org/regkg/ontology#"
TAOBAO = ID + "platform/taobao"
ALIBABA = ID + "org/alibaba-group"
ANT = ID + "org/ant-group"
CAC = ID + "org/cyberspace-administration-of-china"
CAC_TAOBAO = ID + "action/2021-07-21-cac-minors-taobao"
SAMR_ALIBABA = ID + "action/2021-04-10-samr-alibaba"
WEIBO_CORP = ID + "org/weibo-corporation"
SINA = ID + "org/sina-corporation"

Check = Callable[[Any], bool]


def first_id(body: dict[str, Any]) -> str:
    return body["results"][0]["id"] if body["results"] else ""


def ids(body: dict[str, Any]) -> list[str]:
    return [r["id"] for r in body["results"]]


# (params, expected first result, extra check on the body)
SEARCH_CASES: list[tuple[dict[str, Any], str | None, Check | None]] = [
    ({"q": "taobao"}, TAOBAO, None),
    ({"q": "Taobao"}, TAOBAO, None),
    ({"q": "  TAOBAO "}, TAOBAO, None),
    ({"q": "淘宝"}, TAOBAO, None),  # a Chinese label
    ({"q": "淘宝网"}, TAOBAO, None),  # a Chinese alias
    ({"q": "阿里巴巴"}, ALIBABA, lambda b: b["results"][0]["match"] == "exact-alias"),
    ({"q": "Alibaba"}, ALIBABA, None),  # an English alias, exactly
    ({"q": "taob"}, TAOBAO, lambda b: b["results"][0]["match"] == "prefix"),  # prefix
    ({"q": "aobao"}, None, lambda b: TAOBAO in ids(b)),  # substring
    ({"q": "taobo"}, TAOBAO, lambda b: b["results"][0]["match"] == "fuzzy"),  # a misspelling
    ({"q": "alibbaba"}, None, lambda b: ALIBABA in ids(b)),
    ({"q": "Cyberspace Administration of China"}, CAC, None),
    ({"q": "taobao", "type": "rk:Company"}, None, lambda b: TAOBAO not in ids(b)),
    (
        {"q": "taobao", "type": RK + "Platform"},
        TAOBAO,
        lambda b: all(RK + "Platform" in r["types"] for r in b["results"]),
    ),
    (
        {"q": "alibaba", "type": "rk:Company"},
        ALIBABA,
        lambda b: all(RK + "Company" in r["types"] for r in b["results"]),
    ),
    ({"q": "taobao", "limit": 2}, TAOBAO, lambda b: len(b["results"]) == 2),
    ({"q": "zzqqxxnotaname"}, None, lambda b: b["results"] == []),
]


@pytest.mark.parametrize(("params", "first", "check"), SEARCH_CASES, ids=[repr(c[0]) for c in SEARCH_CASES])
def test_search(client: httpx.Client, params: dict[str, Any], first: str | None, check: Check | None) -> None:
    r = client.get("/api/search", params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    for hit in body["results"]:
        assert set(hit) >= {"id", "label", "types", "score"}
    scores = [h["score"] for h in body["results"]]
    assert scores == sorted(scores, reverse=True)
    if first is not None:
        assert first_id(body) == first, body["results"][:3]
    if check is not None:
        assert check(body), body["results"][:3]


def test_search_ranks_exact_then_prefix_then_substring(client: httpx.Client) -> None:
    body = client.get("/api/search", params={"q": "taobao", "limit": 30}).json()
    kinds = [r["match"] for r in body["results"]]
    order = {"exact": 0, "exact-alias": 1, "prefix": 2, "word-prefix": 3, "substring": 4, "fuzzy": 5}
    assert [order[k] for k in kinds] == sorted(order[k] for k in kinds)


def fact(body: dict[str, Any], predicate: str) -> list[dict[str, Any]]:
    return [f for f in body["facts"] if f["predicate"] == predicate]


ENTITY_CASES: list[tuple[str, Check]] = [
    (TAOBAO, lambda b: b["label"] == "Taobao"),
    (
        TAOBAO,
        lambda b: (
            {"value": "淘宝", "language": "zh"}.items() <= next(n for n in b["labels"] if n["value"] == "淘宝").items()
        ),
    ),
    (TAOBAO, lambda b: any(t["id"] == RK + "Platform" and not t["inferred"] for t in b["types"])),
    (
        TAOBAO,
        lambda b: fact(b, RK + "operatedBy")[0]["value"] == {"id": ALIBABA, "label": "Alibaba Group Holding Limited"},
    ),
    (TAOBAO, lambda b: fact(b, RK + "groupParent")[0]["inferred"] is True),
    (TAOBAO, lambda b: any(i["source"]["id"] == CAC_TAOBAO and i["source"]["label"] for i in b["incoming"])),
    (CAC_TAOBAO, lambda b: any(s["url"] and s["title"] and s["publisher"]["label"] for s in b["sources"])),
    (CAC_TAOBAO, lambda b: fact(b, RK + "regulator")[0]["value"]["label"] == "Cyberspace Administration of China"),
    (CAC_TAOBAO, lambda b: any(f["value"].get("value") == "2021-07-21" for f in fact(b, RK + "dateAnnounced"))),
    ("rk:Platform", lambda b: b["label"] == "Platform"),
]


@pytest.mark.parametrize(("iri", "check"), ENTITY_CASES)
def test_entity(client: httpx.Client, iri: str, check: Check) -> None:
    r = client.get("/api/entity", params={"iri": iri})
    assert r.status_code == 200, r.text
    assert check(r.json())


def node_ids(body: dict[str, Any]) -> set[str]:
    return {n["id"] for n in body["nodes"]}


NEIGHBOURHOOD_CASES: list[tuple[dict[str, Any], Check]] = [
    ({"iri": TAOBAO}, lambda b: {TAOBAO, ALIBABA, CAC_TAOBAO} <= node_ids(b)),
    ({"iri": TAOBAO}, lambda b: CAC not in node_ids(b)),  # two hops away
    ({"iri": TAOBAO, "hops": 2}, lambda b: CAC in node_ids(b)),
    (
        {"iri": TAOBAO},
        lambda b: (
            {"source": CAC_TAOBAO, "target": TAOBAO, "predicate": RK + "platform", "label": "platform"} in b["edges"]
        ),
    ),
    ({"iri": TAOBAO}, lambda b: all(set(n) >= {"id", "label", "types"} for n in b["nodes"])),
    ({"iri": TAOBAO}, lambda b: b["truncated"] is False),
    ({"iri": CAC, "limit": 5}, lambda b: b["truncated"] is True and len(b["nodes"]) == 5),
    ({"iri": ALIBABA, "concern": "antitrust"}, lambda b: SAMR_ALIBABA in node_ids(b)),
    ({"iri": TAOBAO, "concern": "antitrust"}, lambda b: CAC_TAOBAO not in node_ids(b)),
    ({"iri": TAOBAO, "concern": "concern:child-safety"}, lambda b: CAC_TAOBAO in node_ids(b)),
    # edges only between nodes returned; no literals, no amounts
    ({"iri": SAMR_ALIBABA, "hops": 2}, lambda b: all({e["source"], e["target"]} <= node_ids(b) for e in b["edges"])),
    ({"iri": SAMR_ALIBABA, "hops": 2}, lambda b: not any("/amount/" in n for n in node_ids(b))),
]


@pytest.mark.parametrize(("params", "check"), NEIGHBOURHOOD_CASES)
def test_neighbourhood(client: httpx.Client, params: dict[str, Any], check: Check) -> None:
    r = client.get("/api/neighbourhood", params=params)
    assert r.status_code == 200, r.text
    assert check(r.json())


RDF_CASES = [
    ("text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/json;q=0.5, text/turtle", ox.RdfFormat.TURTLE),
]


@pytest.mark.parametrize(("accept", "fmt"), RDF_CASES)
def test_neighbourhood_as_rdf(client: httpx.Client, accept: str, fmt: ox.RdfFormat) -> None:
    as_json = client.get("/api/neighbourhood", params={"iri": TAOBAO}).json()
    r = client.get("/api/neighbourhood", params={"iri": TAOBAO}, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == accept.split(",")[-1].strip().split(";")[0]
    triples = {q.triple for q in ox.parse(r.content, format=fmt)}
    edges = {
        ox.Triple(ox.NamedNode(e["source"]), ox.NamedNode(e["predicate"]), ox.NamedNode(e["target"]))
        for e in as_json["edges"]
    }
    assert edges <= triples  # the same subgraph
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert ox.Triple(ox.NamedNode(TAOBAO), label, ox.Literal("Taobao")) in triples


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "text/html,*/*;q=0.8"])
def test_neighbourhood_json_by_default(client: httpx.Client, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    r = client.get("/api/neighbourhood", params={"iri": TAOBAO}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")


PATH_CASES: list[tuple[dict[str, Any], Check]] = [
    ({"from": TAOBAO, "to": CAC}, lambda b: b["paths"][0]["nodes"] == [TAOBAO, CAC_TAOBAO, CAC]),
    ({"from": TAOBAO, "to": CAC}, lambda b: all(p["length"] == 2 for p in b["paths"])),
    (
        {"from": TAOBAO, "to": CAC},
        lambda b: (
            {"source": CAC_TAOBAO, "target": CAC, "predicate": RK + "regulator", "label": "regulator"}
            in b["paths"][0]["edges"]
        ),
    ),
    ({"from": TAOBAO, "to": CAC}, lambda b: {n["id"] for n in b["nodes"]} == {TAOBAO, CAC_TAOBAO, CAC}),
    ({"from": TAOBAO, "to": CAC, "max_hops": 1}, lambda b: b["paths"] == []),
    ({"from": TAOBAO, "to": TAOBAO}, lambda b: b["paths"][0]["nodes"] == [TAOBAO]),
    # on from the CAC to another platform it fined the same day
    ({"from": CAC, "to": ID + "platform/kuaishou"}, lambda b: b["paths"][0]["length"] == 2),
    # Taobao to Kuaishou: through the CAC or its campaign (sources are not walked through)
    ({"from": TAOBAO, "to": ID + "platform/kuaishou"}, lambda b: b["paths"][0]["length"] == 4),
    ({"from": TAOBAO, "to": ID + "platform/kuaishou"}, lambda b: CAC_TAOBAO in b["paths"][0]["nodes"]),
    # concepts are not walked through: no path via "antitrust"
    ({"from": "concern:antitrust", "to": TAOBAO}, lambda b: b["paths"] == []),
]


@pytest.mark.parametrize(("params", "check"), PATH_CASES)
def test_path(client: httpx.Client, params: dict[str, Any], check: Check) -> None:
    r = client.get("/api/path", params=params)
    assert r.status_code == 200, r.text
    assert check(r.json()), r.json()


def action(body: dict[str, Any], iri: str) -> dict[str, Any]:
    return next(a for a in body["actions"] if a["id"] == iri)


GROUP_CASES: list[tuple[str, Check]] = [
    (TAOBAO, lambda b: b["group"] == {"id": ALIBABA, "label": "Alibaba Group Holding Limited"}),
    (ALIBABA, lambda b: b["group"]["id"] == ALIBABA),
    (TAOBAO, lambda b: TAOBAO in {p["id"] for p in b["platforms"]}),
    (TAOBAO, lambda b: ALIBABA in {m["id"] for m in b["members"]}),
    (TAOBAO, lambda b: {CAC_TAOBAO, SAMR_ALIBABA} <= {a["id"] for a in b["actions"]}),
    (
        TAOBAO,
        lambda b: (
            action(b, SAMR_ALIBABA)["amounts"][0] | {"id": None}
            == {"id": None, "value": "18228000000", "currency": "CNY"}
        ),
    ),
    (TAOBAO, lambda b: action(b, SAMR_ALIBABA)["regulator"]["label"] == "State Administration for Market Regulation"),
    (TAOBAO, lambda b: action(b, SAMR_ALIBABA)["date"] == "2021-04-10"),
    (TAOBAO, lambda b: {c["id"].rsplit("/", 1)[1] for c in action(b, CAC_TAOBAO)["concerns"]} >= {"child-safety"}),
    (
        TAOBAO,
        lambda b: all(s.get("url") for s in action(b, SAMR_ALIBABA)["sources"]) and action(b, SAMR_ALIBABA)["sources"],
    ),
    (
        TAOBAO,
        lambda b: all(set(a) >= {"id", "label", "date", "regulator", "concerns", "amounts"} for a in b["actions"]),
    ),
    (TAOBAO, lambda b: all(set(t) == {"currency", "amount", "count"} for t in b["totals"])),
    # minority stakes are listed apart and never rolled up: Ant Group is not a member
    (
        ALIBABA,
        lambda b: (
            {
                "holder": {"id": ALIBABA, "label": "Alibaba Group Holding Limited"},
                "company": {"id": ANT, "label": "Ant Group Co., Ltd."},
            }
            in b["minority_stakes"]
        ),
    ),
    (ALIBABA, lambda b: ANT not in {m["id"] for m in b["members"]}),
    (ALIBABA, lambda b: b["actions_truncated"] is False),
    # control via rk:subsidiaryOf: Weibo rolls up into SINA
    (WEIBO_CORP, lambda b: b["group"]["id"] == SINA and WEIBO_CORP in {m["id"] for m in b["members"]}),
    (ID + "platform/weibo", lambda b: b["group"]["id"] == SINA),
]


@pytest.mark.parametrize(("iri", "check"), GROUP_CASES)
def test_group(client: httpx.Client, iri: str, check: Check) -> None:
    r = client.get("/api/group", params={"iri": iri})
    assert r.status_code == 200, r.text
    assert check(r.json())


def test_group_totals_add_up(client: httpx.Client) -> None:
    from decimal import Decimal

    body = client.get("/api/group", params={"iri": ALIBABA}).json()
    sums: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    seen: set[str] = set()
    for a in body["actions"]:
        if a["judicial_review"]:
            continue
        for m in a["amounts"]:
            if m["id"] in seen:
                continue
            seen.add(m["id"])
            sums[m["currency"]] = sums.get(m["currency"], Decimal(0)) + Decimal(m["value"])
            counts[m["currency"]] = counts.get(m["currency"], 0) + 1
    assert {t["currency"]: Decimal(t["amount"]) for t in body["totals"]} == sums
    assert {t["currency"]: t["count"] for t in body["totals"]} == counts
    assert sums["CNY"] >= Decimal("18228000000")


def test_examples(client: httpx.Client) -> None:
    body = client.get("/api/examples").json()
    for e in body["examples"]:
        assert set(e) == {"name", "title", "description", "query"}
        assert e["title"] and e["query"].strip()


def test_search_index_follows_writes(client: httpx.Client, live_server: LiveServer) -> None:
    """A label written through /update is found by the next search; gone once the graph is dropped."""
    graph = "https://w3id.org/regkg/graph/data/test/explore-search"
    thing = ID + "org/zyxwv-testco"
    headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {live_server.write_token}"}
    insert = (
        f"INSERT DATA {{ GRAPH <{graph}> {{ <{thing}> a <{RK}Company> ; "
        f'<http://www.w3.org/2000/01/rdf-schema#label> "Zyxwv Testco"@en , "兹维测试"@zh }} }}'
    )

    def until(found: bool, q: str) -> None:
        # A large index is rebuilt in the background after a write: it follows within seconds.
        deadline = time.monotonic() + 30
        while (thing in ids(client.get("/api/search", params={"q": q}).json())) != found:
            assert time.monotonic() < deadline, f"the search index did not follow the write ({q!r})"
            time.sleep(0.2)

    try:
        assert client.post("/update", content=insert.encode(), headers=headers).status_code == 200
        until(True, "zyxwv testco")
        assert first_id(client.get("/api/search", params={"q": "zyxwv testco"}).json()) == thing
        until(True, "兹维测试")
        assert first_id(client.get("/api/search", params={"q": "兹维测试"}).json()) == thing
    finally:
        assert (
            client.post("/update", content=f"DROP SILENT GRAPH <{graph}>".encode(), headers=headers).status_code == 200
        )
    until(False, "zyxwv testco")
