"""SPARQL 1.1 Service Description of the endpoint (sd: vocabulary), with the dataset's named graphs."""

from __future__ import annotations

import io

import pyoxigraph as ox

from graph.formats import GRAPH_OFFER, SOLUTIONS_OFFER, Offer, format_iri, rdf_format
from graph.namespaces import PREFIXES, RDF, SD, VOID, XSD

DESCRIPTION_OFFER = Offer(("text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"),
                          graph=True)


ENTAILMENT = "http://www.w3.org/ns/entailment/"
OWL_RL_PROFILE = "http://www.w3.org/ns/owl-profile/RL"


def description_triples(
    endpoint: str,
    counts: dict[str, int],
    *,
    writes: bool,
    union: bool,
    federation: bool = False,
    inferred_graph: str | None = None,
    entailments: bool = True,
) -> list[ox.Triple]:
    """The description of one endpoint. ``inferred_graph`` present and ``entailments``: the default graph holds
    the materialised OWL 2 RL entailments (regime OWL-RDF-Based, profile RL); without ``entailments`` (the
    asserted endpoint) that graph is left out of the dataset (regime Simple)."""
    if inferred_graph is not None and not entailments:
        counts = {g: n for g, n in counts.items() if g != inferred_graph}
    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    service = n(endpoint + "#service")
    dataset, default_graph = ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
    triples = [
        ox.Triple(service, n(RDF + "type"), n(SD + "Service")),
        ox.Triple(service, n(SD + "endpoint"), n(endpoint)),
        ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL10Query")),
        ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(service, n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, n(RDF + "type"), n(SD + "Dataset")),
        ox.Triple(dataset, n(SD + "defaultGraph"), default_graph),
        ox.Triple(default_graph, n(RDF + "type"), n(SD + "Graph")),
        ox.Triple(
            default_graph,
            n("http://purl.org/dc/terms/description"),
            ox.Literal(
                "Union de tous les graphes nommés (sauf FROM / default-graph-uri) / union of all named graphs "
                "(unless FROM / default-graph-uri are given)"
                if union else "Graphe par défaut du stockage / the store's default graph",
            ),
        ),
        ox.Triple(default_graph, n(VOID + "triples"), integer(sum(counts.values()))),
    ]
    if writes and entailments:
        triples.append(ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Update")))
    if inferred_graph is not None and inferred_graph in counts and entailments:
        triples.append(ox.Triple(service, n(SD + "defaultEntailmentRegime"), n(ENTAILMENT + "OWL-RDF-Based")))
        triples.append(ox.Triple(service, n(SD + "defaultSupportedEntailmentProfile"), n(OWL_RL_PROFILE)))
    else:
        triples.append(ox.Triple(service, n(SD + "defaultEntailmentRegime"), n(ENTAILMENT + "Simple")))
    for feature in ("UnionDefaultGraph", "BasicFederatedQuery"):
        if (feature == "UnionDefaultGraph" and not union) or (feature == "BasicFederatedQuery" and not federation):
            continue
        triples.append(ox.Triple(service, n(SD + "feature"), n(SD + feature)))
    for media in (*SOLUTIONS_OFFER.media_types, *GRAPH_OFFER.media_types):
        triples.append(ox.Triple(service, n(SD + "resultFormat"), n(format_iri(media))))
    if writes and entailments:
        for media in GRAPH_OFFER.media_types:
            triples.append(ox.Triple(service, n(SD + "inputFormat"), n(format_iri(media))))
    for i, (graph, count) in enumerate(sorted(counts.items())):
        if not graph:
            continue
        node, body = ox.BlankNode(f"ng{i}"), ox.BlankNode(f"g{i}")
        triples += [
            ox.Triple(dataset, n(SD + "namedGraph"), node),
            ox.Triple(node, n(RDF + "type"), n(SD + "NamedGraph")),
            ox.Triple(node, n(SD + "name"), n(graph)),
            ox.Triple(node, n(SD + "graph"), body),
            ox.Triple(body, n(RDF + "type"), n(SD + "Graph")),
            ox.Triple(body, n(VOID + "triples"), integer(count)),
        ]
    return triples


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def serialize_description(triples: list[ox.Triple], media_type: str) -> bytes:
    fmt = rdf_format(media_type)
    out = io.BytesIO()
    prefixes = {"sd": SD, "void": VOID, "xsd": XSD, **PREFIXES}
    if fmt == ox.RdfFormat.N_TRIPLES:
        ox.serialize(triples, out, format=fmt)
    else:
        ox.serialize(triples, out, format=fmt, prefixes=prefixes)
    return out.getvalue()
