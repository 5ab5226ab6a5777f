"""Linked data: every IRI dereferences, the whole graph exports, the dataset describes itself.

* :mod:`regkg.urls` -- the one URL builder (IRI <-> /id, /page, /data, /concern, /sector, /ontology);
* :mod:`.describe` -- the RDF document about one resource, and the ontology's;
* :mod:`.export` -- the whole graph in N-Quads, TriG, Turtle, N-Triples or JSON-LD, streamed;
* :mod:`.jsonld` -- JSON-LD with the published context ``/context.jsonld``;
* :mod:`.void` -- the VoID/DCAT description with counts;
* :mod:`.ontology_docs` -- the pyLODE documentation page of the ontology.

HTTP routes are in :mod:`regkg.api.linked_data`; ``regkg export`` is the CLI verb.
"""
