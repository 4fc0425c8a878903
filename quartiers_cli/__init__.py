"""The ``quartiers`` command, above the library (``graph``) and the HTTP service (``sparql_api``)."""
