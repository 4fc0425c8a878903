"""Validation speed: the full national graph (all rules) and one contract file, median of 3 runs each.

Usage: .venv/bin/python benchmarks/validation_bench.py [--store DIR] [--engine oxigraph|pyshacl]
Prints the figures; asserts nothing (targets: national ≤ 10 s, one contract file ≤ 1 s on 2 cores).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from graph.build import open_built_store
from graph.layout import resource_root
from graph.validation import ValidationReport, load_shapes, validate_files, validate_store


def median_seconds(run: Callable[[], ValidationReport], repeat: int = 3) -> tuple[float, ValidationReport]:
    times, report = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        report = run()
        times.append(time.perf_counter() - started)
    assert report is not None
    return statistics.median(times), report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--engine", default="oxigraph")
    args = parser.parse_args()
    load_shapes()
    with tempfile.TemporaryDirectory() as tmp:
        store, build = open_built_store(args.store or Path(tmp) / "store")
        print(f"store: {len(store.raw)} quads (build {build.seconds:.1f} s)")
        seconds, report = median_seconds(lambda: validate_store(store, engine=args.engine))
        print(f"national graph, all rules ({args.engine}): {seconds:.2f} s — {report.counts()}")
        contract = resource_root() / "data" / "contracts" / "saint-etienne-metropole-2024.ttl"
        seconds, report = median_seconds(lambda: validate_files([contract], store=store, engine=args.engine))
        print(f"one contract file {contract.name}: {seconds:.2f} s — {report.counts()}")
        store.close()


if __name__ == "__main__":
    main()
