"""Benchmark this service against `oxigraph serve` and rdflib-endpoint, in one run, on the same data.

For each system: load time (process start until it answers), point-lookup latency (sequential,
keep-alive), aggregate latency (fines by regulator and year), HTTP throughput of point lookups
with 8 concurrent clients (wrk, HTTP/1.1 keep-alive), and resident memory. Results (machine,
versions, medians, ratios) go to bench/results/<date>.{json,md}. Run by hand: `make bench`.

    python bench/run.py [--triples 1000000] [--duration 10] [--skip rdflib-endpoint]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata as md
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
RESULTS = HERE / "results"
VENV_BIN = Path(sys.executable).parent
RDFLIB_ENDPOINT_VENV = WORK / "venv-rdflib-endpoint"

POINT = "SELECT ?p ?o WHERE { <https://w3id.org/regkg/id/org/group-7> ?p ?o }"
AGGREGATE = """PREFIX rk: <https://w3id.org/regkg/ontology#>
PREFIX schema: <https://schema.org/>
SELECT ?regulator ?year ?currency (SUM(?value) AS ?total) (COUNT(?fine) AS ?fines) WHERE {
  ?action rk:regulator ?regulator ; rk:dateDecided ?date ; rk:outcome ?fine .
  ?fine a rk:Fine ; rk:amount ?amount .
  ?amount schema:value ?value ; schema:currency ?currency .
  BIND(YEAR(?date) AS ?year)
}
GROUP BY ?regulator ?year ?currency"""
TWO_HOP = """PREFIX rk: <https://w3id.org/regkg/ontology#>
CONSTRUCT { ?a ?p ?o } WHERE {
  ?sub rk:subsidiaryOf <https://w3id.org/regkg/id/org/group-7> . ?a rk:target ?sub . ?a ?p ?o }"""
ACCEPT = "application/sparql-results+json"


@dataclass
class System:
    name: str
    url: str  # query endpoint
    proc: subprocess.Popen[bytes] | None = None
    load_seconds: float = 0.0
    results: dict[str, Any] = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(system: System, timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert system.proc is not None
        if system.proc.poll() is not None:
            raise RuntimeError(f"{system.name} exited with {system.proc.returncode}")
        try:
            r = httpx.get(system.url, params={"query": "ASK { ?s ?p ?o }"}, headers={"Accept": ACCEPT}, timeout=5)
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{system.name} did not answer in {timeout} s")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    pids = [pid]
    with contextlib.suppress(FileNotFoundError):
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            pids.append(int(child))
    for p in pids:
        with contextlib.suppress(FileNotFoundError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return round(total / 1024, 1)


@contextlib.contextmanager
def start(
    name: str,
    graph: Path,
    log_dir: Path,
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
    store_dir: Path | None = None,
) -> Iterator[System]:
    """Start one system on ``graph``; ``env`` adds REGKG_* settings, ``store_dir`` is where
    Oxigraph keeps its on-disk store (one per benchmark, so that two benchmarks never share one)."""
    port = port or free_port()
    log = (log_dir / f"{name}.log").open("wb")
    t0 = time.monotonic()
    if name == "regkg":
        # wrk's clients all come from 127.0.0.1: one client for the fairness limit, which would
        # answer 429 past REGKG_CLIENT_CONCURRENCY (4) queries in flight; the benchmark lifts it.
        env = {
            **os.environ,
            "REGKG_STORE": f"snapshot:{graph}",
            "REGKG_QUERY_TIMEOUT": "600",
            "REGKG_MAX_ROWS": "10000",
            "REGKG_WORKERS": "2",
            "REGKG_CLIENT_CONCURRENCY": "0",
            **(env or {}),
        }
        cmd = [str(VENV_BIN / "regkg"), "serve", "--port", str(port)]
        system = System(name, f"http://127.0.0.1:{port}/sparql")
    elif name == "oxigraph":
        env = {**os.environ}
        location = store_dir or WORK / "oxigraph-store"
        shutil.rmtree(location, ignore_errors=True)
        subprocess.run(
            [str(VENV_BIN / "oxigraph"), "load", "--location", str(location), "--file", str(graph)],
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        cmd = [
            str(VENV_BIN / "oxigraph"),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ]
        system = System(name, f"http://127.0.0.1:{port}/query")
    elif name == "rdflib-endpoint":
        env = {**os.environ}
        cmd = [
            str(RDFLIB_ENDPOINT_VENV / "bin" / "rdflib-endpoint"),
            "serve",
            str(graph),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
        system = System(name, f"http://127.0.0.1:{port}/")
    else:
        raise ValueError(name)
    system.proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        if name == "rdflib-endpoint":
            # Its query endpoint is / (GET ?query=); probe it like the others.
            pass
        wait_ready(system)
        system.load_seconds = round(time.monotonic() - t0, 2)
        system.results["rss_mb_after_load"] = rss_mb(system.proc.pid)
        yield system
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(system.proc.pid, signal.SIGTERM)
        try:
            system.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(system.proc.pid, signal.SIGKILL)
            system.proc.wait(5)
        log.close()


def latency(system: System, query: str, runs: int, timeout: float) -> dict[str, Any]:
    times: list[float] = []
    rows = None
    with httpx.Client(timeout=timeout) as c:
        c.get(system.url, params={"query": query}, headers={"Accept": ACCEPT})  # warm-up
        for _ in range(runs):
            t = time.perf_counter()
            try:
                r = c.get(system.url, params={"query": query}, headers={"Accept": ACCEPT})
            except httpx.TimeoutException:
                return {"runs": len(times), "timed_out_after_s": timeout}
            times.append(time.perf_counter() - t)
            r.raise_for_status()
            data = r.json()
            rows = len(data["results"]["bindings"]) if "results" in data else None
    times.sort()
    return {
        "runs": runs,
        "rows": rows,
        "median_ms": round(statistics.median(times) * 1000, 3),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))] * 1000, 3),
    }


def throughput(system: System, query: str, duration: int, connections: int = 8) -> dict[str, Any]:
    url = f"{system.url}?query={quote(query)}"
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{duration}s",
            "--latency",
            "-H",
            f"Accept: {ACCEPT}",
            "--timeout",
            "30s",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)

    def ms(m: re.Match[str] | None) -> float | None:
        if m is None:
            return None
        v = float(m.group(1))
        return round({"us": v / 1000, "ms": v, "s": v * 1000}[m.group(2)], 3)

    return {
        "connections": connections,
        "seconds": duration,
        "requests_per_s": rps,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "p50_ms": ms(p50),
        "p99_ms": ms(p99),
    }


