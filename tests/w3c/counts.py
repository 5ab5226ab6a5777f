"""Per-suite counts of the W3C SPARQL 1.1 tests: passed, failed, expected failures, skipped.

    .venv/bin/python -m tests.w3c.counts            # runs the three W3C test modules
    .venv/bin/python -m tests.w3c.counts report.xml # or reads a pytest --junitxml report

Positive syntax tests answered 403 by policy (SERVICE, LOAD) pass and are counted apart.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path
from typing import Final

MODULES: Final = ["tests/test_w3c_syntax.py", "tests/test_w3c_protocol.py", "tests/test_w3c_eval.py"]
COLUMNS: Final = ("passed", "failed", "xfail", "skipped", "403 policy")
REPO: Final = Path(__file__).resolve().parents[2]


def run_pytest(report: Path) -> int:
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-o",
        "junit_family=xunit1",
        f"--junitxml={report}",
        *MODULES,
    ]
    return subprocess.run(cmd, cwd=REPO, stdout=subprocess.DEVNULL, check=False).returncode


def tally(report: Path) -> dict[str, Counter[str]]:
    """suite -> outcome -> count, from a junit XML report."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for case in ET.parse(report).iter("testcase"):
        name = case.get("name", "")
        if "[" not in name:
            continue  # not a W3C test (e.g. the check of the expected-failures list)
        test_id = name[name.index("[") + 1 : -1]
        suite = test_id.split("/", 1)[0]
        key = suite
        skipped = case.find("skipped")
        if case.find("failure") is not None or case.find("error") is not None:
            counts[key]["failed"] += 1
        elif skipped is not None:
            counts[key]["xfail" if skipped.get("type") == "pytest.xfail" else "skipped"] += 1
        else:
            counts[key]["passed"] += 1
            props = {p.get("name"): p.get("value") for p in case.iter("property")}
            if "policy" in props:
                counts[key]["403 policy"] += 1
    return counts


def render(counts: dict[str, Counter[str]]) -> str:
    width = max([len("suite"), *(len(s) for s in counts)])
    lines = [f"{'suite':<{width}}  " + "  ".join(f"{c:>10}" for c in COLUMNS)]
    total: Counter[str] = Counter()
    for suite in sorted(counts):
        total.update(counts[suite])
        lines.append(f"{suite:<{width}}  " + "  ".join(f"{counts[suite][c]:>10}" for c in COLUMNS))
    lines.append(f"{'total':<{width}}  " + "  ".join(f"{total[c]:>10}" for c in COLUMNS))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv:
        print(render(tally(Path(argv[0]))))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "w3c.xml"
        code = run_pytest(report)
        print(render(tally(report)))
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
