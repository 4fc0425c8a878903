"""Links out: linkset graphs from the project's territories and organisations to other datasets' IRIs.

``links-insee.ttl``: ``skos:exactMatch`` from each région, département, commune (or arrondissement municipal) and
EPCI to its IRI in INSEE's code-based pattern ``http://id.insee.fr/geo/{type}/{code}``. ``links-sirene.ttl``:
``foaf:page`` from each organisation with a SIREN to its page in the Annuaire des Entreprises (Sirene data).
Each file describes its own graph as a ``void:Linkset``. Why ``skos:exactMatch`` and not ``owl:sameAs``, and what
the INSEE pattern does and does not join with: docs/model.md, "Links out".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graph.importer import sources
from graph.importer.geo import (
    EPCI_NATURES,
    GEO_INFO,
    GEO_TABLES,
    Geography,
    commune_iri,
    departement_iri,
    epci_iri,
    region_iri,
)
from graph.importer.turtle import Graph, Literal, en, fr, string, typed
from graph.namespaces import DCT, FOAF, QK, QKG, QKI, RDF, SKOS, VOID, XSD

LINKS_INSEE_FILE = "links-insee.ttl"
LINKS_SIRENE_FILE = "links-sirene.ttl"
INSEE_GEO = "http://id.insee.fr/geo/"
ANNUAIRE_ENTREPRISE = "https://annuaire-entreprises.data.gouv.fr/entreprise/"
# INSEE's own API documents the code-based IRI of each territory type (model classes of InseeFr/Metadata-API)
METADATA_API = "https://github.com/InseeFr/Metadata-API/blob/"
INSEE_PATTERN_DOCS = (
    METADATA_API + "07690cba5561c798a0b2545cb0f0fe67f373e18d/src/main/java/fr/insee/rmes/modeles/geo/territoire/"
    "Departement.java",
)
INSEE_DATASET = QKI + "jeu-de-donnees/insee-geographie"
ANNUAIRE_DATASET = QKI + "jeu-de-donnees/annuaire-des-entreprises"
REFERENCE_DATASET = QKG + "data/reference"


@dataclass(frozen=True)
class Link:
    subject: str
    target: str


def insee_links(geo: Geography, communes: Iterable[str]) -> list[Link]:
    """Every région, département, commune of ``communes`` and EPCI of 2024 with its id.insee.fr IRI.

    Arrondissements municipaux have their own INSEE type; communes of the collectivités d'outre-mer (Polynésie,
    Saint-Martin…) and the EPT of the Métropole du Grand Paris get no link: INSEE's code-based pattern is not
    documented for them.
    """
    links = [Link(region_iri(code), f"{INSEE_GEO}region/{code}") for code in geo.regions]
    links += [Link(departement_iri(code), f"{INSEE_GEO}departement/{code}") for code in geo.departements]
    for code in communes:
        kind = geo.communes[code].kind
        if kind in ("COM", "ARM"):
            segment = "commune" if kind == "COM" else "arrondissementMunicipal"
            links.append(Link(commune_iri(code), f"{INSEE_GEO}{segment}/{code}"))
    links += [
        Link(epci_iri(siren), f"{INSEE_GEO}intercommunalite/{siren}")
        for siren, epci in geo.epcis.items()
        if epci.nature in EPCI_NATURES
    ]
    return sorted(links, key=lambda link: link.subject)


def sirene_links(graphs: Iterable[Graph]) -> list[Link]:
    """Every organisation (``qki:org/…``) that some graph gives a ``qk:siren``, with its Annuaire page."""
    sirens: dict[str, str] = {}
    for graph in graphs:
        for subject in graph.subjects():
            if not subject.startswith(QKI + "org/"):
                continue
            for siren in graph.objects(subject, QK + "siren"):
                if isinstance(siren, Literal):
                    sirens[subject] = siren.lexical
    return [Link(subject, ANNUAIRE_ENTREPRISE + siren) for subject, siren in sorted(sirens.items())]


# ---- graphs -------------------------------------------------------------------------------------------
LINKS_INSEE_INFO = sources.DatasetInfo(
    file_name=LINKS_INSEE_FILE,
    title_fr="Liens vers les IRI de la géographie de l'Insee (id.insee.fr)",
    title_en="Links to INSEE geography IRIs (id.insee.fr)",
    source=GEO_INFO.source,
    license=sources.LICENCE_OUVERTE,
    issued=GEO_INFO.issued,
    derived_from=(QKG + "data/reference/geo", *INSEE_PATTERN_DOCS),
    shared_files=GEO_TABLES,
    note_fr=(
        "skos:exactMatch de chaque région, département, commune, arrondissement municipal et EPCI vers "
        "http://id.insee.fr/geo/{region|departement|commune|arrondissementMunicipal|intercommunalite}/{code}, "
        "forme des IRI documentée par l'API Métadonnées de l'Insee. Le point SPARQL de l'Insee "
        "(http://rdf.insee.fr/sparql) identifie aujourd'hui les territoires par des IRI à UUID : pour joindre "
        "avec lui, utiliser igeo:codeINSEE (voir docs/model.md)."
    ),
    note_en=(
        "skos:exactMatch from each région, département, commune, arrondissement municipal and EPCI to "
        "http://id.insee.fr/geo/{region|departement|commune|arrondissementMunicipal|intercommunalite}/{code}, the "
        "IRI form documented by INSEE's Metadata API. INSEE's SPARQL endpoint (http://rdf.insee.fr/sparql) now "
        "names territories with UUID-based IRIs: to join with it, use igeo:codeINSEE (see docs/model.md)."
    ),
)

LINKS_SIRENE_INFO = sources.DatasetInfo(
    file_name=LINKS_SIRENE_FILE,
    title_fr="Liens des organisations vers leur fiche Sirene (Annuaire des Entreprises)",
    title_en="Links from organisations to their Sirene record (Annuaire des Entreprises)",
    source="",
    license=sources.LICENCE_OUVERTE,
    issued=GEO_INFO.issued,
    derived_from=tuple(QKG + f"data/reference/{name}" for name in ("geo", "contrats-2015", "adulte-relais-2023")),
    shared_files=(
        *GEO_TABLES,
        "contrats/contrats_de_ville_2015_2023_anct_civille.csv",
        "funding/adulte-relais_2023_by_contrat_de_ville.csv",
    ),
    note_fr=(
        "foaf:page de chaque organisation dotée d'un SIREN vers https://annuaire-entreprises.data.gouv.fr/entreprise/"
        "{siren}. Le répertoire Sirene de l'Insee n'a pas d'IRI de données liées : la jointure avec d'autres jeux "
        "se fait sur le SIREN lui-même (qk:siren)."
    ),
    note_en=(
        "foaf:page from each organisation with a SIREN to https://annuaire-entreprises.data.gouv.fr/entreprise/"
        "{siren}. INSEE's Sirene register has no linked-data IRIs: joins with other datasets use the SIREN itself "
        "(qk:siren)."
    ),
)


def build_links_graph(
    info: sources.DatasetInfo, links: list[Link], predicate: str, targets: tuple[str, str]
) -> Graph:
    """The linkset graph: its void:Linkset description, then one ``predicate`` triple per link."""
    graph = sources.describe_dataset(info)
    subjects_target, objects_target = targets
    iri = info.graph_iri
    graph.add(iri, RDF + "type", VOID + "Linkset")
    graph.add(iri, VOID + "linkPredicate", predicate)
    graph.add(iri, VOID + "subjectsTarget", subjects_target)
    graph.add(iri, VOID + "objectsTarget", objects_target)
    graph.add(iri, VOID + "triples", typed(str(len(links)), XSD + "integer"))
    for link in links:
        graph.add(link.subject, predicate, link.target)
    return graph


def build_insee_graph(geo: Geography, communes: Iterable[str]) -> Graph:
    links = insee_links(geo, communes)
    targets = (QKG + "data/reference/geo", INSEE_DATASET)
    graph = build_links_graph(LINKS_INSEE_INFO, links, SKOS + "exactMatch", targets)
    titles = (
        "Géographie de l'Insee (code officiel géographique) en RDF",
        "INSEE geography (official geographic code) in RDF",
    )
    _describe_target(graph, INSEE_DATASET, titles, INSEE_GEO)
    graph.add(INSEE_DATASET, VOID + "sparqlEndpoint", "http://rdf.insee.fr/sparql")
    graph.add(INSEE_DATASET, FOAF + "homepage", "http://rdf.insee.fr/")
    return graph


def build_sirene_graph(graphs: Iterable[Graph]) -> Graph:
    links = sirene_links(graphs)
    graph = build_links_graph(LINKS_SIRENE_INFO, links, FOAF + "page", (REFERENCE_DATASET, ANNUAIRE_DATASET))
    titles = (
        "Annuaire des Entreprises : fiches des unités légales du répertoire Sirene",
        "Annuaire des Entreprises: pages of the legal units of the Sirene register",
    )
    _describe_target(graph, ANNUAIRE_DATASET, titles, ANNUAIRE_ENTREPRISE)
    graph.add(ANNUAIRE_DATASET, FOAF + "homepage", "https://annuaire-entreprises.data.gouv.fr/")
    graph.add(REFERENCE_DATASET, RDF + "type", VOID + "Dataset")
    graph.add(REFERENCE_DATASET, DCT + "title", fr("Quartiers KG : données de référence"))
    graph.add(REFERENCE_DATASET, DCT + "title", en("Quartiers KG: reference data"))
    for source in LINKS_SIRENE_INFO.derived_from:
        graph.add(REFERENCE_DATASET, VOID + "subset", source)
    return graph


def _describe_target(graph: Graph, iri: str, titles: tuple[str, str], uri_space: str) -> None:
    graph.add(iri, RDF + "type", VOID + "Dataset")
    graph.add(iri, DCT + "title", fr(titles[0]))
    graph.add(iri, DCT + "title", en(titles[1]))
    graph.add(iri, VOID + "uriSpace", string(uri_space))
