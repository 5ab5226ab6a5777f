"""The drafting evaluation: real articles and press releases (tests/fixtures/articles/index.toml)
drafted from their text and address alone, scored against what a careful reader takes from them.

Fails below: regulator 90 %, first target 90 %, amount and currency exactly right 85 % (of the
articles that state one), date within a day 80 % (of those that state one), and on any invented
value (a field the article does not settle must be empty). The scores are printed (pytest -s)
and quoted in README.md ("Drafting an action from an article").
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from regkg import vocab
from regkg.drafting import Drafter, shipped

ARTICLES = Path(__file__).parent / "fixtures" / "articles"
ALL = tomllib.loads((ARTICLES / "index.toml").read_text(encoding="utf-8"))["article"]
INDEX = [a for a in ALL if not a.get("heldout")]
HELDOUT = [a for a in ALL if a.get("heldout")]


@dataclass
class Scored:
    name: str
    regulator: bool
    target: bool
    amount: bool | None  # None: the article states no amount
    date: bool | None  # None: the article states no date
    invented: list[str]


def score(drafter: Drafter, article: dict[str, Any]) -> Scored:
    text = (ARTICLES / article["file"]).read_text(encoding="utf-8")
    d = drafter.draft(text, article["url"]).as_json()
    e = article["expected"]
    regulator = (d["regulator"] or {}).get("iri") == vocab.ID + e["regulator"]
    first = d["targets"][0] if d["targets"] else None
    if e["target"].startswith("new:"):
        target = bool(first and first["new"] and first["label"] == e["target"].removeprefix("new:"))
    else:
        target = bool(first and not first["new"] and first["iri"] == vocab.ID + e["target"])
    amount = d["amount"] or {}
    invented = []
    amount_ok: bool | None = None
    if e["amount"]:
        amount_ok = amount.get("value") == e["amount"] and amount.get("currency") == e["currency"]
    elif amount:
        invented.append(f"amount {amount.get('value')} {amount.get('currency')} (the article states none)")
    dates = [date.fromisoformat(x) for x in (d["date_decided"], d["date_announced"]) if x]
    date_ok: bool | None = None
    if e["date"]:
        want = date.fromisoformat(e["date"])
        date_ok = any(abs((x - want).days) <= 1 for x in dates)
    elif dates:
        invented.append(f"date {', '.join(x.isoformat() for x in dates)} (the article states none)")
    return Scored(article["file"], regulator, target, amount_ok, date_ok, invented)


@pytest.fixture(scope="module")
def results() -> list[Scored]:
    drafter, _ = shipped()
    return [score(drafter, a) for a in INDEX]


@pytest.fixture(scope="module")
def heldout() -> list[Scored]:
    drafter, _ = shipped()
    return [score(drafter, a) for a in HELDOUT]


def rate(values: list[bool | None]) -> tuple[float, int, int]:
    counted = [v for v in values if v is not None]
    return (sum(counted) / len(counted) if counted else 1.0), sum(counted), len(counted)


def test_the_evaluation_set_is_real_and_mixed() -> None:
    assert len(INDEX) >= 20
    languages = {a["language"] for a in INDEX}
    assert len(languages) >= 6, languages
    for a in INDEX:
        assert a["url"].startswith(("http://", "https://")), a
        assert a["published"][:4].isdigit(), a
        assert (ARTICLES / a["file"]).is_file(), a
    assert sum(1 for a in INDEX if a["expected"]["amount"]) >= 15
    assert sum(1 for a in INDEX if not a["expected"]["amount"]) >= 4  # articles that state no amount


def report(title: str, results: list[Scored]) -> tuple[list[float], list[str], list[str]]:
    reg = rate([r.regulator for r in results])
    tgt = rate([r.target for r in results])
    amt = rate([r.amount for r in results])
    dat = rate([r.date for r in results])
    lines = [
        f"regulator {reg[0]:.0%} ({reg[1]}/{reg[2]})",
        f"first target {tgt[0]:.0%} ({tgt[1]}/{tgt[2]})",
        f"amount and currency {amt[0]:.0%} ({amt[1]}/{amt[2]} that state one)",
        f"date within a day {dat[0]:.0%} ({dat[1]}/{dat[2]} that state one)",
        f"invented values: {sum(len(r.invented) for r in results)}",
    ]
    print(f"\n{title}, {len(results)} articles: " + "; ".join(lines))
    misses = [
        f"{r.name}: " + ", ".join(k for k in ("regulator", "target", "amount", "date") if getattr(r, k) is False)
        for r in results
        if False in (r.regulator, r.target, r.amount, r.date)
    ]
    for m in misses:
        print("  miss", m)
    return [reg[0], tgt[0], amt[0], dat[0]], lines, misses


def test_heldout_scores_are_reported(heldout: list[Scored]) -> None:
    """Articles read after the rules were written: reported, not held to the thresholds."""
    assert len(heldout) >= 5
    report("drafting evaluation, held-out articles", heldout)


def test_scores(results: list[Scored]) -> None:
    (reg, tgt, amt, dat), lines, misses = report("drafting evaluation", results)
    invented = [f"{r.name}: {x}" for r in results for x in r.invented]
    assert not invented, invented
    assert reg >= 0.90, (lines, misses)
    assert tgt >= 0.90, (lines, misses)
    assert amt >= 0.85, (lines, misses)
    assert dat >= 0.80, (lines, misses)


def test_every_field_carries_its_evidence() -> None:
    drafter, _ = shipped()
    for a in INDEX:
        text = (ARTICLES / a["file"]).read_text(encoding="utf-8")
        d = drafter.draft(text, a["url"]).as_json()
        for entity in [d["regulator"], *d["targets"], *d["platforms"]]:
            if entity:
                start, end = entity["span"]
                assert entity["evidence"] and d["text"][start:end], (a["file"], entity)
        if d["amount"]:
            start, end = d["amount"]["span"]
            assert d["text"][start:end] == d["amount"]["as_written"], a["file"]
        for name in ("date_decided", "date_announced"):
            if d[name]:
                assert name in d["evidence"], (a["file"], name)
        unsure = {u["field"] for u in d["unsure"]}
        assert d["regulator"] or "regulator" in unsure, a["file"]
        if d["kind"] == "fine" and not d["amount"]:  # an order or a probe states no amount; a fine should
            assert "amount" in unsure, a["file"]
