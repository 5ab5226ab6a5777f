"""The one budget of the reads that do not go through /sparql: exploration, pages, linked data, export.

Each read runs on a worker thread (FastAPI's pool for the plain ``def`` routes, :func:`run` for the
async ones), never on the event loop, under two limits that are settings (README, limits table):

* ``REGKG_EXPLORE_TIMEOUT`` (:attr:`Settings.explore_timeout`): past it the read is abandoned at its
  next check (:mod:`regkg.explore.deadline`) and the client gets 503 in the one error shape, with
  Retry-After, as /sparql answers a query over its time limit;
* ``REGKG_EXPLORE_CLIENT_CONCURRENCY`` (:attr:`Settings.explore_client_concurrency`): one client (its
  address, as for /sparql) with that many reads running gets 429 with Retry-After for one more, so a
  single client cannot hold every worker thread.

Node, row and path caps are the REGKG_EXPLORE_* and REGKG_SEARCH_* settings the work itself applies.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from fastapi import Request

from regkg.api.deps import client_id, get_settings
from regkg.errors import ApiError
from regkg.explore import deadline

__all__ = ["ReadBudget", "bounded", "read_budget", "run"]

P = ParamSpec("P")
T = TypeVar("T")

_CREATING = threading.Lock()


class ReadBudget:
    """The time limit and the per-client count of reads in flight, one per app."""

    def __init__(self, timeout: float, concurrency: int) -> None:
        self.timeout = timeout
        self.concurrency = concurrency
        self._lock = threading.Lock()
        self._in_flight: dict[str, int] = {}

    @contextmanager
    def slot(self, client: str) -> Iterator[None]:
        with self._lock:
            running = self._in_flight.get(client, 0)
            if self.concurrency and running >= self.concurrency:
                raise ApiError(
                    429,
                    "too_many_requests",
                    f"this client already has {running} reads running; the limit is {self.concurrency} "
                    "(REGKG_EXPLORE_CLIENT_CONCURRENCY)",
                    headers={"Retry-After": "1"},
                    limit=self.concurrency,
                )
            self._in_flight[client] = running + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._in_flight[client] - 1
                if left:
                    self._in_flight[client] = left
                else:
                    del self._in_flight[client]

    def over(self) -> ApiError:
        return ApiError(
            503,
            "timeout",
            f"the read took longer than its limit of {self.timeout} s (REGKG_EXPLORE_TIMEOUT)",
            headers={"Retry-After": "1"},
            limit=self.timeout,
        )


def read_budget(request: Request) -> ReadBudget:
    budget = getattr(request.app.state, "read_budget", None)
    if budget is None:
        with _CREATING:
            budget = getattr(request.app.state, "read_budget", None)
            if budget is None:
                settings = get_settings(request)
                budget = ReadBudget(settings.explore_timeout, settings.explore_client_concurrency)
                request.app.state.read_budget = budget
    return budget  # type: ignore[no-any-return]


@contextmanager
def bounded(request: Request) -> Iterator[None]:
    """The body (a route's work, already on a worker thread) under the app's budget. An answer ready
    only after the limit is refused too, so the limit holds whether or not the work reached a check."""
    budget = read_budget(request)
    with budget.slot(client_id(request)):
        try:
            with deadline.within(budget.timeout):
                yield
                deadline.check()
        except deadline.OverBudget:
            raise budget.over() from None


async def run(request: Request, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args)`` on a worker thread under the app's budget: for async routes."""
    budget = read_budget(request)

    def work() -> T:
        with deadline.within(budget.timeout):
            result = fn(*args, **kwargs)
            deadline.check()
            return result

    with budget.slot(client_id(request)):
        try:
            return await asyncio.to_thread(work)
        except deadline.OverBudget:
            raise budget.over() from None
