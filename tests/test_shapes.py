"""Every rule of shapes/ against its dash test case in tests/shapes/<rule id>.ttl.

A case's data holds conforming nodes and a violating one; the expected report (dash:expectedResult) lists
exactly the results the rule must give: same focus nodes, values and severity, nothing else from that rule.
"""

from __future__ import annotations

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
FIXTURES = Path(__file__).parent / "shapes"
CASES = sorted(FIXTURES.glob("CDV-*.ttl"))


@pytest.fixture(scope="module")
def ontology_store() -> OxigraphStore:
    """The reference the fixtures need: the ontology and its concept schemes only."""
    store = OxigraphStore()
    build_into(store, [f for f in graph_files() if "/graph/ontology/" in f.graph])
    return store


def expected_results(path: Path) -> tuple[str, set[tuple[str, str, str | None]]]:
    graph = rdflib.Graph().parse(path, format="turtle")
    case = next(graph.subjects(RDF.type, DASH.GraphValidationTestCase))
    report = graph.value(case, DASH.expectedResult)
    expected: set[tuple[str, str, str | None]] = set()
    for result in graph.objects(report, SH.result):
        severity = str(graph.value(result, SH.resultSeverity)).rsplit("#", 1)[1]
        value = graph.value(result, SH.value)
        expected.add((severity, str(graph.value(result, SH.focusNode)), None if value is None else str(value)))
    return path.stem, expected


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
    rule_id, expected = expected_results(path)
    report = validate_files([path], store=ontology_store)
    got = {(r.severity, r.focus_node, r.value) for r in report.results if r.shape_id == rule_id}
    assert got == expected
    assert not any(r.focus_node.endswith("/ok") for r in report.results if r.shape_id == rule_id)
