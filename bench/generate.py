"""Generate a synthetic regkg-shaped graph as N-Quads (about 1M triples by default).

Shaped like the real data (data/**/*.ttl): regulators in jurisdictions, company groups
with subsidiaries (rk:subsidiaryOf) and platforms (rk:operatedBy), enforcement actions
(rk:Decision / rk:Probe) with regulator, targets, platforms, concerns, dates, status and
outcomes, fines with schema:MonetaryAmount values in the regulator's currency, and
sources (schema:NewsArticle) cited with prov:wasDerivedFrom. Types are asserted as
regkg's inference would materialise them (rk:Fine and rk:Penalty, ...), so every system
benchmarked answers the same queries on the same triples without a reasoner.
Each file-sized batch of actions goes into its own named graph, as data files do.

    python bench/generate.py --triples 1000000 -o bench/work/graph.nq
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

RK = "https://w3id.org/regkg/ontology#"
ID = "https://w3id.org/regkg/id/"
GRAPH = "https://w3id.org/regkg/graph/data/bench/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ORG = "http://www.w3.org/ns/org#"

JURISDICTIONS = [
    ("cn", "CNY"),
    ("eu", "EUR"),
    ("us", "USD"),
    ("uk", "GBP"),
    ("kr", "KRW"),
    ("fr", "EUR"),
    ("de", "EUR"),
    ("in", "INR"),
    ("jp", "JPY"),
    ("br", "BRL"),
]
CONCERNS = [
    "antitrust",
    "data-security",
    "child-safety",
    "privacy",
    "consumer-protection",
    "content",
    "financial-listing",
]
STATUSES = ["Concluded", "Ongoing", "Appealed"]


def iri(x: str) -> str:
    return f"<{x}>"


def lit(value: str, datatype: str | None = None, lang: str | None = None) -> str:
    v = value.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{v}"@{lang}'
    if datatype:
        return f'"{v}"^^<{datatype}>'
    return f'"{v}"'


class Writer:
    def __init__(self, path: Path) -> None:
        self.f = path.open("w", encoding="utf-8")
        self.count = 0
        self.graph = GRAPH + "organisations"

    def t(self, s: str, p: str, o: str) -> None:
        self.f.write(f"{s} {p} {o} <{self.graph}> .\n")
        self.count += 1

    def close(self) -> None:
        self.f.close()


def generate(path: Path, triples: int, seed: int = 42) -> int:
    rnd = random.Random(seed)
    # Proportions measured on the real data: ~24 triples per action with its fine, amount and sources.
    n_actions = max(100, triples // 24)
    n_regulators = max(20, n_actions // 150)
    n_groups = max(20, n_actions // 20)
    n_platforms = n_groups * 2
    n_sources = max(50, n_actions // 2)
    w = Writer(path)
    a = iri(RDF_TYPE)
    label = iri(RDFS_LABEL)

    regulators = []
    for i in range(n_regulators):
        j, cur = JURISDICTIONS[i % len(JURISDICTIONS)]
        r = iri(f"{ID}org/regulator-{i}")
        regulators.append((r, cur))
        w.t(r, a, iri(RK + "Regulator"))
        w.t(r, a, iri(ORG + "Organization"))
        w.t(r, label, lit(f"Regulator {i} of {j.upper()}", lang="en"))
        w.t(r, iri(RK + "jurisdiction"), iri(f"{ID}jurisdiction/{j}"))
        if i >= len(JURISDICTIONS):
            w.t(r, iri(RK + "parentAuthority"), regulators[i % len(JURISDICTIONS)][0])

    companies = []
    for g in range(n_groups):
        parent = iri(f"{ID}org/group-{g}")
        companies.append(parent)
        w.t(parent, a, iri(RK + "Company"))
        w.t(parent, label, lit(f"Group {g} Holdings", lang="en"))
        w.t(parent, iri(SKOS_ALT), lit(f"集团{g}", lang="zh"))
        for k in range(3):
            sub = iri(f"{ID}org/group-{g}-sub-{k}")
            companies.append(sub)
            w.t(sub, a, iri(RK + "Company"))
            w.t(sub, label, lit(f"Group {g} Subsidiary {k}", lang="en"))
            w.t(sub, iri(RK + "subsidiaryOf"), parent)
            w.t(sub, iri(ORG + "subOrganizationOf"), parent)
            w.t(sub, iri(ORG + "transitiveSubOrganizationOf"), parent)
    platforms = []
    for p in range(n_platforms):
        pf = iri(f"{ID}platform/platform-{p}")
        op = companies[rnd.randrange(len(companies))]
        platforms.append(pf)
        w.t(pf, a, iri(RK + "Platform"))
        w.t(pf, label, lit(f"Platform {p}", lang="en"))
        w.t(pf, iri(RK + "operatedBy"), op)
        w.t(op, iri(RK + "operates"), pf)

    w.graph = GRAPH + "sources"
    sources = []
    for s in range(n_sources):
        src = iri(f"{ID}source/source-{s}")
        sources.append(src)
        w.t(src, a, iri(SCHEMA + "NewsArticle"))
        w.t(src, iri(SCHEMA + "url"), iri(f"https://news.example.org/{s}"))
        w.t(src, iri(SCHEMA + "headline"), lit(f"Regulator acts in case {s}", lang="en"))
        w.t(src, iri(SCHEMA + "datePublished"), lit(f"20{15 + s % 11}-{1 + s % 12:02d}-{1 + s % 28:02d}", XSD + "date"))

    for i in range(n_actions):
        if i % 1000 == 0:
            w.graph = f"{GRAPH}actions-{i // 1000}"
        act = iri(f"{ID}action/action-{i}")
        reg, cur = regulators[rnd.randrange(n_regulators)]
        year = 2015 + rnd.randrange(11)
        date = lit(f"{year}-{1 + rnd.randrange(12):02d}-{1 + rnd.randrange(28):02d}", XSD + "date")
        w.t(act, a, iri(RK + "Decision"))
        w.t(act, a, iri(RK + "EnforcementAction"))
        w.t(act, label, lit(f"Enforcement action {i}", lang="en"))
        w.t(act, iri(RK + "regulator"), reg)
        target = companies[rnd.randrange(len(companies))]
        w.t(act, iri(RK + "target"), target)
        w.t(target, iri(RK + "targetOf"), act)
        w.t(act, iri(RK + "platform"), platforms[rnd.randrange(n_platforms)])
        w.t(act, iri(RK + "concern"), iri(f"https://w3id.org/regkg/concern/{rnd.choice(CONCERNS)}"))
        w.t(act, iri(RK + "dateDecided"), date)
        w.t(act, iri(RK + "dateAnnounced"), date)
        w.t(act, iri(RK + "status"), iri(RK + rnd.choice(STATUSES)))
        w.t(act, iri(PROV + "wasDerivedFrom"), sources[rnd.randrange(n_sources)])
        w.t(act, iri(PROV + "wasDerivedFrom"), sources[rnd.randrange(n_sources)])
        if rnd.random() < 0.6:
            fine = iri(f"{ID}penalty/fine-{i}")
            amount = iri(f"{ID}amount/fine-{i}")
            w.t(act, iri(RK + "outcome"), fine)
            w.t(fine, a, iri(RK + "Fine"))
            w.t(fine, a, iri(RK + "Penalty"))
            w.t(fine, label, lit(f"Fine in action {i}", lang="en"))
            w.t(fine, iri(RK + "penalisedEntity"), target)
            w.t(fine, iri(RK + "amount"), amount)
            w.t(fine, iri(PROV + "wasDerivedFrom"), sources[rnd.randrange(n_sources)])
            w.t(amount, a, iri(SCHEMA + "MonetaryAmount"))
            w.t(amount, iri(SCHEMA + "value"), lit(str(rnd.randrange(10_000, 10_000_000_000)), XSD + "decimal"))
            w.t(amount, iri(SCHEMA + "currency"), lit(cur))
        else:
            order = iri(f"{ID}penalty/order-{i}")
            w.t(act, iri(RK + "outcome"), order)
            w.t(order, a, iri(RK + "RectificationOrder"))
            w.t(order, a, iri(RK + "Penalty"))
            w.t(order, iri(RK + "penalisedEntity"), target)
    w.close()
    return w.count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("-o", "--output", type=Path, default=Path("bench/work/graph.nq"))
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    n = generate(args.output, args.triples, args.seed)
    print(f"wrote {n} quads to {args.output}")


if __name__ == "__main__":
    main()
