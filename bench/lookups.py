"""Point lookups over HTTP drawn from 10,000 distinct subject IRIs: regkg against `oxigraph serve`.

The throughput row of bench/run.py repeats one query, so a cache could fake it. Here every wrk
connection cycles through 10,000 different point lookups (`SELECT ?p ?o WHERE { <s> ?p ?o }`, one
per subject IRI drawn with a fixed seed from the 1M-triple benchmark graph), so a result is asked
again only after the other 9,999. Rows (the servers run side by side; the rows take turns, round after round):

* ``cold``: regkg with its result cache off (REGKG_RESULT_CACHE_ENTRIES=0), every query evaluated
  (by the lookup lane, regkg.api.lane: an index scan in the web process);
* ``engine``: the same server and lookups, each with a trailing comment (`# engine`), which the
  lane does not take: every query goes to an engine process, as all did before the lane;
* ``oxigraph``: `oxigraph serve` on the same graph and the same 10,000 queries;
* ``revalidate``: regkg, each request carrying the ETag of an earlier answer (If-None-Match), so
  the answer is 304 Not Modified;
* ``cached``: a second regkg with a result cache of 10,000 entries and the lane off
  (REGKG_LOOKUP_LANE_ROWS=0), after one pass over the queries filled it.

Before the runs, 50 of the queries are asked of both systems and must give the same rows. wrk
counts every status it sees (a row with answers other than 200 or 304 says so). Results go to
bench/results/lookups.{json,md}. Run by hand:

    python bench/lookups.py [--triples 1000000] [--duration 10] [--rounds 3] [--connections 8]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import RESULTS, WORK, machine, rss_mb, start, versions

ACCEPT = "application/sparql-results+json"
QUERIES = 10_000
#: regkg and Oxigraph listen here (the benchmark's own ports).
REGKG_PORT = 8631
OXIGRAPH_PORT = 8632
REGKG_CACHED_PORT = 8633
TARGET = 0.5

_LUA = r"""
-- Cycle through the request lines of a file (path, tab, optional ETag); each thread starts at
-- its own offset, so the connections do not ask the same query at the same time.
local threads = {}
local counter = 0
local paths = {}
local etags = {}
local n = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local path, etag = line:match("^([^\t]+)\t?(.*)$")
    n = n + 1
    paths[n] = path
    etags[n] = etag ~= "" and etag or nil
  end
  counter = math.floor(id * n / tonumber(args[2]))
  statuses = {}
end

