"""``import-contracts --load``: put each contract graph into the store through the write gate (graph.writes).

Every graph is planned (diff, SHACL gate, PROV record, entailments) before any is committed: a refused graph
leaves the store unchanged. The commit goes through the delta log of the store folder, as the endpoint's
writes do, so a running service's replicas and the build manifest see it. Do not run it against a store a
service is writing to at the same moment: use the endpoint's POST /contracts for that.
"""

from __future__ import annotations

import sys

import pyoxigraph as ox

from graph.contracts.pipeline import ImportResult
from graph.store import OxigraphStore
from graph.writes import Writer, WriteRefused, WriteRejected, WriteSettings

AGENT = "quartiers-import-contracts"


def graph_quads(result: ImportResult) -> dict[str, list[ox.Quad]]:
    """The quads of each contract graph, by graph IRI."""
    out = {}
    for slug, data in sorted(result.files.items()):
        iri = result.graphs[slug].iri
        node = ox.NamedNode(iri)
        out[iri] = [ox.Quad(t.subject, t.predicate, t.object, node) for t in ox.parse(data, format=ox.RdfFormat.TURTLE)]
    return out


def plan_and_commit(writer: Writer, quads: dict[str, list[ox.Quad]], agent: str = AGENT) -> dict[str, int]:
    """Plan every graph write (raises WriteRejected / WriteRefused before anything is committed), then commit."""
    plans = []
    try:
        for iri, graph in quads.items():
            plans.append((iri, writer.plan_graph_write(iri, "put", graph, agent=agent)))
    except (WriteRejected, WriteRefused):
        for _iri, plan in plans:
            writer.abandon(plan)
        raise
    return {iri: (writer.commit(plan), len(quads[iri]))[1] for iri, plan in plans}


def load_into_store(store: OxigraphStore, result: ImportResult) -> int:
    """CLI helper: 0 when every graph was loaded, 1 when the gate refused one (nothing loaded)."""
    folder = store.path.parent if getattr(store, "path", None) is not None else None
    writer = Writer(store.raw, WriteSettings(), folder=folder)
    writer.enable_inference()
    try:
        loaded = plan_and_commit(writer, graph_quads(result))
    except WriteRejected as exc:
        sys.stdout.write(exc.report.summary("fr"))  # type: ignore[attr-defined]
        print(
            "refusé par le contrôle SHACL, rien n'est chargé / refused by the SHACL gate, nothing loaded",
            file=sys.stderr,
        )
        return 1
    except WriteRefused as exc:
        print(f"{exc.fr} / {exc.en}", file=sys.stderr)
        return 1
    store.raw.flush()
    for iri, count in loaded.items():
        print(f"loaded {count} triples into <{iri}>")
    return 0
