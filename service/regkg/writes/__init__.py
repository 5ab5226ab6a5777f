"""The one write path (DESIGN §1): :mod:`~regkg.writes.gate` (the gate every door uses),
:mod:`~regkg.writes.check` (SHACL on a change), :mod:`~regkg.writes.changelog` (change sets as
RDF Patch files and PROV-O), :mod:`~regkg.writes.door` (the SPARQL Update door and snapshots)."""

from regkg.writes.changelog import ChangeLog, ChangeSet
from regkg.writes.door import Publisher, apply_update
from regkg.writes.gate import Gate, WriteResult

__all__ = ["ChangeLog", "ChangeSet", "Gate", "Publisher", "WriteResult", "apply_update"]
