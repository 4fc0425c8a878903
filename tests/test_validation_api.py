"""validate_store / validate_files on the committed dataset, reports, and the ``quartiers validate`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.cli import main
from graph.layout import resource_root
from graph.store import OxigraphStore
from graph.validation import UnusableInputError, validate_files, validate_store

CONTRACTS = resource_root() / "data" / "contracts"
SAINT_ETIENNE = CONTRACTS / "saint-etienne-metropole-2024.ttl"
GRAPH = "https://w3id.org/quartiers/graph/data/contracts/saint-etienne-metropole-2024"


def test_national_graph_has_no_violation(national_store: OxigraphStore) -> None:
    report = validate_store(national_store)
    assert [r for r in report.results if r.severity == "Violation"] == []
    assert report.conforms
    # the Warnings are real findings (docs/validation.md): late signings, missing indicators, non-signing communes;
    # the Info CDV-STR-018 comes with the entailments (qkg:inferred): the range of qk:currency makes the EU currency
    # authority's EUR a skos:Concept, and no graph says which scheme it belongs to
    # the corpus adds: stated counts that differ from the lists (GEO-009, SIG-006), a signing before the QPV decree
    # (PER-010: Nantes, 7 December 2023 in its tables), sources that disagree (PRV-006)
    allowed = {"CDV-PER-005", "CDV-ENG-005", "CDV-SIG-003", "CDV-STR-007", "CDV-STR-018", "CDV-GEO-009",
               "CDV-SIG-006", "CDV-PER-010", "CDV-PRV-006"}
    assert {r.shape_id for r in report.results} <= allowed
    assert {r.focus_node for r in report.results if r.shape_id == "CDV-STR-018"} <= {
        "http://publications.europa.eu/resource/authority/currency/EUR"
    }
    late = {r.focus_node for r in report.results if r.shape_id == "CDV-PER-005"}
    assert "https://w3id.org/quartiers/id/contrat/2024/244200770" in late
    early = {r.focus_node for r in report.results if r.shape_id == "CDV-PER-010"}
    assert "https://w3id.org/quartiers/id/contrat/2024/244400404" in early


def test_a_file_gives_what_its_graph_gives(national_store: OxigraphStore) -> None:
    """Validating the file beside the store's neighbourhood = validating its graph in the whole store."""
    in_store = {(r.shape_id, r.focus_node, r.value) for r in validate_store(national_store, graphs=[GRAPH]).results}
    as_file = {
        (r.shape_id, r.focus_node, r.value) for r in validate_files([SAINT_ETIENNE], store=national_store).results
    }
    assert as_file == in_store
    assert ("CDV-PER-005", "https://w3id.org/quartiers/id/contrat/2024/244200770", "2024-07-10") in as_file


def test_a_broken_file_is_caught_before_loading(national_store: OxigraphStore, tmp_path: Path) -> None:
    bad = tmp_path / "contrat.ttl"
    text = SAINT_ETIENNE.read_text(encoding="utf-8").replace('"2024-07-10"^^xsd:date', '"2024-07-10"^^xsd:decimal')
    bad.write_text(text.replace('qk:amount "5000000"^^xsd:decimal', 'qk:amount "-5"^^xsd:decimal'), encoding="utf-8")
    report = validate_files([bad], store=national_store)
    failed = {r.shape_id for r in report.results if r.severity == "Violation"}
    assert {"CDV-PER-003", "CDV-FIN-002"} <= failed
    assert not report.conforms
    assert national_store.count(GRAPH) > 0 and not national_store.has_graph("urn:quartiers:validation:input")


def test_report_formats(national_store: OxigraphStore) -> None:
    report = validate_store(national_store, graphs=[GRAPH])
    data = report.to_json()
    assert data["counts"]["Warning"] == report.counts()["Warning"] > 0
    assert '"fr"' not in json.dumps(data) and data["results"][0]["message_fr"]
    assert "@fr" in report.to_turtle() and "@en" in report.to_turtle()
    summary = report.summary("fr")
    assert "Avertissements" in summary and "Contrat de ville 2024-2030 de Saint-Étienne Métropole" in summary
    assert "Signed after the deadline" in report.summary("en")


def test_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <https://example.org/> .\nex:a ex:b "oops .\n', encoding="utf-8")
    with pytest.raises(UnusableInputError) as caught:
        validate_files([bad])
    assert caught.value.line == 2 and caught.value.column is not None
    assert caught.value.one_line().startswith(f"{bad}:2:")


