"""Does building the search index block the event loop? (run by hand, not in make test)

For each of two commits of the service -- one where /api/search is an ``async`` route (the index
built on the event loop) and one where it runs in the thread pool -- starts ``regkg serve`` from
that commit's tree (``git archive``) on the ~1M-triple synthetic graph (bench/generate.py,
``snapshot:`` store), then sends the first search, which builds the index, while a probe sends
``GET /healthz`` (an ``async`` route: it answers only when the loop is free) every 20 ms. Reports
how long the first search took and the probe's latencies meanwhile.

    .venv/bin/python bench/search_index_loop.py [--before COMMIT] [--after COMMIT] [--port 8610]

Writes bench/results/search-index-loop.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
sys.path.insert(0, str(HERE))
from explore_bench import graph_file, percentiles  # noqa: E402


def tree(commit: str, into: Path) -> Path:
    """The service of ``commit`` (with the files it ships), unpacked into ``into``."""
    archive = into / "tree.tar"
    subprocess.run(
        ["git", "archive", "-o", str(archive), commit, "service", "ontology", "shapes", "queries", "data"],
        cwd=ROOT,
        check=True,
    )
    with tarfile.open(archive) as t:
        t.extractall(into, filter="data")
    return into / "service"


def measure(commit: str, graph: Path, port: int, work: Path) -> dict[str, Any]:
    service = tree(commit, work)
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(service), "REGKG_STORE": f"snapshot:{graph}", "REGKG_WORKERS": "1"}
    log = (work / "server.log").open("wb")
    cmd = [sys.executable, "-m", "regkg.cli", "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work, start_new_session=True)
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited:\n{(work / 'server.log').read_text()[-3000:]}")
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        probes: list[float] = []
        done = threading.Event()

        def probe() -> None:
            with httpx.Client(base_url=base, timeout=120) as c:
                while not done.is_set():
                    t0 = time.perf_counter()
                    c.get("/healthz").raise_for_status()
                    probes.append((time.perf_counter() - t0) * 1000)
                    time.sleep(0.02)

        prober = threading.Thread(target=probe)
        prober.start()
        time.sleep(1.0)  # the probe's latencies on an idle loop first
        idle = len(probes)
        t0 = time.perf_counter()
        httpx.get(base + "/api/search", params={"q": "group 1"}, timeout=600).raise_for_status()
        first_search = time.perf_counter() - t0
        done.set()
        prober.join()
        during = probes[idle:]
        return {
            "commit": commit,
            "first_search_seconds": round(first_search, 2),
            "healthz_idle_ms": percentiles(probes[:idle]),
            "healthz_during_build_ms": percentiles(during),
        }
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()


def gc_pauses(graph: Path) -> dict[str, Any]:
    """In this process, with the checkout's code: the cyclic collector's pauses while the search index
    is built, as it was (collector on, then gc.collect()) and inside regkg.longlived.long_lived()."""
    import gc

    import pyoxigraph as ox

    from regkg.longlived import long_lived
    from regkg.search import build_index
    from regkg.store.embedded import EmbeddedStore

    store = EmbeddedStore()
    with graph.open("rb") as f:
        store.ox.bulk_load(f, format=ox.RdfFormat.N_QUADS)
    pauses: list[tuple[int, float]] = []
    started: list[float] = [0.0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.append((info["generation"], (time.perf_counter() - started[0]) * 1000))

    out: dict[str, Any] = {}
    gc.callbacks.append(watch)
    try:
        for name in ("collector on, then gc.collect()", "long_lived()"):
            pauses.clear()
            t0 = time.perf_counter()
            if name == "long_lived()":
                with long_lived():
                    build_index(store)
            else:
                build_index(store)
                gc.collect()
            full = [round(ms, 1) for gen, ms in pauses if gen == 2]
            out[name] = {
                "build_seconds": round(time.perf_counter() - t0, 2),
                "collections": len(pauses),
                "full_collections_ms": full,
                "longest_pause_ms": round(max((ms for _g, ms in pauses), default=0.0), 1),
            }
    finally:
        gc.callbacks.remove(watch)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", default="3bae2df", help="a commit with the async /api/search route")
    ap.add_argument("--after", default="HEAD", help="a commit with /api/search in the thread pool")
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--port", type=int, default=8610)
    args = ap.parse_args()
    graph = graph_file(args.triples)
    load_before = os.getloadavg()
    rows = []
    for i, commit in enumerate((args.before, args.after)):
        sha = subprocess.run(["git", "rev-parse", "--short", commit], cwd=ROOT, capture_output=True, text=True)
        with tempfile.TemporaryDirectory(prefix="regkg-loop-") as tmp:
            rows.append(measure(sha.stdout.strip(), graph, args.port + i, Path(tmp)))
            print(json.dumps(rows[-1]), flush=True)
    out = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "graph": str(graph.relative_to(ROOT)),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "runs": rows,
        "gc_pauses": gc_pauses(graph),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "search-index-loop.json").write_text(json.dumps(out, indent=2) + "\n")
    lines = [
        f"# Search index build and the event loop ({out['when']})",
        "",
        f"Graph: {out['graph']} (snapshot store, 1 engine); {out['machine']['cpus']} cores shared with other "
        f"people's work, load average before {out['load_average_before']}, after {out['load_average_after']}.",
        "The first /api/search builds the index; a probe sends GET /healthz (an async route) every 20 ms.",
        "",
        "| commit | first search s | /healthz idle p50 ms | during build: probes | p50 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        d = r["healthz_during_build_ms"]
        lines.append(
            f"| {r['commit']} | {r['first_search_seconds']} | {r['healthz_idle_ms']['p50']} | {d['n']} | {d['p50']} | "
            f"{d['p99']} | {d['max']} |"
        )
    lines += [
        "",
        "The cyclic collector's pauses while the index is built (in the bench process, checkout's code; every",
        "pause stops all threads, the event loop's included):",
        "",
        "| build | seconds | collections | full collections, ms each | longest pause ms |",
        "| --- | ---: | ---: | --- | ---: |",
    ]
    for name, g in out["gc_pauses"].items():
        cells = [name, g["build_seconds"], g["collections"], g["full_collections_ms"], g["longest_pause_ms"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    (RESULTS / "search-index-loop.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
