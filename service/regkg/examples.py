"""The researchers' example queries (queries/*.rq), as the query editor and /api/examples show them.

Each file's leading ``#`` comment states its question; its first line is the example's title.
Files are read on each call (there are few, and a curator may add one while the service runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from regkg import resources

__all__ = ["Example", "load"]


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    description: str
    query: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title, "description": self.description, "query": self.query}


def _header(text: str) -> list[str]:
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            if lines:
                break
            continue
        if not stripped.startswith("#"):
            break
        lines.append(stripped.lstrip("#").strip())
    return [x for x in lines if x]


def load(folder: Path | None = None) -> list[Example]:
    """Every ``*.rq`` of ``folder`` (default: the shipped queries/), sorted by file name."""
    folder = folder or resources.queries_dir()
    if not folder.is_dir():
        return []
    out: list[Example] = []
    for path in sorted(folder.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        header = _header(text)
        title = header[0] if header else path.stem.replace("-", " ").replace("_", " ")
        for prefix in ("Question:", "Q:", "question:"):
            title = title.removeprefix(prefix).strip()
        out.append(Example(path.stem, title, " ".join(header[1:]), text))
    return out
