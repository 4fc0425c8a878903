"""The dataset layout and the persistent store: one named graph per file, built once, reused, updated."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.build import build_into, open_built_store
from graph.layout import graph_files, graph_iri_for
from graph.namespaces import BASE, QKG
from graph.store import OxigraphStore, RdflibStore, StoreError, open_store

SYN = "https://example.org/synthetic/"


def write_tree(root: Path) -> None:
    (root / "ontology").mkdir(parents=True)
    (root / "data" / "reference").mkdir(parents=True)
    (root / "ontology" / "tiny.ttl").write_text(
        f"<{BASE}def#Thing> a <http://www.w3.org/2002/07/owl#Class> .\n", encoding="utf-8"
    )
    (root / "data" / "reference" / "a.ttl").write_text(
        f"<{SYN}a> <{SYN}p> 1 , 2 .\n<{BASE}id/x> <{SYN}p> <{BASE}id/y> .\n", encoding="utf-8"
    )


def test_graph_iri_follows_the_path(tmp_path: Path) -> None:
    write_tree(tmp_path)
    files = graph_files(tmp_path)
    assert [f.graph for f in files] == [QKG + "ontology/tiny", QKG + "data/reference/a"]
    assert graph_iri_for(tmp_path / "data" / "reference" / "a.ttl", tmp_path) == QKG + "data/reference/a"


def test_store_is_built_once_then_reused_and_updated(tmp_path: Path) -> None:
    root = tmp_path / "res"
    write_tree(root)
    store_dir = tmp_path / "store"
    store, first = open_built_store(store_dir, files=graph_files(root))
    assert sorted(first.loaded) == [QKG + "data/reference/a", QKG + "ontology/tiny"]
    assert store.graph_counts() == {QKG + "data/reference/a": 3, QKG + "ontology/tiny": 1}
    # a graph that is not built from a file (a write through the endpoint) must survive rebuilds
    store.update(f"INSERT DATA {{ GRAPH <{SYN}user> {{ <{SYN}u> <{SYN}p> 3 }} }}")
    del store

    store, second = open_built_store(store_dir, files=graph_files(root))
    assert second.loaded == [] and len(second.reused) == 2
    del store

    (root / "data" / "reference" / "a.ttl").write_text(f"<{SYN}a> <{SYN}p> 9 .\n", encoding="utf-8")
    (root / "ontology" / "tiny.ttl").unlink()
    store, third = open_built_store(store_dir, files=graph_files(root))
    assert third.loaded == [QKG + "data/reference/a"]
    assert third.removed == [QKG + "ontology/tiny"]
    assert store.graph_counts() == {QKG + "data/reference/a": 1, SYN + "user": 1}
    assert store.query(f"SELECT ?o WHERE {{ <{SYN}a> <{SYN}p> ?o }}").rows() == [{"o": "9"}]


def test_serving_under_another_base_rewrites_every_iri(tmp_path: Path) -> None:
    write_tree(tmp_path)
    store = OxigraphStore()
    new_base = "http://localhost:8000/"
    build_into(store, graph_files(tmp_path), base=new_base)
    assert store.named_graphs() == [new_base + "graph/data/reference/a", new_base + "graph/ontology/tiny"]
    rows = store.query(f"SELECT ?s ?o WHERE {{ ?s <{SYN}p> ?o FILTER(isIRI(?o)) }}").rows()
    assert rows == [{"s": new_base + "id/x", "o": new_base + "id/y"}]


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_both_backends_answer_the_same(tmp_path: Path, backend: str) -> None:
    write_tree(tmp_path)
    store = open_store(backend)
    build_into(store, graph_files(tmp_path))
    assert store.graph_counts() == {QKG + "data/reference/a": 3, QKG + "ontology/tiny": 1}
    total = store.query(f"SELECT (SUM(?o) AS ?t) WHERE {{ <{SYN}a> <{SYN}p> ?o }}").rows()
    assert total == [{"t": "3"}]
    assert store.query(f"ASK {{ GRAPH <{QKG}ontology/tiny> {{ ?s ?p ?o }} }}").boolean is True
    only_a = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graphs=[QKG + "data/reference/a"])
    assert only_a.rows() == [{"n": "3"}]
    described = list(store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }").triples())
    assert len(described) == 4


def test_bad_data_leaves_the_graph_as_it_was() -> None:
    for store in (OxigraphStore(), RdflibStore()):
        store.load(f"<{SYN}a> <{SYN}p> 1 .".encode(), "text/turtle", SYN + "g")
        with pytest.raises(StoreError, match="syntax"):
            store.replace_graph(SYN + "g", b"<broken", "text/turtle")
        assert store.count(SYN + "g") == 1
        store.replace_graph(SYN + "g", f"<{SYN}b> <{SYN}p> 2 , 3 .".encode(), "text/turtle")
        assert store.count(SYN + "g") == 2


def test_unknown_media_type_is_refused() -> None:
    with pytest.raises(StoreError, match="unsupported RDF media type"):
        OxigraphStore().load(b"x", "application/x-unknown")


def test_a_store_held_by_a_server_is_read_when_up_to_date(tmp_path: Path) -> None:
    root = tmp_path / "res"
    write_tree(root)
    holder, _ = open_built_store(tmp_path / "store", files=graph_files(root))  # e.g. `quartiers serve`
    reader, report = open_built_store(tmp_path / "store", files=graph_files(root))
    assert reader.count(QKG + "data/reference/a") == 3 and len(report.reused) == 2
    (root / "data" / "reference" / "a.ttl").write_text(f"<{SYN}a> <{SYN}p> 9 .\n", encoding="utf-8")
    with pytest.raises(StoreError, match="in use by another process"):
        open_built_store(tmp_path / "store", files=graph_files(root))
    assert holder.count(QKG + "data/reference/a") == 3


@pytest.mark.parametrize("backend", ["oxigraph", "rdflib"])
def test_from_clauses_beat_the_union_default_graph(tmp_path: Path, backend: str) -> None:
    write_tree(tmp_path)
    store = open_store(backend)
    build_into(store, graph_files(tmp_path))
    count = "SELECT (COUNT(*) AS ?n) {from} WHERE {{ ?s ?p ?o }}"
    assert store.query(count.format(**{"from": ""})).rows() == [{"n": "4"}]
    only_a = count.format(**{"from": f"FROM <{QKG}data/reference/a>"})
    assert store.query(only_a).rows() == [{"n": "3"}]
    assert store.query(count.format(**{"from": "FROM <file:///etc/passwd>"})).rows() == [{"n": "0"}]
    # FROM NAMED alone: an empty default graph, the named graph reachable with GRAPH
    named = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{QKG}ontology/tiny> WHERE {{ ?s ?p ?o }}"
    assert store.query(named).rows() == [{"n": "0"}]
    # a FROM inside a string or an IRI is not a dataset clause
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(STR(?s) != 'FROM <x>') }"
    assert store.query(text).rows() == [{"n": "4"}]


def test_truncated_rdf_xml_is_a_syntax_error() -> None:
    store = OxigraphStore()
    store.load(f"<{SYN}a> <{SYN}p> 1 .".encode(), "text/turtle", SYN + "g")
    truncated = b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description>'
    with pytest.raises(StoreError, match="line 1 column"):
        store.replace_graph(SYN + "g", truncated, "application/rdf+xml")
    assert store.count(SYN + "g") == 1
