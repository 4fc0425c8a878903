"""``quartiers infer`` and ``quartiers explain``, and the inferred graph of the persistent store (real subprocess
runs over stores in temp dirs)."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from graph.build import MANIFEST_NAME, open_built_store
from graph.layout import INFERRED_GRAPH, graph_files
from graph.namespaces import BASE, QKG

SYN = "https://example.org/synthetic/"
CONTRACT = "https://w3id.org/quartiers/id/contrat/2024/244200770"  # Saint-Étienne Métropole


def quartiers(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graph.cli", *args], capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def store_copy(national_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("inference-cli") / "store"
    shutil.copytree(national_store_path, target)
    return target


def single_qpv_commune(shared: Path) -> tuple[str, str]:
    """A commune where Saint-Étienne Métropole has exactly one QPV, and that QPV (from the QPV table)."""
    with (shared / "reference" / "qpv" / "qpv_2024.csv").open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if "244200770" in r["siren_epci"].split(";")]
    by_commune: dict[str, list[str]] = {}
    for row in rows:
        for commune in row["insee_com"].split(";"):
            by_commune.setdefault(commune, []).append(row["code_qp"])
    commune, qpvs = next((c, q) for c, q in sorted(by_commune.items()) if len(q) == 1)
    return commune, qpvs[0]


def test_explain_gives_the_rule_and_the_asserted_premises_with_their_graphs(store_copy: Path, shared: Path) -> None:
    commune, qpv = single_qpv_commune(shared)
    result = quartiers("explain", "--store", str(store_copy), "-q",
                       "qki:contrat/2024/244200770", "qk:concernsCommune", f"qki:commune/{commune}")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"qki:contrat/2024/244200770 qk:concernsCommune qki:commune/{commune} .  [inféré / inferred]"
    assert "prp-spo2" in lines[1]
    assert (f"qki:contrat/2024/244200770 qk:coversQPV qki:qpv/{qpv} .  "
            "[affirmé / asserted: qkg:data/contracts/saint-etienne-metropole-2024]") in result.stdout
    assert f"qki:qpv/{qpv} qk:commune qki:commune/{commune} .  [affirmé / asserted: qkg:data/reference/qpv]" \
        in result.stdout
    assert "qk:concernsCommune owl:propertyChainAxiom ( qk:coversQPV qk:commune )" in result.stdout


def test_explain_follows_inferred_premises_down_to_asserted_ones(store_copy: Path) -> None:
    result = quartiers("explain", "--store", str(store_copy), "-q", "--format", "json",
                       f"<{CONTRACT}>", "a", "prov:Entity")
    assert result.returncode == 0, result.stderr
    tree = json.loads(result.stdout)
    assert tree["rule"] == "cax-sco" and "graphs" not in tree

    def leaves(node: dict) -> list[dict]:
        kids = node.get("premises", []) + node.get("schema", [])
        return [node] if not kids else [leaf for kid in kids for leaf in leaves(kid)]

    for leaf in leaves(tree):
        assert leaf.get("graphs") or leaf.get("rule") == "scm", leaf  # every branch ends on asserted triples
    stated = [leaf for leaf in leaves(tree) if leaf["subject"] == f"<{CONTRACT}>"]
    assert stated and stated[0]["graphs"] == [QKG + "data/contracts/saint-etienne-metropole-2024"]


def test_explain_refuses_what_is_not_entailed(store_copy: Path) -> None:
    result = quartiers("explain", "--store", str(store_copy), "-q", f"<{CONTRACT}>", "a", "qk:QPV")
    assert result.returncode == 2 and result.stdout == ""
    assert "ni affirmé ni inféré" in result.stderr and "neither asserted nor entailed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_explain_says_what_term_is_wrong(store_copy: Path) -> None:
    result = quartiers("explain", "--store", str(store_copy), "-q", "nope:x", "a", "qk:QPV")
    assert result.returncode == 2
    assert result.stderr.startswith("quartiers: terme invalide, subject: nope:x") and "invalid term" in result.stderr


def test_explain_of_an_asserted_triple_names_its_graph(store_copy: Path) -> None:
    result = quartiers("explain", "--store", str(store_copy), "-q", "qki:qpv/QN04202M", "a", "qk:QPV")
    assert result.returncode == 0
    assert result.stdout.strip() == "qki:qpv/QN04202M rdf:type qk:QPV .  [affirmé / asserted: qkg:data/reference/qpv]"


def test_infer_recomputes_the_inferred_graph(store_copy: Path) -> None:
    result = quartiers("infer", "--store", str(store_copy), "-q")
    assert result.returncode == 0, result.stderr
    total = int(result.stdout.strip().splitlines()[-1].split()[0])
    by_rule = {line.split()[1]: int(line.split()[0]) for line in result.stdout.strip().splitlines()[:-1]}
    assert sum(by_rule.values()) == total and by_rule["prp-spo2"] > 0
    stats = quartiers("stats", "--store", str(store_copy), "-q")
    assert f"{total:>9}  {INFERRED_GRAPH}" in stats.stdout


def write_tree(root: Path, members: str) -> None:
    (root / "ontology").mkdir(parents=True, exist_ok=True)
    (root / "data" / "reference").mkdir(parents=True, exist_ok=True)
    (root / "ontology" / "tiny.ttl").write_text(
        f"<{SYN}Member> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{SYN}Person> .\n", encoding="utf-8"
    )
    (root / "data" / "reference" / "a.ttl").write_text(members, encoding="utf-8")


def test_the_build_infers_when_a_graph_changes_and_only_then(tmp_path: Path) -> None:
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    write_tree(tmp_path / "res", f"<{SYN}ann> {rdf_type} <{SYN}Member> .\n")
    files = graph_files(tmp_path / "res")
    store, first = open_built_store(tmp_path / "store", files=files)
    assert first.inferred == {"cax-sco": 1}
    assert store.query(f"ASK {{ GRAPH <{INFERRED_GRAPH}> {{ <{SYN}ann> a <{SYN}Person> }} }}").boolean
    store.update(f"INSERT DATA {{ GRAPH <{SYN}user> {{ <{SYN}u> <{SYN}p> 3 }} }}")  # a write, kept across builds
    del store
    manifest = json.loads((tmp_path / "store" / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert INFERRED_GRAPH not in manifest["graphs"] and "inference" in manifest

    store, second = open_built_store(tmp_path / "store", files=files)
    assert second.inferred is None and second.loaded == []  # nothing changed: nothing inferred again
    assert store.graph_counts()[INFERRED_GRAPH] == 1
    del store

    write_tree(tmp_path / "res", f"<{SYN}bob> {rdf_type} <{SYN}Member> .\n")
    store, third = open_built_store(tmp_path / "store", files=graph_files(tmp_path / "res"))
    assert third.inferred == {"cax-sco": 1}
    rows = store.query(f"SELECT ?x WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ ?x a <{SYN}Person> }} }}").rows()
    assert rows == [{"x": SYN + "bob"}]
    assert store.graph_counts()[SYN + "user"] == 1


def test_the_inferred_graph_follows_the_base(tmp_path: Path) -> None:
    write_tree(tmp_path / "res", f"<{BASE}id/x> a <{SYN}Member> .\n")
    base = "http://localhost:8000/"
    store, report = open_built_store(tmp_path / "store", files=graph_files(tmp_path / "res"), base=base)
    assert report.inferred == {"cax-sco": 1}
    assert store.query(f"ASK {{ GRAPH <{base}graph/inferred> {{ <{base}id/x> a <{SYN}Person> }} }}").boolean
