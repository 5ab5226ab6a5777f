"""The load door: files into their named graphs through the commit core, and the start of a store.

``regkg load`` (and a start that finds the shipped files changed since the store last saw them)
diffs each file's graph against the store and commits the difference as one change set: listed
in /api/changes, revertible, replayed like any other. A shipped graph changed outside the gate
(:mod:`regkg.writes.ledger`) is left alone and reported unless ``force`` says to restore it.

A memory store is loaded directly (its start is its origin, not a change to record); a remote
SPARQL server is loaded when it holds no regkg ontology, without the gate (README says so).
"""

from __future__ import annotations

import getpass
import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from regkg import loading, memory, resources
from regkg.store.base import Store
from regkg.store.spec import StoreKind, StoreSpec
from regkg.store.sync import sync_shipped
from regkg.writes.changelog import ChangeLog
from regkg.writes.commit import commit
from regkg.writes.ledger import Drift, Ledger
from regkg.writes.recover import recover

__all__ = [
    "LoadResult",
    "Prepared",
    "import_turtle",
    "load_files",
    "load_shipped",
    "open_ledger",
    "prepare",
    "shipped_paths",
    "who_is",
]

log = logging.getLogger("regkg.load")

_FINGERPRINT_FILE = "regkg-fingerprint"
_LEDGER_FILE = "shipped.json"


@dataclass(frozen=True)
class LoadResult:
    graphs: int
    dropped: int
    added: int
    removed: int
    inferred: int
    change: str | None
    skipped: tuple[Drift, ...] = ()


@dataclass
class Prepared:
    """What a start found: the change log, the ledger, and shipped graphs changed outside the gate."""

    log: ChangeLog | None
    ledger: Ledger | None
    drift: list[Drift] = field(default_factory=list)
    loaded: LoadResult | None = None

    def reasons(self) -> list[str]:
        files = shipped_paths()
        return [d.reason(files) for d in self.drift]


def shipped_paths() -> dict[str, str]:
    """Each shipped graph and the file (or folder) to edit for it, relative to the checkout."""
    root = resources.data_dir().parent
    out: dict[str, list[str]] = {}
    for f in loading.shipped_files():
        out.setdefault(f.graph, []).append(str(f.path.relative_to(root) if f.path.is_relative_to(root) else f.path))
    return {g: names[0] if len(names) == 1 else str(Path(names[0]).parent) + "/" for g, names in out.items()}


def fingerprint() -> str:
    """A hash of every shipped file's path and content (and the deployment's base IRI)."""
    h = hashlib.sha256(loading.deployment_base().encode())
    for f in loading.shipped_files():
        h.update(f.graph.encode())
        h.update(f.path.read_bytes())
    return h.hexdigest()


def who_is(door: str) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{door} ({user})"


def load_files(
    store: Store,
    files: Sequence[loading.RdfFile],
    *,
    changes: ChangeLog,
    ledger: Ledger | None,
    who: str,
    drop: Iterable[str] = (),
    force: bool = False,
) -> LoadResult:
    """Bring the graphs of ``files`` (parsed first: a parse error changes nothing) in line with
    them, drop the graphs ``drop``, and commit the difference as one change set."""
    # Through a scratch store, so literals take the canonical form the store keeps ("7200.00" is
    # kept as "7200"): otherwise every load would see those quads as changed.
    scratch = ox.Store()
    for _, quads in loading.parse_files(files):
        scratch.extend(quads)
    graphs: dict[str, set[ox.Quad]] = {f.graph: set() for f in files}
    for q in scratch:
        graphs[q.graph_name.value].add(q)  # type: ignore[union-attr]
    dropped = [g for g in drop if g not in graphs]
    drifted = {d.graph: d for d in (ledger.drift(store) if ledger is not None and ledger.known else [])}
    skipped = tuple(drifted[g] for g in sorted(drifted) if g in graphs and not force)
    removed: list[ox.Quad] = []
    added: list[ox.Quad] = []
    changed = 0
    for graph, new in graphs.items():
        if graph in drifted and not force:
            continue
        old = set(store.quads(graph=graph))  # type: ignore[attr-defined]
        gone, fresh = old - new, new - old
        if gone or fresh:
            changed += 1
            removed += gone
            added += fresh
    for graph in dropped:
        removed += store.quads(graph=graph)  # type: ignore[attr-defined]
    if not removed and not added:
        return LoadResult(0, 0, 0, 0, 0, None, skipped)
    done = commit(store, changes, removed, added, who, ledger=ledger)
    if ledger is not None and force:
        ledger.refresh(store, [g for g in drifted if g in graphs])
    return LoadResult(
        changed, len(dropped), len(added), len(removed), len(done.gained) - len(done.lost), done.changeset.id, skipped
    )


