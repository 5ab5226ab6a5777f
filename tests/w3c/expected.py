"""The expected failures: ``expected-failures.txt`` beside this module.

One test a line, ``<manifest-relative id>  <reason>`` (two spaces or more, or a tab, between
them); ``#`` starts a comment. A listed test that fails is reported as xfail with its reason;
a listed test that passes fails, so that the list is kept honest; an unlisted test that
fails fails.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Final

import pytest

__all__ = ["EXPECTED_FAILURES", "check", "expected_failures"]

EXPECTED_FAILURES: Final = Path(__file__).with_name("expected-failures.txt")
_SPLIT: Final = re.compile(r"\s{2,}|\t")


@cache
def expected_failures() -> dict[str, str]:
    """Test id -> reason."""
    out: dict[str, str] = {}
    for n, line in enumerate(EXPECTED_FAILURES.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = _SPLIT.split(line, maxsplit=1)
        if len(parts) != 2 or not parts[1].strip():
            raise ValueError(f"{EXPECTED_FAILURES.name}:{n}: write '<test id>  <reason>'")
        if parts[0] in out:
            raise ValueError(f"{EXPECTED_FAILURES.name}:{n}: {parts[0]} is listed twice")
        out[parts[0]] = parts[1].strip()
    return out


def check(test_id: str, failure: str | None) -> None:
    """Pass, xfail or fail ``test_id`` given why it failed (None: it passed)."""
    reason = expected_failures().get(test_id)
    if failure is None:
        if reason is not None:
            pytest.fail(
                f"{test_id} passes but is listed in {EXPECTED_FAILURES.name} ({reason}): remove it from the list",
                pytrace=False,
            )
        return None
    if reason is not None:
        pytest.xfail(reason)
    pytest.fail(f"{test_id}: {failure}", pytrace=False)
