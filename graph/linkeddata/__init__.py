"""Linked data over the store: ``describe`` an IRI, the DCAT-AP catalogue, VoID, the JSON-LD context, the
ontology's documentation, a QPV's outline. Pure functions: the service evaluates their queries in its workers."""

from graph.linkeddata.catalog import GraphInfo, Site, catalog_triples, graph_infos, void_triples
from graph.linkeddata.describe import Description, describe
from graph.linkeddata.iris import SUFFIXES, local_path, resolve
from graph.linkeddata.jsonld import build_context, compact
from graph.linkeddata.svg import outline

__all__ = [
           "SUFFIXES",
           "Description",
           "GraphInfo",
           "Site",
           "build_context",
           "catalog_triples",
           "compact",
           "describe",
           "graph_infos",
           "local_path",
           "outline",
           "resolve",
           "void_triples",
]
