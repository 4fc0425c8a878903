"""A/B of this project's server against itself with extra packages on its path (e.g. uvicorn's optional
``httptools`` and ``uvloop``, which uvicorn picks automatically when importable), same store, interleaved rounds.

    pip install --target /tmp/qkg-uvextra httptools uvloop
    PYTHONPATH=. .venv/bin/python -m benchmarks.ab --store STORE_DIR --extra-path /tmp/qkg-uvextra [--rounds 5]

STORE_DIR is a built store folder (``quartiers build --store DIR``); it is copied, not changed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox

from benchmarks import servers
from benchmarks.load import GRAPH_ACCEPT, SELECT_ACCEPT, run_cell
from benchmarks.suite import PREFIXES, QUERIES, spread

CASES = {"point lookup": SELECT_ACCEPT, "DESCRIBE of a QPV": GRAPH_ACCEPT, "QPV per région": SELECT_ACCEPT}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--extra-path", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=3.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="quartiers-ab-") as tmp:
        work = Path(tmp)
        store = ox.Store.read_only(str(args.store / "oxigraph"))
        qpvs = [str(r[0].value) for r in store.query(
            "SELECT ?q WHERE { GRAPH ?g { ?q a <https://w3id.org/quartiers/def#QPV> } } ORDER BY ?q")]
        del store
        folders = {}
        for label in ("A", "B"):
            folders[label] = work / label
            shutil.copytree(args.store, folders[label], ignore=shutil.ignore_patterns("LOCK"))
        targets = [servers.project_server(folders["A"], "x", name="as installed"),
                   servers.project_server(folders["B"], "x", extra_path=args.extra_path,
                                          name=f"with {args.extra_path}")]
        for server in targets:
            server.start(work)
        try:
            results: dict = {}
            for r in range(args.rounds):
                for name, accept in CASES.items():
                    template = PREFIXES + QUERIES[name][0]

                    def query(n: int, t: str = template) -> str:
                        return t.replace("{qpv}", qpvs[n % len(qpvs)])

                    for server in targets[r % 2:] + targets[: r % 2]:
                        for c in (1, 8):
                            cell = run_cell(server.url, query, accept, c, args.duration).summary()
                            results.setdefault(name, {}).setdefault(c, {}).setdefault(server.name, []).append(cell)
            summary = {name: {c: {s: {"p50_ms": spread([x["p50_ms"] for x in cells]),
                                      "rps": spread([x["rps"] for x in cells]),
                                      "errors": sum(sum(x["errors"].values()) for x in cells)}
                                  for s, cells in per_s.items()} for c, per_s in per_c.items()}
                       for name, per_c in results.items()}
            print(json.dumps(summary, indent=1, ensure_ascii=False))
        finally:
            for server in targets:
                server.stop()


if __name__ == "__main__":
    main()
