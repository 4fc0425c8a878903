"""The contrats de ville of the 2015 generation (ANCT ci-ville ``geom_cv_ctr.json``, 434 rows, 433 contracts)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from graph.importer import sources
from graph.importer.csvread import Row, read_csv
from graph.importer.geo import COMMUNE_RE, SIREN_RE, Geography, commune_body, commune_iri, epci_iri, org_iri
from graph.importer.naming import slug
from graph.importer.orgs import name_organisations
from graph.importer.turtle import Graph, fr, string, typed
from graph.namespaces import DCT, PROV, QK, QKI, RDF, RDFS, XSD

CONTRACTS_FILE = "contrats-2015.ttl"
CONTRACTS_TABLE = "contrats/contrats_de_ville_2015_2023_anct_civille.csv"
CONTRACT_CODE_RE = re.compile(r"CV\d{3}")
LABEL_PREFIX_RE = re.compile(r"^(?:\d{2,3}|2[AB]|NA) - ")  # "01 - CC de la Plaine de l'Ain": the département
COLUMNS = ("code_cv", "lib_cv", "siren_porteur", "insee_dep", "pop_qpv")
# pop_qpv is a head count written as a decimal ("21147.0"): a non-zero fraction is an error
POPULATION_RE = re.compile(r"\d+(?:\.0+)?")


@dataclass(frozen=True)
class Contract2015:
    code: str
    label: str
    carrier: str  # a SIREN (9 digits) or, for contracts carried by a commune, its COG code
    departements: tuple[str, ...]
    population: int  # inhabitants of the contract's QPV; the sum of the rows for a contract over two départements


def contract_iri(code: str) -> str:
    return f"{QKI}contrat/2015/{code}"


def read_contracts(path: Path, geo: Geography) -> dict[str, Contract2015]:
    groups: dict[str, list[Row]] = {}
    for row in read_csv(path, COLUMNS):
        code = row.matching("code_cv", CONTRACT_CODE_RE, "un code de contrat (CVnnn)", "a contract code (CVnnn)")
        groups.setdefault(code, []).append(row)
    return {code: _merge(code, rows, geo) for code, rows in sorted(groups.items())}


def _merge(code: str, rows: list[Row], geo: Geography) -> Contract2015:
    first = rows[0]
    label = _label(first)
    carrier = _carrier(first, geo)
    for row in rows[1:]:
        if _label(row) != label or row["siren_porteur"] != carrier:
            raise row.failure(
                f"{code} : libellé ou porteur différent de la ligne {first.line}",
                f"{code}: name or carrier differs from line {first.line}",
            )
    departements = tuple(d for d in (geo.check_departement(r, "insee_dep") for r in rows) if d)
    return Contract2015(code, label, carrier, departements, sum(_population(r) for r in rows))


def _population(row: Row) -> int:
    text = row.matching("pop_qpv", POPULATION_RE, "un nombre entier d'habitants", "a whole number of inhabitants")
    return int(text.partition(".")[0])


def _label(row: Row) -> str:
    return LABEL_PREFIX_RE.sub("", row.required("lib_cv"), count=1)


def _carrier(row: Row, geo: Geography) -> str:
    value = row.required("siren_porteur")
    if SIREN_RE.fullmatch(value):
        return value
    if COMMUNE_RE.fullmatch(value) and value in geo.communes:
        return value
    raise row.failure(
        f"siren_porteur {value!r} n'est ni un SIREN ni un code commune connu",
        f"siren_porteur {value!r} is neither a SIREN nor a known commune code",
    )


def carrying_communes(contracts: Mapping[str, Contract2015]) -> list[str]:
    """Communes that carry a contract themselves (their code stands in siren_porteur)."""
    return sorted({c.carrier for c in contracts.values() if not SIREN_RE.fullmatch(c.carrier)})


# ---- graph --------------------------------------------------------------------------------------------
CONTRACTS_INFO = sources.DatasetInfo(
    file_name=CONTRACTS_FILE,
    title_fr="Contrats de ville de la génération 2015",
    title_en="Contrats de ville (urban-policy contracts) of the 2015 generation",
    source=sources.github_tree(sources.CIVILLE_REPO, sources.CIVILLE_COMMIT),
    license=sources.LICENCE_OUVERTE,
    issued="2024-04-19",
    derived_from=(sources.CIVILLE_CONTRACTS,),
    shared_files=(CONTRACTS_TABLE,),
    note_fr=(
        "Table geom_cv_ctr.json de l'application Ci-VILLE (ANCT) : 433 contrats (CV043 couvre les départements 13 "
        "et 84 ; sa population en QPV est la somme des deux lignes). Le libellé est lib_cv sans le préfixe du "
        "département. Aucune période n'est donnée : la source ne la précise pas."
    ),
    note_en=(
        "Table geom_cv_ctr.json of the ANCT Ci-VILLE application: 433 contracts (CV043 covers départements 13 and "
        "84; its QPV population is the sum of both rows). The label is lib_cv without the département prefix. No "
        "period is given: the source does not state it."
    ),
)


@dataclass(frozen=True)
class Carrier:
    body: str
    territory: str | None  # qk:territory: the EPCI or EPT carrying the contract
    commune: str | None  # dct:spatial: the commune carrying its own contract


def build_contracts_graph(
    contracts: Mapping[str, Contract2015], geo: Geography, known_labels: Mapping[str, str]
) -> tuple[Graph, dict[str, str]]:
    """The contracts graph, and the labels it gives to carrier organisations that no earlier file names."""
    graph = sources.describe_dataset(CONTRACTS_INFO)
    names: dict[str, Counter[str]] = {}
    for contract in contracts.values():
        carrier = _resolve_carrier(contract, geo)
        _add_contract(graph, contract, carrier, geo)
        if carrier.body not in known_labels:
            _add_minimal_carrier(graph, carrier)
            names.setdefault(carrier.body, Counter())[_carrier_name(contract, geo)] += 1
    return graph, name_organisations(graph, names, known_labels)


def _resolve_carrier(contract: Contract2015, geo: Geography) -> Carrier:
    if SIREN_RE.fullmatch(contract.carrier):
        territory = epci_iri(contract.carrier) if contract.carrier in geo.epcis else None
        return Carrier(org_iri(contract.carrier), territory, None)
    commune = geo.communes[contract.carrier]
    body = commune_body(geo, commune.code) or org_iri(f"commune-{slug(commune.label)}")
    return Carrier(body, None, commune.code)


def _carrier_name(contract: Contract2015, geo: Geography) -> str:
    if SIREN_RE.fullmatch(contract.carrier):
        return contract.label
    return geo.communes[contract.carrier].label


def _add_contract(graph: Graph, contract: Contract2015, carrier: Carrier, geo: Geography) -> None:
    iri = contract_iri(contract.code)
    graph.add(iri, RDF + "type", QK + "CityContract2015")
    graph.add(iri, RDFS + "label", fr(contract.label))
    graph.add(iri, QK + "contractCode", string(contract.code))
    graph.add(iri, QK + "carriedBy", carrier.body)
    if carrier.territory:
        graph.add(iri, QK + "territory", carrier.territory)
    if carrier.commune:
        graph.add(iri, DCT + "spatial", commune_iri(carrier.commune))
    for code in contract.departements:
        departement = geo.departement_iri(code)
        if departement:
            graph.add(iri, QK + "departement", departement)
    graph.add(iri, QK + "qpvPopulation", typed(str(contract.population), XSD + "nonNegativeInteger"))
    graph.add(iri, PROV + "wasDerivedFrom", sources.CIVILLE_CONTRACTS)


def _add_minimal_carrier(graph: Graph, carrier: Carrier) -> None:
    """A carrier no earlier file describes: a body known only by its SIREN, or a commune without a DGCL SIREN."""
    if carrier.commune:
        graph.add(carrier.body, RDF + "type", QK + "CommuneAuthority")
        graph.add(carrier.body, QK + "jurisdiction", commune_iri(carrier.commune))
    else:
        graph.add(carrier.body, RDF + "type", QK + "Organisation")
        graph.add(carrier.body, QK + "siren", string(carrier.body.rsplit("/", 1)[1]))
    graph.add(carrier.body, PROV + "wasDerivedFrom", sources.CIVILLE_CONTRACTS)
