"""A draft (or a reviewer's edit of it) as an :class:`~regkg.action_row.ActionRow`, as CSV and as
Turtle, through the importer's own resolver and emitter, and validated by the shapes."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from regkg import vocab
from regkg.action_row import COLUMNS, ActionRow, Problem
from regkg.emitter import serialise, to_quads
from regkg.importer import build_rows, shacl_problems
from regkg.resolver import Catalogue

__all__ = ["Rendered", "draft_row", "render", "row_csv"]

_VERB = {
    "fine": "fines", "order": "orders", "ban": "bans", "settlement": "settles with",
    "commitments": "accepts commitments from", "court-ruling": "rules on", "probe": "opens a probe into",
}  # fmt: skip
_OUTCOME = {"order": "rectification-order", "ban": "service-suspension", "commitments": "commitment"}
#: the row numbers problems name: the draft is row 2 of a one-row CSV
ROW = 2


def _name(entity: dict[str, Any] | None) -> str:
    if not entity:
        return ""
    return str(entity["label"] if entity.get("new") else entity["iri"])


def draft_row(draft: dict[str, Any]) -> ActionRow:
    """The draft's JSON (as `regkg draft --format json` prints it, or as a reviewer edited it) as a row."""
    kind = draft.get("kind") or ""
    regulator = draft.get("regulator") or {}
    targets = draft.get("targets") or []
    amount = draft.get("amount") or {}
    source = draft.get("source") or {}
    decided = draft.get("date_decided") or ""
    announced = draft.get("date_announced") or ""
    label = draft.get("label") or ""
    if not label and regulator and targets:
        label = f"{regulator.get('label', '')} {_VERB.get(kind, 'acts against')} {targets[0].get('label', '')}"
        if amount.get("value"):
            label += f" ({amount.get('currency', '')} {amount['value']})"
    outcomes = [_OUTCOME[kind]] if kind in _OUTCOME else []
    if kind == "fine" and not amount.get("value"):
        outcomes.insert(0, "fine")
    return ActionRow(
        kind="probe" if kind == "probe" else ("decision" if kind else ""),
        label=label,
        regulator=_name(regulator),
        targets="; ".join(_name(t) for t in targets),
        platforms="; ".join(str(p["iri"]) for p in draft.get("platforms") or [] if not p.get("new")),
        concerns="; ".join(str(c).removeprefix(vocab.CONCERN) for c in draft.get("concern") or []),
        date_opened=(decided or announced) if kind == "probe" else "",
        date_decided="" if kind == "probe" else decided,
        date_announced="" if kind == "probe" else announced,
        fine_amount=str(amount.get("value") or ""),
        fine_currency=str(amount.get("currency") or ""),
        other_outcomes="; ".join(outcomes),
        status="open" if kind == "probe" else "",
        source_url=str(source.get("url") or ""),
        source_title=str(source.get("title") or ""),
        source_publisher=str(source.get("publisher") or ""),
        source_date=str(source.get("date") or ""),
    )


def row_csv(row: ActionRow) -> str:
    """A CSV file (header and one row) that `regkg import` accepts."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[c.name for c in COLUMNS], lineterminator="\n")
    writer.writeheader()
    writer.writerow(row.cells())
    return buf.getvalue()


@dataclass
class Rendered:
    """The row, its CSV, its Turtle (empty when it cannot be built) and every problem found."""

    row: ActionRow
    csv: str
    turtle: str = ""
    problems: list[Problem] = field(default_factory=list)
    action: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def problems_json(self) -> list[dict[str, Any]]:
        return [{"column": p.column, "message": p.message, "value": p.value} for p in self.problems]


def neighbourhood(context: Sequence[ox.Quad], new: Sequence[ox.Quad]) -> list[ox.Quad]:
    """The part of ``context`` the new triples' checks read: the ontology and concept schemes, and the
    descriptions of every resource the new triples name (their types, for the shapes' sh:class).

    Validating a draft against the whole shipped graph takes about a minute; against this, a fraction
    of a second, with the same result for the draft's own resources (only those are reported)."""
    named = {q.object.value for q in new if isinstance(q.object, ox.NamedNode)}
    named |= {q.subject.value for q in new if isinstance(q.subject, ox.NamedNode)}
    return [q for q in context if not isinstance(q.subject, ox.NamedNode) or _keep(q.subject.value, named)]


def _keep(subject: str, named: set[str]) -> bool:
    return not subject.startswith(vocab.ID) or subject in named


def render(
    draft: dict[str, Any], catalogue: Catalogue, context: Sequence[ox.Quad] | None = None, *, validate: bool = True
) -> Rendered:
    """The draft as CSV and Turtle, built by the importer's emitter; validated with ``context`` (the shipped
    data and ontology) when ``validate``."""
    row = draft_row(draft)
    out = Rendered(row, row_csv(row))
    built, problems = build_rows([(ROW, row)], catalogue)
    if built is None:
        out.problems = problems
        return out
    out.action = built.actions[0] if built.actions else None
    if validate and context is not None:
        out.problems = shacl_problems(built.graph, neighbourhood(context, to_quads(built.graph)), built.subject_rows)
        if out.problems:
            return out
    url = (draft.get("source") or {}).get("url") or "an article"
    out.turtle = serialise(
        built.graph,
        f"Drafted from {url} by `regkg draft`, then reviewed.\n"
        "Validated against shapes/ with the shipped data; a reviewer checks every field before it is submitted.",
    )
    return out
