"""Every rule of shapes/ against its dash test case in tests/shapes/<rule id>.ttl.

A case's data holds conforming nodes and violating ones; the expected report (dash:expectedResult) is the FULL
report of the file validated alone against all shapes, with the ontology graphs (ontology/, concept schemes) as
context, as pySHACL's dash runner compares it: same source shapes, severities, focus nodes and values, nothing
more; the conforming nodes (:ok…) give no result at all, and the case's rule fires on a :bad… node.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from graph.build import build_into
from graph.layout import graph_files
from graph.store import OxigraphStore
from graph.validation import load_shapes, validate_files
from graph.validation.shapes import QKS

DASH = rdflib.Namespace("http://datashapes.org/dash#")
QK = "https://w3id.org/quartiers/def#"
FIXTURES = Path(__file__).parent / "shapes"
CASES = sorted(FIXTURES.glob("CDV-*.ttl"))


@pytest.fixture(scope="module")
def ontology_store() -> OxigraphStore:
    """The reference the fixtures need: the ontology and its concept schemes only."""
    store = OxigraphStore()
    build_into(store, [f for f in graph_files() if "/graph/ontology/" in f.graph])
    return store


Key = tuple[str, str, str, str | None]  # (rule id, severity, focus node, value)


def expected_report(path: Path) -> tuple[bool, set[Key]]:
    graph = rdflib.Graph().parse(path, format="turtle")
    case = next(graph.subjects(RDF.type, DASH.GraphValidationTestCase))
    report = graph.value(case, DASH.expectedResult)
    expected: set[Key] = set()
    for result in graph.objects(report, SH.result):
        shape = str(graph.value(result, SH.sourceShape))
        severity = str(graph.value(result, SH.resultSeverity)).rsplit("#", 1)[1]
        value = graph.value(result, SH.value)
        focus = str(graph.value(result, SH.focusNode))
        expected.add((shape[len(QKS) :], severity, focus, None if value is None else str(value)))
    return bool(graph.value(report, SH.conforms).toPython()), expected


def test_every_rule_has_a_case() -> None:
    rule_ids = {rule.rule_id for rule in load_shapes().rules.values()}
    assert rule_ids == {path.stem for path in CASES}
    assert len(rule_ids) >= 60


def test_rules_have_ids_severity_and_bilingual_messages() -> None:
    for iri, rule in load_shapes().rules.items():
        assert iri == QKS + rule.rule_id
        assert rule.rule_id.split("-")[1] in {"PER", "GEO", "ORG", "SIG", "ENG", "FIN", "PRV", "STR"}
        assert rule.messages["fr"] and rule.messages["en"] and rule.targets


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_rule_case(path: Path, ontology_store: OxigraphStore) -> None:
    conforms, expected = expected_report(path)
    report = validate_files([path], store=ontology_store)
    got = {(r.shape_id, r.severity, r.focus_node, r.value) for r in report.results}
    assert got == expected  # the full report, every rule
    assert report.shacl_conforms is conforms is (not expected)
    assert not any(r.focus_node.rsplit("/", 1)[-1].startswith("ok") for r in report.results)
    assert any(r.shape_id == path.stem and "/bad" in r.focus_node for r in report.results)


def test_every_class_of_the_ontology_has_a_shape(repo_root: Path) -> None:
    """Every qk: class of the ontology is the target of a rule (a class target, or a SPARQL target naming it)."""
    ontology = rdflib.Graph().parse(repo_root / "ontology" / "quartiers.ttl", format="turtle")
    owl_class = rdflib.URIRef("http://www.w3.org/2002/07/owl#Class")
    classes = {str(c) for c in ontology.subjects(RDF.type, owl_class) if str(c).startswith(QK)}
    targeted: set[str] = set()
    for rule in load_shapes().rules.values():
        for target in rule.targets:
            if target.kind == "class":
                targeted.add(target.value)
            elif target.kind == "sparql":
                targeted |= {QK + name for name in re.findall(r"qk:([A-Z][A-Za-z0-9]*)", target.value)}
    subclass = rdflib.URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    covered = {
        c for c in classes if {str(s) for s in ontology.transitive_objects(rdflib.URIRef(c), subclass)} & targeted
    }
    assert classes - covered == set()
    assert {QK + "LocalScheme", QK + "Programme"} <= targeted