def import_turtle(store: Store, folder: Path, turtle: str, graph: str, *, who: str) -> tuple[str | None, list[str]]:
    """Commit imported Turtle as the content of ``graph`` through the gate's checks: SHACL on the
    affected resources against what the store holds (422's check), then the commit core.
    Returns the change set's id (None when the graph already holds exactly this) and the
    violations that refused it."""
    from regkg.writes.check import validate_change

    changes, ledger = ChangeLog(folder / "changes"), open_ledger(folder)
    recover(store, changes, ledger)
    scratch = ox.Store()
    scratch.load(turtle.encode("utf-8"), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
    new = set(scratch)
    old = set(store.quads(graph=graph))  # type: ignore[attr-defined]
    removed, added = list(old - new), list(new - old)
    if not removed and not added:
        return None, []
    report = validate_change(store, removed, added)
    if not report.conforms:
        return None, [f"{v.focus} {v.path or ''}: {v.message}" for v in report.violations]
    done = commit(store, changes, removed, added, who, ledger=ledger)
    return done.changeset.id, []


def open_ledger(path: Path) -> Ledger:
    return Ledger(path / _LEDGER_FILE, shipped_paths())


def load_shipped(
    store: Store, path: Path, changes: ChangeLog, *, who: str, force: bool = False, ledger: Ledger | None = None
) -> LoadResult:
    """The shipped ontology and data into an on-disk store through the commit core."""
    ledger = ledger or open_ledger(path)
    recover(store, changes, ledger)
    if not ledger.known:
        # A store made before ledgers (or a fresh one): what it holds now is the baseline.
        for graph in ledger.graphs:
            ledger.set(graph, store.quads(graph=graph))  # type: ignore[attr-defined]
    gone = ledger.gone()
    result = load_files(store, loading.shipped_files(), changes=changes, ledger=ledger, who=who, drop=gone, force=force)
    ledger.forget(gone)
    if not result.skipped:
        (path / _FINGERPRINT_FILE).write_text(fingerprint())
    return result


def prepare(store: Store, spec: StoreSpec, scratch: Path) -> Prepared:
    """Make an opened store ready to serve: load or sync the shipped files, find drift.

    On disk: graphs changed outside the gate are reported (and left alone); files changed since
    the last load (a ``git pull``) are loaded through the commit core, as a change set by
    ``regkg serve``. In memory: the shipped files are loaded, unrecorded. Remote: loaded when
    the server holds no regkg ontology."""
    if spec.kind is StoreKind.REMOTE:
        store.load_shipped_if_empty()  # type: ignore[attr-defined]
        return Prepared(None, None)
    if spec.kind is not StoreKind.DISK:
        if spec.kind is StoreKind.MEMORY:
            sync_shipped(store)
        return Prepared(ChangeLog(scratch / "changes"), None)
    path = spec.path
    assert path is not None
    changes = ChangeLog(path / "changes")
    ledger = open_ledger(path)
    recover(store, changes, ledger)
    drift = ledger.drift(store) if ledger.known else []
    for d in drift:
        log.warning("%s", d.reason(shipped_paths()))
    marker = path / _FINGERPRINT_FILE
    loaded = None
    if not ledger.known or not marker.exists() or marker.read_text() != fingerprint():
        loaded = load_shipped(store, path, changes, who=who_is("regkg serve"), ledger=ledger)
        if loaded.change:
            log.info("shipped files changed: loaded as change %s", loaded.change)
        memory.give_back()  # what the load parsed and compared, before the service starts
    return Prepared(changes, ledger, drift, loaded)
