"""The researchers' example queries (queries/*.rq), as the query editor and /api/examples show them.

Each file's leading ``#`` comment states its question; its first line is the example's title.
Files are read on each call (there are few, and a curator may add one while the service runs).
"""

from __future__ import annotations

import re
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
    """The paragraphs of the file's leading comment (an empty ``#`` line separates two)."""
    paragraphs: list[list[str]] = [[]]
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped or any(paragraphs):
                break
            continue
        body = stripped.lstrip("#").strip()
        if body:
            paragraphs[-1].append(body)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [" ".join(p) for p in paragraphs if p]


_QUESTION = re.compile(r"^(?:question|q)\s*\d*\s*[:.]\s*", re.IGNORECASE)


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
        title = _QUESTION.sub("", header[0]) if header else path.stem.replace("-", " ").replace("_", " ")
        title = title[:1].upper() + title[1:]
        out.append(Example(path.stem, title, " ".join(header[1:]), text))
    return out
