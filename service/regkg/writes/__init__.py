"""The one write path (DESIGN §1): :mod:`~regkg.writes.gate` (the gate every door uses),
:mod:`~regkg.writes.check` (SHACL on a change), :mod:`~regkg.writes.changelog` (change sets as
RDF Patch files and PROV-O), :mod:`~regkg.writes.commit` (record, commit, re-infer: the steps every
door ends with), :mod:`~regkg.writes.load` (the load door and a store's start),
:mod:`~regkg.writes.ledger` (what the gate left in the shipped graphs), :mod:`~regkg.writes.door`
(the SPARQL Update door and snapshots)."""

from regkg.writes.changelog import ChangeLog, ChangeSet
from regkg.writes.door import Publisher, apply_update
from regkg.writes.gate import Gate, WriteResult

__all__ = ["ChangeLog", "ChangeSet", "Gate", "Publisher", "WriteResult", "apply_update"]
