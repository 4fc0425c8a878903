"""The 1 584 QPV of 2024 (qpv/qpv_2024.csv) and their contours (qpv/qpv_2024_contours.geojson.gz)."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from graph.importer import sources
from graph.importer.csvread import DECIMAL_RE, Row, read_csv
from graph.importer.errors import ImportFailure
from graph.importer.geo import (
    SIREN_RE,
    Geography,
    commune_iri,
    epci_iri,
    region_iri,
)
from graph.importer.turtle import Graph, fr, string, typed
from graph.namespaces import GEO, PROV, QK, QKC, QKI, RDF, RDFS, SF

QPV_FILE = "qpv.ttl"
QPV_TABLE = "qpv/qpv_2024.csv"
CONTOURS_FILE = "qpv/qpv_2024_contours.geojson.gz"
# QN + the département on 3 characters (001..095, 02A, 02B, 971..987) + 2 digits + the perimeter letter
QPV_CODE_RE = re.compile(r"QN(\d{3}|02[AB])\d{2}[MINC]")
PERIMETER_STATUS = {"M": "modifie", "I": "inchange", "N": "nouveau", "C": "mayotte"}
ZONES = {"metropole": "metropole", "DROM": "drom", "COM": "com"}
CRS84 = "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
COLUMNS = (
    "code_qp",
    "lib_qp",
    "code_suffix",
    "insee_com",
    "insee_dep",
    "insee_reg",
    "siren_epci",
    "siren_ept",
    "zone",
    "centroid_lon",
    "centroid_lat",
)


@dataclass(frozen=True)
class Qpv:
    code: str
    label: str
    communes: tuple[str, ...]
    epcis: tuple[str, ...]
    epts: tuple[str, ...]
    departement: str
    region: str
    status: str
    zone: str
    lon: str
    lat: str


def qpv_iri(code: str) -> str:
    return f"{QKI}qpv/{code}"


def read_qpvs(path: Path, geo: Geography) -> list[Qpv]:
    qpvs: dict[str, Qpv] = {}
    for row in read_csv(path, COLUMNS):
        qpv = _parse_qpv(row, geo)
        if qpv.code in qpvs:
            raise row.failure(f"QPV {qpv.code} en double", f"duplicate QPV {qpv.code}")
        qpvs[qpv.code] = qpv
    return [qpvs[code] for code in sorted(qpvs)]


def _parse_qpv(row: Row, geo: Geography) -> Qpv:
    code = row.matching("code_qp", QPV_CODE_RE, "un code QPV 2024 (QNdddddX)", "a 2024 QPV code (QNdddddX)")
    suffix = row.required("code_suffix")
    if suffix != code[-1]:
        raise row.failure(
            f"code_suffix {suffix!r} ≠ dernière lettre de {code}", f"code_suffix {suffix!r} ≠ end of {code}"
        )
    departement = row.required("insee_dep")
    geo.check_departement(row, "insee_dep")
    if code[2:5] != departement.rjust(3, "0"):
        raise row.failure(
            f"le code {code} ne correspond pas au département {departement}",
            f"code {code} does not match département {departement}",
        )
    region = row["insee_reg"]
    if region and region not in geo.regions:
        raise row.failure(f"région inconnue {region!r}", f"unknown région {region!r}")
    zone = row.required("zone")
    if zone not in ZONES:
        raise row.failure(f"zone inconnue {zone!r}", f"unknown zone {zone!r}")
    return Qpv(
        code=code,
        label=row.required("lib_qp"),
        communes=_communes(row, geo),
        epcis=_sirens(row, "siren_epci", geo),
        epts=_sirens(row, "siren_ept", geo),
        departement=departement,
        region=region,
        status=PERIMETER_STATUS[suffix],
        zone=ZONES[zone],
        lon=row.matching("centroid_lon", DECIMAL_RE, "une longitude", "a longitude"),
        lat=row.matching("centroid_lat", DECIMAL_RE, "une latitude", "a latitude"),
    )


def _communes(row: Row, geo: Geography) -> tuple[str, ...]:
    codes = tuple(row.required("insee_com").split(";"))
    for code in codes:
        if code not in geo.communes:
            raise row.failure(f"commune inconnue {code!r}", f"unknown commune {code!r}")
    return codes


def _sirens(row: Row, column: str, geo: Geography) -> tuple[str, ...]:
    if not row[column]:
        return ()
    sirens = tuple(row[column].split(";"))
    for siren in sirens:
        if not SIREN_RE.fullmatch(siren) or siren not in geo.epcis:
            raise row.failure(
                f"colonne {column!r} : EPCI inconnu {siren!r}", f"column {column!r}: unknown EPCI {siren!r}"
            )
    return sirens


# ---- contours -----------------------------------------------------------------------------------------
def read_contours(path: Path, codes: Iterable[str]) -> dict[str, str]:
    """code -> WKT MULTIPOLYGON (CRS84), coordinates kept as their source text."""
    if not path.is_file():
        raise ImportFailure("fichier introuvable", "file not found", path=path)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle, parse_float=str, parse_int=str)
    except (OSError, ValueError) as exc:
        raise ImportFailure(f"GeoJSON illisible ({exc})", f"unreadable GeoJSON ({exc})", path=path) from exc
    wkts: dict[str, str] = {}
    for number, feature in enumerate(data.get("features", []), start=1):
        code, wkt = _feature_wkt(path, number, feature)
        if code in wkts:
            raise _feature_failure(path, number, f"contour en double pour {code}", f"duplicate contour for {code}")
        wkts[code] = wkt
    expected = set(codes)
    unknown = sorted(set(wkts) - expected)
    missing = sorted(expected - set(wkts))
    if unknown or missing:
        raise ImportFailure(
            f"contours sans QPV dans {QPV_TABLE} : {unknown[:5]} ; QPV sans contour : {missing[:5]}",
            f"contours without a QPV in {QPV_TABLE}: {unknown[:5]}; QPV without a contour: {missing[:5]}",
            path=path,
        )
    return wkts


def _feature_failure(path: Path, number: int, fr_text: str, en_text: str) -> ImportFailure:
    return ImportFailure(f"entité n° {number} : {fr_text}", f"feature #{number}: {en_text}", path=path)


def _feature_wkt(path: Path, number: int, feature: dict) -> tuple[str, str]:
    code = (feature.get("properties") or {}).get("code_qp", "")
    if not QPV_CODE_RE.fullmatch(code):
        raise _feature_failure(path, number, f"code_qp invalide {code!r}", f"invalid code_qp {code!r}")
    geometry = feature.get("geometry") or {}
    if geometry.get("type") != "MultiPolygon":
        raise _feature_failure(path, number, "géométrie non MultiPolygon", "geometry is not a MultiPolygon")
    polygons = ",".join(
        "(" + ",".join("(" + ",".join(f"{x} {y}" for x, y in ring) + ")" for ring in polygon) + ")"
        for polygon in geometry["coordinates"]
    )
    return code, f"{CRS84} MULTIPOLYGON({polygons})"


# ---- graph --------------------------------------------------------------------------------------------
QPV_INFO = sources.DatasetInfo(
    file_name=QPV_FILE,
    title_fr="Quartiers prioritaires de la politique de la ville (QPV) 2024",
    title_en="Priority urban-policy neighbourhoods (QPV) of 2024",
    source=sources.github_tree(sources.GAZETTEER_REPO, sources.GAZETTEER_HEAD),
    license=sources.LICENCE_OUVERTE,
    issued="2026-01-15",
    modified="2026-06-01",
    derived_from=(sources.GAZETTEER_QPV, sources.GAZETTEER_QPV_COMMUNES, *sources.GEO_FILES),
    shared_files=(QPV_TABLE, CONTOURS_FILE),
    note_fr=(
        "Liste et contours ANCT des 1 584 QPV (fichier QP2024_France_Hexagonale_Outre_Mer_WGS84 du jeu "
        "quartiers-prioritaires-de-la-politique-de-la-ville-qpv, republié par bpineau/gazetteer), rattachés aux "
        "communes (COG 2024), EPCI (DGCL 2024) et EPT (Insee 2025). Statut du périmètre déduit de la dernière "
        "lettre du code (M modifié, I inchangé, N nouveau, C Mayotte), par recoupement des effectifs officiels."
    ),
    note_en=(
        "ANCT list and contours of the 1,584 QPV (QP2024_France_Hexagonale_Outre_Mer_WGS84, dataset "
        "quartiers-prioritaires-de-la-politique-de-la-ville-qpv, as re-published by bpineau/gazetteer), linked to "
        "communes (COG 2024), EPCI (DGCL 2024) and EPT (INSEE 2025). Perimeter status inferred from the code's last "
        "letter (M modified, I unchanged, N new, C Mayotte) by matching the official counts."
    ),
)


def build_qpv_graph(qpvs: list[Qpv], wkts: dict[str, str], geo: Geography, *, progress: bool = False) -> Graph:
    graph = sources.describe_dataset(QPV_INFO)
    for qpv in tqdm(qpvs, desc="QPV", unit="QPV", disable=not progress):
        _add_qpv(graph, qpv, wkts[qpv.code], geo)
    return graph


def _add_qpv(graph: Graph, qpv: Qpv, wkt: str, geo: Geography) -> None:
    iri = qpv_iri(qpv.code)
    graph.add(iri, RDF + "type", QK + "QPV")
    graph.add(iri, RDFS + "label", fr(qpv.label))
    graph.add(iri, QK + "qpvCode", string(qpv.code))
    for code in qpv.communes:
        graph.add(iri, QK + "commune", commune_iri(code))
    for siren in qpv.epcis:
        graph.add(iri, QK + "epci", epci_iri(siren))
    for ept in qpv.epts:  # 7 QPV of Seine-Saint-Denis and Val-de-Marne straddle two EPT
        graph.add(iri, QK + "ept", epci_iri(ept))
    departement = geo.departement_iri(qpv.departement)
    if departement:
        graph.add(iri, QK + "departement", departement)
    if qpv.region:
        graph.add(iri, QK + "region", region_iri(qpv.region))
    graph.add(iri, QK + "perimeterStatus", f"{QKC}statut-perimetre/{qpv.status}")
    graph.add(iri, QK + "zone", f"{QKC}zone/{qpv.zone}")
    graph.add(iri, PROV + "wasDerivedFrom", sources.GAZETTEER_QPV)
    geometry = f"{iri}/geometrie"
    graph.add(iri, GEO + "hasGeometry", geometry)
    graph.add(geometry, RDF + "type", GEO + "Geometry")
    graph.add(geometry, GEO + "asWKT", typed(wkt, GEO + "wktLiteral"))
    centroid = f"{iri}/centroide"
    graph.add(iri, GEO + "hasCentroid", centroid)
    graph.add(centroid, RDF + "type", SF + "Point")
    graph.add(centroid, GEO + "asWKT", typed(f"{CRS84} POINT({qpv.lon} {qpv.lat})", GEO + "wktLiteral"))
