# ruff: noqa: E501  (tables of (bad row, message) cases read best one case to a line)
"""`regkg import FILE.csv`: CSV rows -> validated Turtle, stable IRIs, problems by row and column."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic, to_isomorphic

from regkg import importer, resources, vocab
from regkg.importer import COLUMNS, Catalogue, Problem, build, read_rows, shacl_problems, slugify

FIXTURE = Path(__file__).parent / "fixtures" / "import-example.csv"
RK = rdflib.Namespace(vocab.RK)
SCHEMA = rdflib.Namespace(vocab.SCHEMA)
ID = vocab.ID

# A valid row to vary: one probe against existing entities, its source new.
BASE = {
    "kind": "probe",
    "label": "Test: CAC review of Example Widgets",
    "regulator": "CAC",
    "targets": "Example Widgets Ltd",
    "platforms": "",
    "concerns": "data-security",
    "date_opened": "2021-07-05",
    "date_decided": "",
    "date_announced": "",
    "status": "open",
    "legal_basis": "",
    "provision": "",
    "fine_amount": "",
    "fine_currency": "",
    "other_outcomes": "",
    "source_url": "https://example.org/a",
    "source_title": "A report",
    "source_publisher": "Example News",
    "source_date": "2021-07-05",
    "source_author": "",
    "campaign": "",
    "follows_probe": "",
    "reviews": "",
}


def csv_text(*rows: dict[str, str], columns: list[str] | None = None) -> str:
    columns = columns or list(BASE)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: r.get(c, "") for c in columns})
    return buf.getvalue()


def row(**changes: str) -> dict[str, str]:
    return {**BASE, **changes}


@pytest.fixture(scope="module")
def context() -> list[ox.Quad]:
    return importer._context_quads(None)


@pytest.fixture(scope="module")
def catalogue(context: list[ox.Quad]) -> Catalogue:
    return Catalogue(context)


def problems_of(text: str, catalogue: Catalogue) -> list[str]:
    built, problems = build(text, catalogue)
    assert (built is None) == bool(problems)
    return [str(p) for p in problems]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regkg.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=resources.resource_root(),
    )


# ------------------------------------------------------------------ bad rows -> messages

BAD_ROWS: list[tuple[dict[str, str], str]] = [
    ({"kind": "fine"}, "row 2, column kind: unknown kind 'fine'; expected one of probe, decision, judicial-review"),
    ({"kind": ""}, "row 2, column kind: is empty; kind is required"),
    ({"label": ""}, "row 2, column label: is empty"),
    ({"regulator": "Ministry of Magic"}, "row 2, column regulator: no regulator or court named 'Ministry of Magic'"),
    ({"regulator": "Alibaba"}, "row 2, column regulator: no regulator or court named 'Alibaba' in the graph ('Alibaba' is"),
    ({"targets": ""}, "row 2, column targets: is empty; targets is required"),
    ({"targets": "Taobao"}, "row 2, column targets: 'Taobao' is a platform"),
    ({"targets": "某公司"}, "row 2, column targets: cannot mint an IRI from '某公司'"),
    ({"targets": f"{ID}platform/taobao"}, "row 2, column targets: https://w3id.org/regkg/id/platform/taobao is not a company"),
    ({"concerns": "antitrust;cartels"}, "row 2, column concerns: unknown concern 'cartels'; expected one of"),
    ({"concerns": ""}, "row 2, column concerns: is empty"),
    ({"date_opened": "2021-13-01"}, "row 2, column date_opened: '2021-13-01' is not a calendar date"),
    ({"date_opened": "05/07/2021"}, "row 2, column date_opened: '05/07/2021' is not a date written YYYY-MM-DD"),
    ({"date_opened": ""}, "row 2: needs at least one date: date_opened, date_decided, date_announced"),
    ({"date_decided": "2021-01-01"}, "row 2, column date_decided: 2021-01-01 is before date_opened 2021-07-05"),
    ({"status": "finished"}, "row 2, column status: unknown status 'finished'; expected one of"),
    ({"legal_basis": "Law of Gravity"}, "row 2, column legal_basis: no law named 'Law of Gravity'"),
    ({"campaign": "Operation Nowhere"}, "row 2, column campaign: no campaign named 'Operation Nowhere'"),
    ({"fine_amount": "-5", "fine_currency": "CNY"}, "row 2, column fine_amount: '-5' is negative"),
    ({"fine_amount": "1,000,000", "fine_currency": "CNY"}, "without thousands separators"),
    ({"fine_amount": "2.8 billion", "fine_currency": "USD"}, "'2.8 billion' is not an amount: write the exact published"),
    ({"fine_amount": "$5", "fine_currency": "USD"}, "row 2, column fine_amount: '$5' is not an amount"),
    ({"fine_amount": "100"}, "row 2, column fine_currency: a fine amount needs its currency"),
    ({"fine_currency": "CNY"}, "row 2, column fine_amount: fine_currency is given but fine_amount is empty"),
    ({"fine_amount": "100", "fine_currency": "cny"}, "'cny' is not an ISO 4217 currency code (codes are upper case)"),
    ({"fine_amount": "100", "fine_currency": "XYZ"}, "row 2, column fine_currency: 'XYZ' is not an ISO 4217 currency"),
    ({"fine_amount": "100", "fine_currency": "Yuan"}, "'Yuan' is not an ISO 4217 currency code"),
    ({"other_outcomes": "jail"}, "row 2, column other_outcomes: unknown outcome 'jail'; expected one of fine,"),
    ({"source_url": "ftp://example.org/x"}, "row 2, column source_url: 'ftp://example.org/x' is not an http(s) address"),
    ({"source_url": ""}, "row 2, column source_url: is empty"),
    ({"source_date": "yesterday"}, "row 2, column source_date: 'yesterday' is not a date written YYYY-MM-DD"),
    ({"source_publisher": ""}, "row 2, column source_publisher: is empty"),
    ({"follows_probe": "no-such-probe", "kind": "decision", "date_decided": "2021-08-01"},
     "row 2, column follows_probe: no action 'no-such-probe' in data/ or in this file"),
    ({"reviews": "2021-04-10-samr-alibaba"}, "row 2, column reviews: only a judicial review reviews another action"),
    ({"kind": "judicial-review", "date_decided": "2021-08-01"},
     "row 2, column reviews: a judicial review needs the action it rules on"),
    ({"kind": "judicial-review", "reviews": "2021-04-10-samr-alibaba", "date_decided": "2021-08-01"},
     "row 2, column regulator: a judicial review's regulator is a court"),
    ({"platforms": "Nova Shop [某公司]"}, "row 2, column platforms: cannot mint an IRI from '某公司'"),
    ({"id": "Not A Slug"}, "row 2, column id: 'Not A Slug' is not a slug"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "message"), BAD_ROWS, ids=[m[:50] for _, m in BAD_ROWS])
def test_bad_row_gives_a_clear_message(catalogue: Catalogue, changes: dict[str, str], message: str) -> None:
    columns = list(BASE) + (["id"] if "id" in changes else [])
    problems = problems_of(csv_text(row(**changes), columns=columns), catalogue)
    assert any(message in p for p in problems), problems


BAD_FILES: list[tuple[str, str]] = [
    ("", "the file is empty"),
    ("kind,label\n", "row 1: missing required column(s): regulator, targets, concerns, source_url"),
    (csv_text(row(), columns=[c for c in BASE if c != "source_url"]), "missing required column(s): source_url"),
    (csv_text(row(), columns=[c for c in BASE if not c.startswith("date_")]), "row 1: needs at least one date column"),
    (csv_text(row()).replace("fine_amount", "fine_amout", 1), "row 1, column fine_amout: unknown column 'fine_amout'"),
    (csv_text(row()).replace("provision", "label", 1), "row 1, column label: column given twice"),
    (csv_text(columns=list(BASE)), "no rows to import"),
    (csv_text(row()) + "probe,x,CAC" + "," * 30 + "\n", "row 3: 33 cells but the header names 23 columns"),
]


@pytest.mark.parametrize(("text", "message"), BAD_FILES, ids=[m[:40] for _, m in BAD_FILES])
def test_malformed_csv_gives_a_clear_message(catalogue: Catalogue, text: str, message: str) -> None:
    problems = problems_of(text, catalogue)
    assert any(message in p for p in problems), problems


def test_problems_are_reported_for_every_row_not_just_the_first(catalogue: Catalogue) -> None:
    text = csv_text(row(kind="fine"), row(label="ok"), row(fine_amount="-1", fine_currency="EUR"))
    problems = problems_of(text, catalogue)
    assert [p.split(":")[0] for p in problems] == ["row 2, column kind", "row 4, column fine_amount"]


def test_same_source_url_with_another_title_is_a_conflict(catalogue: Catalogue) -> None:
    text = csv_text(row(), row(label="Another", date_opened="2021-07-06", source_title="Another title"))
    assert "row 3, column source_title: row 2 gives the same source_url with source_title 'A report'" in problems_of(
        text, catalogue
    )


def test_two_rows_minting_one_action_are_refused(catalogue: Catalogue) -> None:
    problems = problems_of(csv_text(row(), row(label="Same action again")), catalogue)
    assert any(p.startswith("row 3, column id: row 2 already mints") for p in problems), problems


def test_an_action_already_in_data_is_refused(catalogue: Catalogue) -> None:
    text = csv_text(row(kind="decision", regulator="SAMR", targets="Alibaba Group", date_opened="",
                        date_decided="2021-04-10", concerns="antitrust"))  # fmt: skip
    problems = problems_of(text, catalogue)
    assert any("2021-04-10-samr-alibaba is already in data/" in p for p in problems), problems


def test_an_id_column_resolves_a_clash(catalogue: Catalogue) -> None:
    columns = [*BASE, "id"]
    text = csv_text(
        row(), row(label="Second review", id="2021-07-05-cac-example-widgets-second-probe"), columns=columns
    )
    built, problems = build(text, catalogue)
    assert not problems and built is not None
    assert built.actions == [f"{ID}action/2021-07-05-cac-example-widgets-probe",
                             f"{ID}action/2021-07-05-cac-example-widgets-second-probe"]  # fmt: skip


# ------------------------------------------------------------------ what a good file gives


@pytest.fixture(scope="module")
def fixture_graph(catalogue: Catalogue) -> importer.Built:
    built, problems = build(FIXTURE.read_text(encoding="utf-8"), catalogue)
    assert not problems, problems
    assert built is not None
    return built


def test_fixture_actions_and_iris(fixture_graph: importer.Built) -> None:
    assert fixture_graph.actions == [
        f"{ID}action/2021-07-05-cac-example-widgets-probe",
        f"{ID}action/2021-07-24-samr-tencent",
        f"{ID}action/2021-09-01-cac-example-widgets",
    ]
    assert fixture_graph.minted == {
        "company": [f"{ID}org/example-widgets-ltd"],
        "platform": [f"{ID}platform/widget-market"],
        "publisher": [f"{ID}org/example-news"],
    }


def test_names_and_aliases_resolve_to_existing_iris(fixture_graph: importer.Built) -> None:
    g = fixture_graph.graph
    decision = rdflib.URIRef(f"{ID}action/2021-07-24-samr-tencent")
    assert g.value(decision, RK.regulator) == rdflib.URIRef(f"{ID}org/state-administration-for-market-regulation")
    assert g.value(decision, RK.target) == rdflib.URIRef(f"{ID}org/tencent")
    assert g.value(decision, RK.platform) == rdflib.URIRef(f"{ID}platform/qq")
    assert g.value(decision, RK.legalBasis) == rdflib.URIRef(f"{ID}law/cn-anti-monopoly-law")
    assert g.value(decision, RK.status) == RK.Concluded
    # existing entities are referred to, never redescribed
    assert (rdflib.URIRef(f"{ID}org/tencent"), None, None) not in g


def test_fines_keep_the_published_amount_exactly(fixture_graph: importer.Built) -> None:
    g = fixture_graph.graph
    fine = rdflib.URIRef(f"{ID}penalty/2021-09-01-cac-example-widgets-fine")
    amount = g.value(fine, RK.amount)
    assert amount == rdflib.URIRef(f"{ID}amount/2021-09-01-cac-example-widgets-fine-cny")
    value = g.value(amount, SCHEMA.value)
    assert value.datatype == rdflib.XSD.decimal and str(value) == "80000.50"
    assert str(g.value(amount, SCHEMA.currency)) == "CNY"
    decision = rdflib.URIRef(f"{ID}action/2021-09-01-cac-example-widgets")
    outcomes = {str(o).rsplit("-", 1)[-1] for o in g.objects(decision, RK.outcome)}
    assert outcomes == {"fine", "order", "removal"}
    assert g.value(decision, RK.followsProbe) == rdflib.URIRef(f"{ID}action/2021-07-05-cac-example-widgets-probe")


def test_turtle_keeps_amounts_as_published(fixture_graph: importer.Built) -> None:
    text = importer._serialise(fixture_graph.graph, "x.csv")
    assert 'schema:value "500000"^^xsd:decimal' in text
    assert 'schema:value "80000.50"^^xsd:decimal' in text
    assert 'rdfs:label "Fine of CNY 80,000.50 on Example Widgets Ltd"@en' in text
    assert 'rdfs:label "Commitment by Tencent Holdings Limited"@en' in text or "Commitment by Tencent" in text


def test_minted_entities_are_described_and_sourced(fixture_graph: importer.Built) -> None:
    g = fixture_graph.graph
    company = rdflib.URIRef(f"{ID}org/example-widgets-ltd")
    platform = rdflib.URIRef(f"{ID}platform/widget-market")
    assert (company, rdflib.RDF.type, RK.Company) in g
    assert g.value(company, rdflib.RDFS.label) == rdflib.Literal("Example Widgets Ltd", lang="en")
    assert g.value(platform, RK.operatedBy) == company
    assert len(set(g.objects(platform, rdflib.URIRef(vocab.PROV + "wasDerivedFrom")))) == 2


def test_sources_are_minted_once_per_url(fixture_graph: importer.Built) -> None:
    g = fixture_graph.graph
    urls = list(g.objects(None, SCHEMA.url))
    assert len(urls) == len(set(urls)) == 3
    source = rdflib.URIRef(f"{ID}source/2021-07-05-example-news-cac-opens-review-example")
    assert str(g.value(source, SCHEMA.author)) == "A. Reporter"
    assert (source, rdflib.RDF.type, SCHEMA.NewsArticle) in g


def test_press_release_when_the_regulator_publishes(catalogue: Catalogue) -> None:
    built, problems = build(csv_text(row(source_publisher="Cyberspace Administration of China")), catalogue)
    assert built is not None, problems
    source = next(built.graph.subjects(SCHEMA.url, rdflib.URIRef("https://example.org/a")))
    assert (source, rdflib.RDF.type, RK.PressRelease) in built.graph
    cac = rdflib.URIRef(f"{ID}org/cyberspace-administration-of-china")
    assert (cac, rdflib.RDF.type, RK.Publisher) in built.graph


def test_an_existing_source_url_is_reused(catalogue: Catalogue) -> None:
    url = next(iter(catalogue.source_urls))
    built, problems = build(csv_text(row(source_url=url)), catalogue)
    assert built is not None, problems
    action = rdflib.URIRef(built.actions[0])
    assert str(built.graph.value(action, rdflib.URIRef(vocab.PROV + "wasDerivedFrom"))) == catalogue.source_urls[url]
    assert (None, SCHEMA.url, rdflib.URIRef(url)) not in built.graph


def test_judicial_review_of_an_action_in_the_same_file(context: list[ox.Quad]) -> None:
    court = """@prefix rk: <https://w3id.org/regkg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/regkg/id/org/test-court> a rk:Court ; rdfs:label "Test Intermediate Court"@en ;
            rk:jurisdiction <https://w3id.org/regkg/id/jurisdiction/cn> ."""
    extra = [
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
        for t in ox.parse(court, format=ox.RdfFormat.TURTLE)
    ]
    cat = Catalogue([*context, *extra])
    decision = row(
        kind="decision", date_opened="", date_decided="2021-09-01", fine_amount="1000000", fine_currency="CNY"
    )
    review = row(kind="judicial-review", label="Test court reduces the fine", regulator="Test Intermediate Court",
                 date_opened="", date_decided="2022-03-01", status="reduced", fine_amount="500000", fine_currency="CNY",
                 reviews="2021-09-01-cac-example-widgets", source_url="https://example.org/b", source_title="B")  # fmt: skip
    built, problems = build(csv_text(decision, review), cat)
    assert built is not None, problems
    jr = rdflib.URIRef(f"{ID}action/2022-03-01-tic-example-widgets-review")
    assert (jr, rdflib.RDF.type, RK.JudicialReview) in built.graph
    assert built.graph.value(jr, RK.reviews) == rdflib.URIRef(f"{ID}action/2021-09-01-cac-example-widgets")
    assert built.graph.value(jr, RK.status) == RK.Reduced
    assert shacl_problems(built.graph, [*context, *extra], built.subject_rows) == []


