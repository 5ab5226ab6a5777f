"""A runner for the W3C SPARQL 1.1 test suites, owned by this project.

The suites are read from where they are checked out beside the repository
(``../shared/w3c-rdf-tests/sparql/sparql11``, or ``REGKG_W3C_TESTS``); they are never copied
into the repository. Test modules skip, with the reason, when the folder is absent.

* :mod:`tests.w3c.manifest` reads the manifests into :class:`~tests.w3c.manifest.W3CTest` records.
* :mod:`tests.w3c.results` reads expected results and compares them as the suites demand.
* :mod:`tests.w3c.expected` holds the expected failures (``expected-failures.txt``).
* :mod:`tests.w3c.counts` prints per-suite passed / failed / expected-failure counts.
"""
