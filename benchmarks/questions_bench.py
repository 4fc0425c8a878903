"""Time of each catalogue question on the national graph, in process (issue #9: each ≤ 100 ms).

The questions run with their default parameters on the in-memory replica the endpoint's workers answer from
(``graph.replica.load_replica``: the committed dataset plus the inferred graph), and on the on-disk store for
comparison. Each figure is the median of --repeat runs after one warm-up run. A question is over the limit by
its CPU time, as the endpoint judges a slow task (sparql_api.engine: "a task is slow by the CPU time its worker
used, not by wall time"); wall-clock time is reported beside it (the machine is shared).

Usage: PYTHONPATH=. .venv/bin/python benchmarks/questions_bench.py [--store DIR] [--repeat 7] [--limit-ms 100]
       [--json FILE]. Prints Markdown; exits 1 when a question's median CPU time on the replica is over the limit.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from graph.build import open_built_store
from graph.questions import Question, load_catalogue
from graph.replica import load_replica
from graph.store import OxigraphStore


def measure(store: OxigraphStore, question: Question, repeat: int) -> tuple[float, float, int]:
    """(median wall seconds, median CPU seconds, rows) of running and reading the question's answer."""
    sparql = question.render()
    rows = len(store.query(sparql).rows())  # warm-up
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        store.query(sparql).rows()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, help="a built store folder (default: build one in a temp dir)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--limit-ms", type=float, default=100.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="questions-bench-") as tmp:
        folder = args.store or Path(tmp)
        disk, _ = open_built_store(folder)
        disk.close()
        del disk
        replica = OxigraphStore.wrap(load_replica(folder).store)
        on_disk = OxigraphStore(folder / "oxigraph", read_only=True)
        results = []
        for question in load_catalogue().values():
            wall, cpu, rows = measure(replica, question, args.repeat)
            disk_wall, _, _ = measure(on_disk, question, max(1, args.repeat // 2))
            results.append({"name": question.name, "rows": rows, "replica_ms": wall * 1000, "cpu_ms": cpu * 1000,
                            "disk_ms": disk_wall * 1000})
    slow = [r for r in results if r["cpu_ms"] > args.limit_ms]
    print(f"| question | rows | replica wall (ms, median of {args.repeat}) | CPU (ms) | on-disk store wall (ms) |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        flag = " ⚠ over the limit" if r in slow else ""
        print(f"| `{r['name']}` | {r['rows']} | {r['replica_ms']:.1f} | {r['cpu_ms']:.1f}{flag} | {r['disk_ms']:.1f} |")
    total = sum(r["cpu_ms"] for r in results)
    print(f"\n{len(results)} questions, {total:.0f} ms CPU in all on the replica; over {args.limit_ms:.0f} ms: "
          + (", ".join(r["name"] for r in slow) or "none"))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
