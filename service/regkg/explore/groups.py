"""Corporate groups: the head of the group any company or platform belongs to, and the roll-up of
everything against the group (members, platforms, actions, totals per currency of the amounts that
stand), with minority stakes listed apart and never summed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from regkg import vocab
from regkg.explore.errors import NotApplicable, NotFound
from regkg.explore.labels import labels
from regkg.explore.limits import EXPLORE_LIMITS, Limits
from regkg.explore.nodes import node_info, tops
from regkg.explore.query import chunks, exists, named, props, select, values
from regkg.explore.sources import sources
from regkg.store.base import Store

__all__ = ["group", "group_head", "outcomes"]

RK: Final = vocab.RK


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _amount_str(value: Decimal) -> str:
    q = value.normalize()
    return format(q, "f")


def _outcome_amounts(
    store: Store, action_ids: Sequence[str]
) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, dict[str, str]]]:
    """Each action's outcomes (rk:outcome), each outcome's amounts (rk:amount), each amount's value and
    currency: three steps of single patterns over VALUES blocks."""
    outcomes: dict[str, list[str]] = defaultdict(list)
    for chunk in chunks(list(action_ids)):
        q = f"SELECT ?a ?pen WHERE {{ VALUES ?a {{ {values(chunk)} }} ?a <{RK}outcome> ?pen }}"
        for row in select(store, q):
            outcomes[row[0].value].append(row[1].value)
    penalties = sorted({p for ps in outcomes.values() for p in ps})
    amount_of: dict[str, list[str]] = defaultdict(list)
    for chunk in chunks(penalties):
        q = f"SELECT ?pen ?amt WHERE {{ VALUES ?pen {{ {values(chunk)} }} ?pen <{RK}amount> ?amt }}"
        for row in select(store, q):
            amount_of[row[0].value].append(row[1].value)
    amount_ids = sorted({a for aa in amount_of.values() for a in aa})
    amounts: dict[str, dict[str, str]] = defaultdict(dict)
    fields = {f"{vocab.SCHEMA}value": "value", f"{vocab.SCHEMA}currency": "currency"}
    for m, p, v in props(store, amount_ids, fields):
        amounts[m][fields[p]] = v.value
    return outcomes, amount_of, amounts


def outcomes(store: Store, action: str) -> list[dict[str, Any]]:
    """The penalties an action imposed, each with its kind and published amounts."""
    outs, amount_of, amounts = _outcome_amounts(store, [action])
    pens = sorted(outs.get(action, []))
    info = node_info(store, pens)
    result = []
    for pen in pens:
        money = []
        for amt in amount_of.get(pen, []):
            m = amounts.get(amt, {})
            value = _decimal(m.get("value", ""))
            if value is not None and "currency" in m:
                money.append({"id": amt, "value": _amount_str(value), "currency": m["currency"]})
        result.append({"id": pen, "label": info[pen].label, "types": info[pen].types, "amounts": money})
    return result


def _largest(store: Store, heads: Sequence[str]) -> str:
    """Of several group heads (a company controlled jointly through two chains), the one with the
    most companies under it; ties by IRI."""
    if len(heads) == 1:
        return heads[0]

    def size(head: str) -> int:
        q = f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m <{RK}subsidiaryOf>* {named(head)} }}"
        return int(next(iter(select(store, q)))[0].value)

    return sorted(heads, key=lambda h: (-size(h), h))[0]


def group_head(store: Store, iri: str) -> str:
    """The head of the corporate group ``iri`` belongs to (a company or a platform's operator)."""
    types = {row[0].value for row in select(store, f"SELECT ?t WHERE {{ {named(iri)} a ?t }}")}
    if not types and not exists(store, iri):
        raise NotFound(iri)
    if f"{RK}Platform" in types:
        parents = [row[0].value for row in select(store, f"SELECT ?p WHERE {{ {named(iri)} <{RK}groupParent> ?p }}")]
        if not parents:
            raise NotApplicable(f"{iri} has no recorded operator, so belongs to no corporate group")
        heads = sorted(tops(store, parents))
        return _largest(store, heads) if heads else sorted(parents)[0]
    if f"{RK}Company" in types:
        q = f"SELECT ?p WHERE {{ {named(iri)} (<{RK}subsidiaryOf>|<{RK}succeededBy>)* ?p }}"
        chain = [row[0].value for row in select(store, q)]
        heads = sorted(tops(store, chain))
        return _largest(store, heads) if heads else iri
    raise NotApplicable(f"{iri} is neither a company nor a platform; corporate groups are made of those")


def group(store: Store, iri: str, *, limits: Limits = EXPLORE_LIMITS) -> dict[str, Any]:
    """The roll-up of the corporate group of ``iri``: members (control above 50 %, rk:subsidiaryOf, and
    predecessors, rk:succeededBy), their platforms, every action against any of them (rk:groupTarget),
    totals per currency of the standing amounts, and
    minority stakes listed apart (never summed)."""
    head = group_head(store, iri)
    members = sorted(
        {
            row[0].value
            for row in select(store, f"SELECT ?m WHERE {{ ?m (<{RK}subsidiaryOf>|<{RK}succeededBy>)* {named(head)} }}")
        }
    )
    platforms = sorted(
        {row[0].value for row in select(store, f"SELECT ?p WHERE {{ ?p <{RK}groupParent> {named(head)} }}")}
    )
    q = f"SELECT DISTINCT ?a WHERE {{ ?a <{RK}groupTarget> {named(head)} }} LIMIT {limits.group_actions + 1}"
    action_ids = sorted({row[0].value for row in select(store, q)})
    actions_truncated = len(action_ids) > limits.group_actions
    action_ids = action_ids[: limits.group_actions]
    info = node_info(store, [*action_ids, *members, *platforms])
    outcomes, amount_of, amounts = _outcome_amounts(store, action_ids)
    standing = _standing_amounts(store, sorted({p for ps in outcomes.values() for p in ps}))
    cited = sources(store, action_ids)
    extra = labels(
        store, {n.regulator for n in info.values() if n.regulator} | {c for n in info.values() for c in n.concerns}
    )
    actions: list[dict[str, Any]] = []
    totals: dict[str, tuple[Decimal, int]] = {}
    counted: set[str] = set()
    for a in action_ids:
        n = info[a]
        review = f"{RK}JudicialReview" in n.types
        row_amounts = []
        for pen in sorted(outcomes.get(a, [])):
            for amt in amount_of.get(pen, []):
                money = amounts.get(amt, {})
                value = _decimal(money.get("value", ""))
                currency = money.get("currency")
                if value is None or currency is None:
                    continue
                row_amounts.append({"id": amt, "value": _amount_str(value), "currency": currency})
                if amt in standing and amt not in counted:
                    counted.add(amt)
                    total, count = totals.get(currency, (Decimal(0), 0))
                    totals[currency] = (total + value, count + 1)
        actions.append(
            {
                "id": a,
                "label": n.label,
                "types": n.types,
                "date": n.date,
                "regulator": {"id": n.regulator, "label": extra.get(n.regulator)} if n.regulator else None,
                "concerns": [{"id": c, "label": extra.get(c)} for c in n.concerns],
                "amounts": row_amounts,
                "standing_amounts": [m["id"] for m in row_amounts if m["id"] in standing],
                "judicial_review": review,
                "sources": cited.get(a, []),
            }
        )
    actions.sort(key=lambda x: (x["date"] or "9999", x["label"]))
    stakes = _stakes(store, members)
    return {
        "group": {"id": head, "label": info[head].label if head in info else labels(store, [head])[head]},
        "member": iri,
        "members": [{"id": m, "label": info[m].label} for m in members],
        "platforms": [{"id": p, "label": info[p].label} for p in platforms],
        "actions": actions,
        "totals": [{"currency": c, "amount": _amount_str(v), "count": k} for c, (v, k) in sorted(totals.items())],
        "actions_truncated": actions_truncated,
        "minority_stakes": stakes,
        "notes": [
            "Members are companies under control above 50 % (rk:subsidiaryOf) and predecessors merged or renamed "
            "into a member (rk:succeededBy); minority stakes are listed apart and never summed.",
            "Totals add standing amounts only (rk:standingAmount): a fine superseded by a later one (a provisional "
            "fine by the final fine, a regulator's fine by the amount a court set on review), a figure amended by a "
            "later one, and the fines of annulled decisions are shown but not added; each action lists the amounts "
            "that stand (standing_amounts).",
        ],
    }


def _standing_amounts(store: Store, penalties: Sequence[str]) -> set[str]:
    """The amounts of ``penalties`` that stand (the inferred rk:standingAmount): the ones totals add."""
    out: set[str] = set()
    for chunk in chunks(list(penalties)):
        q = f"SELECT ?amt WHERE {{ VALUES ?pen {{ {values(chunk)} }} ?pen <{RK}standingAmount> ?amt }}"
        out |= {row[0].value for row in select(store, q)}
    return out


def _stakes(store: Store, members: Sequence[str]) -> list[dict[str, Any]]:
    rows: list[tuple[str, str]] = []
    for chunk in chunks(list(members)):
        v = values(chunk)
        for q in (
            f"SELECT ?h ?c WHERE {{ VALUES ?h {{ {v} }} ?h <{RK}minorityStakeIn> ?c }}",
            f"SELECT ?h ?c WHERE {{ VALUES ?c {{ {v} }} ?h <{RK}minorityStakeIn> ?c }}",
        ):
            rows += [(r[0].value, r[1].value) for r in select(store, q)]
    lab = labels(store, {x for r in rows for x in r})
    return [{"holder": {"id": h, "label": lab[h]}, "company": {"id": c, "label": lab[c]}} for h, c in sorted(set(rows))]
