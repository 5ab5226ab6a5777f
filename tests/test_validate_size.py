"""`regkg validate FILE` on large files: a 2 MB file in seconds (only what the file adds and what
its shapes reach is validated, with the shipped data as context), a too-large file refused before
it is parsed, with exit 1 and a clear message."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from regkg import vocab
from regkg.validation import MAX_FILE_BYTES, TooLarge, validate_files

ROOT = Path(__file__).resolve().parents[1]
PREFIXES = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in vocab.PREFIXES.items())
# One decision on shipped entities, with its fine, an inline amount and a new source: 25 triples, ~1.2 kB.
BLOCK = """
<{id}action/2021-05-{n:05d}-samr-alibaba-size-test> a rk:Decision ;
    rdfs:label "Generated decision {n} against Alibaba Group, for the size test"@en ;
    rk:regulator <{id}org/state-administration-for-market-regulation> ;
    rk:target <{id}org/alibaba-group> ;
    rk:concern <https://w3id.org/regkg/concern/antitrust> ;
    rk:legalBasis <{id}law/cn-anti-monopoly-law> ;
    rk:dateDecided "2021-05-10"^^xsd:date ;
    rk:status rk:Concluded ;
    rk:outcome <{id}penalty/2021-05-{n:05d}-size-test-fine> ;
    prov:wasDerivedFrom <{id}source/2021-05-{n:05d}-size-test> .
<{id}penalty/2021-05-{n:05d}-size-test-fine> a rk:Fine ;
    rdfs:label "Generated fine {n} on Alibaba Group"@en ;
    rk:penalisedEntity <{id}org/alibaba-group> ;
    rk:amount [ a schema:MonetaryAmount ; schema:value "{amount}"^^xsd:decimal ; schema:currency "CNY" ] ;
    prov:wasDerivedFrom <{id}source/2021-05-{n:05d}-size-test> .
<{id}source/2021-05-{n:05d}-size-test> a rk:Source , schema:NewsArticle ;
    dct:title "Generated report {n}"@en ;
    schema:publisher <{id}org/xinhua> ;
    dct:date "2021-05-10"^^xsd:date ;
    schema:url <https://example.org/generated/{n}> ;
    dct:language "en" .
"""


def regkg(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the CLI; also the CPU seconds it used (not wall time: the test machine may be busy)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(
        [sys.executable, "-m", "regkg.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "250", "NO_COLOR": "1", "TERM": "dumb"},
        cwd=ROOT,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def test_a_2_mb_file_validates_in_seconds_and_its_one_bad_fine_is_found(tmp_path: Path) -> None:
    blocks, size, n = [PREFIXES], len(PREFIXES), 0
    while size < 2_000_000:
        amount = "-5" if n == 1000 else f"{n + 1}000"  # one bad amount among ~1,650 decisions
        block = BLOCK.format(id=vocab.ID, n=n, amount=amount)
        blocks.append(block)
        size += len(block)
        n += 1
    big = tmp_path / "big.ttl"
    big.write_text("".join(blocks), encoding="utf-8")
    assert big.stat().st_size >= 2_000_000
    r, cpu = regkg("validate", str(big))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    assert f"{vocab.ID}penalty/2021-05-01000-size-test-fine" in r.stdout
    assert "does not conform: 1 problem(s) on 1 resource(s)" in r.stdout, r.stdout[-2000:]
    assert cpu <= 10, f"validating a 2 MB file took {cpu:.1f} s of CPU"


def test_a_200_mb_file_is_refused_before_parsing_with_exit_1(tmp_path: Path) -> None:
    huge = tmp_path / "huge.ttl"
    with huge.open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # sparse: 200 MB by its size, nothing written to disk
    r, cpu = regkg("validate", str(huge))
    assert r.returncode == 1
    assert "too large to validate: 209.7 MB given" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert cpu < 30


def test_the_size_limit_counts_the_given_files_together(tmp_path: Path) -> None:
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    for p in (a, b):
        p.write_text(PREFIXES + "# " + "x" * 600 + "\n", encoding="utf-8")
    assert validate_files([a], max_bytes=2000).conforms
    with pytest.raises(TooLarge) as info:
        validate_files([a, b], max_bytes=2000)
    assert info.value.size == a.stat().st_size + b.stat().st_size and info.value.limit == 2000
    assert MAX_FILE_BYTES >= 2_000_000
