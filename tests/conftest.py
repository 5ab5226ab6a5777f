"""Shared fixtures.

``live_server`` starts one real ``regkg serve`` (uvicorn) per test session, on a free port, in
a subprocess, with an in-memory store loaded from the shipped files, a short query time-out and
a test write token, and waits for /healthz. ``client`` is an httpx client on it. Tests that
change data write into graphs of their own and drop them afterwards.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

WRITE_TOKEN = "test-write-token"
OTHER_TOKEN = "second-token"
QUERY_TIMEOUT = 2.0
MAX_ROWS = 1000


@dataclass(frozen=True)
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    query_timeout: float = QUERY_TIMEOUT
    max_rows: int = MAX_ROWS
    write_token: str = WRITE_TOKEN
    other_token: str = OTHER_TOKEN

    def health(self) -> dict[str, object]:
        r = httpx.get(self.url + "/healthz", timeout=5)
        return r.json()  # type: ignore[no-any-return]

    def alive(self) -> bool:
        return self.process.poll() is None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"the server did not become healthy:\n{log.read_text()}")
        time.sleep(0.2)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@contextlib.contextmanager
def running_server(folder: Path, **env_overrides: str) -> Iterator[LiveServer]:
    """Start ``regkg serve`` in a subprocess on a free port; yields once /healthz answers 200."""
    port = free_port()
    log = folder / "server.log"
    env = {
        **os.environ,
        "REGKG_STORE": "memory",
        "REGKG_WRITE_TOKEN": f"{WRITE_TOKEN},{OTHER_TOKEN}",
        "REGKG_QUERY_TIMEOUT": str(QUERY_TIMEOUT),
        "REGKG_MAX_ROWS": str(MAX_ROWS),
        "REGKG_WORKERS": "2",
        **env_overrides,
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "regkg.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
    server = LiveServer(url=f"http://127.0.0.1:{port}", process=proc, log=log)
    try:
        wait_until_healthy(server.url + "/healthz", proc, log)
        yield server
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One real regkg server (uvicorn) for the session: memory store, 2 s time-out, 1000-row cap."""
    with running_server(tmp_path_factory.mktemp("server")) as server:
        yield server


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        yield c


# -- a store loaded from the shipped files, once per session --------------------------------------


@pytest.fixture(scope="session")
def loaded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A disk store that `regkg load` filled from the shipped files, never written to afterwards:
    tests copy it (:func:`loaded_copy`) instead of each paying for a whole load."""
    folder = tmp_path_factory.mktemp("loaded-template") / "st"
    r = subprocess.run(
        [sys.executable, "-m", "regkg.cli", "load", "--store", str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    return folder


@pytest.fixture
def loaded_copy(loaded_template: Path, tmp_path: Path) -> Path:
    """A test's own copy of :func:`loaded_template`, as a first `regkg load` leaves a store
    (the store, its change log with the load's change set, the ledger and the fingerprint)."""
    folder = tmp_path / "st"
    shutil.copytree(loaded_template, folder)
    return folder
