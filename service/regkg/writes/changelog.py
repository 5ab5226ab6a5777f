"""The change log: every accepted change set, kept durably as an RDF Patch file and described in
PROV-O in the named graph ``…/graph/changes`` (so SPARQL can ask who changed what, when).

Files: ``<folder>/<serial:06d>-<id>.rdfp``, one per change set, written and fsync'd before the
change is committed to the store. Header rows (``H id``, ``H token``, ``H time``, ``H reverts``)
then the quads removed (``D``) and added (``A``) inside ``TX`` / ``TC``. The PROV-O description
is part of the change set's added quads, so replaying the files in order over the shipped data
(:func:`replay`) rebuilds the same quads. The folder is the store's (``<store>/changes``) for an
on-disk store; for a memory store it lasts as long as the process.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pyoxigraph as ox

from regkg import vocab
from regkg.workers import Change

__all__ = ["ChangeLog", "ChangeSet", "replay"]

_HEADER: Final = re.compile(r'^H (\w+) (?:<([^>]*)>|"([^"]*)")')
_RDF_TYPE: Final = ox.NamedNode(vocab.RDF + "type")
_DATETIME: Final = ox.NamedNode(vocab.XSD + "dateTime")
#: the file that names the newest change set whose commit finished every step.
_SETTLED: Final = "settled"


@dataclass(frozen=True)
class ChangeSet:
    """One accepted change set, as /api/changes lists it."""

    id: str
    serial: int
    token: str
    time: str
    graphs: tuple[str, ...]
    added: int
    removed: int
    reverts: str | None = None
    path: Path | None = field(default=None, compare=False)

    @property
    def iri(self) -> str:
        return vocab.CHANGE + self.id

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "token": self.token,
            "time": self.time,
            "graphs": list(self.graphs),
            "added": self.added,
            "removed": self.removed,
            "reverts": self.reverts,
        }


def prov_quads(cs: ChangeSet) -> list[ox.Quad]:
    """The change set described in PROV-O, in the changes graph."""
    g = ox.NamedNode(vocab.CHANGES_GRAPH)
    act = ox.NamedNode(cs.iri)
    agent = ox.NamedNode(vocab.BASE + "id/agent/" + re.sub(r"[^A-Za-z0-9._-]", "-", cs.token).lower())
    prov, dct, rdfs = vocab.PROV, vocab.DCT, vocab.RDFS
    label = f"change {cs.id}: {cs.added} quads added, {cs.removed} removed by {cs.token}"
    quads = [
        ox.Quad(act, _RDF_TYPE, ox.NamedNode(prov + "Activity"), g),
        ox.Quad(act, ox.NamedNode(dct + "identifier"), ox.Literal(cs.id), g),
        ox.Quad(act, ox.NamedNode(rdfs + "label"), ox.Literal(label, language="en"), g),
        ox.Quad(act, ox.NamedNode(prov + "endedAtTime"), ox.Literal(cs.time, datatype=_DATETIME), g),
        ox.Quad(act, ox.NamedNode(prov + "wasAssociatedWith"), agent, g),
        ox.Quad(agent, _RDF_TYPE, ox.NamedNode(prov + "Agent"), g),
        ox.Quad(agent, ox.NamedNode(rdfs + "label"), ox.Literal(cs.token), g),
    ]
    quads += [ox.Quad(act, ox.NamedNode(dct + "relation"), ox.NamedNode(name), g) for name in cs.graphs if name]
    if cs.reverts:
        quads.append(ox.Quad(act, ox.NamedNode(prov + "wasInformedBy"), ox.NamedNode(vocab.CHANGE + cs.reverts), g))
    return quads


def _lines(prefix: str, data: bytes) -> Iterator[str]:
    for line in data.decode("utf-8").splitlines():
        if line.strip():
            yield f"{prefix} {line}"


class ChangeLog:
    """The change sets of one store, newest last."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.sets: list[ChangeSet] = [self._read_header(p) for p in sorted(folder.glob("*.rdfp"))]
        self._by_id = {c.id: c for c in self.sets}

    def new(self, change: Change, token: str, reverts: str | None = None) -> ChangeSet:
        """A change set for ``change`` (not yet written)."""
        serial = (self.sets[-1].serial + 1) if self.sets else 1
        return ChangeSet(
            id=uuid.uuid4().hex[:16],
            serial=serial,
            token=token,
            time=dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            graphs=change.graphs,
            added=change.added_count,
            removed=change.removed_count,
            reverts=reverts,
        )

    def write(self, cs: ChangeSet, change: Change) -> ChangeSet:
        """Write the patch file durably (fsync) and add the change set to the log."""
        path = self.folder / f"{cs.serial:06d}-{cs.id}.rdfp"
        rows = [f"H id <{cs.iri}> .", f'H token "{cs.token}" .', f'H time "{cs.time}" .']
        if cs.reverts:
            rows.append(f"H reverts <{vocab.CHANGE + cs.reverts}> .")
        rows.append(f'H graphs "{" ".join(cs.graphs)}" .')
        rows.append(f'H counts "{cs.added} {cs.removed}" .')
        rows.append("TX .")
        rows += _lines("D", change.removed)
        rows += _lines("A", change.added)
        rows.append("TC .")
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            f.write("\n".join(rows) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        done = ChangeSet(**{**cs.__dict__, "path": path})
        self.sets.append(done)
        self._by_id[done.id] = done
        return done

    def discard(self, cs: ChangeSet) -> None:
        """Take back a change set whose commit failed (it never reached the store)."""
        if cs.path is not None:
            cs.path.unlink(missing_ok=True)
        self.sets = [c for c in self.sets if c.id != cs.id]
        self._by_id.pop(cs.id, None)

    def set_aside(self, cs: ChangeSet) -> None:
        """Take a change set that never reached the store out of the log, keeping its file under
        another name (``.rdfp.not-committed``: not listed, reverted or replayed)."""
        if cs.path is not None and cs.path.exists():
            os.replace(cs.path, cs.path.with_name(cs.path.name + ".not-committed"))
        self.sets = [c for c in self.sets if c.id != cs.id]
        self._by_id.pop(cs.id, None)

    def settle(self, cs: ChangeSet) -> None:
        """Record that every step of ``cs``'s commit is done (see :mod:`regkg.writes.recover`).
        Not fsync'd: losing it only makes a start redo the steps, which is harmless."""
        tmp = self.folder / (_SETTLED + ".tmp")
        tmp.write_text(f"{cs.serial} {cs.id}\n", encoding="utf-8")
        os.replace(tmp, self.folder / _SETTLED)

    def settled(self) -> int:
        """The serial of the newest change set whose commit finished (0: none recorded)."""
        try:
            return int((self.folder / _SETTLED).read_text(encoding="utf-8").split()[0])
        except (OSError, ValueError, IndexError):
            return 0

    def get(self, change_id: str) -> ChangeSet | None:
        return self._by_id.get(change_id)

    def newest(self, limit: int, before: str | None = None) -> list[ChangeSet]:
        items = list(reversed(self.sets))
        if before is not None:
            cut = self._by_id.get(before)
            items = [c for c in items if cut is None or c.serial < cut.serial]
        return items[:limit]

    def reverted(self, change_id: str) -> str | None:
        """The change set that reverted ``change_id``, if any."""
        return next((c.id for c in self.sets if c.reverts == change_id), None)

    @staticmethod
    def patch(cs: ChangeSet) -> str:
        assert cs.path is not None
        return cs.path.read_text(encoding="utf-8")

    @staticmethod
    def quads(cs: ChangeSet) -> tuple[list[ox.Quad], list[ox.Quad]]:
        """The quads the change set removed and added (its PROV-O description included)."""
        return _patch_quads(ChangeLog.patch(cs))

    @staticmethod
    def _read_header(path: Path) -> ChangeSet:
        head: dict[str, str] = {}
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.startswith("TX"):
                    break
                m = _HEADER.match(line)
                if m:
                    head[m.group(1)] = m.group(2) or m.group(3) or ""
        added, removed = (int(x) for x in head.get("counts", "0 0").split())
        serial = int(path.name.split("-", 1)[0])
        reverts = head.get("reverts")
        return ChangeSet(
            id=head["id"].removeprefix(vocab.CHANGE),
            serial=serial,
            token=head.get("token", "?"),
            time=head.get("time", ""),
            graphs=tuple(g for g in head.get("graphs", "").split(" ") if g) if head.get("graphs") else (),
            added=added,
            removed=removed,
            reverts=reverts.removeprefix(vocab.CHANGE) if reverts else None,
            path=path,
        )


def _patch_quads(text: str) -> tuple[list[ox.Quad], list[ox.Quad]]:
    removed = "\n".join(line[2:] for line in text.splitlines() if line.startswith("D "))
    added = "\n".join(line[2:] for line in text.splitlines() if line.startswith("A "))

    def parse(data: str) -> list[ox.Quad]:
        return list(ox.parse(data.encode("utf-8"), format=ox.RdfFormat.N_QUADS)) if data else []

    return parse(removed), parse(added)


def replay(store: ox.Store, files: Iterable[Path]) -> int:
    """Apply patch files in order to a store (the shipped data loaded); returns how many."""
    n = 0
    for path in sorted(files):
        removed, added = _patch_quads(path.read_text(encoding="utf-8"))
        for q in removed:
            store.remove(q)
        store.extend(added)
        n += 1
    return n
