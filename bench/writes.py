"""Writes through the gate (issue 10): how long a 100-triple write takes to be acknowledged, how
soon every reader sees it, how point lookups fare during a stream of writes, and the memory of
all the service's processes (RSS and PSS: forked engines share the zygote's pages).

    python bench/writes.py [--store memory | snapshot:bench/work/graph-1000000.nq | disk:bench/work/graph-1000000.nq]
                           [--writes 30]

Results: bench/results/writes-<store>.{json,md}. Run by hand; one run compares within itself.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx

from regkg.config import Settings

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TOKEN = "bench-token"


@contextlib.contextmanager
def server(store: str, port: int) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    env = {**os.environ, "REGKG_STORE": store, "REGKG_WRITE_TOKEN": TOKEN, "REGKG_QUERY_TIMEOUT": "30"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "regkg.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.5)
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(30)


def _tree(pid: int) -> list[int]:
    out = [pid]
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        for c in child.read_text().split():
            out += _tree(int(c))
    return out


def memory(pid: int) -> dict[str, float]:
    rss = pss = 0
    for p in _tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
    return {"rss_mb": round(rss / 1024, 1), "pss_mb": round(pss / 1024, 1), "processes": len(_tree(pid))}


def write_text(n: int = 50) -> tuple[str, str]:
    """100 triples: 50 publishers with an English label each, in a graph of their own."""
    g = f"urn:regkg:bench:{uuid.uuid4().hex}"
    tag = uuid.uuid4().hex[:8]
    body = " ".join(
        f'<https://w3id.org/regkg/id/org/bench-{tag}-{i}> a rk:Publisher ; rdfs:label "Bench publisher {tag} {i}"@en .'
        for i in range(n)
    )
    return f"INSERT DATA {{ GRAPH <{g}> {{ {body} }} }}", f"https://w3id.org/regkg/id/org/bench-{tag}-{n - 1}"


def action_text(i: int) -> tuple[str, str]:
    """An enforcement action as a contributor writes one: a decision by one of the graph's
    regulators (a hub: hundreds of actions each) against one of its companies, on one of its
    platforms, with a fine and its amount, a source and the source's publisher -- 30 triples that
    link into the graph, where the publishers above link to nothing."""
    g = f"urn:regkg:bench:{uuid.uuid4().hex}"
    t = uuid.uuid4().hex[:8]
    idp = "https://w3id.org/regkg/id/"
    a, f, m, s, pub = (
        f"<{idp}{x}>"
        for x in (f"action/w-{t}", f"penalty/w-{t}-fine", f"amount/w-{t}", f"source/w-{t}", f"org/bench-pub-{t}")
    )
    body = f"""
        {a} a rk:Decision ; rdfs:label "Bench decision {t}"@en ; rk:regulator <{idp}org/regulator-{i % 5}> ;
            rk:target <{idp}org/group-{i % 50}-sub-1> ; rk:platform <{idp}platform/platform-{i * 7}> ;
            rk:concern <https://w3id.org/regkg/concern/antitrust> ; rk:dateDecided "2021-05-03"^^xsd:date ;
            prov:wasDerivedFrom {s} ; rk:outcome {f} .
        {f} a rk:Fine ; rdfs:label "Bench fine {t}"@en ; rk:amount {m} ; prov:wasDerivedFrom {s} .
        {m} a schema:MonetaryAmount ; schema:value "5000000"^^xsd:decimal ; schema:currency "CNY" .
        {s} a rk:Source , schema:NewsArticle ; schema:url <https://example.org/bench/{t}> ; schema:publisher {pub} ;
            dct:title "Bench source {t}"@en ; dct:date "2021-05-03"^^xsd:date .
        {pub} a rk:Publisher ; rdfs:label "Bench publisher {t}"@en ."""
    return f"INSERT DATA {{ GRAPH <{g}> {{ {body} }} }}", a.strip("<>")


def run(store: str, writes: int, port: int) -> dict[str, object]:
    with server(store, port) as (url, proc):
        c = httpx.Client(timeout=120)
        auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
        iris = [
            r.strip()
            for r in c.get(
                url + "/sparql",
                params={"query": "SELECT DISTINCT ?s WHERE { ?s a rk:EnforcementAction } LIMIT 5000"},
                headers={"Accept": "text/csv"},
            ).text.splitlines()[1:]
            if r.strip()
        ]
        mem_before = memory(proc.pid)
        acks: list[float] = []
        seen: list[float] = []
        lookups: list[float] = []
        stop = threading.Event()

        def reader() -> None:
            rng = random.Random(3)
            with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=60) as r:
                while not stop.is_set():
                    t = time.perf_counter()
                    r.get(url + "/sparql", params={"query": f"SELECT * WHERE {{ <{rng.choice(iris)}> ?p ?o }}"})
                    lookups.append(time.perf_counter() - t)

        peak: dict[str, float] = {"rss_mb": 0.0, "pss_mb": 0.0, "processes": 0}

        def sampler() -> None:
            # Sampled twice a second while the writes run. A sample taken as an engine is forked or
            # killed can miss a process and undercount its shared pages, so the peak is a floor.
            while not stop.is_set():
                m = memory(proc.pid)
                if m["pss_mb"] > peak["pss_mb"]:
                    peak.update(m)
                time.sleep(0.5)

        th = threading.Thread(target=reader, daemon=True)
        th.start()
        sm = threading.Thread(target=sampler, daemon=True)
        sm.start()
        action_acks: list[float] = []
        for i in range(writes):
            # alternately: 50 publishers (100 triples), and an action linking into the graph
            text, last = write_text() if i % 2 == 0 else action_text(i)
            t = time.perf_counter()
            resp = c.post(url + "/update", content=text.encode(), headers=auth)
            (acks if i % 2 == 0 else action_acks).append(time.perf_counter() - t)
            assert resp.status_code == 200, resp.text
            # seen by a reader: the first query after the acknowledgement must see it
            t2 = time.perf_counter()
            while not c.get(url + "/sparql", params={"query": f"ASK {{ <{last}> a ?type }}"}).json()["boolean"]:
                time.sleep(0.01)
            seen.append(time.perf_counter() - t2)
        stop.set()
        th.join(30)
        sm.join(30)
        # after the stream, once the pool is whole again (a recycled engine replaced, none retiring)
        for _ in range(50):
            w = c.get(url + "/healthz").json()["workers"]
            if w["alive"] == w["size"] and len(_tree(proc.pid)) == mem_before["processes"]:
                break
            time.sleep(0.2)
        time.sleep(1)
        mem_after = memory(proc.pid)
    acks.sort()
    action_acks.sort()
    lookups.sort()

    def pct(xs: list[float], p: float) -> float:
        return round(xs[min(len(xs) - 1, int(p * len(xs)))] * 1000, 1)

    return {
        "writes": writes,
        "ack_p50_ms": pct(acks, 0.5),
        "ack_p90_ms": pct(acks, 0.9),
        "ack_max_ms": round(acks[-1] * 1000, 1),
        "action_writes": len(action_acks),
        "action_ack_p50_ms": pct(action_acks, 0.5),
        "action_ack_p90_ms": pct(action_acks, 0.9),
        "action_ack_max_ms": round(action_acks[-1] * 1000, 1),
        "seen_after_ack_max_ms": round(max(seen) * 1000, 1),
        "lookups": len(lookups),
        "lookup_p50_ms": pct(lookups, 0.5),
        "lookup_p99_ms": pct(lookups, 0.99),
        "memory_before": mem_before,
        "memory_after": mem_after,
        "memory_peak_during": peak,
        "ack_mean_ms": round(statistics.mean(acks) * 1000, 1),
    }


def with_ontology(store: str) -> str:
    """A snapshot spec whose file also holds the shipped ontology (the gate validates writes against
    it; bench/generate.py writes instance data only): ``<graph>-with-ontology.nq`` beside it."""
    if not store.startswith("snapshot:"):
        return store
    source = Path(store.removeprefix("snapshot:"))
    target = source.with_name(source.stem + "-with-ontology.nq")
    if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
        import pyoxigraph as ox

        from regkg import loading

        quads = [q for f in loading.ontology_files() for q in loading.parse_file(f.path, f.graph)]
        tmp = target.with_suffix(".tmp")
        with tmp.open("wb") as out:
            out.write(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
            with source.open("rb") as f:
                while chunk := f.read(1 << 20):
                    out.write(chunk)
        tmp.replace(target)
    return f"snapshot:{target}"


def on_disk(store: str) -> str:
    """``disk:FILE.nq``: an on-disk store folder bulk-loaded from the file once (``oxigraph load``),
    as a deployment serves (``REGKG_STORE=var/store``); the web process then holds no copy in memory."""
    if not store.startswith("disk:"):
        return store
    source = Path(with_ontology("snapshot:" + store.removeprefix("disk:")).removeprefix("snapshot:"))
    folder = source.with_name(source.stem + "-store")
    if not folder.exists():
        oxigraph = Path(sys.executable).parent / "oxigraph"
        subprocess.run([str(oxigraph), "load", "--location", str(folder), "--file", str(source)], check=True)
        # The one-time load of the shipped files on top (a change set, with its full inference) by the
        # command line, as an operator would: the server measured below starts on a prepared store.
        subprocess.run([sys.executable, "-m", "regkg.cli", "load", "--store", str(folder)], check=True)
    # Each run writes into a copy, so that runs start from the same store (the writes of earlier
    # runs would otherwise pile up in it: 60 writes leave some 15,000 quads behind).
    run_copy = folder.with_name(folder.name + "-run")
    shutil.rmtree(run_copy, ignore_errors=True)
    shutil.copytree(folder, run_copy)
    return str(run_copy)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", default="memory")
    ap.add_argument("--writes", type=int, default=30)
    ap.add_argument("--port", type=int, default=8660)
    args = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "store": args.store,
        "load_at_start": round(os.getloadavg()[0], 1),
        "engine_recycle_changes": int(
            os.environ.get("REGKG_ENGINE_RECYCLE_CHANGES", Settings().engine_recycle_changes)
        ),
        **run(
            on_disk(args.store) if args.store.startswith("disk:") else with_ontology(args.store), args.writes, args.port
        ),
        "load_at_end": round(os.getloadavg()[0], 1),
    }
    name = "memory" if args.store == "memory" else Path(args.store.split(":", 1)[-1]).stem
    if args.store.startswith("disk:"):
        name += "-disk"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"writes-{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        f"# Writes through the gate ({name})",
        "",
        f"{result['date']}, commit {commit}, store {args.store}, load {result['load_at_start']} -> "
        f"{result['load_at_end']} (2 cores, other work running), REGKG_ENGINE_RECYCLE_CHANGES="
        f"{result['engine_recycle_changes']}. {args.writes} writes (INSERT DATA, each in its own graph), "
        "one after another, alternately 100 triples (50 publishers with labels, linking to nothing) and "
        "an action of 30 triples linking into the graph (a regulator with hundreds of actions, a company, "
        "a platform, a concern; a fine, its amount, a source, its publisher), while a second client loops "
        "point lookups over the graph's actions (bench/writes.py).",
        "",
        "| measure | value | target (issue 10, on the 1M-quad graph) |",
        "| --- | --- | --- |",
        f"| 100-triple write acknowledged, p50 / p90 / max | {result['ack_p50_ms']} / {result['ack_p90_ms']} / "
        f"{result['ack_max_ms']} ms | p50 <= 200 ms |",
        f"| action write acknowledged, p50 / p90 / max | {result['action_ack_p50_ms']} / "
        f"{result['action_ack_p90_ms']} / {result['action_ack_max_ms']} ms | (the same target) |",
        f"| seen by the next query after the acknowledgement, worst | {result['seen_after_ack_max_ms']} ms | <= 1 s |",
        f"| point lookups during the writes, p50 / p99 | {result['lookup_p50_ms']} / {result['lookup_p99_ms']} ms "
        f"({result['lookups']} lookups) | p99 <= 50 ms |",
        f"| memory of all processes before / after (RSS; PSS) | {result['memory_before']} / {result['memory_after']} "
        "| <= 1 GB RSS |",
        f"| memory of all processes, highest PSS sampled during the writes | {result['memory_peak_during']} | |",
    ]
    (RESULTS / f"writes-{name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
