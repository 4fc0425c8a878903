"""The dashboard's data: SPARQL run by the workers (``sparql_api.internal``), shaped here into tables, chart series
and SVG maps drawn from the WKT literals of the graph (no tile server, no map library)."""

from __future__ import annotations

import asyncio
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.namespaces import BASE, sparql_prefixes
from sparql_api import internal
from sparql_api.engine import Engine

PREFIXES = sparql_prefixes()
# metropolitan France (CRS84): the maps draw what falls inside; the rest is counted and said
METRO_BOX = (-5.3, 41.2, 9.7, 51.2)
MAP_WIDTH = 640
CONTRACT_GRAPHS = "/graph/data/contracts"  # graphs of the contracts' own texts, audited for the dashboard

GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
CONTRACTS_2024 = PREFIXES + """
SELECT ?contract (SAMPLE(?name) AS ?label) (MIN(?date) AS ?signed) (COUNT(DISTINCT ?qpv) AS ?qpvs)
       (GROUP_CONCAT(DISTINCT STR(?point); separator="|") AS ?points) WHERE {
  ?contract a qk:Quartiers2030Contract .
  OPTIONAL { ?contract rdfs:label ?name }
  OPTIONAL { ?contract qk:signingDate ?date }
  OPTIONAL { ?contract qk:coversQPV ?qpv . OPTIONAL { ?qpv geo:hasCentroid/geo:asWKT ?point } }
} GROUP BY ?contract ORDER BY ?signed ?contract
"""
QPV_OUTLINES = PREFIXES + """
SELECT ?qpv (SAMPLE(?label) AS ?name) (SAMPLE(?geometry) AS ?wkt) (SAMPLE(?code) AS ?dep)
       (SAMPLE(?depName) AS ?depLabel)
WHERE {
  ?qpv a qk:QPV ; geo:hasGeometry/geo:asWKT ?geometry . OPTIONAL { ?qpv rdfs:label ?label }
  OPTIONAL { ?qpv qk:departement ?d . ?d igeo:codeINSEE ?code . OPTIONAL { ?d rdfs:label ?depName } }
} GROUP BY ?qpv
"""
QPV_CENTROIDS = PREFIXES + "SELECT ?wkt WHERE { ?qpv a qk:QPV ; geo:hasCentroid/geo:asWKT ?wkt }"
FUNDING_PER_SCHEME = PREFIXES + """
SELECT ?scheme (SAMPLE(?name) AS ?label) (SUM(?amount) AS ?total) (COUNT(?f) AS ?lines) WHERE {
  { SELECT DISTINCT ?f ?amount ?scheme WHERE { ?f a qk:Funding ; qk:amount ?amount ; qk:scheme ?scheme } }
  OPTIONAL { ?scheme rdfs:label ?name FILTER(LANGMATCHES(LANG(?name), "fr")) }
} GROUP BY ?scheme ORDER BY DESC(?total)
"""
FUNDING_PER_DEPARTEMENT = PREFIXES + """
SELECT ?dep (SAMPLE(?name) AS ?label) (SAMPLE(?code) AS ?insee) (SUM(?amount) AS ?total) WHERE {
  { SELECT DISTINCT ?f ?amount ?dep WHERE { ?f a qk:Funding ; qk:amount ?amount ; qk:departement ?dep } }
  OPTIONAL { ?dep rdfs:label ?name } OPTIONAL { ?dep igeo:codeINSEE ?code }
} GROUP BY ?dep ORDER BY DESC(?total)
"""
CONTRACTS_IN_GRAPHS = PREFIXES + f"""
SELECT DISTINCT ?contract ?label WHERE {{
  GRAPH ?g {{ ?contract a ?type }} FILTER(CONTAINS(STR(?g), "{CONTRACT_GRAPHS}"))
  ?contract a qk:Contract . OPTIONAL {{ ?contract rdfs:label ?label }}
}} ORDER BY ?contract
"""


