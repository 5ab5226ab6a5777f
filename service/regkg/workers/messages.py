"""The typed messages between the web process and its engine processes (pickled on a pipe).

To an engine: :class:`RunQuery`, :class:`ComputeChange` (evaluate an update against the engine's
copy and give back the quads it would remove and add, leaving the copy as it was), and
:class:`ApplyChange` (bring the copy to the next data version). From an engine: :class:`Ready`,
:class:`Head`, :class:`Chunk`, :class:`End`, :class:`Failed`, :class:`Computed`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ApplyChange",
    "Change",
    "CheckOnly",
    "Checked",
    "Chunk",
    "ComputeChange",
    "Computed",
    "End",
    "Failed",
    "Fork",
    "Forked",
    "GraphJob",
    "Head",
    "QueryJob",
    "Ready",
    "RunQuery",
    "UpdateJob",
]


@dataclass(frozen=True)
class QueryJob:
    """One query as the pool runs it."""

    text: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    max_rows: int | None = None
    timeout: float | None = None
    #: relative IRIs resolve against BASE in the text, else this (the endpoint's URL).
    base_iri: str | None = None
    #: who asked (an address or a token name): the unit of fairness.
    client: str = ""
    #: False only in the test that proves the sandbox holds without the text checks.
    check_policy: bool = True


@dataclass(frozen=True)
class UpdateJob:
    """One SPARQL update, to be turned into a :class:`Change` by an engine."""

    text: str
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()
    base_iri: str | None = None
    timeout: float | None = None
    check_policy: bool = True


@dataclass(frozen=True)
class GraphJob:
    """A Graph Store Protocol write: PUT (replace), POST (merge) or DELETE one graph ("" for the
    default graph); the payload is parsed in the engine, never in the web process."""

    method: str
    graph: str
    #: (media type, bytes) of each part: one, or several for multipart/form-data.
    parts: tuple[tuple[str, bytes], ...] = ()
    base_iri: str | None = None
    timeout: float | None = None


@dataclass(frozen=True)
class Change:
    """Quads removed and added (N-Quads), the unit every copy of the graph moves by."""

    removed: bytes = b""
    added: bytes = b""
    #: the named graphs the change touches ("" for the default graph).
    graphs: tuple[str, ...] = ()
    removed_count: int = 0
    added_count: int = 0

    @property
    def empty(self) -> bool:
        return not self.removed_count and not self.added_count

    def __add__(self, other: Change) -> Change:
        return Change(
            self.removed + other.removed,
            self.added + other.added,
            tuple(sorted(set(self.graphs) | set(other.graphs))),
            self.removed_count + other.removed_count,
            self.added_count + other.added_count,
        )

    def inverse(self) -> Change:
        return Change(self.added, self.removed, self.graphs, self.added_count, self.removed_count)


@dataclass(frozen=True)
class RunQuery:
    job: QueryJob
    max_rows: int


@dataclass(frozen=True)
class ComputeChange:
    job: UpdateJob | GraphJob


@dataclass(frozen=True)
class CheckOnly:
    """Check and parse only (for a remote store, which evaluates the operation itself)."""

    operation: str
    text: str


@dataclass(frozen=True)
class Checked:
    form: str
    has_dataset_clause: bool


@dataclass(frozen=True)
class ApplyChange:
    change: Change
    version: int


@dataclass(frozen=True)
class Fork:
    """To the zygote: fork an engine; it answers :class:`Forked` and sends the engine's two pipe
    ends (SCM_RIGHTS)."""

    #: the engine's CPU niceness: slow-lane engines yield the CPU to the fast lane.
    nice: int = 0


@dataclass(frozen=True)
class Forked:
    pid: int


@dataclass(frozen=True)
class Ready:
    pid: int
    quads: int
    sandbox: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Head:
    outcome: dict[str, Any]
    first: bytes
    finished: bool


@dataclass(frozen=True)
class Chunk:
    data: bytes


@dataclass(frozen=True)
class End:
    rows: int
    truncated: bool


@dataclass(frozen=True)
class Failed:
    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    #: the worker cannot go on (start-up or reload failed).
    fatal: bool = False


@dataclass(frozen=True)
class Computed:
    change: Change
