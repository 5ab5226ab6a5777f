"""The export stream under its budget (regkg.api.budget.ExportGate, BudgetedStream): one real server
with REGKG_EXPORT_CONCURRENCY=2 and a short REGKG_EXPORT_TIMEOUT, clients on different loopback
addresses (the client id is the peer's address).

Held streams read one chunk and then nothing, through a socket with a small receive buffer, so the
server blocks on them long before the end of the dump (23 MB of N-Quads of the shipped data).
Between tests the slots come back as the server notices the clients that left; the helpers wait
for that rather than fail on it, and one test checks that it happens.

The failure of an export after its first byte cannot be caused through the real service, so it is
checked on a real uvicorn in this process, serving the real stream and response over a description
that raises half-way.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import httpx
import pyoxigraph as ox
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from regkg.api.budget import BudgetedStream, ExportGate
from regkg.linked_data import export as exp
from regkg.store.embedded import EmbeddedStore
from tests.conftest import LiveServer, free_port, running_server

CONCURRENCY: Final = 2
TIMEOUT: Final = 8.0
#: a held stream's client: a small receive window, so the server soon has nowhere to put the bytes
SMALL_WINDOW: Final = (socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)
A, B, C, D = "127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with running_server(
        tmp_path_factory.mktemp("export-budget"),
        REGKG_EXPORT_CONCURRENCY=str(CONCURRENCY),
        REGKG_EXPORT_TIMEOUT=str(TIMEOUT),
    ) as live:
        yield live


def _client(server: LiveServer, address: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address, socket_options=[SMALL_WINDOW])
    return httpx.Client(base_url=server.url, transport=transport, timeout=30)


def _served(client: httpx.Client, path: str = "/export.nq", within: float = 5.0) -> httpx.Response:
    """A streamed GET, asked again while the answer is 429 (slots of clients that have just left come
    back as the server notices), for up to ``within`` seconds. The caller closes it."""
    give_up = time.monotonic() + within
    while True:
        response = client.send(client.build_request("GET", path), stream=True)
        if response.status_code != 429 or time.monotonic() > give_up:
            return response
        response.close()
        time.sleep(0.1)


@contextlib.contextmanager
def _holding(server: LiveServer, address: str) -> Iterator[httpx.Response]:
    """An export from ``address`` that has started (one chunk read) and is then left unread."""
    with _client(server, address) as client:
        response = _served(client)
        try:
            assert response.status_code == 200, response.read()
            chunks = response.iter_raw()  # kept: a dropped iterator closes the connection
            assert next(chunks)
            yield response
        finally:
            response.close()


def _refused(response: httpx.Response) -> str:
    """The message of a 429 in the one error shape, with Retry-After, naming the setting."""
    assert response.status_code == 429, response.status_code
    assert response.headers["content-type"] == "application/json"
    assert response.headers["retry-after"].isdigit()
    error = response.json()["error"]
    assert error["code"] == "too_many_requests"
    assert error["limit"] == CONCURRENCY
    assert "REGKG_EXPORT_CONCURRENCY" in error["message"]
    return str(error["message"])


def test_past_the_service_limit_a_third_client_gets_429(server: LiveServer) -> None:
    with _holding(server, A), _holding(server, B), _client(server, C) as third:
        message = _refused(third.get("/export.ttl"))
        assert f"the limit is {CONCURRENCY}" in message


def test_one_client_streams_one_export_at_a_time(server: LiveServer) -> None:
    """A client with one export running is refused a second, though the service has a slot free."""
    with _holding(server, A), _client(server, A) as same:
        message = _refused(same.get("/export.nq"))
        assert "this client" in message
        with _holding(server, B):  # the free slot was there
            pass


def test_head_and_not_modified_take_no_slot(server: LiveServer) -> None:
    with _holding(server, A), _holding(server, B), _client(server, C) as third:
        head = third.head("/export.nq")
        assert head.status_code == 200
        etag = head.headers["etag"]
        unchanged = third.get("/export.nq", headers={"If-None-Match": etag})
        assert unchanged.status_code == 304
        _refused(third.get("/export.nq"))  # the slots are taken: the two answers above took none


def test_a_client_that_leaves_mid_stream_gives_its_slot_back(server: LiveServer) -> None:
    with _holding(server, A), _client(server, C) as third:
        with _holding(server, B):
            _refused(third.get("/export.nq"))
        # B has gone half-way through its dump: C is served once the server has noticed
        with contextlib.closing(_served(third)) as response:
            assert response.status_code == 200, response.read()


@pytest.mark.slow
def test_a_stream_past_the_time_limit_fails_the_transfer(server: LiveServer) -> None:
    """A reader at about 600 KB/s would take half a minute for the dump: at REGKG_EXPORT_TIMEOUT the
    server stops it and aborts the connection, so the client sees a failed transfer, not an end."""
    received = 0
    with _client(server, D) as client:
        started = time.monotonic()
        with pytest.raises(httpx.RemoteProtocolError), client.stream("GET", "/export.nq") as response:
            assert response.status_code == 200
            for chunk in response.iter_raw(64 * 1024):
                received += len(chunk)
                if time.monotonic() - started < TIMEOUT:
                    time.sleep(0.1)  # slow until the limit; then what the server had sent comes at once
        elapsed = time.monotonic() - started
        assert elapsed >= TIMEOUT, (elapsed, received)
        # the slot came back when the stream was stopped
        with contextlib.closing(_served(client)) as again:
            assert again.status_code == 200
    log = _wait_for_line(server.log, "REGKG_EXPORT_TIMEOUT")
    assert D in log and "aborted" in log
    assert "Traceback" not in server.log.read_text(), "a time limit is no crash: one line, no stack trace"


def _wait_for_line(path: Path, text: str, seconds: float = 5.0) -> str:
    give_up = time.monotonic() + seconds
    while True:
        lines = [line for line in path.read_text().splitlines() if text in line]
        if lines or time.monotonic() > give_up:
            assert len(lines) == 1, lines
            return lines[0]
        time.sleep(0.1)


# -- a failure after the stream started: the real stream and response on a real uvicorn ---------------


class _FailingDescription(list[ox.Triple]):
    """A description whose iteration raises after more than a chunk's worth of triples."""

    def __iter__(self) -> Iterator[ox.Triple]:
        filler = ox.Literal("x" * 200)
        for i in range(2_000):
            yield ox.Triple(ox.NamedNode(f"https://example.org/{i}"), ox.NamedNode("https://example.org/p"), filler)
        raise RuntimeError("the store went away half-way")