def test_a_name_shared_by_two_companies_is_ambiguous(context: list[ox.Quad]) -> None:
    twins = """@prefix rk: <https://w3id.org/regkg/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/regkg/id/org/twin-a> a rk:Company ; rdfs:label "Twin A"@en ; skos:altLabel "Twin"@en .
        <https://w3id.org/regkg/id/org/twin-b> a rk:Company ; rdfs:label "Twin B"@en ; skos:altLabel "Twin"@en ."""
    extra = [
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
        for t in ox.parse(twins, format=ox.RdfFormat.TURTLE)
    ]
    problems = problems_of(csv_text(row(targets="twin")), Catalogue([*context, *extra]))
    assert (
        f"row 2, column targets: 'twin' names more than one company: {ID}org/twin-a, {ID}org/twin-b; give the IRI"
        in problems
    )


def test_new_platform_with_a_new_operator_and_several_targets(catalogue: Catalogue) -> None:
    text = csv_text(row(kind="decision", targets="Nova Holdings; Nova Shop Ltd", platforms="Nova Shop [Nova Shop Ltd]",
                        date_opened="", date_decided="2022-01-05", fine_amount="10", fine_currency="EUR"))  # fmt: skip
    built, problems = build(text, catalogue)
    assert built is not None, problems
    g = built.graph
    assert built.minted["company"] == [f"{ID}org/nova-holdings", f"{ID}org/nova-shop-ltd"]
    assert g.value(rdflib.URIRef(f"{ID}platform/nova-shop"), RK.operatedBy) == rdflib.URIRef(f"{ID}org/nova-shop-ltd")
    action = rdflib.URIRef(built.actions[0])
    assert str(action).endswith("/2022-01-05-cac-nova")  # the first target, generic words dropped
    fine = g.value(action, RK.outcome)
    assert g.value(fine, RK.penalisedEntity) is None  # two targets: whom the fine falls on is not said
    assert str(g.value(fine, rdflib.RDFS.label)) == "Fine of EUR 10 (Test: CAC review of Example Widgets)"


