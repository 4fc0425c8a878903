"""Quartiers KG SPARQL 1.1 endpoint: Protocol, Graph Store HTTP Protocol, Service Description,
SHACL-gated writes with provenance. ``create_app(store, settings)`` in :mod:`sparql_api.app`."""
