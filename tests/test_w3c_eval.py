"""W3C SPARQL 1.1 evaluation tests (query and update), in-process, as the service runs them.

See :mod:`tests.w3c.engine` for how a query and an update are run. Results are compared as
the suites demand (:mod:`tests.w3c.results`). The service's default graph is the union of
all graphs: tests that need a default graph apart from the named graphs fail for that reason
and are listed in tests/w3c/expected-failures.txt, with every other known failure.
"""

from __future__ import annotations

import re
from typing import Final

import pytest

from .w3c import expected, manifest
from .w3c.engine import MEDIA_TYPES, Answer, dataset, new_store, run_query, run_update
from .w3c.manifest import W3CTest
from .w3c.results import Solutions, compare_csv, compare_datasets, compare_solutions, parse_expected, read_rdf

SKIP: Final = manifest.skip_reason()
pytestmark = pytest.mark.skipif(SKIP is not None, reason=SKIP or "")

QUERY_SUITES: Final = manifest.QUERY_SUITES
UPDATE_SUITES: Final = manifest.UPDATE_SUITES
_EVAL_KINDS: Final = {"QueryEvaluationTest", "CSVResultFormatTest", "UpdateEvaluationTest"}


def _tests(suites: list[str], kinds: set[str]) -> list[W3CTest]:
    if SKIP is not None:
        return []
    return [t for t in manifest.load_suites(*suites) if t.kind in kinds]


QUERY_TESTS: Final = _tests(QUERY_SUITES, {"QueryEvaluationTest", "CSVResultFormatTest"})
UPDATE_TESTS: Final = _tests(UPDATE_SUITES, {"UpdateEvaluationTest"})
_ORDER_BY: Final = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)


def _skip_not_run(test: W3CTest) -> None:
    if test.not_run:
        pytest.skip(f"{test.id} is {test.not_run} by the W3C (dawgt:approval); not run")


def query_failure(test: W3CTest) -> str | None:
    """Why the service's answer to a query evaluation test is wrong, or None."""
    assert test.action is not None and test.result is not None
    store = new_store(test.data)
    text = test.action.read_text(encoding="utf-8")
    csv_test = test.kind == "CSVResultFormatTest"
    answer = run_query(store, text, test.action, MEDIA_TYPES.get(test.result.suffix, "application/sparql-results+json"))
    if not isinstance(answer, Answer):
        return answer
    if csv_test or answer.value is None:
        return compare_csv(test.result.read_text(encoding="utf-8"), answer.body.decode("utf-8"))
    want = parse_expected(test.result, graph_result=answer.form in {"CONSTRUCT", "DESCRIBE"})
    got = answer.value
    if isinstance(want, bool) or isinstance(got, bool):
        return None if want == got else f"expected {want}, got {got}"
    if isinstance(want, Solutions) and isinstance(got, Solutions):
        return compare_solutions(want, got, ordered=bool(_ORDER_BY.search(text)))
    if isinstance(want, list) and isinstance(got, list):
        return compare_datasets(want, got)
    return f"expected {type(want).__name__}, got a {answer.form} result"


def update_failure(test: W3CTest) -> str | None:
    """Why the dataset after an update evaluation test is wrong, or None."""
    assert test.action is not None
    store = new_store(test.data)
    problem = run_update(store, test.action.read_text(encoding="utf-8"), test.action)
    if problem is not None:
        return problem
    want = [q for f in test.result_data for q in read_rdf(f.path, manifest.graph_node(f.graph) if f.graph else None)]
    return compare_datasets(want, dataset(store))


@pytest.mark.parametrize("test", QUERY_TESTS, ids=lambda t: t.id)
def test_query_evaluation(test: W3CTest) -> None:
    _skip_not_run(test)
    expected.check(test.id, query_failure(test))


@pytest.mark.parametrize("test", UPDATE_TESTS, ids=lambda t: t.id)
def test_update_evaluation(test: W3CTest) -> None:
    _skip_not_run(test)
    expected.check(test.id, update_failure(test))


@pytest.mark.skipif(SKIP is not None, reason=SKIP or "")
def test_expected_failures_name_real_tests() -> None:
    """Every id in expected-failures.txt is a test of the suites these modules run."""
    known = {t.id for t in manifest.load_suites(*manifest.ALL_SUITES)}
    stale = sorted(set(expected.expected_failures()) - known)
    assert not stale, f"{expected.EXPECTED_FAILURES.name} lists tests that do not exist: {stale}"