def test_excel_csv_with_byte_order_mark_and_capitalised_header(catalogue: Catalogue) -> None:
    text = "\ufeff" + csv_text(row()).replace("kind,label", "Kind,Label", 1)
    built, problems = build(text, catalogue)
    assert built is not None, problems


def test_shacl_violations_are_reported_by_row_and_column(catalogue: Catalogue, context: list[ox.Quad]) -> None:
    built, _ = build(
        csv_text(row(), row(label="Second", date_opened="2021-07-09", source_url="https://example.org/b")), catalogue
    )
    assert built is not None
    second = rdflib.URIRef(f"{ID}action/2021-07-09-cac-example-widgets-probe")
    built.graph.remove((second, rdflib.RDFS.label, None))  # something only the shapes catch
    problems = shacl_problems(built.graph, context, built.subject_rows)
    assert problems and problems[0].row == 3 and problems[0].column == "label"
    assert "needs an English rdfs:label" in str(problems[0])


# ------------------------------------------------------------------ stable IRIs, idempotence


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Alibaba Group Holding Ltd.", "alibaba-group-holding-ltd"), ("Autorité de la concurrence", "autorite-de-la-concurrence"),
     ("AT&T", "at-and-t"), ("  Meta  Platforms, Inc. ", "meta-platforms-inc"), ("McDonald's", "mcdonalds"), ("抖音", "")],
)  # fmt: skip
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_short_names_for_action_iris(catalogue: Catalogue) -> None:
    assert catalogue.short_name(f"{ID}org/state-administration-for-market-regulation") == "samr"
    assert catalogue.short_name(f"{ID}org/cyberspace-administration-of-china") == "cac"
    assert catalogue.short_name(f"{ID}org/alibaba-group") == "alibaba"


