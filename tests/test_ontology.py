"""Checks of the ontology (ontology/quartiers.ttl) and the concept schemes (ontology/concepts.ttl).

- both files parse with rdflib and pyoxigraph, to the same number of triples;
- every ``qk:`` term named in docs/model.md is declared, with a French and an English label and definition;
- every concept has fr+en prefLabels and belongs to exactly one scheme; the 10 national themes exist;
- inverses and property chains are declared, and an OWL RL closure (owlrl) really infers through them.
"""

from __future__ import annotations

import re
from pathlib import Path

import owlrl
import pyoxigraph
import pytest
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "quartiers.ttl"
CONCEPTS = ROOT / "ontology" / "concepts.ttl"
MODEL = ROOT / "docs" / "model.md"

QK = Namespace("https://w3id.org/quartiers/def#")
QKC = Namespace("https://w3id.org/quartiers/concept/")
QKI = Namespace("https://w3id.org/quartiers/id/")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCT = Namespace("http://purl.org/dc/terms/")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
VANN = Namespace("http://purl.org/vocab/vann/")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
CPOV = Namespace("http://data.europa.eu/m8g/")
SCHEMA = Namespace("https://schema.org/")
QB = Namespace("http://purl.org/linked-data/cube#")
FIBO_AGR = Namespace("https://spec.edmcouncil.org/fibo/ontology/FND/Agreements/Agreements/")
EUR = URIRef("http://publications.europa.eu/resource/authority/currency/EUR")
SYN = Namespace("https://example.org/synthetic/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

ONTOLOGY_IRI = URIRef("https://w3id.org/quartiers/def")
DECLARATION_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property}
THEMES = {
    "emploi",
    "renouvellement-urbain",
    "education",
    "culture",
    "sante",
    "transition-ecologique",
    "cohesion-sociale",
    "securite-prevention",
    "cadre-de-vie",
    "acces-aux-droits",
}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def concepts() -> Graph:
    return Graph().parse(CONCEPTS, format="turtle")


def model_terms() -> set[str]:
    """Local names of every qk: term written in docs/model.md."""
    return set(re.findall(r"\bqk:([A-Za-z][A-Za-z0-9_]*)", MODEL.read_text(encoding="utf-8")))


def langs(graph: Graph, subject: URIRef, predicate: URIRef) -> list[str | None]:
    return [o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)]


