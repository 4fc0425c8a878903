"""The inferred graph of the national store: the property chains answer for every contract, no owl:sameAs
explosion, no money counted twice, and no new SHACL Violation.

Expected values come from the sources: the QPV table (``../shared/reference/qpv/qpv_2024.csv``) gives each QPV's
communes and EPCI, the funding tables give the 2023 amounts; which QPV a contract covers is read from the asserted
graphs (the contracts' own statements).
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from graph.build import build_into
from graph.inference.materialised import infer_store
from graph.layout import INFERRED_GRAPH, graph_files
from graph.namespaces import QKI, sparql_prefixes
from graph.store import OxigraphStore
from graph.validation.api import validate_store

PREFIXES = sparql_prefixes()
ASSERTED_COVERAGE = PREFIXES + f"""
SELECT DISTINCT ?contract ?code WHERE {{
  GRAPH ?g {{ ?contract qk:coversQPV ?qpv }} FILTER(?g != <{INFERRED_GRAPH}>)
  GRAPH ?h {{ ?qpv qk:qpvCode ?code }}
}}"""


def qpv_table(shared: Path) -> dict[str, dict[str, str]]:
    with (shared / "reference" / "qpv" / "qpv_2024.csv").open(encoding="utf-8") as handle:
        return {row["code_qp"]: row for row in csv.DictReader(handle)}


def pairs(store: OxigraphStore, query: str, a: str, b: str) -> set[tuple[str, str]]:
    return {(row[a].value, row[b].value) for row in store.query(PREFIXES + query).solutions()}


def test_concerns_commune_answers_for_every_contract_that_covers_a_qpv(national_store, shared: Path) -> None:
    table = qpv_table(shared)
    coverage = pairs(national_store, ASSERTED_COVERAGE, "contract", "code")
    assert len({c for c, _ in coverage}) >= 2 and len(coverage) >= 22  # the two seed contracts at least
    expected = {
        (contract, f"{QKI}commune/{commune}")
        for contract, code in coverage for commune in table[code]["insee_com"].split(";")
    }
    found = pairs(national_store, "SELECT ?c ?x WHERE { ?c qk:concernsCommune ?x }", "c", "x")
    assert found == expected
    in_inferred = pairs(
        national_store, f"SELECT ?c ?x WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?c qk:concernsCommune ?x }} }}", "c", "x"
    )
    assert in_inferred == expected  # the chain is entailed, not stated


def test_concerns_epci_follows_the_qpv_table(national_store, shared: Path) -> None:
    table = qpv_table(shared)
    coverage = pairs(national_store, ASSERTED_COVERAGE, "contract", "code")
    expected = {
        (contract, f"{QKI}epci/{siren}")
        for contract, code in coverage for siren in table[code]["siren_epci"].split(";") if siren
    }
    found = pairs(national_store, "SELECT ?c ?x WHERE { ?c qk:concernsEPCI ?x }", "c", "x")
    assert found == expected and expected


def test_signatories_and_inverses_are_entailed(national_store) -> None:
    stated = pairs(
        national_store,
        f"SELECT ?c ?o WHERE {{ GRAPH ?g {{ ?c qk:hasSignature ?s }} GRAPH ?h {{ ?s qk:signer ?o }} "
        f"FILTER(?g != <{INFERRED_GRAPH}> && ?h != <{INFERRED_GRAPH}>) }}",
        "c", "o",
    )
    assert len(stated) >= 30
    assert pairs(national_store, "SELECT ?c ?o WHERE { ?c qk:signatory ?o }", "c", "o") == stated
    covered = pairs(national_store, "SELECT ?q ?c WHERE { ?c qk:coversQPV ?q }", "q", "c")
    assert pairs(national_store, "SELECT ?q ?c WHERE { ?q qk:coveredBy ?c }", "q", "c") == covered


def test_no_sameas_explosion(national_store) -> None:
    rows = national_store.query(
        PREFIXES + f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?s owl:sameAs ?o }} }}"
    ).rows()
    assert rows == [{"n": "0"}]  # nothing in the data says two resources are the same
    counts = national_store.graph_counts()
    inferred = counts.pop(INFERRED_GRAPH)
    assert 0 < inferred < sum(counts.values())  # fewer entailments than asserted triples: no blow-up
    reflexive = national_store.query(
        PREFIXES + f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ ?x ?p ?x FILTER(?p IN (owl:sameAs, rdfs:subClassOf, "
        "rdfs:subPropertyOf, owl:equivalentClass, owl:equivalentProperty)) } }"
    )
    assert reflexive.boolean is False


def csv_total(shared: Path, name: str) -> Decimal:
    with (shared / "reference" / "funding" / name).open(encoding="utf-8") as handle:
        return sum((Decimal(row["montant"]) for row in csv.DictReader(handle) if row["annee"] == "2023"), Decimal(0))


@pytest.mark.parametrize(
    ("scheme", "table"),
    [("adulte-relais", "adulte-relais_2023_by_contrat_de_ville.csv"),
     ("fonjep", "postes-fonjep_2023_by_contrat_de_ville.csv")],
)
def test_money_with_entailments_equals_the_posts(national_store, shared: Path, scheme: str, table: str) -> None:
    query = PREFIXES + f"""SELECT (SUM(?a) AS ?total) WHERE {{
      ?f a qk:Funding ; qk:year "2023"^^xsd:gYear ; qk:scheme <{QKI}programme/{scheme}> ; qk:amount ?a }}"""
    total = Decimal(national_store.query(query).rows()[0]["total"])
    assert total == csv_total(shared, table)


def test_nothing_becomes_a_funding_line_by_entailment(national_store) -> None:
    query = PREFIXES + f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ ?f a qk:Funding }} }}"
    assert national_store.query(query).boolean is False


@pytest.fixture(scope="module")
def audits() -> tuple[set[tuple[str, str, str]], set[tuple[str, str, str]]]:
    """The Violations of the national graph without, then with, its inferred graph."""
    store = OxigraphStore()
    build_into(store, graph_files())

    def violations() -> set[tuple[str, str, str]]:
        report = validate_store(store)
        return {(r.shape_id, r.focus_node, str(r.value)) for r in report.results if r.severity == "Violation"}

    before = violations()
    infer_store(store)
    return before, violations()


# rules whose check needs entailments (they read what only the inferred graph states): none so far
NEEDS_ENTAILMENTS: frozenset[str] = frozenset()


def test_the_audit_finds_no_new_violation_with_the_entailments(audits) -> None:
    before, after = audits
    new = {v for v in after - before if v[0] not in NEEDS_ENTAILMENTS}
    assert new == set()
    assert before - after == set()