def _failing_app(gate: ExportGate) -> Starlette:
    async def export(request: Request) -> Response:
        slot = await gate.admit(request.client.host if request.client else "unknown")
        fmt = exp.EXPORT_FORMATS["nq"]
        body = exp.stream_export(
            EmbeddedStore(), fmt, description=_FailingDescription(), context_url="https://example.org/context"
        )
        return BudgetedStream(body, slot, media_type=fmt.content_type, headers={})

    return Starlette(routes=[Route("/export", export)])


@contextlib.contextmanager
def _uvicorn(app: Starlette) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    give_up = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < give_up, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def test_a_failure_after_the_first_byte_aborts_the_transfer(caplog: pytest.LogCaptureFixture) -> None:
    gate = ExportGate(timeout=0, concurrency=1)
    received = 0
    with _uvicorn(_failing_app(gate)) as url, caplog.at_level(logging.WARNING):
        with pytest.raises(httpx.RemoteProtocolError), httpx.stream("GET", url + "/export", timeout=30) as response:
            assert response.status_code == 200
            for chunk in response.iter_raw():
                received += len(chunk)
        assert received > 0, "the failure came after the stream had started"
        assert gate.streaming == 0, "the slot is given back"
    failures = [r for r in caplog.records if r.name == "regkg.budget"]
    assert [r.levelno for r in failures] == [logging.ERROR]
    assert failures[0].exc_info is not None and "half-way" in str(failures[0].exc_info[1])