# --- parsing -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ONTOLOGY, CONCEPTS], ids=["quartiers", "concepts"])
def test_parses_with_rdflib_and_pyoxigraph_to_same_size(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(graph) > 100
    assert len(store) == len(graph)


# --- ontology header -----------------------------------------------------------------------------------------------


def test_ontology_header(onto: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    assert onto.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef("https://w3id.org/quartiers/def/0.1.0")
    assert str(onto.value(ONTOLOGY_IRI, OWL.versionInfo)) == "0.1.0"
    assert sorted(langs(onto, ONTOLOGY_IRI, DCT.title)) == ["en", "fr"]
    assert sorted(langs(onto, ONTOLOGY_IRI, DCT.description)) == ["en", "fr"]
    assert onto.value(ONTOLOGY_IRI, DCT.license) is not None
    assert onto.value(ONTOLOGY_IRI, DCT.created).datatype == XSD.date
    assert str(onto.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == "qk"
    assert str(onto.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == str(QK)


# --- terms of docs/model.md ----------------------------------------------------------------------------------------


def test_model_md_names_many_terms() -> None:
    terms = model_terms()
    assert len(terms) > 80
    assert {"QPV", "Contract", "Funding", "concernsCommune", "signatory"} <= terms


@pytest.mark.parametrize("name", sorted(model_terms()))
def test_model_term_declared_with_fr_en_label_and_definition(onto: Graph, name: str) -> None:
    term = QK[name]
    types = set(onto.objects(term, RDF.type))
    assert types & DECLARATION_TYPES, f"qk:{name} is not declared"
    assert {"fr", "en"} <= set(langs(onto, term, RDFS.label)), f"qk:{name} lacks an @fr or @en label"
    assert {"fr", "en"} <= set(langs(onto, term, SKOS.definition)), f"qk:{name} lacks an @fr or @en definition"
    assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in onto


def test_every_qk_term_of_the_ontology_is_documented(onto: Graph) -> None:
    declared = {s for s in onto.subjects(RDF.type, None) if isinstance(s, URIRef) and s.startswith(str(QK))}
    assert len(declared) >= len(model_terms())
    for term in declared:
        assert sorted(langs(onto, term, RDFS.label)) == ["en", "fr"], term
        assert sorted(langs(onto, term, SKOS.definition)) == ["en", "fr"], term


def test_qk_terms_used_in_concepts_are_declared(onto: Graph, concepts: Graph) -> None:
    used = {t for triple in concepts for t in triple if isinstance(t, URIRef) and t.startswith(str(QK))}
    assert QK.Programme in used and QK.partOfProgramme in used
    declared = {s for s in onto.subjects(RDF.type, None) if isinstance(s, URIRef)}
    assert used <= declared, used - declared


def test_classes_and_properties_are_typed_consistently(onto: Graph) -> None:
    classes = set(onto.subjects(RDF.type, OWL.Class))
    objects = set(onto.subjects(RDF.type, OWL.ObjectProperty))
    datas = set(onto.subjects(RDF.type, OWL.DatatypeProperty))
    assert not (objects & datas)
    assert not (classes & (objects | datas))
    assert QK.QPV in classes and QK.Funding in classes
    assert QK.coversQPV in objects and QK.amount in datas and QK.siren in datas


# --- key axioms ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sub", "sup"),
    [
        (QK.QPV, GEO.Feature),
        (QK.CityContract2015, QK.Contract),
        (QK.Quartiers2030Contract, QK.Contract),
        (QK.Contract, PROV.Entity),
        (QK.Contract, FIBO_AGR.MutualAgreement),
        (QK.Signature, PROV.Activity),
        (QK.Organisation, ORG.Organization),
        (QK.Organisation, FOAF.Organization),
        (QK.Organisation, SCHEMA.Organization),
        (QK.StateService, CPOV.PublicOrganisation),
        (QK.LocalAuthority, CPOV.PublicOrganisation),
        (QK.PublicBody, CPOV.PublicOrganisation),
        (QK.EPCIAuthority, QK.LocalAuthority),
        (QK.FamilyAllowanceFund, QK.PublicBody),
        (QK.ChamberOfCommerce, QK.Chamber),
        (QK.Funding, SCHEMA.MonetaryGrant),
        (QK.FundingAggregate, QB.Observation),
        (QK.Programme, PROV.Plan),
        (QK.SourceDocument, FOAF.Document),
        (QK.Commitment, PROV.Entity),
    ],
)
def test_subclass_alignments(onto: Graph, sub: URIRef, sup: URIRef) -> None:
    assert (sub, RDFS.subClassOf, sup) in onto


def test_funding_aggregate_is_no_funding_line(onto: Graph) -> None:
    """A yearly aggregate is an observation, disjoint from qk:Funding, and none of its properties has qk:Funding
    (or a super-class of it) as domain or range (tests/test_funding_entailment.py computes the consequence)."""
    assert (QK.FundingAggregate, RDFS.subClassOf, QK.Funding) not in onto
    assert (QK.FundingAggregate, OWL.disjointWith, QK.Funding) in onto
    properties = {QK.aggregateAmount, QK.aggregatePostCount, QK.aggregateYear, QK.aggregateScheme, QK.aggregateContract}
    for prop in properties:
        assert onto.value(prop, RDFS.domain) == QK.FundingAggregate
        assert onto.value(prop, RDFS.range) != QK.Funding
        assert not list(onto.objects(prop, RDFS.subPropertyOf))
    for prop in (QK.currency, QK.departement):  # shared with funding lines: no domain
        assert onto.value(prop, RDFS.domain) is None


def test_contract_is_no_procurement_contract(onto: Graph) -> None:
    used = {str(t) for triple in onto for t in triple}
    assert not any("data.europa.eu/a4g" in t for t in used)


def test_property_ranges_and_alignments(onto: Graph) -> None:
    assert onto.value(QK.amount, RDFS.range) == XSD.decimal
    assert onto.value(QK.year, RDFS.range) == XSD.gYear
    assert onto.value(QK.participantCount, RDFS.range) == XSD.nonNegativeInteger
    assert onto.value(QK.postCount, RDFS.range) == XSD.nonNegativeInteger
    assert onto.value(QK.period, RDFS.range) == DCT.PeriodOfTime
    assert onto.value(QK.commune, RDFS.range) == IGEO.Commune
    assert onto.value(QK.memberOf, RDFS.range) == IGEO.Intercommunalite
    assert (QK.funder, RDFS.subPropertyOf, SCHEMA.funder) in onto
    assert (QK.territory, RDFS.subPropertyOf, DCT.spatial) in onto
    assert (QK.jurisdiction, RDFS.subPropertyOf, DCT.spatial) in onto
    assert (QK.contract, RDF.type, OWL.FunctionalProperty) in onto


def test_only_real_igeo_terms_are_referenced(onto: Graph, concepts: Graph) -> None:
    """igeo terms used here exist in the INSEE ontology (checked against the shared copy when present)."""
    used = {
        t for g in (onto, concepts) for triple in g for t in triple if isinstance(t, URIRef) and t.startswith(str(IGEO))
    }
    assert {IGEO.Commune, IGEO.Intercommunalite, IGEO.Departement, IGEO.Region} <= used
    insee = ROOT.parent / "shared" / "reference" / "ontology" / "insee-geo.ttl"
    if not insee.is_file():
        pytest.skip("shared INSEE ontology not available")
    known = set(Graph().parse(insee, format="turtle").subjects(RDFS.isDefinedBy, URIRef("http://rdf.insee.fr/def/geo")))
    assert used <= known, used - known


@pytest.mark.parametrize(
    ("prop", "inverse"),
    [
        (QK.coveredBy, QK.coversQPV),
        (QK.hasCommitment, QK.withinContract),
        (QK.hasSignature, QK.signatureOf),
        (QK.hasMember, QK.memberOf),
        (QK.predecessor, QK.successor),
        (QK.hasFunding, QK.contract),
    ],
)
def test_inverses_declared(onto: Graph, prop: URIRef, inverse: URIRef) -> None:
    assert (prop, OWL.inverseOf, inverse) in onto or (inverse, OWL.inverseOf, prop) in onto


@pytest.mark.parametrize(
    ("prop", "chain"),
    [
        (QK.concernsCommune, [QK.coversQPV, QK.commune]),
        (QK.signatory, [QK.hasSignature, QK.signer]),
        (QK.concernsEPCI, [QK.coversQPV, QK.epci]),
    ],
)
def test_property_chains_declared(onto: Graph, prop: URIRef, chain: list[URIRef]) -> None:
    head = onto.value(prop, OWL.propertyChainAxiom)
    assert head is not None
    assert list(Collection(onto, head)) == chain


def test_stays_out_of_non_rl_constructs(onto: Graph) -> None:
    """No unions, existential restrictions or equivalences with class expressions: OWL 2 RL stays usable."""
    for forbidden in (OWL.unionOf, OWL.someValuesFrom, OWL.cardinality, OWL.minCardinality, OWL.oneOf):
        assert not list(onto.subject_objects(forbidden)), forbidden
    for _, sup in onto.subject_objects(RDFS.subClassOf):
        assert isinstance(sup, URIRef)


# --- concept schemes -----------------------------------------------------------------------------------------------


def test_every_concept_has_fr_en_preflabel_and_one_scheme(concepts: Graph) -> None:
    all_concepts = set(concepts.subjects(RDF.type, SKOS.Concept))
    assert len(all_concepts) >= 40
    schemes = set(concepts.subjects(RDF.type, SKOS.ConceptScheme))
    for concept in all_concepts:
        labels = langs(concepts, concept, SKOS.prefLabel)
        assert sorted(labels) == ["en", "fr"], concept
        in_schemes = list(concepts.objects(concept, SKOS.inScheme))
        assert len(in_schemes) == 1, concept
        assert in_schemes[0] in schemes
        assert str(concept).startswith(str(in_schemes[0]) + "/"), concept
        top = concepts.value(concept, SKOS.topConceptOf)
        assert top == in_schemes[0]
        assert (top, SKOS.hasTopConcept, concept) in concepts


def test_every_scheme_has_fr_en_label_and_members(concepts: Graph) -> None:
    schemes = set(concepts.subjects(RDF.type, SKOS.ConceptScheme))
    expected = {
        "theme",
        "role-signataire",
        "fonction",
        "statut-perimetre",
        "zone",
        "base-montant",
        "fondement",
        "principe",
    }
    assert {str(s).removeprefix(str(QKC)) for s in schemes} == expected
    for scheme in schemes:
        assert sorted(langs(concepts, scheme, SKOS.prefLabel)) == ["en", "fr"]
        members = set(concepts.subjects(SKOS.inScheme, scheme))
        assert members == set(concepts.objects(scheme, SKOS.hasTopConcept)) and members


def test_the_ten_themes(concepts: Graph) -> None:
    themes = {str(c).removeprefix(str(QKC) + "theme/") for c in concepts.subjects(SKOS.inScheme, QKC.theme)}
    assert themes == THEMES


@pytest.mark.parametrize(
    ("scheme", "slugs"),
    [
        (
            "role-signataire",
            {
                "etat",
                "epci",
                "commune",
                "departement",
                "region",
                "organisme-public",
                "chambre-consulaire",
                "bailleur-social",
                "association",
                "autre",
            },
        ),
        ("zone", {"metropole", "drom", "com"}),
        ("base-montant", {"total", "annuel"}),
        ("fondement", {"texte-source", "loi"}),
        ("principe", {"laicite", "non-discrimination"}),
        ("statut-perimetre", {"modifie", "inchange", "nouveau", "mayotte"}),
    ],
)
def test_scheme_members(concepts: Graph, scheme: str, slugs: set[str]) -> None:
    found = {str(c).removeprefix(f"{QKC}{scheme}/") for c in concepts.subjects(SKOS.inScheme, QKC[scheme])}
    assert found == slugs


def test_fonction_has_the_posts_the_seed_uses(concepts: Graph) -> None:
    for slug in ("prefet", "conseiller-departemental", "president-epci", "maire"):
        assert (QKC[f"fonction/{slug}"], SKOS.inScheme, QKC.fonction) in concepts
        assert (QKC[f"fonction/{slug}"], RDF.type, ORG.Role) in concepts


def test_perimeter_status_notations(concepts: Graph) -> None:
    notations = {
        str(concepts.value(c, SKOS.notation)): str(c).rsplit("/", 1)[1]
        for c in concepts.subjects(SKOS.inScheme, QKC["statut-perimetre"])
    }
    assert notations == {"M": "modifie", "I": "inchange", "N": "nouveau", "C": "mayotte"}
    note = " ".join(str(n) for n in concepts.objects(QKC["statut-perimetre"], SKOS.scopeNote) if n.language == "en")
    assert "inferred" in note


# --- programmes ----------------------------------------------------------------------------------------------------


def test_programme_instances(concepts: Graph) -> None:
    programmes = {str(p).removeprefix(str(QKI) + "programme/") for p in concepts.subjects(RDF.type, QK.Programme)}
    assert programmes == {"p147", "npnru", "cper-2015-2020", "adulte-relais", "fonjep"}
    p147 = QKI["programme/p147"]
    assert str(concepts.value(p147, QK.programmeCode)) == "147"
    for slug in ("adulte-relais", "fonjep"):
        assert concepts.value(QKI[f"programme/{slug}"], QK.partOfProgramme) == p147
    for slug in programmes:
        assert sorted(langs(concepts, QKI[f"programme/{slug}"], RDFS.label)) == ["en", "fr"]
    period = concepts.value(QKI["programme/cper-2015-2020"], QK.period)
    assert period == QKI["programme/cper-2015-2020/periode"]
    assert (period, RDF.type, DCT.PeriodOfTime) in concepts
    assert concepts.value(period, DCAT.startDate) == Literal("2015-01-01", datatype=XSD.date)
    assert concepts.value(period, DCAT.endDate) == Literal("2020-12-31", datatype=XSD.date)


# --- OWL RL closure ------------------------------------------------------------------------------------------------


def synthetic_instances() -> Graph:
    """A tiny contract with one QPV on two communes, one signature, one commitment and one funding line."""
    g = Graph()
    contract, qpv, signature = SYN.contract, SYN.qpv, SYN.signature
    g.add((contract, RDF.type, QK.Quartiers2030Contract))
    g.add((contract, QK.coversQPV, qpv))
    g.add((qpv, RDF.type, QK.QPV))
    g.add((qpv, QK.qpvCode, Literal("QN00000M")))
    g.add((qpv, QK.commune, SYN.communeA))
    g.add((qpv, QK.commune, SYN.communeB))
    g.add((qpv, QK.epci, SYN.epciTerritory))
    g.add((SYN.communeC, RDF.type, IGEO.Commune))  # a commune no QPV of the contract touches
    g.add((SYN.communeA, QK.memberOf, SYN.epciTerritory))
    g.add((contract, QK.hasSignature, signature))
    g.add((signature, QK.signer, SYN.caf))
    g.add((signature, QK.signingDate, Literal("2024-07-10", datatype=XSD.date)))
    g.add((signature, QK.signatoryRole, QKC["role-signataire/organisme-public"]))
    g.add((SYN.caf, RDF.type, QK.FamilyAllowanceFund))
    g.add((SYN.commitment, QK.withinContract, contract))
    g.add((SYN.commitment, QK.theme, QKC["theme/emploi"]))
    g.add((SYN.funding, RDF.type, QK.Funding))
    g.add((SYN.funding, QK.contract, contract))
    g.add((SYN.funding, QK.amount, Literal("5000000", datatype=XSD.decimal)))
    g.add((SYN.funding, QK.currency, EUR))
    g.add((SYN.funding, QK.year, Literal("2024", datatype=XSD.gYear)))
    g.add((SYN.funding, QK.scheme, QKI["programme/adulte-relais"]))
    g.add((SYN.event, QK.participantCount, Literal(40, datatype=XSD.nonNegativeInteger)))
    return g


@pytest.fixture(scope="module")
def closure(onto: Graph, concepts: Graph) -> Graph:
    graph = Graph()
    for source in (onto, concepts, synthetic_instances()):
        for triple in source:
            graph.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def test_closure_has_no_inconsistency(closure: Graph) -> None:
    errors = [str(m) for m in closure.objects(None, owlrl.Namespaces.ERRNS.error)]
    assert errors == []


def test_chain_infers_concerns_commune(closure: Graph) -> None:
    assert set(closure.objects(SYN.contract, QK.concernsCommune)) == {SYN.communeA, SYN.communeB}
    assert (SYN.contract, QK.concernsEPCI, SYN.epciTerritory) in closure


def test_chain_infers_signatory(closure: Graph) -> None:
    assert set(closure.objects(SYN.contract, QK.signatory)) == {SYN.caf}


def test_inverses_and_hierarchy_are_inferred(closure: Graph) -> None:
    assert (SYN.qpv, QK.coveredBy, SYN.contract) in closure
    assert (SYN.signature, QK.signatureOf, SYN.contract) in closure
    assert (SYN.contract, QK.hasCommitment, SYN.commitment) in closure
    assert (SYN.contract, QK.hasFunding, SYN.funding) in closure
    assert (SYN.epciTerritory, QK.hasMember, SYN.communeA) in closure
    assert (SYN.contract, RDF.type, QK.Contract) in closure
    assert (SYN.caf, RDF.type, CPOV.PublicOrganisation) in closure
    assert (SYN.caf, RDF.type, ORG.Organization) in closure
    assert (SYN.qpv, RDF.type, GEO.Feature) in closure
    assert (SYN.communeA, RDF.type, IGEO.Commune) in closure
    assert (SYN.signature, RDF.type, QK.Signature) in closure
    assert (SYN.funding, RDF.type, SCHEMA.MonetaryGrant) in closure
    assert (QKI["programme/adulte-relais"], RDF.type, PROV.Plan) in closure


def test_closure_does_not_overreach(closure: Graph) -> None:
    assert (SYN.contract, QK.concernsCommune, SYN.communeC) not in closure
    assert (SYN.contract, QK.signatory, SYN.signature) not in closure
    assert not isinstance(closure.value(SYN.contract, QK.signatory), BNode)
