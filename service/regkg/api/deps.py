"""What a router can ask for from the running app (FastAPI dependencies and helpers).

* :func:`get_settings` -- the :class:`~regkg.config.Settings` the app was built with;
* :func:`get_store` -- the durable :class:`~regkg.store.Store` (writes, counts, small reads);
* :func:`get_queries` -- the :class:`~regkg.workers.EnginePool` that evaluates SPARQL in worker
  processes, with the time limit and row cap (use it for anything a client controls).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from fastapi import Request

from regkg.auth import Principal, authenticate, load_tokens
from regkg.config import Settings
from regkg.errors import ApiError
from regkg.store.base import Store

if TYPE_CHECKING:
    from regkg.workers import EnginePool

__all__ = ["client_id", "get_principal", "get_queries", "get_settings", "get_store"]


def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def get_store(request: Request) -> Store:
    store = getattr(request.app.state, "store", None)
    if store is None:
        raise ApiError(503, "starting", "the store is not open yet", headers={"Retry-After": "5"})
    return cast(Store, store)


def get_queries(request: Request) -> EnginePool:
    pool = getattr(request.app.state, "queries", None)
    if pool is None:
        raise ApiError(503, "starting", "the query workers are not running yet", headers={"Retry-After": "5"})
    return cast("EnginePool", pool)


def client_id(request: Request) -> str:
    """Who is asking, for fairness: the peer's address (a proxy in front should pass one client
    per connection or set its own limits)."""
    client = request.client
    return client.host if client is not None else "unknown"


def get_principal(request: Request) -> Principal:
    """The writer or admin the request's bearer token names (401 otherwise)."""
    known = getattr(request.app.state, "tokens", None)
    if known is None:
        known = request.app.state.tokens = load_tokens(get_settings(request))
    return authenticate(request.headers.get("authorization"), known)
