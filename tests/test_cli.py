"""The `quartiers` command: real subprocess runs over stores in temp dirs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def quartiers(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "quartiers_cli.main", *args], capture_output=True, text=True, timeout=600, check=False
    )


def test_build_then_stats_and_query(national_store_path: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(national_store_path, store)
    stats = quartiers("stats", "--store", str(store), "-q")
    assert stats.returncode == 0, stats.stderr
    assert "https://w3id.org/quartiers/graph/data/reference/qpv" in stats.stdout
    assert stats.stdout.strip().splitlines()[-1].endswith("total")

    count = quartiers("query", "--store", str(store), "-q", "SELECT (COUNT(*) AS ?n) WHERE { ?q a qk:QPV }")
    assert count.returncode == 0, count.stderr
    assert count.stdout.split() == ["n", "----", "1584"]

    ask = quartiers("query", "--store", str(store), "-q", "ASK { qki:qpv\\/QN07402M qk:qpvCode 'QN07402M' }")
    assert ask.stdout.strip() == "true"

    csv_out = quartiers(
        "query", "--store", str(store), "-q", "--format", "csv",
        "SELECT ?code WHERE { ?q qk:qpvCode ?code FILTER(STRSTARTS(?code, 'QN0740')) } ORDER BY ?code",
    )
    assert csv_out.stdout.splitlines()[:3] == ["code", "QN07401M", "QN07402M"]


def test_bad_query_says_what_and_where(national_store_path: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(national_store_path, store)
    result = quartiers("query", "--store", str(store), "-q", "SELECT ?x WHERE { ?x ")
    assert result.returncode == 2
    assert "requête invalide" in result.stderr and "invalid query" in result.stderr
    assert "1:" in result.stderr  # line:column of the error


def test_import_of_a_broken_table_names_file_and_line(shared: Path, tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(shared / "reference", reference)
    qpv = reference / "qpv" / "qpv_2024.csv"
    lines = qpv.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[5] = "XX" + lines[5][2:]  # line 6 of the file: the QPV code no longer matches the 2024 pattern
    qpv.write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    result = quartiers("import", "--reference", str(reference), "--out", str(out), "-q")
    assert result.returncode == 2
    assert "qpv_2024.csv" in result.stderr and "6" in result.stderr
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("command", ["import", "build", "stats", "query", "validate", "serve"])
def test_every_subcommand_has_help(command: str) -> None:
    result = quartiers(command, "--help")
    assert result.returncode == 0
    assert "usage: quartiers" in result.stdout
