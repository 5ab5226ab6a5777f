"""A draft: the proposed action's fields, each with its evidence, and what is unsure (DESIGN §7)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Draft", "EntityField", "Evidence"]


@dataclass(frozen=True)
class Evidence:
    """The sentence a field came from, and where the matched words are in the text."""

    sentence: str
    start: int
    end: int

    def as_json(self) -> dict[str, Any]:
        return {"text": self.sentence, "start": self.start, "end": self.end}


@dataclass
class EntityField:
    iri: str
    label: str
    new: bool
    evidence: Evidence | None

    def as_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "new": self.new,
            "evidence": self.evidence.sentence if self.evidence else None,
            "span": [self.evidence.start, self.evidence.end] if self.evidence else None,
        }


@dataclass
class Draft:
    """The proposed action (DESIGN §7's JSON shape, with each field's evidence)."""

    regulator: EntityField | None = None
    targets: list[EntityField] = field(default_factory=list)
    platforms: list[EntityField] = field(default_factory=list)
    kind: str | None = None
    concern: list[str] = field(default_factory=list)
    date_decided: str | None = None
    date_announced: str | None = None
    amount: dict[str, Any] | None = None
    source: dict[str, str | None] = field(default_factory=dict)
    unsure: list[dict[str, str]] = field(default_factory=list)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    language: str = "en"
    text: str = ""

    def doubt(self, name: str, reason: str) -> None:
        self.unsure.append({"field": name, "reason": reason})

    def as_json(self) -> dict[str, Any]:
        return {
            "regulator": self.regulator.as_json() if self.regulator else None,
            "targets": [t.as_json() for t in self.targets],
            "platforms": [p.as_json() for p in self.platforms],
            "kind": self.kind,
            "concern": self.concern,
            "date_decided": self.date_decided,
            "date_announced": self.date_announced,
            "amount": self.amount,
            "source": self.source,
            "unsure": self.unsure,
            "evidence": {k: {**v.as_json()} for k, v in sorted(self.evidence.items())},
            "language": self.language,
            "text": self.text,
        }