def test_cli_exit_codes(national_store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = ["--store", str(national_store_path)]
    assert main(["validate", *store, "--graph", GRAPH, "--lang", "en"]) == 0
    assert main(["validate", *store, "--graph", GRAPH, "--strict"]) == 1
    out = tmp_path / "report.ttl"
    assert main(["validate", *store, str(SAINT_ETIENNE), "--format", "turtle", "--output", str(out)]) == 0
    assert "sh:ValidationReport" in out.read_text(encoding="utf-8")
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    assert main(["validate", *store, str(broken)]) == 2
    assert "erreur de syntaxe / syntax error" in capsys.readouterr().err
    negative = tmp_path / "negative.ttl"
    negative.write_text(
        "@prefix qk: <https://w3id.org/quartiers/def#> .\n"
        '<https://example.org/f> qk:amount "-1"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n'
    )
    assert main(["validate", *store, str(negative), "--format", "json"]) == 1


def test_a_duplicate_siren_is_seen_in_file_mode(national_store: OxigraphStore, tmp_path: Path) -> None:
    """CDV-ORG-004 reports every organisation sharing the SIREN, so the file's own node gets a result; the
    neighbourhood brings the type of the organisation already in the store."""
    dup = tmp_path / "dup.ttl"
    dup.write_text(
        "@prefix qk: <https://w3id.org/quartiers/def#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://example.org/dup> a qk:Association ; rdfs:label "dup"@fr ; qk:siren "244200770" .\n',
        encoding="utf-8",
    )
    for engine in ("oxigraph", "pyshacl"):
        report = validate_files([dup], store=national_store, engine=engine)
        found = {(r.shape_id, r.focus_node, r.value) for r in report.results}
        assert ("CDV-ORG-004", "https://example.org/dup", "244200770") in found
    whole = validate_store(national_store)
    assert not [r for r in whole.results if r.shape_id == "CDV-ORG-004"]


def test_graph_option_validates_the_graph_as_the_whole_store_does(national_store: OxigraphStore) -> None:
    """--graph validates the graph and its neighbourhood; it gives what the whole audit gives about its nodes."""
    from graph.validation.dataset import store_dataset

    scope = store_dataset(national_store, [GRAPH]).scope or set()
    whole = {(r.shape_id, r.focus_node, r.value) for r in validate_store(national_store).results}
    whole_in_graph = {key for key in whole if f"<{key[1]}>" in scope}
    assert {(r.shape_id, r.focus_node, r.value) for r in validate_store(national_store, graphs=[GRAPH]).results} == (
        whole_in_graph
    )


def test_cli_graph_errors_and_engine_failure(
    national_store_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--store", str(national_store_path)]
    assert main(["validate", *store, "--graph", "not-an-iri"]) == 2
    assert "IRI" in capsys.readouterr().err
    assert main(["validate", *store, "--graph", "https://w3id.org/quartiers/graph/nope"]) == 2
    assert "not in the store" in capsys.readouterr().err

    def broken(*_args: object) -> list[object]:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr("graph.validation.api.engine_findings", broken)
    assert main(["validate", *store, "--graph", GRAPH]) == 2
    err = capsys.readouterr().err
    assert "engine failure" in err and "boom" in err and "second line" not in err and err.count("\n") == 1


def test_warnings_only_conform_but_not_in_shacl_terms(national_store_path: Path, tmp_path: Path, capsys) -> None:
    """sh:conforms (Turtle, JSON shacl_conforms) is false as soon as there is a result; the exit code and the
    text's "conforms" look at Violations (Warnings with --strict); JSON names it conforms_at_min_severity."""
    store = ["--store", str(national_store_path)]
    assert main(["validate", *store, str(SAINT_ETIENNE)]) == 0
    assert capsys.readouterr().out.startswith("conforme — 0 violations")
    assert main(["validate", *store, str(SAINT_ETIENNE), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["conforms_at_min_severity"] is True and data["shacl_conforms"] is False and "conforms" not in data
    assert main(["validate", *store, str(SAINT_ETIENNE), "--format", "turtle"]) == 0
    assert "sh:conforms false" in capsys.readouterr().out
    assert main(["validate", *store, str(SAINT_ETIENNE), "--strict", "--lang", "en"]) == 1
    assert capsys.readouterr().out.startswith("does not conform")
