"""Organisations shared by several files: one rdfs:label each across the whole dataset."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from graph.importer.naming import preferred_name
from graph.importer.sources import STATE
from graph.importer.turtle import Graph, en, fr
from graph.namespaces import QK, RDF, RDFS, SKOS


def name_organisation(graph: Graph, iri: str, names: Counter[str], known: Mapping[str, str]) -> str | None:
    """Label ``iri`` with its preferred name (other names as skos:altLabel).

    When an earlier file already labels the organisation (``known``), every name of this source becomes a
    skos:altLabel instead, so that the dataset keeps one rdfs:label per organisation. Returns the label added.
    """
    if iri in known:
        for name in names:
            if name != known[iri]:
                graph.add(iri, SKOS + "altLabel", fr(name))
        return None
    label, others = preferred_name(names)
    graph.add(iri, RDFS + "label", fr(label))
    for name in others:
        graph.add(iri, SKOS + "altLabel", fr(name))
    return label


def add_state(graph: Graph) -> None:
    """The French State, funder of programme 147 (identical triples in every file that uses it)."""
    graph.add(STATE, RDF + "type", QK + "StateService")
    graph.add(STATE, RDFS + "label", fr("État"))
    graph.add(STATE, RDFS + "label", en("French State"))


def name_organisations(
    graph: Graph, names: Mapping[str, Counter[str]], known_labels: Mapping[str, str]
) -> dict[str, str]:
    """Label every organisation of ``names`` (see ``name_organisation``); returns the labels added."""
    labels: dict[str, str] = {}
    for body, body_names in sorted(names.items()):
        label = name_organisation(graph, body, body_names, known_labels)
        if label:
            labels[body] = label
    return labels
