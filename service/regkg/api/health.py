"""GET /healthz: store and engine state, as JSON: "ok"; "degraded" (200) with the reasons -- a lane
saturated, engines restarting or dying, the sandbox off, a shipped graph changed outside the gate;
"unavailable" (503) when no engine is alive."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

__all__ = ["router"]

router = APIRouter(tags=["service"])


@router.get("/healthz", summary="Service health")
async def healthz(request: Request) -> JSONResponse:
    state = request.app.state
    pool = getattr(state, "queries", None)
    publisher = getattr(state, "publisher", None)
    store = getattr(state, "store", None)
    workers: dict[str, Any] = pool.state() if pool is not None else {"alive": 0}
    ok = store is not None and workers.get("alive", 0) > 0
    reasons = list(workers.get("degraded") or [])
    prepared = getattr(state, "prepared", None)
    if prepared is not None:
        reasons += prepared.reasons()
    body = {
        "status": ("degraded" if reasons else "ok") if ok else "unavailable",
        "reasons": reasons,
        "store": dict(publisher.info) if publisher is not None else None,
        "data_version": store.data_version if store is not None else None,
        "workers": workers,
        "changes": _changes(state),
    }
    return JSONResponse(body, status_code=200 if ok else 503)


def _changes(state: Any) -> dict[str, Any] | None:
    gate = getattr(state, "gate", None)
    if gate is None:
        return None
    return {"count": len(gate.log.sets), "folder": str(gate.log.folder)}
