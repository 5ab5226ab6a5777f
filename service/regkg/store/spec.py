"""What a ``--store`` / ``REGKG_STORE`` value names, parsed in this one place.

``memory`` (a fresh in-memory store), ``snapshot:FILE.nq`` (an in-memory copy of an N-Quads
file, as engines hold), an ``http(s)://`` URL (a SPARQL 1.1 server's query endpoint), anything
else a folder of an on-disk store. Every other module asks the parsed :class:`StoreSpec`, so a
new kind of store is added here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

__all__ = ["StoreKind", "StoreSpec"]


class StoreKind(StrEnum):
    MEMORY = "memory"
    SNAPSHOT = "snapshot"
    REMOTE = "remote"
    DISK = "disk"


@dataclass(frozen=True)
class StoreSpec:
    kind: StoreKind
    #: the folder (disk), the N-Quads file (snapshot) or the URL (remote); "" for memory.
    location: str = ""

    @classmethod
    def parse(cls, text: str) -> StoreSpec:
        value = text.strip()
        if value == "memory":
            return cls(StoreKind.MEMORY)
        if value.startswith("snapshot:"):
            return cls(StoreKind.SNAPSHOT, value.removeprefix("snapshot:"))
        if value.startswith(("http://", "https://")):
            return cls(StoreKind.REMOTE, value)
        return cls(StoreKind.DISK, value)

    @property
    def path(self) -> Path | None:
        """The on-disk store's folder; None for every other kind."""
        return Path(self.location) if self.kind is StoreKind.DISK else None

    @property
    def durable(self) -> bool:
        """Whether what is written outlives the process (an on-disk store or a remote server)."""
        return self.kind in (StoreKind.DISK, StoreKind.REMOTE)

    def __str__(self) -> str:
        if self.kind is StoreKind.MEMORY:
            return "memory"
        if self.kind is StoreKind.SNAPSHOT:
            return f"snapshot:{self.location}"
        return self.location
