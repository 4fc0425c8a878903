"""Store benchmark: build the whole dataset into pyoxigraph (on disk) and into rdflib (memory), reopen the
built store, and run the same aggregate queries on both. Prints seconds (median of --repeat runs).

    PYTHONPATH=. .venv/bin/python benchmarks/store_bench.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from graph.build import build_into, open_built_store
from graph.namespaces import sparql_prefixes
from graph.store import RdflibStore, Store

QUERIES = {
    "QPV per région": "SELECT ?r (COUNT(?q) AS ?n) WHERE { ?q a qk:QPV ; qk:region ?r } GROUP BY ?r",
    "funding total per contract": (
        "SELECT ?c (SUM(?a) AS ?t) WHERE { ?f qk:amount ?a ; qk:contract ?c . ?c qk:contractCode ?code } GROUP BY ?c"
    ),
    "communes of the EPCI of each QPV": (
        "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?q a qk:QPV ; qk:epci ?e . ?m qk:memberOf ?e }"
    ),
}


def timed(action: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def query_times(store: Store, repeat: int) -> dict[str, float]:
    return {name: timed(lambda q=q: store.query(sparql_prefixes() + q).rows(), repeat) for name, q in QUERIES.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        builds = []
        for i in range(args.repeat):
            started = time.perf_counter()
            store, _ = open_built_store(Path(tmp) / f"store{i}")
            builds.append(time.perf_counter() - started)
            del store
        started = time.perf_counter()
        store, _ = open_built_store(Path(tmp) / "store0")
        reopen = time.perf_counter() - started
        triples = sum(store.graph_counts().values())
        print(f"triples: {triples}")
        print(f"pyoxigraph build (on disk): {statistics.median(builds):.2f} s; reopen built store: {reopen:.2f} s")
        ox_times = query_times(store, args.repeat)
        started = time.perf_counter()
        memory = RdflibStore()
        build_into(memory)
        print(f"rdflib build (memory): {time.perf_counter() - started:.2f} s")
        rdf_times = query_times(memory, 1)
        for name in QUERIES:
            ratio = rdf_times[name] / ox_times[name]
            print(f"{name}: pyoxigraph {ox_times[name]:.3f} s, rdflib {rdf_times[name]:.3f} s ({ratio:.0f}x)")


if __name__ == "__main__":
    main()
