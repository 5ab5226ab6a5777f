"""The HTTP service: FastAPI app factory and thin routers.

``regkg.api.app.create_app`` builds the app; routers translate HTTP to calls on
regkg.sparql, regkg.writes and the store, and nothing more.
"""

from regkg.api.app import create_app

__all__ = ["create_app"]
