"""The last steps of every write, whatever its door: record the change set durably, commit it,
bring the inferred graph up to date for what changed, and keep the shipped graphs' ledger.

The HTTP gate (:mod:`regkg.writes.gate`) runs this after its checks, in a thread; ``regkg load``
and ``regkg import --store`` run it directly. One function, so that a change recorded by the
command line is the same kind of change set as one sent over HTTP (listed, revertible, replayed).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from regkg.workers import Change
from regkg.workers.changes import graph_name
from regkg.writes.changelog import ChangeLog, ChangeSet, prov_quads
from regkg.writes.ledger import Ledger

__all__ = ["Committed", "commit", "make_change"]


@dataclass(frozen=True)
class Committed:
    changeset: ChangeSet
    #: the change as logged (with its PROV-O record) and what inference lost and gained.
    logged: Change
    lost: set[ox.Quad]
    gained: set[ox.Quad]


def _nq(quads: list[ox.Quad] | set[ox.Quad]) -> bytes:
    return (ox.serialize(sorted(quads, key=str), format=ox.RdfFormat.N_QUADS) or b"") if quads else b""


def make_change(removed: list[ox.Quad] | set[ox.Quad], added: list[ox.Quad] | set[ox.Quad]) -> Change:
    """A :class:`Change` (the engines' wire form) from quads."""
    graphs = tuple(sorted({graph_name(q) for q in [*removed, *added]}))
    return Change(_nq(removed), _nq(added), graphs, len(removed), len(added))


def commit(
    store: object,
    log: ChangeLog,
    removed: list[ox.Quad],
    added: list[ox.Quad],
    who: str,
    *,
    reverts: str | None = None,
    ledger: Ledger | None = None,
    change: Change | None = None,
) -> Committed:
    """Write the change set (fsync), then apply it in one transaction and re-infer for it.

    The log is written first: a crash after it and before the commit leaves a change set whose
    quads a replay applies, never a commit nobody recorded."""
    change = change or make_change(removed, added)
    cs = log.new(change, who, reverts)
    record = prov_quads(cs)
    logged = change + make_change([], record)
    cs = log.write(cs, logged)
    # (the agent's own quads are in most records already: inferring over a quad that changed
    # nothing would read around the agent, every change it ever made, and cost the log's size)
    fresh = [q for q in record if not store.has(q)]  # type: ignore[attr-defined]
    # the lookup lane never reads from between the two transactions (it leaves such a read to an engine)
    with store.writing():  # type: ignore[attr-defined]
        try:
            store.apply(removed, [*added, *record])  # type: ignore[attr-defined]
        except BaseException:
            log.discard(cs)  # the transaction did not happen: neither did the change set
            raise
        lost, gained = store.reinfer_change(removed, [*added, *fresh])  # type: ignore[attr-defined]
    if ledger is not None:
        ledger.refresh(store, change.graphs)
    log.settle(cs)
    return Committed(cs, logged, lost, gained)
