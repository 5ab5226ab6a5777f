"""The engine processes: sandboxed, each holding the graph in memory, in a fast and a slow lane.

:mod:`~regkg.workers.pool` (the pool, fairness, versions), :mod:`~regkg.workers.handle` (one
process as the web process sees it), :mod:`~regkg.workers.engine` (inside the process),
:mod:`~regkg.workers.messages` (what travels between them).
"""

from regkg.workers.messages import Change, QueryJob, UpdateJob
from regkg.workers.pool import EnginePool, QueryResponse

__all__ = ["Change", "EnginePool", "QueryJob", "QueryResponse", "UpdateJob"]
