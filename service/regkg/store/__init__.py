"""The one Store interface and its implementations.

Everything that reads or writes the graph goes through :class:`Store`, so the
embedded Oxigraph store and a remote SPARQL 1.1 server are interchangeable.
"""

from regkg.store.base import QueryResult, Store, StoreError
from regkg.store.embedded import EmbeddedStore, open_store
from regkg.store.remote import RemoteStore

__all__ = ["EmbeddedStore", "QueryResult", "RemoteStore", "Store", "StoreError", "open_store"]
