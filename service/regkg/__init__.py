"""regkg: an open knowledge graph of technology-regulation events."""

__all__ = ["__version__"]

__version__ = "0.1.0"
