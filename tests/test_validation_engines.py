"""The fast engine (rules compiled to SPARQL, run by pyoxigraph) gives the same results as pySHACL, the
reference engine, on the whole test corpus (every dash test case of tests/shapes/ at once)."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from graph.build import build_into
from graph.layout import graph_files
from graph.store import OxigraphStore
from graph.validation import ValidationReport, validate_files

CASES = sorted((Path(__file__).parent / "shapes").glob("CDV-*.ttl"))


@pytest.fixture(scope="module")
def ontology_store() -> OxigraphStore:
    store = OxigraphStore()
    build_into(store, [f for f in graph_files() if "/graph/ontology/" in f.graph])
    return store


@pytest.fixture(scope="module")
def reports(ontology_store: OxigraphStore) -> dict[str, ValidationReport]:
    return {engine: validate_files(CASES, store=ontology_store, engine=engine) for engine in ("oxigraph", "pyshacl")}


def keys(report: ValidationReport) -> set[tuple[str, str, str, str | None]]:
    return {(r.shape_id, r.severity, r.focus_node, r.value) for r in report.results}


def test_engines_agree_on_the_corpus(reports: dict[str, ValidationReport]) -> None:
    fast, reference = keys(reports["oxigraph"]), keys(reports["pyshacl"])
    assert fast == reference
    assert len(fast) >= len(CASES)  # every case violates its rule at least once


def test_every_rule_fires_in_the_corpus(reports: dict[str, ValidationReport]) -> None:
    assert {p.stem for p in CASES} <= {r.shape_id for r in reports["pyshacl"].results}


def test_messages_keep_their_language_tags(reports: dict[str, ValidationReport]) -> None:
    """pySHACL drops the tags of SPARQL-based constraints' messages; the report takes them from the rule."""
    report = reports["pyshacl"]
    graph = rdflib.Graph().parse(data=report.to_turtle(), format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    sparql_rule = rdflib.URIRef("https://w3id.org/quartiers/shapes#CDV-GEO-005")
    results = list(graph.subjects(sh.sourceShape, sparql_rule))
    assert results
    languages = {m.language for r in results for m in graph.objects(r, sh.resultMessage)}
    assert languages == {"fr", "en"}