@dataclass
class Dashboard:
    graphs: list[dict[str, Any]] = field(default_factory=list)
    contracts: list[dict[str, Any]] = field(default_factory=list)
    months: list[dict[str, Any]] = field(default_factory=list)
    schemes: list[dict[str, Any]] = field(default_factory=list)
    departements: list[dict[str, Any]] = field(default_factory=list)
    contracts_svg: str = ""
    outlines: list[internal.Binding] = field(default_factory=list)
    departement_choices: list[tuple[str, str]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    audit_error: str | None = None


def value(binding: internal.Binding, name: str, default: str = "") -> str:
    return binding.get(name, {}).get("value", default)


def number(binding: internal.Binding, name: str) -> float:
    try:
        return float(value(binding, name, "0"))
    except ValueError:
        return 0.0


# --- WKT to SVG ----------------------------------------------------------------------------------------------
RING = re.compile(r"\(([^()]+)\)")
CRS = re.compile(r"^\s*<[^>]*>\s*")


def rings(wkt: str) -> list[list[tuple[float, float]]]:
    """The rings (or the point) of a WKT POINT/POLYGON/MULTIPOLYGON literal, CRS prefix removed."""
    found = []
    for ring in RING.findall(CRS.sub("", wkt)):
        points = []
        for pair in ring.split(","):
            parts = pair.split()
            if len(parts) >= 2:
                try:
                    points.append((float(parts[0]), float(parts[1])))
                except ValueError:
                    continue
        if points:
            found.append(points)
    return found


@dataclass(frozen=True)
class Projection:
    """Equirectangular projection of a lon/lat box onto a ``width``-wide SVG (longitudes shrunk by the cosine of
    the box's middle latitude)."""

    west: float = METRO_BOX[0]
    south: float = METRO_BOX[1]
    east: float = METRO_BOX[2]
    north: float = METRO_BOX[3]
    width: int = MAP_WIDTH

    @classmethod
    def around(cls, points: list[tuple[float, float]], width: int = MAP_WIDTH) -> Projection:
        west, east = min(p[0] for p in points), max(p[0] for p in points)
        south, north = min(p[1] for p in points), max(p[1] for p in points)
        pad = max(east - west, north - south, 0.01) * 0.05
        return cls(west - pad, south - pad, east + pad, north + pad, width)

    @property
    def shrink(self) -> float:
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def scale(self) -> float:
        return self.width / ((self.east - self.west) * self.shrink)

    @property
    def height(self) -> int:
        return max(1, round((self.north - self.south) * self.scale))

    def inside(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.west) * self.shrink * self.scale, (self.north - lat) * self.scale)


def simplified_path(projection: Projection, ring: list[tuple[float, float]], grid: float = 0.5) -> str:
    """An SVG path of a ring, its points snapped to a ``grid``-pixel grid and repeated points dropped."""
    out: list[tuple[float, float]] = []
    for lon, lat in ring:
        x, y = projection.xy(lon, lat)
        snapped = (round(x / grid) * grid, round(y / grid) * grid)
        if not out or out[-1] != snapped:
            out.append(snapped)
    if len(out) < 3:
        x, y = out[0]
        return f"M{x:g} {y:g}h{grid:g}v{grid:g}h-{grid:g}z"
    return "M" + "L".join(f"{x:g} {y:g}" for x, y in out) + "z"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def svg_frame(projection: Projection, body: str, label: str, kind: str = "") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {projection.width} {projection.height}" '
            f'class="map {kind}" role="img" aria-label="{escape(label)}">{body}</svg>')


def qpv_map(outlines: list[internal.Binding], departement: str | None = None) -> tuple[str, int, int]:
    """The QPV outlines of metropolitan France, or of one département (fitted to its QPV), simplified."""
    shapes = [(row, rings(value(row, "wkt"))) for row in outlines
              if departement is None or value(row, "dep") == departement]
    shapes = [(row, polygon) for row, polygon in shapes if polygon]
    if departement is not None and shapes:
        projection = Projection.around([p for _, polygon in shapes for ring in polygon for p in ring])
    else:
        projection = Projection()
    parts, outside = [], 0
    grid = 0.5 if departement is None else 0.2
    for row, polygon in shapes:
        if not projection.inside(*polygon[0][0]):
            outside += 1
            continue
        path = "".join(simplified_path(projection, ring, grid) for ring in polygon)
        name = escape(value(row, "name") or value(row, "qpv"))
        parts.append(f'<a href="{escape(value(row, "qpv"))}"><path d="{path}"><title>{name}</title></path></a>')
    kind = "national" if departement is None else "local"  # national: outlines thickened to stay visible
    return svg_frame(projection, "".join(parts), "QPV", kind), len(parts), outside