def test_rebuilding_is_deterministic(catalogue: Catalogue) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    a, _ = build(text, catalogue)
    b, _ = build(text, catalogue)
    assert a is not None and b is not None
    assert importer._serialise(a.graph, "x.csv") == importer._serialise(b.graph, "x.csv")


def test_the_output_file_is_left_out_of_the_context() -> None:
    existing = resources.data_dir() / "cn" / "2021-samr-alibaba-antitrust.ttl"
    subjects = {q.subject.value for q in importer._context_quads(existing) if isinstance(q.subject, ox.NamedNode)}
    assert f"{ID}action/2021-04-10-samr-alibaba" not in subjects
    assert f"{ID}org/alibaba-group" in subjects


def test_read_rows_counts_rows_as_a_spreadsheet_does() -> None:
    text = csv_text(row()) + "\n" + csv_text(row(label="multi\nline")).split("\n", 1)[1]
    _header, rows, problems = read_rows(text)
    assert not problems
    assert [n for n, _ in rows] == [2, 4]


def test_every_column_is_documented_in_the_readme() -> None:
    readme = (resources.resource_root() / "README.md").read_text(encoding="utf-8")
    for c in COLUMNS:
        assert f"`{c.name}`" in readme, c.name


def test_problem_text() -> None:
    assert str(Problem(3, "fine_currency", "bad")) == "row 3, column fine_currency: bad"
    assert str(Problem(None, None, "empty")) == "empty"


