"""National reference importer: shared/reference CSVs -> data/reference/*.ttl (one named graph per file).

``run_import(reference_dir, out_dir)`` reads and checks every table first, builds every graph in memory,
then writes the Turtle files through a temporary folder, so a failed import leaves ``out_dir`` untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from graph.importer import contracts2015, figures, funding, geo, links, qpv
from graph.importer.errors import ImportFailure
from graph.importer.turtle import Graph, Writer
from graph.namespaces import PREFIXES, QKI

__all__ = ["ImportFailure", "build_graphs", "run_import", "serialize_graphs"]


def run_import(reference_dir: Path, out_dir: Path, *, progress: bool = False) -> dict[str, int]:
    """Write every reference Turtle file into ``out_dir``; returns {file name: triple count}."""
    graphs = build_graphs(Path(reference_dir), progress=progress)
    payloads = serialize_graphs(graphs)
    _write_atomically(payloads, Path(out_dir))
    return {name: len(graph) for name, graph in graphs.items()}


def build_graphs(reference_dir: Path, *, progress: bool = False) -> dict[str, Graph]:
    """Every output graph by file name, in a fixed order. Raises ImportFailure on any bad input."""
    if not reference_dir.is_dir():
        raise ImportFailure("dossier de référence introuvable", "reference folder not found", path=reference_dir)
    geography = geo.read_geography(reference_dir)
    qpvs = qpv.read_qpvs(reference_dir / qpv.QPV_TABLE, geography)
    wkts = qpv.read_contours(reference_dir / qpv.CONTOURS_FILE, (q.code for q in qpvs))
    contracts = contracts2015.read_contracts(reference_dir / contracts2015.CONTRACTS_TABLE, geography)
    post_files = (funding.ADULTE_RELAIS_2023, funding.FONJEP_2023)
    posts = {spec: funding.read_posts(reference_dir / spec.table, spec, contracts, geography) for spec in post_files}
    aggregates = funding.read_aggregates(reference_dir / funding.AGGREGATES_TABLE, contracts, geography)
    reference_figures = figures.read_figures(reference_dir / figures.FIGURES_TABLE)

    territories = {s for q in qpvs for s in (*q.epcis, *q.epts)}
    communes = {c for q in qpvs for c in q.communes} | set(contracts2015.carrying_communes(contracts))
    selected = geo.select_communes(geography, territories, communes)
    geo_graph, labels = geo.build_geo_graph(geography, selected, progress=progress)
    graphs: dict[str, Graph] = {geo.GEO_FILE: geo_graph}
    graphs[qpv.QPV_FILE] = qpv.build_qpv_graph(qpvs, wkts, geography, progress=progress)
    graphs[contracts2015.CONTRACTS_FILE], added = contracts2015.build_contracts_graph(contracts, geography, labels)
    labels = {**labels, **added}
    for spec in post_files:
        graphs[spec.file_name], added = funding.build_posts_graph(
            posts[spec], spec, geography, labels, progress=progress
        )
        labels = {**labels, **added}
    graphs[funding.AGGREGATES_FILE] = funding.build_aggregates_graph(aggregates, geography)
    graphs[figures.FIGURES_FILE] = figures.build_figures_graph(reference_figures)
    graphs[links.LINKS_INSEE_FILE] = links.build_insee_graph(geography, selected)
    graphs[links.LINKS_SIRENE_FILE] = links.build_sirene_graph(list(graphs.values()))
    return graphs


def serialize_graphs(graphs: dict[str, Graph]) -> dict[str, bytes]:
    writer = Writer(PREFIXES, base=QKI)  # instance IRIs are written relative to qki:
    return {name: writer.serialize(graph) for name, graph in graphs.items()}


def _write_atomically(payloads: dict[str, bytes], out_dir: Path) -> None:
    """Write into a temporary folder beside ``out_dir``, then move each file into place (os.replace)."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-import-", dir=out_dir.parent))
    try:
        for name, data in payloads.items():
            (staging / name).write_bytes(data)
        out_dir.mkdir(exist_ok=True)
        for name in payloads:
            os.replace(staging / name, out_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