def versions() -> dict[str, str]:
    v: dict[str, str] = {"python": platform.python_version()}
    for pkg in ("regkg", "pyoxigraph", "oxigraph", "fastapi", "uvicorn", "rdflib"):
        with contextlib.suppress(md.PackageNotFoundError):
            v[pkg] = md.version(pkg)
    pip = RDFLIB_ENDPOINT_VENV / "bin" / "python"
    if pip.exists():
        v["rdflib-endpoint"] = subprocess.run(
            [str(pip), "-c", "import importlib.metadata as m; print(m.version('rdflib-endpoint'))"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        v["rdflib (rdflib-endpoint venv)"] = subprocess.run(
            [str(pip), "-c", "import importlib.metadata as m; print(m.version('rdflib'))"],
            capture_output=True,
            text=True,
        ).stdout.strip()
    v["wrk"] = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("[")[0].strip()
    # REGKG_BENCH_COMMIT names the commit when the benchmark runs from an export of it (git archive),
    # away from a shared checkout's uncommitted work.
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    if os.environ.get("REGKG_BENCH_COMMIT"):
        v["regkg commit"] = os.environ["REGKG_BENCH_COMMIT"]
    elif commit.returncode == 0:
        v["regkg commit"] = commit.stdout.strip()
    return v


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = 0
    with contextlib.suppress(OSError):
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_mb": mem,
        "os": platform.platform(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--duration", type=int, default=10, help="seconds of each throughput run")
    ap.add_argument("--skip", action="append", default=[], help="a system not to run")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    graph = WORK / f"graph-{args.triples}.nq"
    if not graph.exists():
        sys.path.insert(0, str(HERE))
        from generate import generate

        print(f"generating {graph} ...", flush=True)
        generate(graph, args.triples)
    quads = sum(1 for _ in graph.open("rb"))
    load_before = [round(x, 2) for x in os.getloadavg()]
    systems: list[System] = []
    for name in ("regkg", "oxigraph", "rdflib-endpoint"):
        if name in args.skip:
            continue
        print(f"== {name}: loading {quads} quads", flush=True)
        slow = name == "rdflib-endpoint"
        with start(name, graph, WORK) as s:
            print(f"   loaded in {s.load_seconds} s, RSS {s.results['rss_mb_after_load']} MB", flush=True)
            s.results["point_lookup"] = latency(s, POINT, 20 if slow else 200, 60)
            print(f"   point lookup {s.results['point_lookup']}", flush=True)
            s.results["two_hop_construct"] = _construct_latency(s, 10 if slow else 50)
            print(f"   2-hop construct {s.results['two_hop_construct']}", flush=True)
            s.results["aggregate"] = latency(s, AGGREGATE, 1 if slow else 5, 900 if slow else 300)
            print(f"   aggregate {s.results['aggregate']}", flush=True)
            s.results["throughput_point_lookup"] = throughput(s, POINT, args.duration)
            print(f"   throughput {s.results['throughput_point_lookup']}", flush=True)
            s.results["rss_mb_after_run"] = rss_mb(s.proc.pid) if s.proc else None
        systems.append(s)
    write(systems, quads, args, load_before)


def _construct_latency(system: System, runs: int) -> dict[str, Any]:
    times: list[float] = []
    with httpx.Client(timeout=120) as c:
        for _ in range(runs + 1):
            t = time.perf_counter()
            r = c.get(system.url, params={"query": TWO_HOP}, headers={"Accept": "application/n-triples"})
            times.append(time.perf_counter() - t)
            r.raise_for_status()
    times = sorted(times[1:])
    return {"runs": runs, "median_ms": round(statistics.median(times) * 1000, 3), "triples": r.text.count("\n")}


def write(systems: list[System], quads: int, args: argparse.Namespace, load_before: list[float]) -> None:
    now = dt.datetime.now(dt.UTC)
    data = {
        "date": now.isoformat(timespec="seconds"),
        "machine": {**machine(), "load_average_at_start": load_before},
        "versions": versions(),
        "graph": {"quads": quads, "generator": "bench/generate.py", "triples_requested": args.triples},
        "queries": {"point_lookup": POINT, "two_hop_construct": TWO_HOP, "aggregate": AGGREGATE},
        "systems": {s.name: {"url": s.url, "load_seconds": s.load_seconds, **s.results} for s in systems},
    }
    by = {s.name: s for s in systems}
    ratios: dict[str, Any] = {}
    if "regkg" in by:
        me = by["regkg"].results
        for other in ("oxigraph", "rdflib-endpoint"):
            if other not in by:
                continue
            o = by[other].results
            r: dict[str, Any] = {}
            if o["throughput_point_lookup"]["requests_per_s"]:
                r["point_lookup_throughput_regkg_over_other"] = round(
                    me["throughput_point_lookup"]["requests_per_s"] / o["throughput_point_lookup"]["requests_per_s"], 3
                )
            if "median_ms" in o["aggregate"] and "median_ms" in me["aggregate"]:
                r["aggregate_latency_regkg_over_other"] = round(
                    me["aggregate"]["median_ms"] / o["aggregate"]["median_ms"], 3
                )
            if "median_ms" in o["point_lookup"]:
                r["point_lookup_latency_regkg_over_other"] = round(
                    me["point_lookup"]["median_ms"] / o["point_lookup"]["median_ms"], 3
                )
            ratios[other] = r
    data["ratios"] = ratios
    stem = RESULTS / now.strftime("%Y-%m-%d")
    stem.with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(data))
    print(f"wrote {stem}.json and {stem}.md")


def markdown(d: dict[str, Any]) -> str:
    m = d["machine"]
    lines = [
        f"# regkg SPARQL benchmark, {d['date']}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_mb']} MB RAM, {m['os']}; load average "
        f"{m['load_average_at_start'][0]} at the start and {m['load_average_at_end'][0]} at the end "
        "(other work shared the machine).  ",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in d["versions"].items()) + ".  ",
        f"Data: {d['graph']['quads']} quads from `bench/generate.py` (regkg-shaped: regulators, company groups "
        "with subsidiaries, platforms, actions with fines and amounts, sources), in named graphs.  ",
        "The servers ran one after another; `make bench` reproduces this file.",
        "",
        "| system | load s | RSS MB | point lookup median ms | 2-hop CONSTRUCT median ms | aggregate median ms "
        "| lookups/s, 8 clients | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in d["systems"].items():
        agg = s["aggregate"]
        agg_s = str(agg.get("median_ms", f"timed out after {agg.get('timed_out_after_s')} s"))
        tp = s["throughput_point_lookup"]
        lines.append(
            f"| {name} | {s['load_seconds']} | {s['rss_mb_after_load']} | {s['point_lookup'].get('median_ms')} | "
            f"{s['two_hop_construct']['median_ms']} | {agg_s} | {tp['requests_per_s']} | {tp['p99_ms']} |"
        )
    lines += ["", "Ratios (regkg / other):", ""]
    for other, r in d["ratios"].items():
        lines.append(f"- vs {other}: " + ", ".join(f"{k} = {v}" for k, v in r.items()))
    lines += [
        "",
        "Notes: load time is from process start until the server answers a query (Oxigraph: `oxigraph load` into "
        "its on-disk store, then `serve --union-default-graph`; regkg: N-Quads into memory, snapshot, two query "
        "workers; rdflib-endpoint: rdflib parse into memory). Throughput is `wrk -c 8` for "
        f"{d['systems'][next(iter(d['systems']))]['throughput_point_lookup']['seconds']} s on one point lookup with "
        "keep-alive; the load generator shares the machine's cores with the server.",
        "",
        "Queries:",
        "",
    ]
    for k, q in d["queries"].items():
        lines += [f"{k}:", "", "```sparql", q, "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