# ------------------------------------------------------------------ the command line


@pytest.fixture(scope="module")
def cli_imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path, bytes]:
    """`regkg import FIXTURE -o batch.ttl`, run once for the tests of the command line that read its output."""
    out = tmp_path_factory.mktemp("cli-import") / "batch.ttl"
    first = run_cli("import", str(FIXTURE), "-o", str(out))
    return first, out, out.read_bytes() if out.exists() else b""


def test_cli_import_writes_validated_turtle_and_reimport_is_byte_identical(
    cli_imported: tuple[subprocess.CompletedProcess[str], Path, bytes], tmp_path: Path
) -> None:
    first, _, data = cli_imported
    assert first.returncode == 0, first.stderr
    assert "3 action(s)" in first.stderr
    out = tmp_path / "batch.ttl"
    out.write_bytes(data)  # a copy, so the re-import below cannot change what other tests read
    second = run_cli("import", str(FIXTURE), "-o", str(out))
    assert second.returncode == 0, second.stderr
    assert out.read_bytes() == data
    g1 = rdflib.Graph().parse(data=data.decode("utf-8"), format="turtle")
    assert len(g1) > 60
    validated = run_cli("validate", str(out))
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "conforms" in validated.stdout


def test_cli_import_to_stdout_is_the_same_graph(
    cli_imported: tuple[subprocess.CompletedProcess[str], Path, bytes],
) -> None:
    first, out, _ = cli_imported
    assert first.returncode == 0
    proc = run_cli("import", str(FIXTURE))
    assert proc.returncode == 0, proc.stderr
    g_stdout = rdflib.Graph().parse(data=proc.stdout, format="turtle")
    g_file = rdflib.Graph().parse(out, format="turtle")
    assert isomorphic(g_stdout, g_file), "\n".join(
        sorted(str(t) for t in to_isomorphic(g_stdout) ^ to_isomorphic(g_file))
    )


