"""Reference geography: régions, départements, communes, EPCI and EPT (COG 2024, DGCL 2024, INSEE EPT 2025).

``read_geography`` reads and checks the tables; ``build_geo_graph`` writes the territories a QPV or a
contract needs (plus every EPCI of 2024) and the bodies (EPCI, EPT and commune authorities) that govern them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from graph.importer import sources
from graph.importer.csvread import Row, read_csv
from graph.importer.errors import ImportFailure
from graph.importer.turtle import Graph, fr, string
from graph.namespaces import IGEO, QK, QKI, RDF, RDFS

SIREN_RE = re.compile(r"\d{9}")
REGION_RE = re.compile(r"\d{2}")
DEPARTEMENT_RE = re.compile(r"\d{2}|2[AB]|97\d")
COMMUNE_RE = re.compile(r"\d[\dAB]\d{3}")
COLLECTIVITE_RE = re.compile(r"9[78]\d")
EPCI_NATURES = ("CA", "CC", "CU", "METRO", "MET69")
EPT_NATURE = "EPT"

GEO_FILE = "geo.ttl"
GEO_TABLES = (
    "geo/cog2024_regions.csv",
    "geo/cog2024_departements.csv",
    "geo/cog2024_communes.csv",
    "geo/collectivites_outremer_2024.csv",
    "geo/dgcl_epci2024_list.csv",
    "geo/dgcl_epcicom2024_composition.csv",
    "geo/insee_ept2025_composition.csv",
)


@dataclass(frozen=True)
class Commune:
    code: str
    label: str
    kind: str  # COM or ARM (COG), or OM (collectivité d'outre-mer list)
    departement: str = ""
    parent: str = ""  # the commune of an arrondissement municipal
    collectivite: str = ""  # the COM of an overseas commune


@dataclass(frozen=True)
class Epci:
    siren: str
    label: str
    nature: str


@dataclass(frozen=True)
class Membership:
    """A commune's DGCL 2024 row: its EPCI and the commune's own SIREN."""

    insee: str
    epci: str
    siren: str
    name: str


@dataclass(frozen=True)
class Geography:
    regions: dict[str, str]
    departements: dict[str, tuple[str, str]]  # code -> (label, région)
    collectivites: dict[str, str]  # COM code -> label
    communes: dict[str, Commune]
    epcis: dict[str, Epci]  # the 1 255 DGCL EPCI of 2024 and the 11 EPT
    members: dict[str, Membership]  # commune code -> DGCL 2024 membership
    ept_of: dict[str, str]  # commune code -> EPT SIREN

    def check_departement(self, row: Row, column: str) -> str:
        """A département or COM code that the COG knows; empty stays empty."""
        value = row[column]
        if value and value not in self.departements and value not in self.collectivites:
            raise row.failure(
                f"colonne {column!r} : département inconnu {value!r}",
                f"column {column!r}: unknown département {value!r}",
            )
        return value

    def departement_iri(self, code: str) -> str | None:
        """The département resource (None for an empty code or a collectivité d'outre-mer)."""
        return departement_iri(code) if code in self.departements else None


def region_iri(code: str) -> str:
    return f"{QKI}region/{code}"


def departement_iri(code: str) -> str:
    return f"{QKI}departement/{code}"


def collectivite_iri(code: str) -> str:
    return f"{QKI}collectivite-outre-mer/{code}"


def commune_iri(code: str) -> str:
    return f"{QKI}commune/{code}"


def epci_iri(siren: str) -> str:
    return f"{QKI}epci/{siren}"


def org_iri(key: str) -> str:
    return f"{QKI}org/{key}"


# ---- reading ------------------------------------------------------------------------------------------
def read_geography(reference_dir: Path) -> Geography:
    geo = reference_dir / "geo"
    regions = _read_regions(geo / "cog2024_regions.csv")
    departements = _read_departements(geo / "cog2024_departements.csv", regions)
    collectivites, overseas = _read_overseas(geo / "collectivites_outremer_2024.csv")
    communes = _read_communes(geo / "cog2024_communes.csv", departements)
    for code, commune in overseas.items():
        communes.setdefault(code, commune)
    epcis = _read_epcis(geo / "dgcl_epci2024_list.csv")
    members = _read_members(geo / "dgcl_epcicom2024_composition.csv", epcis, communes)
    epts, ept_of = _read_epts(geo / "insee_ept2025_composition.csv", communes)
    for siren in epts:
        if siren in epcis:
            raise ImportFailure(f"EPT {siren} déjà présent comme EPCI", f"EPT {siren} is also an EPCI")
    return Geography(regions, departements, collectivites, communes, {**epcis, **epts}, members, ept_of)


def _read_regions(path: Path) -> dict[str, str]:
    return {
        row.matching("REG", REGION_RE, "un code région", "a région code"): row.required("LIBELLE")
        for row in read_csv(path, ("REG", "LIBELLE"))
    }


def _read_departements(path: Path, regions: dict[str, str]) -> dict[str, tuple[str, str]]:
    result: dict[str, tuple[str, str]] = {}
    for row in read_csv(path, ("DEP", "REG", "LIBELLE")):
        code = row.matching("DEP", DEPARTEMENT_RE, "un code département", "a département code")
        region = row.required("REG")
        if region not in regions:
            raise row.failure(f"région inconnue {region!r}", f"unknown région {region!r}")
        result[code] = (row.required("LIBELLE"), region)
    return result


def _read_overseas(path: Path) -> tuple[dict[str, str], dict[str, Commune]]:
    collectivites: dict[str, str] = {}
    communes: dict[str, Commune] = {}
    for row in read_csv(path, ("code_commune", "nom_commune", "code_collectivite", "nom_collectivite")):
        code = row.matching("code_commune", COMMUNE_RE, "un code commune", "a commune code")
        com = row.matching("code_collectivite", COLLECTIVITE_RE, "un code de collectivité", "a collectivité code")
        collectivites[com] = row.required("nom_collectivite")
        communes[code] = Commune(code, row.required("nom_commune"), "OM", collectivite=com)
    return collectivites, communes


def _read_communes(path: Path, departements: dict[str, tuple[str, str]]) -> dict[str, Commune]:
    communes: dict[str, Commune] = {}
    for row in read_csv(path, ("TYPECOM", "COM", "DEP", "LIBELLE", "COMPARENT")):
        kind = row.required("TYPECOM")
        if kind not in ("COM", "ARM"):
            continue  # communes déléguées / associées share their code with a COM: not territories of their own
        code = row.matching("COM", COMMUNE_RE, "un code commune", "a commune code")
        if code in communes:
            raise row.failure(f"commune {code} en double", f"duplicate commune {code}")
        if kind == "COM":
            departement = row.required("DEP")
            if departement not in departements:
                raise row.failure(f"département inconnu {departement!r}", f"unknown département {departement!r}")
            communes[code] = Commune(code, row.required("LIBELLE"), kind, departement=departement)
        else:
            communes[code] = Commune(code, row.required("LIBELLE"), kind, parent=row.required("COMPARENT"))
    return communes


def _read_epcis(path: Path) -> dict[str, Epci]:
    epcis: dict[str, Epci] = {}
    for row in read_csv(path, ("siren", "raison_sociale", "nature_juridique")):
        siren = row.matching("siren", SIREN_RE, "un SIREN (9 chiffres)", "a SIREN (9 digits)")
        nature = row.required("nature_juridique")
        if nature not in EPCI_NATURES:
            raise row.failure(f"nature d'EPCI inconnue {nature!r}", f"unknown EPCI nature {nature!r}")
        if siren in epcis:
            raise row.failure(f"EPCI {siren} en double", f"duplicate EPCI {siren}")
        epcis[siren] = Epci(siren, row.required("raison_sociale"), nature)
    return epcis


def _read_members(path: Path, epcis: dict[str, Epci], communes: dict[str, Commune]) -> dict[str, Membership]:
    members: dict[str, Membership] = {}
    seen_sirens: set[str] = set()
    for row in read_csv(path, ("siren", "insee", "siren_membre", "nom_membre")):
        epci = row.matching("siren", SIREN_RE, "un SIREN (9 chiffres)", "a SIREN (9 digits)")
        insee = row.matching("insee", COMMUNE_RE, "un code commune", "a commune code")
        siren = row.matching("siren_membre", SIREN_RE, "un SIREN (9 chiffres)", "a SIREN (9 digits)")
        if epci not in epcis:
            raise row.failure(f"EPCI {epci} absent de la liste des EPCI", f"EPCI {epci} not in the EPCI list")
        if insee not in communes:
            raise row.failure(f"commune {insee} absente du COG 2024", f"commune {insee} not in COG 2024")
        if insee in members or siren in seen_sirens:
            raise row.failure(
                f"commune {insee} / SIREN {siren} en double", f"duplicate commune {insee} / SIREN {siren}"
            )
        seen_sirens.add(siren)
        members[insee] = Membership(insee, epci, siren, row.required("nom_membre"))
    return members


def _read_epts(path: Path, communes: dict[str, Commune]) -> tuple[dict[str, Epci], dict[str, str]]:
    epts: dict[str, Epci] = {}
    ept_of: dict[str, str] = {}
    for row in read_csv(path, ("CODGEO", "EPT", "LIBEPT")):
        code = row.matching("CODGEO", COMMUNE_RE, "un code commune", "a commune code")
        siren = row.matching("EPT", SIREN_RE, "un SIREN (9 chiffres)", "a SIREN (9 digits)")
        if code not in communes:
            raise row.failure(f"commune {code} absente du COG 2024", f"commune {code} not in COG 2024")
        label = row.required("LIBEPT")
        if epts.setdefault(siren, Epci(siren, label, EPT_NATURE)).label != label:
            raise row.failure(f"EPT {siren} nommé de deux façons", f"EPT {siren} has two names")
        ept_of[code] = siren
    return epts, ept_of


# ---- selection ----------------------------------------------------------------------------------------
def select_communes(geo: Geography, epcis: Iterable[str], communes: Iterable[str]) -> list[str]:
    """Every member commune of the given EPCI/EPT, plus the given communes (and the parents of ARM)."""
    wanted = set(epcis)
    selected = {code for code, m in geo.members.items() if m.epci in wanted}
    selected |= {code for code, ept in geo.ept_of.items() if ept in wanted}
    selected |= set(communes)
    selected |= {geo.communes[c].parent for c in selected if geo.communes[c].parent}
    return sorted(selected)


def commune_body(geo: Geography, code: str) -> str | None:
    """The commune authority of a commune: its DGCL SIREN, else none known."""
    member = geo.members.get(code)
    return org_iri(member.siren) if member else None


# ---- graph --------------------------------------------------------------------------------------------
GEO_INFO = sources.DatasetInfo(
    file_name=GEO_FILE,
    title_fr="Géographie de référence : régions, départements, communes, EPCI et EPT",
    title_en="Reference geography: regions, départements, communes, EPCI and EPT",
    source=sources.github_tree(sources.DECOUPAGE_REPO, sources.DECOUPAGE_COG_COMMIT),
    license=sources.LICENCE_OUVERTE,
    issued="2024-02-21",
    derived_from=sources.GEO_FILES,
    shared_files=GEO_TABLES,
    note_fr=(
        "Code officiel géographique 2024 (Insee), EPCI à fiscalité propre 2024 (DGCL epcicom2024), EPT de la "
        "Métropole du Grand Paris (Insee, géographie au 01/01/2025), via datagouv/decoupage-administratif (dont "
        "le code est sous licence MIT ; les données Insee et DGCL sont sous Licence Ouverte 2.0). "
        "Communes : celles des EPCI et EPT qui comptent un QPV 2024, celles qui comptent un QPV et celles qui "
        "portent un contrat de ville 2015 ; EPCI : les 1 255 EPCI de 2024 et les 11 EPT."
    ),
    note_en=(
        "INSEE official geographic code 2024, DGCL EPCI 2024 (epcicom2024), INSEE EPT of the Métropole du Grand "
        "Paris (geography as of 2025-01-01), via datagouv/decoupage-administratif (whose code is MIT-licensed; the "
        "INSEE and DGCL data are under the Licence Ouverte 2.0). Communes: those of the EPCI and "
        "EPT hosting a 2024 QPV, those hosting a QPV and those carrying a 2015 contract; EPCI: all 1,255 EPCI of "
        "2024 and the 11 EPT."
    ),
)


def build_geo_graph(geo: Geography, communes: list[str], *, progress: bool = False) -> tuple[Graph, dict[str, str]]:
    """The geography graph and the labels it gives to organisations (IRI -> label)."""
    graph = sources.describe_dataset(GEO_INFO)
    for code, label in geo.regions.items():
        _territory(graph, region_iri(code), IGEO + "Region", label, code)
    for code, (label, region) in geo.departements.items():
        _territory(graph, departement_iri(code), IGEO + "Departement", label, code)
        graph.add(departement_iri(code), IGEO + "subdivisionDirecteDe", region_iri(region))
    used_collectivites = sorted({geo.communes[c].collectivite for c in communes if geo.communes[c].collectivite})
    for code in used_collectivites:
        _territory(graph, collectivite_iri(code), IGEO + "CollectiviteDOutreMer", geo.collectivites[code], code)
    labels: dict[str, str] = {}
    for code in tqdm(communes, desc="communes", unit="commune", disable=not progress):
        _add_commune(graph, geo, geo.communes[code], labels)
    for epci in geo.epcis.values():
        _add_epci(graph, epci, labels)
    return graph, labels


def _territory(graph: Graph, iri: str, cls: str, label: str, code: str) -> None:
    graph.add(iri, RDF + "type", cls)
    graph.add(iri, RDFS + "label", fr(label))
    graph.add(iri, IGEO + "nom", fr(label))
    graph.add(iri, IGEO + "codeINSEE", string(code))


def _add_commune(graph: Graph, geo: Geography, commune: Commune, labels: dict[str, str]) -> None:
    iri = commune_iri(commune.code)
    cls = IGEO + ("ArrondissementMunicipal" if commune.kind == "ARM" else "Commune")
    _territory(graph, iri, cls, commune.label, commune.code)
    if commune.departement:
        graph.add(iri, IGEO + "subdivisionDirecteDe", departement_iri(commune.departement))
    if commune.parent:
        graph.add(iri, IGEO + "subdivisionDirecteDe", commune_iri(commune.parent))
    if commune.collectivite:
        graph.add(iri, IGEO + "subdivisionDirecteDe", collectivite_iri(commune.collectivite))
    member = geo.members.get(commune.code)
    if member:
        graph.add(iri, QK + "memberOf", epci_iri(member.epci))
        body = org_iri(member.siren)
        graph.add(body, RDF + "type", QK + "CommuneAuthority")
        graph.add(body, RDFS + "label", fr(member.name))
        graph.add(body, QK + "siren", string(member.siren))
        graph.add(body, QK + "jurisdiction", iri)
        labels[body] = member.name
    if commune.code in geo.ept_of:
        graph.add(iri, QK + "memberOf", epci_iri(geo.ept_of[commune.code]))


def _add_epci(graph: Graph, epci: Epci, labels: dict[str, str]) -> None:
    iri = epci_iri(epci.siren)
    graph.add(iri, RDF + "type", IGEO + "Intercommunalite")
    graph.add(iri, RDFS + "label", fr(epci.label))
    graph.add(iri, IGEO + "nom", fr(epci.label))
    graph.add(iri, QK + "siren", string(epci.siren))
    graph.add(iri, IGEO + "codeINSEE", string(epci.siren))  # INSEE codes an EPCI by its SIREN
    graph.add(iri, QK + "epciNature", string(epci.nature))
    body = org_iri(epci.siren)
    graph.add(body, RDF + "type", QK + "EPCIAuthority")
    graph.add(body, RDFS + "label", fr(epci.label))
    graph.add(body, QK + "siren", string(epci.siren))
    graph.add(body, QK + "jurisdiction", iri)
    labels[body] = epci.label
