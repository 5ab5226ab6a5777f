"""The ledger of shipped graphs: what the gate last left in each graph loaded from ontology/ and
data/, so that a start can tell a graph changed outside the gate (a store edited by another
program, a restore of an old backup, a ``DROP`` run straight on the database).

Each graph has a count and an order-independent digest: the sum, modulo 2**256, of the SHA-256
of each quad's N-Quads form as the store keeps it. A commit re-reads the shipped graphs it touched
(a file's graph: thousands of quads, not the store), and a start recomputes them with one pass
over the shipped graphs. Kept in ``<store>/shipped.json`` (written atomically after each commit that
touches a shipped graph).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

__all__ = ["Drift", "Ledger", "digest"]

_MOD = 1 << 256


def _hash(q: ox.Quad) -> int:
    return int.from_bytes(hashlib.sha256(str(q).encode("utf-8")).digest(), "big")


def digest(quads: Iterable[ox.Quad]) -> tuple[int, int]:
    """(count, digest) of a set of quads."""
    n = total = 0
    for q in quads:
        n += 1
        total = (total + _hash(q)) % _MOD
    return n, total


@dataclass(frozen=True)
class Drift:
    """A shipped graph whose content is not what the gate last left there."""

    graph: str
    expected: int
    found: int

    def reason(self, files: dict[str, str]) -> str:
        where = files.get(self.graph, "its file")
        what = (
            "missing" if self.found == 0 else f"changed outside the gate ({self.found} quads, {self.expected} expected)"
        )
        return f"shipped graph <{self.graph}> is {what}: `regkg load --force {where}` restores it from {where}"


class Ledger:
    """Counts and digests of the shipped graphs of one on-disk store."""

    def __init__(self, path: Path, graphs: Iterable[str]) -> None:
        self.path = path
        self.graphs = frozenset(graphs)
        self.entries: dict[str, tuple[int, int]] = {}
        if path.exists():
            raw = json.loads(path.read_text(encoding="utf-8"))
            self.entries = {g: (int(v["quads"]), int(v["digest"], 16)) for g, v in raw.items()}

    @property
    def known(self) -> bool:
        """Whether the store has a ledger at all (a store made before ledgers has none)."""
        return bool(self.entries)

    def set(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        self.entries[graph] = digest(quads)

    def refresh(self, store: object, graphs: Iterable[str]) -> None:
        """Record what ``store`` now holds in the shipped graphs among ``graphs`` (after a commit:
        read back from the store, which keeps literals in canonical form, e.g. decimals)."""
        touched = [g for g in graphs if g in self.graphs]
        for g in touched:
            self.set(g, store.quads(graph=g))  # type: ignore[attr-defined]
        if touched:
            self.save()

    def forget(self, graphs: Iterable[str]) -> None:
        """Drop the entries of graphs that are no longer shipped (their files are gone)."""
        for g in graphs:
            self.entries.pop(g, None)
        self.save()

    def gone(self) -> list[str]:
        """Graphs once loaded from files that no longer exist: the only graphs a load may drop
        (a graph never loaded from a file -- written over HTTP, or bulk-loaded -- is not its to drop)."""
        return sorted(g for g in self.entries if g not in self.graphs)

    def drift(self, store: object) -> list[Drift]:
        """The shipped graphs whose content in ``store`` differs from the ledger."""
        found: list[Drift] = []
        for graph, (n, total) in sorted(self.entries.items()):
            now = digest(store.quads(graph=graph))  # type: ignore[attr-defined]
            if now != (n, total):
                found.append(Drift(graph, n, now[0]))
        return found

    def save(self) -> None:
        data = {g: {"quads": n, "digest": f"{d:064x}"} for g, (n, d) in sorted(self.entries.items())}
        tmp = self.path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(data, f, indent=0)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)
