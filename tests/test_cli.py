"""The `regkg` command line, run as a subprocess: exit codes, readable reports, no tracebacks."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from regkg import resources, vocab

ROOT = Path(__file__).resolve().parents[1]
Q3 = resources.queries_dir() / "03-campaign-platforms.rq"
PREFIXES = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in vocab.PREFIXES.items()) + "".join(
    f"@prefix {p}: <{vocab.ID}{path}/> .\n" for p, path in {"act": "action", "o": "org", "src": "source"}.items()
)


def regkg(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "250", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run(
        [sys.executable, "-m", "regkg.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
        check=False,
    )


def no_traceback(r: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr


def test_help_lists_the_verbs() -> None:
    r = regkg("--help")
    assert r.returncode == 0, r.stderr
    for verb in ("validate", "query", "serve"):
        assert verb in r.stdout


def test_no_arguments_prints_usage() -> None:
    r = regkg()
    assert r.returncode in (0, 2)
    assert "validate" in r.stdout + r.stderr
    no_traceback(r)


# ------------------------------------------------------------------ validate


def test_validate_shipped_data_exits_0() -> None:
    r = regkg("validate")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "conforms" in r.stdout
    no_traceback(r)


BAD_ACTION = """
act:cli-test-bad a rk:Decision ;
    rdfs:label "CAC acts against Alibaba (CLI test)"@en ;
    rk:regulator o:alibaba-group ;
    rk:target o:alibaba-group ;
    rk:concern concern:content ;
    rk:dateDecided "21 July 2021" ;
    prov:wasDerivedFrom src:2021-07-21-ap-china-fines-tech-giants .
"""


def test_validate_a_file_breaking_shapes_exits_1_with_a_readable_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad-action.ttl"
    bad.write_text(PREFIXES + BAD_ACTION, encoding="utf-8")
    r = regkg("validate", str(bad))
    no_traceback(r)
    assert r.returncode == 1, r.stdout + r.stderr
    report = r.stdout
    assert vocab.ID + "action/cli-test-bad" in report, "the focus node is named"
    assert str(bad) in report, "the file is named"
    assert "an action needs its regulator" in report
    assert "rk:dateDecided is one xsd:date" in report
    assert "rks:EnforcementActionShape" in report, "the shape is named"
    assert "rk:regulator" in report and "rk:dateDecided" in report, "the paths are named"
    assert "does not conform" in report


def test_validate_an_ill_typed_literal_is_a_violation_not_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "ill-typed.ttl"
    bad.write_text(
        PREFIXES + BAD_ACTION.replace('"21 July 2021"', '"2021-13-45"^^xsd:date'),
        encoding="utf-8",
    )
    r = regkg("validate", str(bad))
    no_traceback(r)
    assert r.returncode == 1
    assert "rk:dateDecided is one xsd:date" in r.stdout


def test_validate_json_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad-action.ttl"
    bad.write_text(PREFIXES + BAD_ACTION, encoding="utf-8")
    r = regkg("validate", "--format", "json", str(bad))
    assert r.returncode == 1
    report = json.loads(r.stdout)
    assert report["conforms"] is False
    [result] = report["results"]
    assert result["focus"] == vocab.ID + "action/cli-test-bad" and result["file"] == str(bad)
    messages = {v["message"] for v in result["violations"]}
    assert any("an action needs its regulator" in m for m in messages)


def test_validate_a_file_that_does_not_parse_gives_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    lines = PREFIXES.count("\n")
    broken.write_text(PREFIXES + 'act:x a rk:Decision ;\n    rdfs:label "unterminated ;\n', encoding="utf-8")
    r = regkg("validate", str(broken))
    no_traceback(r)
    assert r.returncode == 1
    assert str(broken) in r.stderr and "not valid RDF" in r.stderr
    assert "line" in r.stderr and "column" in r.stderr
    line = int(r.stderr.split("line ", 1)[1].split(",", 1)[0])
    assert line > lines


def test_validate_a_missing_file_exits_2(tmp_path: Path) -> None:
    r = regkg("validate", str(tmp_path / "nope.ttl"))
    no_traceback(r)
    assert r.returncode == 2
    assert "no such file" in r.stderr


# ------------------------------------------------------------------ query


def test_query_prints_a_table() -> None:
    r = regkg("query", str(Q3))
    no_traceback(r)
    assert r.returncode == 0, r.stderr
    for label in ("Taobao", "QQ", "Kuaishou", "Sina Weibo", "Xiaohongshu", "Alibaba Group Holding Limited"):
        assert label in r.stdout
    assert "platformLabel" in r.stdout
    assert "5 row(s)" in r.stdout


def test_query_json_is_sparql_results_json() -> None:
    r = regkg("query", "--format", "json", str(Q3))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert "platform" in doc["head"]["vars"] and "operator" in doc["head"]["vars"]
    bindings = doc["results"]["bindings"]
    assert len(bindings) == 5
    taobao = [b for b in bindings if b["platform"]["value"] == vocab.ID + "platform/taobao"]
    assert taobao and taobao[0]["platform"]["type"] == "uri"
    assert taobao[0]["operator"]["value"] == vocab.ID + "org/alibaba-group"
    assert taobao[0]["day"]["datatype"] == vocab.XSD + "date"


def test_query_csv() -> None:
    r = regkg("query", "--format", "csv", str(Q3))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 5
    assert {row["platformLabel"] for row in rows} == {"Taobao", "QQ", "Kuaishou", "Sina Weibo", "Xiaohongshu"}


def test_query_text_with_predeclared_prefixes() -> None:
    r = regkg("query", "--format", "json", "ASK { <https://w3id.org/regkg/id/platform/taobao> rk:operatedBy ?o }")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["boolean"] is True


@pytest.mark.parametrize(
    "bad", ["SELECT ?x WHERE { ?x ", "SELEC * WHERE { ?s ?p ?o }", "SELECT * WHERE { ?s nope:p ?o }"]
)
def test_query_syntax_error_exits_1_without_traceback(bad: str) -> None:
    r = regkg("query", bad)
    no_traceback(r)
    assert r.returncode == 1
    assert "SPARQL syntax error" in r.stderr


def test_query_syntax_error_in_a_file_gives_the_line_of_the_file(tmp_path: Path) -> None:
    """The position is a line of the user's file, not of the file after the predeclared prefixes."""
    f = tmp_path / "broken.rq"
    f.write_text("SELECT ?x\nWHERE {\n  ?x rk:label\n}\n", encoding="utf-8")
    r = regkg("query", str(f))
    no_traceback(r)
    assert r.returncode == 1 and "SPARQL syntax error" in r.stderr
    assert "at line 4, column 1" in r.stderr, r.stderr


def test_query_missing_file_exits_2(tmp_path: Path) -> None:
    r = regkg("query", str(tmp_path / "missing.rq"))
    no_traceback(r)
    assert r.returncode == 2 and "no such query file" in r.stderr
