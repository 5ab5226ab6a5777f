"""Does the export stream in constant memory? Run by hand; results go to bench/results/.

For each graph size (synthetic graphs of bench/generate.py, e.g. 100k and 1M triples) and each
export format, a fresh process loads the graph into an in-memory store, then exports it to a file
while a thread samples the process's resident memory (VmRSS) every 5 ms. Reported: RSS once the
graph is loaded, the peak during the export, and the difference -- which should not grow with the
graph. For contrast, the same graph serialised the buffered way (``ox.serialize(list(store))``).
The VoID statistics (DISTINCT aggregates, computed once per data version) are measured apart.

With ``--http`` it also starts ``regkg serve`` on the 1M graph (``REGKG_STORE=snapshot:FILE``),
warms the VoID cache, and downloads ``/export.{nt,nq}`` while sampling the server's RSS.

    python bench/export_memory.py                       # 100k and 1M, every format, --http
    python bench/export_memory.py --sizes 100000 --formats nt --no-http
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
FORMATS = ["nq", "trig", "ttl", "nt", "jsonld"]


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler:
    """Peak RSS of a process while a block runs (sampled every ``interval`` seconds)."""

    def __init__(self, pid: int | str = "self", interval: float = 0.005) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except OSError:
                return
            time.sleep(self.interval)

    def __enter__(self) -> Sampler:
        self.peak = rss_mb(self.pid)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb(self.pid))


def graph_file(triples: int) -> Path:
    path = WORK / f"graph-{triples}.nq"
    if not path.exists():
        spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
        assert spec and spec.loader
        gen = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(gen)
        WORK.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        gen.generate(tmp, triples)
        tmp.replace(path)
    return path


# -- one measurement, in a fresh process --------------------------------------------------------


def child(triples: int, ext: str) -> dict[str, Any]:
    import pyoxigraph as ox

    from regkg import urls
    from regkg.linked_data import export as exp
    from regkg.linked_data import void
    from regkg.store import EmbeddedStore

    path = graph_file(triples)
    store = EmbeddedStore()
    t = time.perf_counter()
    store.ox.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    load_s = time.perf_counter() - t
    gc.collect()
    out: dict[str, Any] = {"triples": triples, "format": ext, "quads_in_store": len(store.ox), "load_s": load_s}
    if ext == "buffered-nq":
        base = rss_mb()
        with Sampler() as s:
            t = time.perf_counter()
            data = ox.serialize(list(store.ox), format=ox.RdfFormat.N_QUADS)
            out["export_s"] = time.perf_counter() - t
        out.update(bytes=len(data or b""), rss_loaded_mb=base, rss_peak_mb=s.peak, rss_delta_mb=s.peak - base)
        return out
    u = urls.for_base()
    base = rss_mb()
    with Sampler() as s:
        t = time.perf_counter()
        stats = void.compute_stats(store)
        description = void.describe_dataset(stats, u, u.base_iri)
        out["void_s"] = time.perf_counter() - t
    out["void_rss_delta_mb"] = s.peak - base
    del stats
    gc.collect()
    fmt = exp.EXPORT_FORMATS[ext]
    target = WORK / f"export-memory.{ext}"
    base = rss_mb()
    with Sampler() as s, target.open("wb") as f:
        t = time.perf_counter()
        n = exp.write_export(
            store, fmt, f, description=description, context_url="https://w3id.org/regkg/context.jsonld"
        )
        out["export_s"] = time.perf_counter() - t
    out.update(
        written=n, bytes=target.stat().st_size, rss_loaded_mb=base, rss_peak_mb=s.peak, rss_delta_mb=s.peak - base
    )
    target.unlink()
    return out


def run_child(triples: int, ext: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "service")}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(triples), ext], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"child {triples} {ext} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# -- over HTTP --------------------------------------------------------------------------------


def http(triples: int, exts: list[str]) -> list[dict[str, Any]]:
    import httpx

    path = graph_file(triples)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "REGKG_STORE": f"snapshot:{path}", "REGKG_WORKERS": "1", "PYTHONPATH": str(ROOT / "service")}
    log = (WORK / "export-memory-server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "regkg.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    rows = []
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start; see {log.name}")
            time.sleep(0.5)
        t = time.perf_counter()
        httpx.get(url + "/.well-known/void", timeout=600).raise_for_status()  # computes and caches the counts
        void_s = time.perf_counter() - t
        for ext in exts:
            gc.collect()
            time.sleep(1)
            base = rss_mb(server.pid)
            size = 0
            with Sampler(server.pid, 0.01) as s, httpx.stream("GET", f"{url}/export.{ext}", timeout=600) as r:
                t = time.perf_counter()
                for chunk in r.iter_bytes():
                    size += len(chunk)
                seconds = time.perf_counter() - t
            rows.append({
                "triples": triples, "format": f"http {ext}", "bytes": size, "export_s": seconds,
                "rss_loaded_mb": base, "rss_peak_mb": s.peak, "rss_delta_mb": s.peak - base, "void_s": void_s,
            })  # fmt: skip
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    return rows


def markdown(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        "# Export memory (bench/export_memory.py)",
        "",
        f"{meta['date']}, {meta['machine']}, Python {meta['python']}, pyoxigraph {meta['pyoxigraph']}.",
        "RSS in MB of the exporting process (the server's main process for `http` rows): once loaded,",
        "peak during the export, and the difference. `buffered-nq` is the non-streaming baseline",
        "(`ox.serialize(list(store))`). `void` is computing the VoID counts (once per data version).",
        "",
        "| triples | format | MB written | export s | RSS loaded | RSS peak | peak - loaded | void s | void RSS + |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['triples']:,} | {r['format']} | {r['bytes'] / 1e6:.1f} | {r['export_s']:.1f} | "
            f"{r['rss_loaded_mb']:.0f} | {r['rss_peak_mb']:.0f} | {r['rss_delta_mb']:.1f} | "
            f"{r.get('void_s', float('nan')):.1f} | {r.get('void_rss_delta_mb', float('nan')):.0f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--formats", nargs="+", default=FORMATS, choices=FORMATS)
    ap.add_argument("--no-http", dest="http", action="store_false")
    ap.add_argument("--child", nargs=2, metavar=("TRIPLES", "FORMAT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(int(args.child[0]), args.child[1])))
        return
    import pyoxigraph

    rows = []
    for size in args.sizes:
        graph_file(size)
        for ext in [*args.formats, "buffered-nq"]:
            row = run_child(size, ext)
            print(json.dumps(row), flush=True)
            rows.append(row)
    if args.http:
        for row in http(max(args.sizes), ["nt", "nq"]):
            print(json.dumps(row), flush=True)
            rows.append(row)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "export-memory.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    (RESULTS / "export-memory.md").write_text(markdown(rows, meta))
    print(f"wrote {RESULTS / 'export-memory.md'}")


if __name__ == "__main__":
    main()
