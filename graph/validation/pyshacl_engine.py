"""The reference engine: pySHACL over an rdflib copy of the dataset.

pySHACL drops the language tags of ``sh:message`` for SPARQL-based constraints; the project never takes
messages from pySHACL's report: each finding's messages are read from its rule (``shapes.Rule.messages``), with
their tags, when the report is built (see ``report.py``).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import RDF, SH

from graph.terms import to_oxigraph, to_rdflib
from graph.validation.findings import Finding
from graph.validation.shapes import ShapeSet


def rdflib_graph(triples: Iterable[ox.Triple | ox.Quad]) -> rdflib.Graph:
    """One rdflib graph holding the given triples (the quads' graph names are dropped: the union)."""
    graph = rdflib.Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def validate(data: rdflib.Graph, shapes: ShapeSet) -> list[Finding]:
    """Run pySHACL (SHACL-AF on for SPARQL targets, no inference) and read its results."""
    _conforms, results, _text = pyshacl.validate(
        data,
        shacl_graph=shapes.graph,
        advanced=True,
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        abort_on_first=False,
        inplace=True,
    )
    findings: set[Finding] = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        shape = results.value(result, SH.sourceShape)
        focus = results.value(result, SH.focusNode)
        value = results.value(result, SH.value)
        rule = shapes.rule(str(shape))
        if rule is None:
            raise ValueError(f"result from a shape that is not a rule: {shape!r}")
        if rule.path is None and not rule.sparql:
            value = focus  # node shapes: the value node is the focus node
        findings.add(Finding(rule.iri, to_oxigraph(focus), None if value is None else to_oxigraph(value)))
    return sorted(findings, key=Finding.key)
