"""The installed distribution finds ontology/, shapes/ and data/ without a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from graph.layout import resource_root


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(resource_root())],
        check=True,
        timeout=600,
    )
    (built,) = out.glob("quartiers_kg-*.whl")
    return built


def test_wheel_holds_packages_resources_and_command(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "graph/resources/ontology/quartiers.ttl" in names
    assert "graph/resources/data/reference/qpv.ttl" in names
    assert any(n.startswith("graph/resources/shapes/") for n in names)
    assert "sparql_api/app.py" in names
    assert "sparql_api/templates/ld/entity.html" in names  # the linked-data pages
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "quartiers = quartiers_cli.main:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_package_finds_its_resources_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        timeout=600,
    )
    probe = (
        "from graph.layout import resource_root, graph_files; "
        "print(resource_root()); print(len(graph_files()))"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"QUARTIERS_RESOURCES"}}
    env["PYTHONPATH"] = str(site)
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    root, count = result.stdout.split()
    assert Path(root) == site / "graph" / "resources"
    assert int(count) == len(__import__("graph.layout").layout.graph_files())
