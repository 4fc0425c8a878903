"""A QPV's outline as an inline SVG path, drawn from its WKT (CRS84 longitude/latitude): no tiles, no script."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

NUMBER_PAIR = re.compile(r"(-?\d+(?:\.\d+)?(?:[eE]-?\d+)?)\s+(-?\d+(?:\.\d+)?(?:[eE]-?\d+)?)")
CRS_PREFIX = re.compile(r"^\s*<[^>]*>\s*")


@dataclass(frozen=True)
class Outline:
    path: str  # the SVG path data
    width: float
    height: float


def rings(wkt: str) -> list[list[tuple[float, float]]]:
    """The rings of a POLYGON / MULTIPOLYGON WKT (an optional leading CRS IRI is skipped), as (lon, lat) lists."""
    text = CRS_PREFIX.sub("", wkt).strip()
    if not text.upper().startswith(("POLYGON", "MULTIPOLYGON")):
        return []
    found = []
    for ring in re.findall(r"\(([^()]+)\)", text):
        points = [(float(x), float(y)) for x, y in NUMBER_PAIR.findall(ring)]
        if len(points) >= 3:
            found.append(points)
    return found


def outline(wkt: str, size: float = 320.0) -> Outline | None:
    """The outline scaled into a ``size``-wide box (longitudes shrunk by cos(latitude), north up)."""
    parts = rings(wkt)
    if not parts:
        return None
    xs = [x for ring in parts for x, _ in ring]
    ys = [y for ring in parts for _, y in ring]
    shrink = math.cos(math.radians((min(ys) + max(ys)) / 2))
    width = (max(xs) - min(xs)) * shrink or 1e-9
    height = (max(ys) - min(ys)) or 1e-9
    scale = size / max(width, height)
    commands = []
    for ring in parts:
        coords = [((x - min(xs)) * shrink * scale, (max(ys) - y) * scale) for x, y in ring]
        commands.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + " Z")
    return Outline(" ".join(commands), round(width * scale, 1), round(height * scale, 1))
