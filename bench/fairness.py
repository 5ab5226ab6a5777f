"""Fairness under abuse (issue 9): four clients each loop a runaway query while a fifth does point
lookups; how long do the lookups wait?

Two configurations of the same code in one run, so the ratio is what counts on a shared machine:
``lanes`` (the defaults: a fast and a slow lane, REGKG_CLIENT_CONCURRENCY=4) and ``no-lanes``
(REGKG_SLOW_WORKERS=0, REGKG_CLIENT_CONCURRENCY=0: one queue, as before issue 9). Each client has
its own loopback address (127.0.1.x for the runaways, 127.0.2.1 for the lookups), as fairness is
per client. Lookups draw from every IRI of the shipped data, so no cache can help.

    python bench/fairness.py [--seconds 30]

Results: bench/results/fairness.{json,md}.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} LIMIT 50"


@contextlib.contextmanager
def server(port: int, **env: str) -> Iterator[str]:
    full = {**os.environ, "REGKG_STORE": "memory", "REGKG_QUERY_TIMEOUT": "10", **env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "regkg.cli", "serve", "--port", str(port)],
        env=full,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(20)


def client(address: str) -> httpx.Client:
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30)


def run(url: str, seconds: float, runaways: int = 4) -> dict[str, object]:
    with client("127.0.2.1") as c:
        rows = c.get(
            url + "/sparql",
            params={"query": "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) }"},
            headers={"Accept": "text/csv"},
        ).text.splitlines()[1:]
    iris = [r.strip() for r in rows if r.strip()]
    stop = threading.Event()
    runaway_status: dict[int, int] = {}

    def loop(address: str) -> None:
        with client(address) as c:
            while not stop.is_set():
                try:
                    code = c.get(url + "/sparql", params={"query": RUNAWAY}).status_code
                except httpx.HTTPError:
                    code = -1
                runaway_status[code] = runaway_status.get(code, 0) + 1

    threads = [threading.Thread(target=loop, args=(f"127.0.1.{i + 1}",), daemon=True) for i in range(runaways)]
    for t in threads:
        t.start()
    time.sleep(2.0)  # the runaways are running
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    degraded = 0
    rng = random.Random(7)
    end = time.monotonic() + seconds
    with client("127.0.2.1") as c:
        while time.monotonic() < end:
            q = LOOKUP.format(iri=rng.choice(iris))
            t = time.perf_counter()
            try:
                code = c.get(url + "/sparql", params={"query": q}).status_code
            except httpx.HTTPError:
                code = -1
            latencies.append(time.perf_counter() - t)
            statuses[code] = statuses.get(code, 0) + 1
            if len(latencies) % 50 == 0:
                degraded += httpx.get(url + "/healthz", timeout=10).json()["status"] == "degraded"
    stop.set()
    for t in threads:
        t.join(30)
    health = httpx.get(url + "/healthz", timeout=10).json()
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1)

    return {
        "lookups": len(latencies),
        "statuses": statuses,
        "p50_ms": pct(0.50),
        "p90_ms": pct(0.90),
        "p99_ms": pct(0.99),
        "max_ms": round(latencies[-1] * 1000, 1),
        "mean_ms": round(statistics.mean(latencies) * 1000, 1),
        "runaway_statuses": runaway_status,
        "healthz_degraded_samples": degraded,
        "engine_stats": {k: v for k, v in health["workers"].items() if isinstance(v, int)},
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=30)
    args = ap.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    results: dict[str, object] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start",
        "seconds": args.seconds,
    }
    configs = {
        "lanes": {},
        "no-lanes": {"REGKG_SLOW_WORKERS": "0", "REGKG_CLIENT_CONCURRENCY": "0"},
    }
    for i, (name, env) in enumerate(configs.items()):
        with server(8650 + i, **env) as url:
            results[name] = run(url, args.seconds)
        print(name, json.dumps(results[name]), flush=True)
    results["load_at_end"] = round(os.getloadavg()[0], 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fairness.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# Fairness: point lookups beside four clients looping a runaway query",
        "",
        f"{results['date']}, commit {commit}, {results['machine']}, load {results['load_at_end']} at the end; "
        f"{args.seconds:g} s of lookups per configuration (bench/fairness.py). Shipped data, in memory, "
        "REGKG_QUERY_TIMEOUT=10, 2 engines.",
        "",
        "| configuration | lookups | p50 ms | p90 ms | p99 ms | max ms | lookup statuses | runaway statuses |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in configs:
        r = results[name]
        assert isinstance(r, dict)
        lines.append(
            f"| {name} | {r['lookups']} | {r['p50_ms']} | {r['p90_ms']} | {r['p99_ms']} | {r['max_ms']} | "
            f"{r['statuses']} | {r['runaway_statuses']} |"
        )
    lines += ["", "Target (issue 9): lookups p99 < 100 ms with lanes."]
    (RESULTS / "fairness.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
