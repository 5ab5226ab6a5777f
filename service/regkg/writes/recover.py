"""A start after a crash in the middle of a commit: finish it, or set it aside.

A commit (:func:`regkg.writes.commit.commit`) takes steps that cannot share one transaction: the
change set is written to the log (fsync), committed to the store (one transaction), the inferred
graph is brought up to date, the shipped graphs' ledger is refreshed, and the log records the
change as settled. A crash between two steps leaves one of two states, both found from the
newest change set alone (writes are serialised, so only it can be unfinished):

* logged but never committed (its PROV-O record is not in the store): the client got no
  acknowledgement and the store has none of it, so the change set is set aside
  (``<serial>-<id>.rdfp.not-committed``, kept for whoever wants to look) and is no longer listed,
  reverted or replayed;
* committed but not settled: its inference and the ledger are done again -- both depend only on
  the store and the change, so doing them twice is harmless -- and without this a shipped graph
  an admin changed would be reported as changed outside the gate.
"""

from __future__ import annotations

import logging

import pyoxigraph as ox

from regkg import vocab
from regkg.store.base import Store
from regkg.writes.changelog import ChangeLog, ChangeSet
from regkg.writes.ledger import Ledger

__all__ = ["recover"]

log = logging.getLogger("regkg.writes")


def _committed(store: Store, cs: ChangeSet) -> bool:
    record = ox.Quad(
        ox.NamedNode(cs.iri),
        ox.NamedNode(vocab.RDF + "type"),
        ox.NamedNode(vocab.PROV + "Activity"),
        ox.NamedNode(vocab.CHANGES_GRAPH),
    )
    return bool(store.has(record))  # type: ignore[attr-defined]


def recover(store: Store, changes: ChangeLog, ledger: Ledger | None) -> str | None:
    """Finish or set aside the newest change set if a crash interrupted its commit; returns what
    was done (for the log), or None when the log was settled."""
    if not changes.sets:
        return None
    last = changes.sets[-1]
    if changes.settled() >= last.serial:
        return None
    if not _committed(store, last):
        changes.set_aside(last)
        done = f"change {last.id} was logged but never committed (a crash before its commit): set aside"
    else:
        removed, added = ChangeLog.quads(last)
        # (the record's agent quads were there before: as in commit, they are not what changed)
        act, log_graph = ox.NamedNode(last.iri), ox.NamedNode(vocab.CHANGES_GRAPH)
        added = [q for q in added if q.graph_name != log_graph or q.subject == act]
        store.reinfer_change(removed, added)  # type: ignore[attr-defined]
        if ledger is not None:
            ledger.refresh(store, last.graphs)
        changes.settle(last)
        done = f"change {last.id} was committed but not settled (a crash after its commit): inference and ledger redone"
    log.warning("%s", done)
    return done
