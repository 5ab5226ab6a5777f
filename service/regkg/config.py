"""Settings, read once from the environment (REGKG_*).

Limits live here as settings, not as constants scattered through the code, so
an operator can change them without editing code and tests can tighten them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from regkg import vocab
from regkg.store.spec import StoreSpec

__all__ = ["Settings", "get_settings"]


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number of seconds, got {raw!r}") from exc


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "on", "true", "yes"}:
        return True
    if raw in {"0", "off", "false", "no"}:
        return False
    raise ValueError(f"{name} must be on or off, got {raw!r}")


@dataclass(frozen=True)
class Settings:
    """Everything configurable about a regkg process."""

    base_iri: str = vocab.BASE
    store: str = "var/store"
    store_update_url: str | None = None
    write_tokens: tuple[str, ...] = ()
    #: TOML file of named tokens with roles (see regkg.auth).
    tokens_file: str | None = None
    query_timeout: float = 10.0
    max_rows: int = 10_000
    max_query_bytes: int = 100_000
    max_nesting: int = 200
    #: the largest RDF payload a Graph Store Protocol write may send.
    max_graph_bytes: int = 20_000_000
    #: engine processes in all; ``slow_workers`` of them form the slow lane (see regkg.workers.pool).
    workers: int = 2
    slow_workers: int = 1
    #: queries one client may have running or waiting at once (0: no limit).
    client_concurrency: int = 4
    #: a query still running after this long in the fast lane moves to the slow lane.
    short_query_seconds: float = 0.5
    #: how long a client that sent a long query stays in the slow lane.
    heavy_client_seconds: float = 30.0
    #: an engine that has applied this many changes since its fork is replaced by a fresh fork of the
    #: zygote, whose pages it shares again (0: never).
    engine_recycle_changes: int = 4
    #: a remote store (REGKG_STORE=http...) applies updates itself, past the gate (no SHACL, no change
    #: log, no revert): refused unless REGKG_REMOTE_WRITES=ungated says the deployment accepts that.
    remote_writes_ungated: bool = False
    #: confine engine processes (seccomp + Landlock); off only where the kernel lacks them.
    sandbox: bool = True
    #: hot read results kept per data version (0 turns the cache off) and their total size.
    result_cache_entries: int = 1_000
    result_cache_bytes: int = 64_000_000
    #: point lookups (``SELECT ?p ?o WHERE { <s> ?p ?o }``) answered in the web process when the
    #: pattern has at most this many quads (regkg.api.lane; 0: every query goes to an engine). 256
    #: covers every subject of the shipped graph (Google has 197) and holds the event loop for at
    #: most about 0.4 ms (1,000 quads: 1.5 ms).
    lookup_lane_rows: int = 256
    #: exploration (regkg.explore): hops and nodes of a neighbourhood, hops and number of paths,
    #: incoming links listed on an entity, actions rolled up into a corporate group.
    explore_max_hops: int = 3
    explore_max_nodes: int = 500
    explore_default_nodes: int = 100
    explore_max_path_hops: int = 8
    explore_default_path_hops: int = 5
    explore_max_paths: int = 10
    #: nodes a path search may visit before it gives up (bounded time, whatever the graph).
    explore_path_visits: int = 50_000
    explore_incoming: int = 500
    explore_group_actions: int = 2_000
    #: the read budget of every exploration, page, linked-data and export route (regkg.api.budget):
    #: seconds one read may take (503 past it; 0: no limit; an export's stream is exempt) and reads
    #: one client may have running at once (429 past it; 0: no limit).
    explore_timeout: float = 10.0
    explore_client_concurrency: int = 8
    #: the export stream (GET /export..., regkg.api.budget.ExportGate): seconds one stream may take, past
    #: which it is stopped and its connection aborted (0: no limit), and exports streaming at once in the
    #: whole service, one per client (429 past either; 0 lifts both).
    export_timeout: float = 600.0
    export_concurrency: int = 2
    #: search (regkg.search): results per request, length of a query, names looked at per ranking stage.
    search_max_results: int = 100
    search_max_query_chars: int = 200
    search_stage_names: int = 200
    #: a search index that builds faster than this is rebuilt in the request that notices new data;
    #: a slower one in the background while searches answer from the previous index.
    search_sync_rebuild_seconds: float = 0.5
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        tokens = tuple(t.strip() for t in os.environ.get("REGKG_WRITE_TOKEN", "").split(",") if t.strip())
        base = os.environ.get("REGKG_BASE_IRI", "").strip() or vocab.BASE
        if not base.endswith("/"):
            base += "/"
        return cls(
            base_iri=base,
            store=os.environ.get("REGKG_STORE", "var/store"),
            store_update_url=os.environ.get("REGKG_STORE_UPDATE_URL") or None,
            write_tokens=tokens,
            tokens_file=os.environ.get("REGKG_TOKENS_FILE") or None,
            query_timeout=_float("REGKG_QUERY_TIMEOUT", 10.0),
            max_rows=_int("REGKG_MAX_ROWS", 10_000),
            max_query_bytes=_int("REGKG_MAX_QUERY_BYTES", 100_000),
            max_nesting=_int("REGKG_MAX_NESTING", 200),
            max_graph_bytes=_int("REGKG_MAX_GRAPH_BYTES", 20_000_000),
            workers=_int("REGKG_WORKERS", 2),
            slow_workers=_int("REGKG_SLOW_WORKERS", 1),
            client_concurrency=_int("REGKG_CLIENT_CONCURRENCY", 4),
            short_query_seconds=_float("REGKG_SHORT_QUERY_SECONDS", 0.5),
            heavy_client_seconds=_float("REGKG_HEAVY_CLIENT_SECONDS", 30.0),
            sandbox=_bool("REGKG_SANDBOX", True),
            engine_recycle_changes=_int("REGKG_ENGINE_RECYCLE_CHANGES", 4),
            remote_writes_ungated=_remote_writes(),
            result_cache_entries=_int("REGKG_RESULT_CACHE_ENTRIES", 1_000),
            result_cache_bytes=_int("REGKG_RESULT_CACHE_BYTES", 64_000_000),
            lookup_lane_rows=_int("REGKG_LOOKUP_LANE_ROWS", 256),
            explore_max_hops=_int("REGKG_EXPLORE_MAX_HOPS", 3),
            explore_max_nodes=_int("REGKG_EXPLORE_MAX_NODES", 500),
            explore_default_nodes=_int("REGKG_EXPLORE_DEFAULT_NODES", 100),
            explore_max_path_hops=_int("REGKG_EXPLORE_MAX_PATH_HOPS", 8),
            explore_default_path_hops=_int("REGKG_EXPLORE_DEFAULT_PATH_HOPS", 5),
            explore_max_paths=_int("REGKG_EXPLORE_MAX_PATHS", 10),
            explore_path_visits=_int("REGKG_EXPLORE_PATH_VISITS", 50_000),
            explore_incoming=_int("REGKG_EXPLORE_INCOMING", 500),
            explore_group_actions=_int("REGKG_EXPLORE_GROUP_ACTIONS", 2_000),
            explore_timeout=_float("REGKG_EXPLORE_TIMEOUT", 10.0),
            explore_client_concurrency=_int("REGKG_EXPLORE_CLIENT_CONCURRENCY", 8),
            export_timeout=_float("REGKG_EXPORT_TIMEOUT", 600.0),
            export_concurrency=_int("REGKG_EXPORT_CONCURRENCY", 2),
            search_max_results=_int("REGKG_SEARCH_MAX_RESULTS", 100),
            search_max_query_chars=_int("REGKG_SEARCH_MAX_QUERY_CHARS", 200),
            search_stage_names=_int("REGKG_SEARCH_STAGE_NAMES", 200),
            search_sync_rebuild_seconds=_float("REGKG_SEARCH_SYNC_REBUILD_SECONDS", 0.5),
        )

    @property
    def store_spec(self) -> StoreSpec:
        """What ``store`` names, parsed in one place (regkg.store.spec)."""
        return StoreSpec.parse(self.store)


def _remote_writes() -> bool:
    value = os.environ.get("REGKG_REMOTE_WRITES", "off").strip().lower()
    if value not in ("off", "ungated"):
        raise ValueError(f"REGKG_REMOTE_WRITES must be off or ungated, not {value!r}")
    return value == "ungated"


def get_settings() -> Settings:
    return Settings.from_env()
