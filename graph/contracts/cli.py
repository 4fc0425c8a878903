"""``quartiers import-contracts PATH… [--out DIR] [--load] [--dry-run] [--store DIR]``.

Reads contract tables (a folder of CSV files or an .xlsx workbook, docs/import-format.md), checks every cell,
resolves organisations, territories and QPV against the reference, audits the result with the SHACL rules
together with the reference data, and only then writes data/contracts/<contract>.ttl (or loads the graphs into
the store through the write gate with --load). Exit 2 with one "file:row:column: …" line per error on bad
input (nothing written or loaded), 1 when the audit finds Violations, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graph.contracts.errors import ContractImportError


def register(subparsers: argparse._SubParsersAction, parents: list[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import-contracts",
        parents=parents,
        help="importer des contrats depuis des tableaux / import contracts from tables (CSV folder or .xlsx)",
        description=__doc__,
    )
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="CSV folder or .xlsx workbook")
    parser.add_argument("--out", type=Path, help="output folder (default: data/contracts)")
    parser.add_argument("--load", action="store_true", help="load into the store (write gate) instead of writing files")
    parser.add_argument("--dry-run", action="store_true", help="check and audit only; write nothing")
    parser.add_argument("--lang", choices=("fr", "en"), default="fr")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from graph.build import open_built_store
    from graph.contracts.pipeline import audit, clashes, import_contracts, per_contract
    from graph.layout import default_store_dir, resource_dir

    try:
        result = import_contracts(list(args.paths))
    except ContractImportError as exc:
        for error in exc.errors:
            print(error.line(), file=sys.stderr)
        print(
            f"{len(exc.errors)} erreur(s), rien n'est écrit / {len(exc.errors)} error(s), nothing written",
            file=sys.stderr,
        )
        return 2
    store_dir = Path(args.store) if getattr(args, "store", None) else default_store_dir()
    store, _ = open_built_store(store_dir)
    try:
        clash = clashes(result, store)
        if clash:
            for error in clash:
                print(error.line(), file=sys.stderr)
            return 2
        report = audit(result, store)
        for slug, counts in sorted(per_contract(result, report).items()):
            print(
                f"{slug}: {counts['Violation']} Violation(s), {counts['Warning']} Warning(s), "
                f"{len(result.files[slug])} bytes"
            )
        if report.results:
            sys.stdout.write(report.summary(args.lang))
        if report.has("Violation"):
            print("audit : violations, rien n'est écrit / audit: violations, nothing written", file=sys.stderr)
            return 1
        if args.dry_run:
            print("--dry-run : rien n'est écrit / nothing written")
            return 0
        if args.load:
            from graph.contracts.load import load_into_store

            return load_into_store(store, result)
    finally:
        store.close()
    out = args.out or resource_dir("data") / "contracts"
    out.mkdir(parents=True, exist_ok=True)
    written = write_files(result.files, out)
    for path in written:
        print(f"wrote {path}")
    return 0


def write_files(files: dict[str, bytes], out: Path) -> list[Path]:
    """Write every file next to its target first, then rename them all (no half-written output)."""
    staged = []
    for slug, data in sorted(files.items()):
        path = out / f"{slug}.ttl"
        tmp = out / f".{slug}.ttl.tmp"
        tmp.write_bytes(data)
        staged.append((tmp, path))
    for tmp, path in staged:
        tmp.replace(path)
    return [path for _, path in staged]
