"""IRIs of the project's namespaces and of the vocabularies it reuses (see docs/model.md)."""

from __future__ import annotations

BASE = "https://w3id.org/quartiers/"
QK = BASE + "def#"
QKC = BASE + "concept/"
QKI = BASE + "id/"
QKG = BASE + "graph/"

IGEO = "http://rdf.insee.fr/def/geo#"
ORG = "http://www.w3.org/ns/org#"
CPOV = "http://data.europa.eu/m8g/"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
DC = "http://purl.org/dc/elements/1.1/"
DCAT = "http://www.w3.org/ns/dcat#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
FOAF = "http://xmlns.com/foaf/0.1/"
GEO = "http://www.opengis.net/ont/geosparql#"
SF = "http://www.opengis.net/ont/sf#"
TIME = "http://www.w3.org/2006/time#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
QB = "http://purl.org/linked-data/cube#"
# FIBO Foundations, Agreements module (alignment of qk:Contract, see docs/ontology.md)
FIBO_AGR = "https://spec.edmcouncil.org/fibo/ontology/FND/Agreements/Agreements/"
# EU Publications Office authority table of currencies: the value of qk:currency
EU_CURRENCY = "http://publications.europa.eu/resource/authority/currency/"
EUR = EU_CURRENCY + "EUR"

PREFIXES: dict[str, str] = {
    "qk": QK,
    "qkc": QKC,
    "qki": QKI,
    "qkg": QKG,
    "igeo": IGEO,
    "org": ORG,
    "cpov": CPOV,
    "schema": SCHEMA,
    "prov": PROV,
    "dct": DCT,
    "dc": DC,
    "dcat": DCAT,
    "skos": SKOS,
    "foaf": FOAF,
    "geo": GEO,
    "sf": SF,
    "time": TIME,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "sh": SH,
    "qb": QB,
    "void": VOID,
}


def sparql_prefixes(names: list[str] | None = None) -> str:
    """PREFIX declarations for a SPARQL query (all known prefixes by default)."""
    chosen = names if names is not None else list(PREFIXES)
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in chosen)