def test_cli_dry_run_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "batch.ttl"
    proc = run_cli("import", str(FIXTURE), "-o", str(out), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "dry run, nothing written" in proc.stderr and proc.stdout == ""
    assert not out.exists()


def test_cli_bad_csv_exits_1_with_row_and_column_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text(row(fine_amount="2.8 billion", fine_currency="usd"), row(date_opened="2021-02-30")))
    out = tmp_path / "out.ttl"
    proc = run_cli("import", str(bad), "-o", str(out))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "bad.csv, row 2, column fine_amount: '2.8 billion' is not an amount" in proc.stderr
    assert "row 2, column fine_currency: 'usd' is not an ISO 4217 currency code" in proc.stderr
    assert "row 3, column date_opened: '2021-02-30' is not a calendar date" in proc.stderr
    assert "nothing written" in proc.stderr
    assert not out.exists()


def test_cli_usage_errors(tmp_path: Path) -> None:
    proc = run_cli("import", str(tmp_path / "missing.csv"))
    assert proc.returncode == 2 and "no such file" in proc.stderr
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(csv_text(row(label="Autorité")).encode("latin-1"))
    proc = run_cli("import", str(latin1))
    assert proc.returncode == 1 and "not UTF-8 text" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_import_into_a_store_is_a_gated_change_set(loaded_copy: Path) -> None:
    """`regkg import FILE.csv --store DIR`: the actions land in their own graph as one recorded
    change set; importing the same file again changes nothing."""
    folder = loaded_copy
    before = sorted((folder / "changes").glob("*.rdfp"))
    proc = run_cli("import", str(FIXTURE), "--store", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert "committed into" in proc.stderr and proc.stdout == ""
    after = sorted((folder / "changes").glob("*.rdfp"))
    assert len(after) == len(before) + 1
    patch = after[-1].read_text(encoding="utf-8")
    graph = f"{vocab.GRAPH}import/{FIXTURE.stem.lower()}"
    assert 'H token "regkg import (' in patch and f"<{graph}>" in patch
    store = ox.Store.read_only(str(folder))
    actions = {
        q.subject.value
        for q in store.quads_for_pattern(None, ox.NamedNode(vocab.RDF + "type"), None, ox.NamedNode(graph))
        if q.subject.value.startswith(vocab.ID + "action/")
    }
    assert len(actions) == 3
    del store
    again = run_cli("import", str(FIXTURE), "--store", str(folder))
    assert again.returncode == 0 and "unchanged" in again.stderr
    assert sorted((folder / "changes").glob("*.rdfp")) == after
