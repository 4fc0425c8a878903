"""Where the project's files are and which named graph each one fills.

One rule for the whole dataset: a Turtle file ``X/Y.ttl`` under ``ontology/`` or ``data/`` is loaded
into the named graph ``https://w3id.org/quartiers/graph/X/Y`` (X being ``ontology`` or ``data/...``).
Works from a checkout and from an installed wheel (resources are then under ``graph/resources``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from graph.namespaces import QKG

RESOURCE_DIRS = ("ontology", "shapes", "data")
LOADED_DIRS = ("ontology", "data")
INFERRED_GRAPH = QKG + "inferred"
WRITES_GRAPH = QKG + "audit/writes"


def _package_dir() -> Path:
    return Path(__file__).resolve().parent


def resource_root() -> Path:
    """The folder holding ontology/, shapes/ and data/ (checkout root or the wheel's resources)."""
    override = os.environ.get("QUARTIERS_RESOURCES")
    if override:
        return Path(override)
    packaged = _package_dir() / "resources"
    if (packaged / "ontology").is_dir():
        return packaged
    return _package_dir().parent


def resource_dir(name: str, root: Path | None = None) -> Path:
    if name not in RESOURCE_DIRS:
        raise ValueError(f"unknown resource folder {name!r}; expected one of {RESOURCE_DIRS}")
    return (root or resource_root()) / name


def shared_dir() -> Path:
    """The ../shared folder beside the checkout (reference CSVs, sources, W3C tests)."""
    override = os.environ.get("QUARTIERS_SHARED")
    if override:
        return Path(override)
    return _package_dir().parent.parent / "shared"


@dataclass(frozen=True)
class GraphFile:
    """One Turtle file and the named graph it is loaded into."""

    path: Path
    graph: str


def graph_iri_for(path: Path, root: Path) -> str:
    """Named graph IRI of a file, from its path relative to the resource root."""
    relative = path.resolve().relative_to(root.resolve()).with_suffix("")
    return QKG + relative.as_posix()


def graph_files(root: Path | None = None) -> list[GraphFile]:
    """Every file to load, in a stable order (ontology first, then data)."""
    base = root or resource_root()
    files: list[GraphFile] = []
    for name in LOADED_DIRS:
        folder = base / name
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.ttl")):
            files.append(GraphFile(path=path, graph=graph_iri_for(path, base)))
    return files


def default_store_dir() -> Path:
    """The user's persistent store: $QUARTIERS_STORE, else $XDG_DATA_HOME/quartiers/store."""
    override = os.environ.get("QUARTIERS_STORE")
    if override:
        return Path(override)
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "quartiers" / "store"
