"""The two hand-written seed contracts (data/contracts/*.ttl) hold the facts of their source pages.

Loads the ontology (when present) and the three contract files into a fresh in-memory store, each file in
its named graph, and checks the facts with SPARQL. When the importer's output (data/reference/*.ttl) is
present, also checks that every QPV, commune, EPCI, 2015 contract and reference organisation the seed
contracts use is described there.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from graph.layout import graph_iri_for, resource_root, shared_dir
from graph.namespaces import QKI, sparql_prefixes
from graph.store import Store, open_store

ROOT = resource_root()
CONTRACTS = ROOT / "data" / "contracts"
CONTRACT_FILES = [
    CONTRACTS / "saint-etienne-metropole-2024.ttl",
    CONTRACTS / "annemasse-agglomeration-2024.ttl",
]
ONTOLOGY_FILES = sorted((ROOT / "ontology").glob("*.ttl"))
REFERENCE_FILES = sorted((ROOT / "data" / "reference").glob("*.ttl"))
REF_CSV = shared_dir() / "reference"

PREFIXES = sparql_prefixes()
SEM = QKI + "contrat/2024/244200770"
ANN = QKI + "contrat/2024/200011773"
SEM_PAGE = "https://saint-etienne-metropole.fr/habiter-se-deplacer/politique-de-la-ville/le-contrat-de-ville-2024-2030"
ANN_PAGE = "https://hautesavoie.fr/?p=7941"
LAW_PAGE = "https://www.legifrance.gouv.fr/loda/id/JORFTEXT000028636804"
ROLE = "https://w3id.org/quartiers/concept/role-signataire/"
THEME = "https://w3id.org/quartiers/concept/theme/"
EUR = "http://publications.europa.eu/resource/authority/currency/EUR"
TEXTE_SOURCE = "<https://w3id.org/quartiers/concept/fondement/texte-source>"
ROLE_COMMUNE = f"<{ROLE}commune>"
CONTRACT_GRAPHS = "https://w3id.org/quartiers/graph/data/contracts/"

SEM_QPV = {f"QN042{n:02d}M" for n in range(2, 17)} | {f"QN042{n:02d}N" for n in range(20, 25)}
ANN_QPV = {"QN07401M", "QN07402M"}


def load_files(store: Store, files: list[Path]) -> None:
    for path in files:
        store.load(path.read_bytes(), "text/turtle", graph_iri_for(path, ROOT))


@pytest.fixture(scope="module")
def store() -> Store:
    s = open_store()
    load_files(s, ONTOLOGY_FILES + CONTRACT_FILES)
    return s


def rows(store: Store, sparql: str) -> list[dict[str, str]]:
    return store.query(PREFIXES + sparql).rows()


def values(store: Store, sparql: str, var: str = "x") -> list[str]:
    return [r[var] for r in rows(store, sparql) if var in r]


def iris_in_contract_graphs(store: Store, *, subjects_only: bool = False) -> set[str]:
    """Every IRI used (as subject, or also as object) in the graphs of data/contracts/."""
    pattern = "?x ?p ?o" if subjects_only else "{ ?x ?p ?o } UNION { ?s ?p ?x }"
    found = values(
        store,
        f"""SELECT DISTINCT ?x WHERE {{ GRAPH ?g {{ {pattern} }}
            FILTER(STRSTARTS(STR(?g), "{CONTRACT_GRAPHS}") && isIRI(?x)) }}""",
    )
    return set(found)


def local(iri: str, prefix: str) -> str:
    assert iri.startswith(prefix), iri
    return iri[len(prefix) :]


def dgcl_members() -> dict[str, dict[str, str]]:
    """siren_membre -> DGCL 2024 composition row (commune bodies)."""
    with (REF_CSV / "geo" / "dgcl_epcicom2024_composition.csv").open(encoding="utf-8") as f:
        return {r["siren_membre"]: r for r in csv.DictReader(f)}


def reference_sirens() -> set[str]:
    """Every SIREN present in the shared reference CSVs (EPCI, member communes, 2015 contract carriers)."""
    sirens: set[str] = set()
    with (REF_CSV / "geo" / "dgcl_epcicom2024_composition.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            sirens.update({r["siren"], r["siren_membre"]})
    with (REF_CSV / "geo" / "dgcl_epci2024_list.csv").open(encoding="utf-8") as f:
        sirens.update(r["siren"] for r in csv.DictReader(f))
    with (REF_CSV / "contrats" / "contrats_de_ville_2015_2023_anct_civille.csv").open(encoding="utf-8") as f:
        sirens.update(r["siren_porteur"] for r in csv.DictReader(f))
    return {s for s in sirens if s}


# --- graph self-description --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", CONTRACT_FILES, ids=lambda p: p.stem)
def test_each_file_describes_its_graph(store: Store, path: Path) -> None:
    g = graph_iri_for(path, ROOT)
    assert g == f"https://w3id.org/quartiers/graph/data/contracts/{path.stem}"
    found = rows(
        store,
        f"""
        SELECT ?fr ?en ?src ?lic ?der WHERE {{ GRAPH <{g}> {{
            <{g}> a prov:Entity, dcat:Dataset ; dct:source ?src ; dct:license ?lic ; prov:wasDerivedFrom ?der ;
                dct:title ?fr, ?en .
            FILTER(lang(?fr) = "fr" && lang(?en) = "en") }} }}""",
    )
    assert found, f"{g} does not describe itself"
    sources = {r["src"] for r in found}
    if path.stem == "saint-etienne-metropole-2024":
        assert sources == {SEM_PAGE, LAW_PAGE}
    elif path.stem == "annemasse-agglomeration-2024":
        assert sources == {ANN_PAGE, LAW_PAGE}


def test_source_documents(store: Store) -> None:
    docs = {
        r["d"]: r
        for r in rows(
            store,
            """
        SELECT ?d ?title ?pub WHERE { ?d a qk:SourceDocument ; dct:title ?title ; dct:publisher ?pub }""",
        )
    }
    assert {SEM_PAGE, ANN_PAGE, LAW_PAGE} <= set(docs)
    assert docs[SEM_PAGE]["pub"] == QKI + "org/244200770"
    assert docs[ANN_PAGE]["pub"] == QKI + "org/departement-haute-savoie"
    issued = values(store, f"SELECT ?x WHERE {{ <{ANN_PAGE}> dct:issued ?x }}")
    assert issued == ["2025-03-06"]


# --- contracts ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("contract", "siren", "predecessor", "signing"),
    # Annemasse: the page dates the Département's signature only, not the contract's (issue 7, §3)
    [(SEM, "244200770", "CV137", "2024-07-10"), (ANN, "200011773", "CV263", None)],
    ids=["saint-etienne", "annemasse"],
)
def test_contract_core(store: Store, contract: str, siren: str, predecessor: str, signing: str | None) -> None:
    found = rows(
        store,
        f"""
        SELECT ?label ?date ?carrier ?territory ?pred WHERE {{
            <{contract}> a qk:Quartiers2030Contract ; rdfs:label ?label ;
                qk:carriedBy ?carrier ; qk:territory ?territory ; qk:predecessor ?pred .
            OPTIONAL {{ <{contract}> qk:signingDate ?date . FILTER(datatype(?date) = xsd:date) }}
            FILTER(lang(?label) = "fr") }}""",
    )
    assert len(found) == 1, found
    r = found[0]
    assert r.get("date") == signing
    assert r["carrier"] == QKI + f"org/{siren}"
    assert r["territory"] == QKI + f"epci/{siren}"
    assert r["pred"] == QKI + f"contrat/2015/{predecessor}"


def test_predecessors_match_the_2015_table() -> None:
    with (REF_CSV / "contrats" / "contrats_de_ville_2015_2023_anct_civille.csv").open(encoding="utf-8") as f:
        by_siren = {r["siren_porteur"]: r["code_cv"] for r in csv.DictReader(f)}
    assert by_siren["244200770"] == "CV137"
    assert by_siren["200011773"] == "CV263"


def test_saint_etienne_period_and_labels(store: Store) -> None:
    found = rows(
        store,
        f"""
        SELECT ?start ?end WHERE {{ <{SEM}> qk:period [ dcat:startDate ?start ; dcat:endDate ?end ] }}""",
    )
    assert found == [{"start": "2024-01-01", "end": "2030-12-31"}]
    assert values(store, f"SELECT ?x WHERE {{ <{SEM}> rdfs:label ?x }}") == [
        "Contrat de ville 2024-2030 de Saint-Étienne Métropole"
    ]
    assert values(store, f"SELECT ?x WHERE {{ <{ANN}> rdfs:label ?x }}") == [
        "Contrat Engagements Quartiers 2030 de l'agglomération annemassienne"
    ]


@pytest.mark.parametrize(("contract", "expected"), [(SEM, SEM_QPV), (ANN, ANN_QPV)], ids=["saint-etienne", "annemasse"])
def test_qpv_coverage_exact(store: Store, contract: str, expected: set[str]) -> None:
    covered = {local(x, QKI + "qpv/") for x in values(store, f"SELECT ?x WHERE {{ <{contract}> qk:coversQPV ?x }}")}
    assert covered == expected


@pytest.mark.parametrize(
    ("contract", "siren"), [(SEM, "244200770"), (ANN, "200011773")], ids=["saint-etienne", "annemasse"]
)
def test_qpv_coverage_matches_table_and_is_sourced_from_it(store: Store, contract: str, siren: str) -> None:
    with (REF_CSV / "qpv" / "qpv_2024.csv").open(encoding="utf-8") as f:
        table = {r["code_qp"] for r in csv.DictReader(f) if siren in r["siren_epci"].split(";")}
    covered = {local(x, QKI + "qpv/") for x in values(store, f"SELECT ?x WHERE {{ <{contract}> qk:coversQPV ?x }}")}
    assert covered == table
    # each coverage triple is reified with the QPV list as its source
    sourced = values(
        store,
        f"""
        SELECT ?x WHERE {{ ?st a rdf:Statement ; rdf:subject <{contract}> ; rdf:predicate qk:coversQPV ;
            rdf:object ?x ; prov:wasDerivedFrom ?src . FILTER(CONTAINS(STR(?src), "quartiers-prioritaires")) }}""",
    )
    assert {local(x, QKI + "qpv/") for x in sourced} == table


# --- Saint-Étienne: signatories, défis, money, concertation ----------------------------------------------------
def test_saint_etienne_signatories_by_role(store: Store) -> None:
    found = rows(
        store,
        f"""
        SELECT ?role ?basis (COUNT(DISTINCT ?org) AS ?n) WHERE {{
            <{SEM}> qk:hasSignature ?s .
            ?s a qk:Signature ; qk:signatureOf <{SEM}> ; qk:signer ?org ; qk:signatoryRole ?role ; qk:basis ?basis .
        }} GROUP BY ?role ?basis""",
    )
    counts = {(local(r["role"], ROLE), r["basis"].rsplit("/", 1)[1]): int(r["n"]) for r in found}
    assert counts == {
        ("departement", "texte-source"): 1,
        ("organisme-public", "texte-source"): 7,
        ("chambre-consulaire", "texte-source"): 2,
        ("bailleur-social", "texte-source"): 7,
        ("commune", "texte-source"): 11,
        ("etat", "loi"): 1,
        ("epci", "loi"): 1,
    }
    named = values(
        store,
        f"""
        SELECT ?x WHERE {{ <{SEM}> qk:hasSignature ?s . ?s qk:basis {TEXTE_SOURCE} ; qk:signer ?x }}""",
    )
    assert len(set(named)) == 28
    # qk:signatory (the chain shortcut) agrees with the signatures
    assert len(values(store, f"SELECT DISTINCT ?x WHERE {{ <{SEM}> qk:signatory ?x }}")) == 30


def test_saint_etienne_signature_dates_and_sources(store: Store) -> None:
    found = rows(
        store,
        f"""
        SELECT ?s ?date ?basis ?src WHERE {{
            <{SEM}> qk:hasSignature ?s . ?s qk:basis ?basis ; prov:wasDerivedFrom ?src .
            OPTIONAL {{ ?s qk:signingDate ?date }} }}""",
    )
    by_sig: dict[str, dict[str, set[str]]] = {}
    for r in found:
        entry = by_sig.setdefault(r["s"], {"date": set(), "basis": set(), "src": set()})
        entry["basis"].add(r["basis"].rsplit("/", 1)[1])
        entry["src"].add(r["src"])
        if "date" in r:
            entry["date"].add(r["date"])
    assert len(by_sig) == 30
    for sig, e in by_sig.items():
        if e["basis"] == {"texte-source"}:
            assert e["date"] == {"2024-07-10"}, sig
            assert SEM_PAGE in e["src"], sig
        else:
            assert e["basis"] == {"loi"}, sig
            assert LAW_PAGE in e["src"], sig


def test_saint_etienne_communes_are_dgcl_bodies(store: Store) -> None:
    members = dgcl_members()
    found = rows(
        store,
        f"""
        SELECT ?org ?com WHERE {{ <{SEM}> qk:hasSignature ?s . ?s qk:signatoryRole {ROLE_COMMUNE} ;
            qk:signer ?org . ?org a qk:CommuneAuthority ; qk:jurisdiction ?com }}""",
    )
    assert len(found) == 11
    names = set()
    for r in found:
        siren = local(r["org"], QKI + "org/")
        row = members[siren]
        assert row["siren"] == "244200770"
        assert r["com"] == QKI + f"commune/{row['insee']}"
        names.add(row["nom_membre"])
    assert names == {
        "Andrézieux-Bouthéon",
        "Le Chambon-Feugerolles",
        "Firminy",
        "La Grand-Croix",
        "La Ricamarie",
        "Rive-de-Gier",
        "Roche-la-Molière",
        "Saint-Chamond",
        "Saint-Étienne",
        "Saint-Paul-en-Jarez",
        "Unieux",
    }


def test_saint_etienne_named_bodies_and_landlords(store: Store) -> None:
    labels = set(
        values(
            store,
            f"""
        SELECT ?x WHERE {{ <{SEM}> qk:hasSignature ?s . ?s qk:basis {TEXTE_SOURCE} ; qk:signer ?o .
            ?o rdfs:label ?x }}""",
        )
    )
    assert {
        "Département de la Loire",
        "Caisse d'allocations familiales de la Loire",
        "Caisse primaire d'assurance maladie de la Loire",
        "France Travail",
        "Éducation nationale",
        "Chambre de commerce et d'industrie Lyon Métropole Saint-Étienne Roanne",
        "Chambre de métiers et de l'artisanat Auvergne-Rhône-Alpes",
        "Tribunal judiciaire de Saint-Étienne",
        "Banque des Territoires",
        "Aura HLM",
        "Bâtir et Loger",
        "Alliade Habitat",
        "Loire Habitat",
        "3F Immobilière Rhône-Alpes",
        "Habitat et Métropole",
        "Le Toit forézien",
    } <= labels
    assert values(
        store, "SELECT ?x WHERE { <https://w3id.org/quartiers/id/org/departement-loire> qk:jurisdiction ?x }"
    ) == [QKI + "departement/42"]


def test_saint_etienne_defis(store: Store) -> None:
    found = rows(
        store,
        f"""
        SELECT ?d ?label ?def WHERE {{ <{SEM}> qk:pillar ?d . ?d a skos:Concept ; skos:inScheme <{SEM}/defis> ;
            skos:prefLabel ?label ; skos:definition ?def . FILTER(lang(?label) = "fr" && lang(?def) = "fr") }}""",
    )
    labels = {local(r["d"], SEM + "/defis/"): r["label"] for r in found}
    assert labels == {
        "mon-quartier-agit": "mon quartier agit",
        "mon-quartier-emancipe": "mon quartier émancipe",
        "mon-quartier-revele": "mon quartier révèle",
        "mon-quartier-respire": "mon quartier respire",
    }
    matches = rows(
        store,
        f"""
        SELECT ?d ?t WHERE {{ <{SEM}> qk:pillar ?d . ?d skos:relatedMatch|skos:broadMatch ?t }}""",
    )
    by_defi: dict[str, set[str]] = {}
    for r in matches:
        by_defi.setdefault(local(r["d"], SEM + "/defis/"), set()).add(local(r["t"], THEME))
    assert {"education", "culture", "acces-aux-droits"} <= by_defi["mon-quartier-emancipe"]
    assert {"securite-prevention", "sante", "cadre-de-vie"} <= by_defi["mon-quartier-respire"]
    assert "emploi" in by_defi["mon-quartier-revele"]
    assert by_defi["mon-quartier-agit"] & {"cohesion-sociale", "acces-aux-droits"}


def test_saint_etienne_principles_and_concertation(store: Store) -> None:
    principles = values(store, f"SELECT ?x WHERE {{ <{SEM}> qk:principle ?x }}")
    assert {p.rsplit("/", 1)[1] for p in principles} == {"laicite", "non-discrimination"}
    assert values(
        store,
        f"""
        SELECT ?x WHERE {{ <{SEM}> qk:hasEvent ?e . ?e a qk:ConsultationEvent ; qk:participantCount ?x }}""",
    ) == ["500"]
    leaders = values(store, f"SELECT ?x WHERE {{ <{SEM}/evenement/concertation> prov:wasAssociatedWith ?x }}")
    assert set(leaders) == {QKI + "org/244200770", QKI + "org/etat"}


def test_saint_etienne_money(store: Store) -> None:
    found = rows(
        store,
        f"""
        SELECT ?amount ?basis WHERE {{ ?f a qk:Funding ; qk:contract <{SEM}> ; qk:funder <{QKI}org/244200770> ;
            qk:amount ?amount ; qk:currency <{EUR}> ; qk:amountBasis ?basis .
            FILTER(datatype(?amount) = xsd:decimal && ?amount = 5000000) }}""",
    )
    assert len(found) == 1
    assert found[0]["basis"].endswith("/base-montant/annuel")
    educators = rows(
        store,
        f"""
        SELECT ?n ?what ?purpose WHERE {{ ?f a qk:Funding ; qk:contract <{SEM}> ; qk:fundedResourceCount ?n ;
            qk:fundedResource ?what ; qk:purposeTheme ?purpose }}""",
    )
    assert educators == [
        {"n": "54", "what": "éducateurs de prévention spécialisée", "purpose": THEME + "securite-prevention"}
    ]
    commitments = rows(
        store,
        f"""
        SELECT ?c ?by ?theme WHERE {{ <{SEM}> qk:hasCommitment ?c . ?c qk:withinContract <{SEM}> ;
            qk:committedBy ?by ; qk:theme ?theme }}""",
    )
    assert commitments == [
        {
            "c": SEM + "/engagement/educateurs-prevention-specialisee",
            "by": QKI + "org/244200770",
            "theme": THEME + "securite-prevention",
        }
    ]


# --- Annemasse: Département, commitments, money, people ---------------------------------------------------------
DEP74 = QKI + "org/departement-haute-savoie"


def test_annemasse_signatures(store: Store) -> None:
    found = rows(
        store,
        f"""
        SELECT ?s ?org ?role ?basis WHERE {{ <{ANN}> qk:hasSignature ?s . ?s qk:signer ?org ;
            qk:signatoryRole ?role ; qk:basis ?basis }}""",
    )
    got = {(r["org"], local(r["role"], ROLE), r["basis"].rsplit("/", 1)[1]) for r in found}
    assert got == {
        (DEP74, "departement", "texte-source"),
        (QKI + "org/etat", "etat", "loi"),
        (QKI + "org/200011773", "epci", "loi"),
    }
    dep = rows(
        store,
        f"""
        SELECT ?date ?name ?post ?role ?div ?witness ?wpost WHERE {{
            <{ANN}/signature/departement-haute-savoie> qk:signingDate ?date ; qk:representedBy ?p ;
                qk:representativePost ?post ; qk:inPresenceOf ?w .
            ?p foaf:name ?name ; org:holds ?post . ?post org:postIn <{DEP74}> ; org:role ?role ;
                qk:electoralDivision ?div .
            ?w foaf:name ?witness ; org:holds ?wpost . ?wpost org:role ?wrole ; org:postIn ?pref .
            ?pref org:subOrganizationOf <{QKI}org/etat> . FILTER(STRENDS(STR(?wrole), "/prefet")) }}""",
    )
    assert len(dep) == 1
    r = dep[0]
    assert r["date"] == "2025-03-07"
    assert r["name"] == "Christian Verdonnet"
    assert r["role"].endswith("/fonction/conseiller-departemental")
    assert r["div"] == "canton d'Annemasse"
    assert r["witness"] == "Yves Le Breton"
    # the date ambiguity (article dated 6 March, text says Friday 7 March) is recorded
    comments = " ".join(values(store, f"SELECT ?x WHERE {{ <{ANN}> rdfs:comment ?x }}"))
    assert "06/03/2025" in comments and "vendredi 7 mars" in comments
    assert values(store, f"SELECT ?x WHERE {{ <{DEP74}> qk:jurisdiction ?x }}") == [QKI + "departement/74"]


def test_annemasse_five_departement_commitments(store: Store) -> None:
    found = rows(
        store,
        f"""
        SELECT ?c (COUNT(DISTINCT ?theme) AS ?n) (SAMPLE(?theme) AS ?t) WHERE {{
            <{ANN}> qk:hasCommitment ?c . ?c a qk:Commitment ; qk:committedBy <{DEP74}> ; qk:withinContract <{ANN}> ;
                dct:description ?d ; qk:theme ?theme . FILTER(lang(?d) = "fr") }} GROUP BY ?c""",
    )
    assert len(found) == 5
    assert all(r["n"] == "1" for r in found), found
    themes = {local(r["c"], ANN + "/engagement/"): local(r["t"], THEME) for r in found}
    assert themes["services-sociaux-qpv"] == "acces-aux-droits"
    assert themes["prevention-specialisee"] == "securite-prevention"
    assert themes["accompagnement-renforce-rsa"] == "emploi"
    assert themes["partenariat-associations"] == "acces-aux-droits"
    assert themes["participation-instances"] in {"securite-prevention", "cohesion-sociale"}


def test_annemasse_rsa_experiment_period_and_communes(store: Store) -> None:
    c = ANN + "/engagement/accompagnement-renforce-rsa"
    assert rows(store, f"SELECT ?s ?e WHERE {{ <{c}> qk:period [ dcat:startDate ?s ; dcat:endDate ?e ] }}") == [
        {"s": "2024-01-01", "e": "2025-12-31"}
    ]
    communes = {local(x, QKI + "commune/") for x in values(store, f"SELECT ?x WHERE {{ <{c}> dct:spatial ?x }}")}
    expected = {r["insee"] for r in dgcl_members().values() if r["siren"] == "200011773"}
    assert len(expected) == 12
    assert communes == expected


def test_annemasse_schemes(store: Store) -> None:
    found = values(
        store,
        f"""
        SELECT ?x WHERE {{ <{ANN}> qk:hasCommitment ?c . ?c qk:involves ?x . ?x a qk:LocalScheme ; rdfs:label ?l }}""",
    )
    assert {local(x, QKI + "dispositif/") for x in found} == {
        "cispd",
        "cil",
        "dre",
        "espace-france-services",
        "espace-de-vie-sociale",
        "epicerie-sociale",
        "aide-aux-victimes",
    }


def test_annemasse_money(store: Store) -> None:
    found = rows(
        store,
        f"""
        SELECT ?f ?amount ?scheme ?contract ?year ?old WHERE {{ ?f a qk:Funding ; qk:funder <{DEP74}> ;
            qk:amount ?amount ; qk:currency <{EUR}> . FILTER(datatype(?amount) = xsd:decimal)
            OPTIONAL {{ ?f qk:scheme ?scheme }} OPTIONAL {{ ?f qk:contract ?contract }}
            OPTIONAL {{ ?f qk:year ?year }} OPTIONAL {{ ?f qk:supersedes ?old }} }}""",
    )
    by_amount = {r["amount"]: r for r in found}
    assert set(by_amount) == {"7000000", "10000000"}
    cper, b2024 = by_amount["7000000"], by_amount["10000000"]
    assert cper["scheme"] == QKI + "programme/cper-2015-2020"
    assert "contract" not in cper
    assert "contract" not in b2024  # the page does not tie the 10 M€ to the contract (issue 7, §3)
    assert b2024["year"] == "2024"
    assert b2024["old"] == cper["f"]


def test_annemasse_haute_savoie_statement(store: Store) -> None:
    found = rows(
        store,
        f"""
        SELECT ?n WHERE {{
            ?s qk:qpvCount ?n ; dct:spatial <{QKI}departement/74> ; prov:wasDerivedFrom <{ANN_PAGE}> }}""",
    )
    assert found == [{"n": "6"}]
    notes = values(store, f"""SELECT ?x WHERE {{ <{ANN}/couverture/QN07402M> qk:note ?x }}""")
    assert any("Hutins" in n for n in notes)


# --- provenance and identifiers ---------------------------------------------------------------------------------
def test_everything_stated_has_provenance(store: Store) -> None:
    missing = values(
        store,
        """
        SELECT DISTINCT ?x WHERE {
            VALUES ?cls { qk:Contract qk:Quartiers2030Contract qk:Commitment qk:Funding qk:Signature
                          qk:ConsultationEvent qk:LocalScheme foaf:Person org:Post skos:Concept rdf:Statement }
            ?x a ?cls . FILTER(STRSTARTS(STR(?x), "https://w3id.org/quartiers/id/"))
            FILTER NOT EXISTS { ?x prov:wasDerivedFrom ?src } }""",
    )
    assert missing == []
    counts = {
        r["cls"].rsplit("#", 1)[1]: int(r["n"])
        for r in rows(
            store,
            """
        SELECT ?cls (COUNT(DISTINCT ?x) AS ?n) WHERE {
            VALUES ?cls { qk:Quartiers2030Contract qk:Commitment qk:Funding qk:Signature }
            ?x a ?cls ; prov:wasDerivedFrom ?src } GROUP BY ?cls""",
        )
    }
    assert counts == {"Quartiers2030Contract": 2, "Commitment": 6, "Funding": 4, "Signature": 33}


def test_organisations_declared_here_have_provenance(store: Store) -> None:
    orgs = {x for x in iris_in_contract_graphs(store, subjects_only=True) if x.startswith(QKI + "org/")}
    assert orgs
    without = [o for o in orgs if not values(store, f"SELECT ?x WHERE {{ <{o}> prov:wasDerivedFrom ?x }}")]
    assert without == []


def test_siren_iris_exist_in_reference_csvs(store: Store) -> None:
    used = iris_in_contract_graphs(store)
    pattern = re.compile(re.escape(QKI + "org/") + r"(\d{9})$")
    sirens = {m.group(1) for x in used if (m := pattern.match(x))}
    assert len(sirens) == 13  # the 11 commune bodies of the Saint-Étienne signatories and the 2 EPCI bodies
    unknown = sirens - reference_sirens()
    assert unknown == set()
    # every org IRI is either a 9-digit SIREN or a lowercase ascii slug
    slug = re.compile(re.escape(QKI + "org/") + r"([a-z0-9]+(-[a-z0-9]+)*)$")
    bad = [x for x in used if x.startswith(QKI + "org/") and not slug.match(x)]
    assert bad == []


# --- ontology and concepts, when the ontology helper's files are present ----------------------------------------
def test_concepts_used_are_declared(store: Store) -> None:
    if not (ROOT / "ontology" / "concepts.ttl").exists():
        pytest.skip("ontology/concepts.ttl is not there yet (written by the ontology helper)")
    used = {x for x in iris_in_contract_graphs(store) if x.startswith("https://w3id.org/quartiers/concept/")}
    concepts = "https://w3id.org/quartiers/graph/ontology/concepts"
    declared = set(values(store, f"SELECT ?x WHERE {{ GRAPH <{concepts}> {{ ?x a skos:Concept }} }}"))
    assert used - declared == set()


def test_programmes_used_are_declared(store: Store) -> None:
    if not ONTOLOGY_FILES:
        pytest.skip("ontology/*.ttl not there yet (written by the ontology helper)")
    declared = values(store, f"SELECT ?x WHERE {{ <{QKI}programme/cper-2015-2020> a ?x }}")
    assert declared, "qki:programme/cper-2015-2020 is not declared in the ontology files"


# --- reference data (the importer's output), when present ---------------------------------------------------------
@pytest.fixture(scope="module")
def reference_store(store: Store) -> Store:
    if not REFERENCE_FILES:
        pytest.skip("data/reference/*.ttl absent: the importer has not generated the reference graphs yet")
    s = open_store()
    load_files(s, REFERENCE_FILES)
    return s


@pytest.mark.parametrize("kind", ["qpv", "commune", "epci", "departement", "region", "contrat/2015"])
def test_referenced_territories_exist_in_reference_data(store: Store, reference_store: Store, kind: str) -> None:
    prefix = QKI + kind + "/"
    used = {x for x in iris_in_contract_graphs(store) if x.startswith(prefix) and "/" not in x[len(prefix) :]}
    assert used, f"no {kind} IRI used"
    missing = [x for x in sorted(used) if not reference_store.query(f"ASK {{ <{x}> a ?t }}").boolean]
    assert missing == [], f"{kind} IRIs used by the seed contracts but absent from data/reference: {missing}"


def test_referenced_organisations_exist_in_reference_data(store: Store, reference_store: Store) -> None:
    sem_communes = values(
        store,
        f"""
        SELECT ?x WHERE {{ <{SEM}> qk:hasSignature ?s . ?s qk:signatoryRole {ROLE_COMMUNE} ; qk:signer ?x }}""",
    )
    needed = [*sem_communes, QKI + "org/244200770", QKI + "org/200011773", QKI + "org/etat"]
    missing = [x for x in needed if not reference_store.query(f"ASK {{ <{x}> a ?t }}").boolean]
    assert missing == []