function request()
  counter = counter % n + 1
  local headers = {Accept = "application/sparql-results+json"}
  if etags[counter] then headers["If-None-Match"] = etags[counter] end
  return wrk.format("GET", paths[counter], headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for status, count in pairs(t:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("STATUS %d %d\n", status, count))
  end
end
"""


_HZ = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """A process and its descendants (regkg: the web process, the zygote and the engines)."""
    out = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                for child in (task / "children").read_text().split():
                    out += _tree(int(child))
    return out


def _cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each process."""
    out = {}
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / _HZ
    return out


def subjects(graph: Path, count: int, seed: int = 11) -> list[str]:
    """``count`` distinct subject IRIs of the graph, drawn with a fixed seed (all kinds of thing)."""
    seen: set[str] = set()
    with graph.open("rb") as f:
        for line in f:
            if line.startswith(b"<"):
                seen.add(line[1 : line.index(b">")].decode())
    return random.Random(seed).sample(sorted(seen), count)


def lookup(iri: str) -> str:
    return f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"


#: What the ``engine`` row adds to each lookup: the lane takes no text with a comment.
ENGINE_SUFFIX = " # engine"


def wrk(
    url: str, lines: list[str], duration: int, connections: int, name: str, pid: int | None = None
) -> dict[str, Any]:
    """wrk over the request lines; throughput, latency percentiles, the statuses seen and, given the
    server's pid, the CPU it used per request (the server process, and its child processes apart)."""
    pids = _tree(pid) if pid else []
    before = _cpu(pids)
    WORK.mkdir(parents=True, exist_ok=True)
    script = WORK / "lookups.lua"
    script.write_text(_LUA)
    requests = WORK / f"lookups-{name}.txt"
    requests.write_text("\n".join(lines) + "\n")
    threads = 2
    out = subprocess.run(
        [
            *("wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency"),
            *("--timeout", "30s", "-s", str(script), url, "--", str(requests), str(threads)),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def ms(pct: str) -> float | None:
        m = re.search(pct + r"%\s+([\d.]+)(us|ms|s)\b", out)
        if m is None:
            return None
        v = float(m.group(1))
        return round({"us": v / 1000, "ms": v, "s": v * 1000}[m.group(2)], 3)

    statuses = {m.group(1): int(m.group(2)) for m in re.finditer(r"STATUS (\d+) (\d+)", out)}
    cpu: dict[str, float] = {}
    if pids:
        after = _cpu(pids)
        done = sum(statuses.values()) or 1
        used = {p: after[p] - before[p] for p in after if p in before}
        cpu["server_us_per_request"] = round(used.get(pids[0], 0.0) / done * 1e6, 1)
        if len(pids) > 1:
            cpu["children_us_per_request"] = round(sum(v for p, v in used.items() if p != pids[0]) / done * 1e6, 1)
    return {
        **cpu,
        "connections": connections,
        "seconds": duration,
        "distinct_queries": len(lines),
        "requests_per_s": rps,
        "p50_ms": ms("50"),
        "p99_ms": ms("99"),
        "statuses": statuses,
    }


def paths(endpoint: str, iris: list[str], suffix: str = "") -> list[str]:
    base = urlsplit(endpoint).path
    return [f"{base}?query={quote(lookup(i) + suffix)}" for i in iris]


def etags(endpoint: str, lines: list[str]) -> list[str]:
    """Each request line with the ETag of its answer, for If-None-Match."""
    root = endpoint[: -len(urlsplit(endpoint).path)]
    out = []
    with httpx.Client(timeout=30) as c:
        for line in lines:
            r = c.get(root + line, headers={"Accept": ACCEPT})
            r.raise_for_status()
            out.append(f"{line}\t{r.headers['etag']}")
    return out


def fill(endpoint: str, lines: list[str]) -> float:
    """One pass over the requests (fills the cache); its seconds."""
    root = endpoint[: -len(urlsplit(endpoint).path)]
    t = time.perf_counter()
    with httpx.Client(timeout=30) as c:
        for line in lines:
            c.get(root + line, headers={"Accept": ACCEPT}).raise_for_status()
    return round(time.perf_counter() - t, 2)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the four rows, interleaved")
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2, help="REGKG_WORKERS (engine processes) of regkg")
    ap.add_argument("--out", default="lookups", help="results file stem in bench/results/ (default lookups)")
    ap.add_argument("--note", default="", help="a line saying what differs in this run (written to the results)")
    args = ap.parse_args()
    graph = WORK / f"graph-{args.triples}.nq"
    if not graph.exists():
        from generate import generate

        generate(graph, args.triples)
    iris = subjects(graph, QUERIES)
    load_before = [round(x, 2) for x in os.getloadavg()]
    rows: dict[str, Any] = {}
    regkg_env = {"REGKG_WORKERS": str(args.workers)}
    cold_env = {**regkg_env, "REGKG_RESULT_CACHE_ENTRIES": "0"}
    cache_env = {**regkg_env, "REGKG_RESULT_CACHE_ENTRIES": str(QUERIES), "REGKG_LOOKUP_LANE_ROWS": "0"}
    # The three servers run side by side and the rows take turns, round after round, so that the
    # machine's other work (it is shared) weighs on each row alike; each row reports its median.
    with (
        start("oxigraph", graph, WORK, port=OXIGRAPH_PORT, store_dir=WORK / "oxigraph-store-lookups") as ox,
        start("regkg", graph, WORK, port=REGKG_PORT, env=cold_env) as rk,
        start("regkg", graph, WORK, port=REGKG_CACHED_PORT, env=cache_env) as rc,
    ):
        print(f"loaded: oxigraph {ox.load_seconds} s, regkg {rk.load_seconds} s and {rc.load_seconds} s", flush=True)
        sample = iris[:50]
        same = sum(1 for i in sample if _rows(rk.url, i) == _rows(ox.url, i) and _rows(rk.url, i))
        lane = sum(
            1
            for i in sample
            if httpx.get(rk.url, params={"query": lookup(i)}, headers={"Accept": ACCEPT}).headers.get("x-regkg-lane")
        )
        rows["same_answers"] = {"checked": len(sample), "same": same, "by_the_lane": lane}
        lines = paths(rk.url, iris)
        plan = {
            "oxigraph": (ox, paths(ox.url, iris)),
            "cold": (rk, lines),
            "engine": (rk, paths(rk.url, iris, ENGINE_SUFFIX)),
            "revalidate": (rk, etags(rk.url, lines)),
            "cached": (rc, lines),
        }
        fill_s = fill(rc.url, lines)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in plan}
        for _ in range(args.rounds):
            for name, (system, requests) in plan.items():
                pid = system.proc.pid if system.proc else None
                runs[name].append(wrk(system.url, requests, args.duration, args.connections, name, pid))
                print(name, runs[name][-1], flush=True)
        for name, results in runs.items():
            rows[name] = _median_run(results)
        rows["cached"]["fill_seconds"] = fill_s
        rows["oxigraph"]["rss_mb"] = rss_mb(ox.proc.pid) if ox.proc else None
        rows["cold"]["rss_mb"] = rss_mb(rk.proc.pid) if rk.proc else None
        rows["cached"]["rss_mb"] = rss_mb(rc.proc.pid) if rc.proc else None
        for row in ("cold", "engine"):
            rows[f"{row}_over_oxigraph_by_round"] = [
                round(c["requests_per_s"] / o["requests_per_s"], 3)
                for c, o in zip(runs[row], runs["oxigraph"], strict=True)
            ]
    write(rows, args, load_before, graph)


def _median_run(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median throughput, with every round's throughput beside it."""
    ordered = sorted(results, key=lambda r: r["requests_per_s"])
    median = dict(ordered[len(ordered) // 2])
    median["requests_per_s_by_round"] = [r["requests_per_s"] for r in results]
    return median


def _rows(url: str, iri: str) -> set[tuple[tuple[str, str], ...]]:
    r = httpx.get(url, params={"query": lookup(iri)}, headers={"Accept": ACCEPT}, timeout=30)
    r.raise_for_status()
    return {tuple(sorted((k, v["value"]) for k, v in b.items())) for b in r.json()["results"]["bindings"]}


def write(rows: dict[str, Any], args: argparse.Namespace, load_before: list[float], graph: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    by_round = sorted(rows["cold_over_oxigraph_by_round"])
    ratio = by_round[
        len(by_round) // 2
    ]  # the median of the rounds' ratios (each round's pair ran minutes apart at most)
    data = {
        "date": now.isoformat(timespec="seconds"),
        "machine": {**machine(), "load_average_at_start": load_before},
        "versions": versions(),
        "graph": {"quads": sum(1 for _ in graph.open("rb")), "generator": "bench/generate.py"},
        "query": lookup("s"),
        "regkg_workers": args.workers,
        "rounds": args.rounds,
        "rows": rows,
        "cold_over_oxigraph": ratio,
        "engine_over_oxigraph": sorted(rows["engine_over_oxigraph_by_round"])[len(by_round) // 2],
        "target": f"regkg cold >= {TARGET}x Oxigraph server's throughput",
        "target_met": None if ratio is None else ratio >= TARGET,
        "note": args.note,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / args.out
    stem.with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(data))
    print(f"wrote {stem}.json and {stem}.md")


def markdown(d: dict[str, Any]) -> str:
    m = d["machine"]
    r = d["rows"]
    labels = {
        "cold": "regkg, cache off: every query evaluated (by the lookup lane)",
        "engine": "regkg, cache off, the lane not taken (`# engine` added): every query through an engine",
        "oxigraph": "Oxigraph server (`oxigraph serve`, on disk)",
        "revalidate": "regkg, If-None-Match with the answer's ETag (304)",
        "cached": "regkg, result cache of 10,000 entries, filled by one pass",
    }
    lines = [
        f"# Point lookups over 10,000 distinct IRIs, {d['date']}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_mb']} MB RAM; load average "
        f"{m['load_average_at_start'][0]} at the start and {m['load_average_at_end'][0]} at the end "
        "(wrk and the servers share the cores; other people's work shared the machine).  ",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in d["versions"].items()) + ".  ",
        f"Data: {d['graph']['quads']} quads from `bench/generate.py`. regkg: {d['regkg_workers']} engine "
        "processes, REGKG_CLIENT_CONCURRENCY=0 (wrk's connections all come from one address).  ",
        f"Each row: wrk, {r['cold']['connections']} connections, "
        f"{r['cold']['seconds']} s, HTTP/1.1 keep-alive, each connection cycling through "
        f"{QUERIES:,} point lookups `{d['query']}`, `<s>` one of {QUERIES:,} distinct subject IRIs drawn with a "
        "fixed seed (`bench/lookups.py` reproduces this file).",
        *([f"This run: {d['note']}", ""] if d.get("note") else [""]),
        f"The three servers ran side by side and the rows took turns, {d['rounds']} rounds; each row shows its "
        "median round (latencies and statuses of that round) and every round's throughput.",
        "",
        "CPU per request: user + system time of the server process (regkg: the web process) and of its "
        "child processes (regkg: the zygote and the engines) during the median round, divided by the answers.",
        "",
        "| row | lookups/s (median) | each round | p50 ms | p99 ms | CPU µs/request: server + children | statuses |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for key in ("cold", "engine", "oxigraph", "revalidate", "cached"):
        if key in r:
            x = r[key]
            st = ", ".join(f"{k}: {v}" for k, v in sorted(x["statuses"].items()))
            each = ", ".join(f"{v:,.0f}" for v in x["requests_per_s_by_round"])
            cpu = f"{x.get('server_us_per_request')}" + (
                f" + {x['children_us_per_request']}" if "children_us_per_request" in x else ""
            )
            rps = f"{x['requests_per_s']:,.0f}"
            lines.append(f"| {labels[key]} | {rps} | {each} | {x['p50_ms']} | {x['p99_ms']} | {cpu} | {st} |")
    lines.append("")
    met = "met" if d["target_met"] else "not met"
    rounds = ", ".join(str(v) for v in r["cold_over_oxigraph_by_round"])
    lines.append(f"Target: {d['target']}: **{d['cold_over_oxigraph']}x (median of the rounds: {rounds}), {met}**.")
    if "engine_over_oxigraph" in d:
        lines.append(f"Through an engine (the lane not taken): {d['engine_over_oxigraph']}x.")
    if "same_answers" in r:
        s = r["same_answers"]
        lines.append(
            f"Answers checked: {s['same']} of {s['checked']} lookups gave the same rows from both systems "
            f"({s.get('by_the_lane', 0)} of them answered by regkg's lookup lane)."
        )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
