"""Shared fixtures: every test builds its own store in a temporary directory, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.build import build_into, open_built_store
from graph.layout import graph_files, resource_root, shared_dir
from graph.store import OxigraphStore


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return resource_root()


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_dir()
    if not (path / "reference").is_dir():
        pytest.skip(f"shared/ not found at {path} (set QUARTIERS_SHARED)")
    return path


@pytest.fixture(scope="session")
def national_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A persistent store of the whole committed dataset, built once per test session in a temp dir."""
    path = tmp_path_factory.mktemp("national-store")
    store, _ = open_built_store(path)
    del store
    return path


@pytest.fixture(scope="session")
def national_store(national_store_path: Path) -> OxigraphStore:
    """The whole dataset, read-only (tests must not write to it: build your own for writes)."""
    return OxigraphStore(national_store_path / "oxigraph", read_only=True)


@pytest.fixture()
def memory_store() -> OxigraphStore:
    """An empty in-memory store, with the whole dataset loaded by ``loaded_memory_store``."""
    return OxigraphStore()


@pytest.fixture()
def loaded_memory_store() -> OxigraphStore:
    store = OxigraphStore()
    build_into(store, graph_files())
    return store