def contracts_map(contracts: list[dict[str, Any]], centroids: list[internal.Binding]) -> str:
    projection = Projection()
    parts = []
    for row in centroids:  # every QPV as a faint dot: the country's shape without any base map
        found = rings(value(row, "wkt"))
        if found and projection.inside(*found[0][0]):
            x, y = projection.xy(*found[0][0])
            parts.append(f'<circle class="qpv" cx="{x:.1f}" cy="{y:.1f}" r="1"/>')
    for contract in contracts:
        points = [p for wkt in contract["points"] for ring in rings(wkt) for p in ring]
        points = [p for p in points if projection.inside(*p)]
        for lon, lat in points:
            x, y = projection.xy(lon, lat)
            parts.append(f'<circle class="covered" cx="{x:.1f}" cy="{y:.1f}" r="2"/>')
        if points:
            x, y = projection.xy(sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
            title = escape(f'{contract["label"]} ({contract["qpvs"]} QPV)')
            parts.append(f'<a href="{escape(contract["iri"])}"><circle class="contract" cx="{x:.1f}" cy="{y:.1f}" '
                         f'r="7"><title>{title}</title></circle></a>')
    return svg_frame(projection, "".join(parts), "contrats 2024-2030 / 2024-2030 contracts")


# --- gathering -----------------------------------------------------------------------------------------------
async def gather(engine: Engine, store_dir: Path, base_iri: str = BASE) -> Dashboard:
    """Every figure of the dashboard (the SPARQL runs in the workers, the shaping in a thread); ``base_iri``: the
    base the store was served with (the queries' project IRIs are rewritten to it)."""
    queries = [q.replace(BASE, base_iri) for q in (GRAPH_COUNTS, CONTRACTS_2024, QPV_OUTLINES, QPV_CENTROIDS,
                                                   FUNDING_PER_SCHEME, FUNDING_PER_DEPARTEMENT, CONTRACTS_IN_GRAPHS)]
    answers = await asyncio.gather(*(internal.select(engine, q, timeout=60) for q in queries))
    (_, graphs), (_, contracts), (_, outlines), (_, centroids), (_, schemes), (_, deps), (_, audited) = answers
    board = Dashboard()
    board.graphs = [{"iri": value(b, "g"), "triples": int(number(b, "n"))} for b in graphs]
    board.contracts = [{
        "iri": value(b, "contract"), "label": value(b, "label") or value(b, "contract"),
        "signed": value(b, "signed"), "qpvs": int(number(b, "qpvs")),
        "points": [p for p in value(b, "points").split("|") if p],
    } for b in contracts]
    months: dict[str, int] = {}
    for contract in board.contracts:
        if contract["signed"]:
            months[contract["signed"][:7]] = months.get(contract["signed"][:7], 0) + 1
    board.months = [{"month": m, "contracts": n} for m, n in sorted(months.items())]
    board.schemes = [{"iri": value(b, "scheme"), "label": value(b, "label") or value(b, "scheme").rsplit("/", 1)[-1],
                      "total": round(number(b, "total"), 2), "lines": int(number(b, "lines"))} for b in schemes]
    board.departements = [{"iri": value(b, "dep"), "label": value(b, "label") or value(b, "insee"),
                           "total": round(number(b, "total"), 2)} for b in deps]
    board.contracts_svg = await asyncio.to_thread(contracts_map, board.contracts, centroids)
    board.outlines = outlines
    board.departement_choices = sorted({(value(b, "dep"), value(b, "depLabel") or value(b, "dep"))
                                        for b in outlines if value(b, "dep")})
    contracts = [(value(b, "contract"), value(b, "label") or value(b, "contract")) for b in audited]
    try:
        board.audit = await asyncio.to_thread(audit, store_dir, contracts)
    except Exception as exc:  # the audit is a part of the page: say it failed, keep the rest
        board.audit_error = f"{type(exc).__name__}: {exc}"
    return board


def audit(store_dir: Path, contracts: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Violations and Warnings per contract: the project's shapes (graph.validation) over the contracts' own
    graphs and the neighbourhood the rules reach; a finding about ``{contract}/…`` counts for that contract."""
    from graph.store import OxigraphStore
    from graph.validation import validate_store

    store = OxigraphStore(store_dir / "oxigraph", read_only=True)
    try:
        graphs = [g for g in store.named_graphs() if CONTRACT_GRAPHS in g]
        report = validate_store(store, graphs=graphs, min_severity="Warning") if graphs else None
    finally:
        store.close()
    rows = {iri: {"iri": iri, "label": label, "Violation": 0, "Warning": 0, "rules": set()} for iri, label in contracts}
    for result in report.results if report else []:
        focus = str(result.focus_node)
        owner = next((iri for iri in rows if focus == iri or focus.startswith(iri + "/")), None)
        if owner is not None and result.severity in ("Violation", "Warning"):
            rows[owner][result.severity] += 1
            rows[owner]["rules"].add(result.shape_id)
    return [{**row, "rules": sorted(row["rules"])} for row in rows.values()]


__all__ = ["Dashboard", "gather"]
