"""The reference index the importer resolves against: QPV 2024, communes, EPCI, EPT, 2015 contracts.

Built from the CSVs of ``../shared/reference`` (the same tables ``quartiers import`` turns into
data/reference/*.ttl) and cached as a pickle in the temporary folder, keyed by the tables' sizes and dates.
"""

from __future__ import annotations

import csv
import hashlib
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from graph.layout import shared_dir

TABLES = (
    "qpv/qpv_2024.csv",
    "geo/cog2024_communes.csv",
    "geo/cog2024_departements.csv",
    "geo/cog2024_regions.csv",
    "geo/dgcl_epci2024_list.csv",
    "geo/dgcl_epcicom2024_composition.csv",
    "geo/insee_ept2025_composition.csv",
    "contrats/contrats_de_ville_2015_2023_anct_civille.csv",
)
CACHE_VERSION = "1"

# the public datasets the derived statements cite (the same IRIs as the seed contracts)
QPV_DATASET = "https://www.data.gouv.fr/fr/datasets/quartiers-prioritaires-de-la-politique-de-la-ville-qpv/"
GEO_DATASET = "https://github.com/datagouv/decoupage-administratif"
CONTRACTS_2015_DATASET = "https://github.com/anct-carto/ci-ville"
DATASETS = (  # (IRI, title, comment): described in every contract file that cites them
    (
        QPV_DATASET,
        "Quartiers prioritaires de la politique de la ville (QPV)",
        "ANCT national list of the 2024 QPV (file QP2024_France_Hexagonale_Outre_Mer_WGS84), as re-published in "
        "github.com/bpineau/gazetteer; project copy: reference/qpv/qpv_2024.csv. Which QPV a 2024 contract covers "
        "is derived from it when the sources do not list them (the QPV of the carrier's EPCI, EPT or commune).",
    ),
    (
        GEO_DATASET,
        "Découpage administratif (COG 2024, composition des EPCI DGCL 2024)",
        "Etalab repository; project copies: reference/geo/dgcl_epcicom2024_composition.csv (EPCI member communes, "
        "siren_membre), insee_ept2025_composition.csv and the COG 2024 files. The EPCI/EPT of each QPV and the SIREN "
        "of each commune body come from it.",
    ),
    (
        CONTRACTS_2015_DATASET,
        "Ci-VILLE – cartes interactives de la politique de la ville (contrats de ville 2015-2023)",
        "ANCT repository; project copy: reference/contrats/contrats_de_ville_2015_2023_anct_civille.csv. The "
        "predecessor (2015 generation) of a contract is the 2015 contract with the same siren_porteur.",
    ),
)


@dataclass(frozen=True)
class Qpv:
    code: str
    label: str
    communes: tuple[str, ...]
    commune_labels: tuple[str, ...]
    epcis: tuple[str, ...]
    epts: tuple[str, ...]
    departement: str


@dataclass
class Reference:
    qpv: dict[str, Qpv] = field(default_factory=dict)
    communes: dict[str, str] = field(default_factory=dict)  # INSEE -> name
    commune_siren: dict[str, str] = field(default_factory=dict)  # INSEE -> SIREN of the commune (DGCL)
    siren_commune: dict[str, str] = field(default_factory=dict)  # SIREN -> INSEE
    epcis: dict[str, str] = field(default_factory=dict)  # SIREN -> raison sociale (DGCL 2024)
    epci_members: dict[str, tuple[str, ...]] = field(default_factory=dict)  # SIREN -> INSEE codes
    epts: dict[str, str] = field(default_factory=dict)  # SIREN -> name (INSEE 2025)
    ept_members: dict[str, tuple[str, ...]] = field(default_factory=dict)
    departements: dict[str, str] = field(default_factory=dict)
    regions: dict[str, str] = field(default_factory=dict)
    contracts2015: dict[str, tuple[str, ...]] = field(default_factory=dict)  # siren_porteur -> code_cv

    def territory_qpv(self, carrier: str) -> list[str]:
        """QPV codes of a carrier's territory: ``epci:<SIREN>`` (EPCI or EPT) or ``commune:<INSEE>``."""
        kind, _, code = carrier.partition(":")
        if kind == "commune":
            return sorted(q.code for q in self.qpv.values() if code in q.communes)
        if code in self.epts:
            return sorted(q.code for q in self.qpv.values() if code in q.epts)
        return sorted(q.code for q in self.qpv.values() if code in q.epcis)

    def qpv_by_name(self, name: str, codes: list[str]) -> list[str]:
        return [c for c in codes if self.qpv[c].label == name]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def build(root: Path) -> Reference:
    ref = Reference()
    for row in _read(root / "geo/cog2024_communes.csv"):
        if row["TYPECOM"] in ("COM", "ARM"):
            ref.communes[row["COM"]] = row["LIBELLE"]
    for row in _read(root / "geo/cog2024_departements.csv"):
        ref.departements[row["DEP"]] = row["LIBELLE"]
    for row in _read(root / "geo/cog2024_regions.csv"):
        ref.regions[row["REG"]] = row["LIBELLE"]
    for row in _read(root / "geo/dgcl_epci2024_list.csv"):
        ref.epcis[row["siren"]] = row["raison_sociale"]
    members: dict[str, list[str]] = {}
    for row in _read(root / "geo/dgcl_epcicom2024_composition.csv"):
        members.setdefault(row["siren"], []).append(row["insee"])
        ref.commune_siren[row["insee"]] = row["siren_membre"]
        ref.siren_commune[row["siren_membre"]] = row["insee"]
    ref.epci_members = {k: tuple(sorted(v)) for k, v in members.items()}
    ept: dict[str, list[str]] = {}
    for row in _read(root / "geo/insee_ept2025_composition.csv"):
        ref.epts[row["EPT"]] = row["LIBEPT"]
        ept.setdefault(row["EPT"], []).append(row["CODGEO"])
    ref.ept_members = {k: tuple(sorted(v)) for k, v in ept.items()}
    for row in _read(root / "qpv/qpv_2024.csv"):
        split = lambda v: tuple(x for x in v.split(";") if x)  # noqa: E731
        ref.qpv[row["code_qp"]] = Qpv(
            row["code_qp"], row["lib_qp"], split(row["insee_com"]), split(row["lib_com"]),
            split(row["siren_epci"]), split(row["siren_ept"]), row["insee_dep"],
        )  # fmt: skip
    c2015: dict[str, list[str]] = {}
    for row in _read(root / "contrats/contrats_de_ville_2015_2023_anct_civille.csv"):
        c2015.setdefault(row["siren_porteur"], []).append(row["code_cv"])
    ref.contracts2015 = {k: tuple(sorted(v)) for k, v in c2015.items()}
    return ref


def load_reference(root: Path | None = None) -> Reference:
    """The reference index, from the pickle cache when the tables have not changed."""
    root = root or shared_dir() / "reference"
    stamp = hashlib.sha256(CACHE_VERSION.encode())
    for name in TABLES:
        st = (root / name).stat()
        stamp.update(f"{root / name}:{st.st_size}:{st.st_mtime_ns}".encode())
    cache = Path(tempfile.gettempdir()) / f"quartiers-contracts-reference-{stamp.hexdigest()[:16]}.pickle"
    if cache.is_file():
        try:
            with cache.open("rb") as handle:
                ref = pickle.load(handle)
            if isinstance(ref, Reference):
                return ref
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass
    ref = build(root)
    tmp = cache.with_suffix(f".{id(ref)}.tmp")
    with tmp.open("wb") as handle:
        pickle.dump(ref, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cache)
    return ref
