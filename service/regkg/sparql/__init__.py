"""The SPARQL 1.1 Protocol, independent of HTTP frameworks and of where queries run.

* :mod:`~regkg.sparql.protocol` -- HTTP request parts to a :class:`ProtocolRequest` (no SPARQL
  parsing: the text goes to an engine process as it came);
* :mod:`~regkg.sparql.limits` -- size, NUL and nesting depth, before any parser;
* :mod:`~regkg.sparql.policy` -- one real parse, judged on its tree (SERVICE, LOAD: 403), skipped
  by a query whose text plainly has nothing to judge;
* :mod:`~regkg.sparql.results` -- serialisation under the row cap;
* :mod:`~regkg.sparql.description` -- the service description.

Limits and policy run in the sandboxed engine processes (:mod:`regkg.workers`), never in the web
process.
"""

from regkg.sparql.description import service_description
from regkg.sparql.limits import apply_using, check_text, nesting_depth
from regkg.sparql.policy import ALL_GRAPHS, DEFAULT_GRAPH, Inspection, inspect, plain_insert_data, plain_query
from regkg.sparql.protocol import Operation, ProtocolRequest, read_request
from regkg.sparql.results import MAX_ROWS_HEADER, TRUNCATED_HEADER, Outcome, choose_format, evaluate

__all__ = [
    "ALL_GRAPHS",
    "DEFAULT_GRAPH",
    "MAX_ROWS_HEADER",
    "TRUNCATED_HEADER",
    "Inspection",
    "Operation",
    "Outcome",
    "ProtocolRequest",
    "apply_using",
    "check_text",
    "choose_format",
    "evaluate",
    "inspect",
    "nesting_depth",
    "plain_insert_data",
    "plain_query",
    "read_request",
    "service_description",
]
