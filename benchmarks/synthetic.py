"""Synthetic data shaped like the real graph, at any scale, in its own namespace (https://example.org/synthetic/).

The project's vocabulary (qk:, igeo:, rdfs:, geo:, prov:) is reused so that the same queries run on both; every
entity, graph and source IRI is synthetic. The unit of scale is one *département block*, whose proportions follow
the real graph (graph/build of main, December 2026): per département about 12 EPCIs, 110 communes (each with its
authority), 16 QPV (geometry and centroid), 4 contracts of the 2015 generation, 55 adulte-relais and 15 FONJEP
funding lines pointing at those contracts, 27 funding aggregates, 40 organisations, and one 2024-2030 contract
with its signatures, signatories and commitments. A région groups six départements. Blocks are added until the
target number of triples is reached (the last block may overshoot by a few thousand).

    PYTHONPATH=. python -m benchmarks.synthetic --triples 1000000 --out /tmp/synthetic-1M.nq
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from pathlib import Path

SYN = "https://example.org/synthetic/"
ID = SYN + "id/"
GRAPH = SYN + "graph/"
SOURCE = SYN + "source/"
QK = "https://w3id.org/quartiers/def#"
IGEO = "http://rdf.insee.fr/def/geo#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
PROV_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
GEO = "http://www.opengis.net/ont/geosparql#"
SF_POINT = "http://www.opengis.net/ont/sf#Point"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
EUR = "http://publications.europa.eu/resource/authority/currency/EUR"

EPCI_PER_DEPT, COMMUNES_PER_DEPT, QPV_PER_DEPT, CONTRACTS_2015_PER_DEPT = 12, 110, 16, 4
ADULTE_RELAIS_PER_DEPT, FONJEP_PER_DEPT, AGGREGATES_PER_DEPT, ORGS_PER_DEPT = 55, 15, 27, 40
SIGNATURES_2024, COMMITMENTS_2024, DEPTS_PER_REGION = 15, 5, 6
SCHEMES = ("adulte-relais", "fonjep")


def iri(value: str) -> str:
    return f"<{value}>"


def lit(value: str, lang: str | None = "fr") -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(value: object, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


class Writer:
    """N-Quads lines into one file; counts the quads written."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.count = 0

    def quad(self, s: str, p: str, o: str, graph: str) -> None:
        self.handle.write(f"{s} <{p}> {o} <{GRAPH}{graph}> .\n")
        self.count += 1

    def entity(self, subject: str, graph: str, pairs: list[tuple[str, str]]) -> None:
        s = iri(subject)
        for p, o in pairs:
            self.quad(s, p, o, graph)


def region_iri(n: int) -> str:
    return f"{ID}region/R{n:03d}"


def dept_block(w: Writer, d: int, rng: random.Random) -> None:
    """One département and everything that hangs from it."""
    dept = f"{ID}departement/D{d:04d}"
    src = iri(f"{SOURCE}geo")
    w.entity(
        dept,
        "geo",
        [
            (RDF_TYPE, iri(IGEO + "Departement")),
            (IGEO + "codeINSEE", lit(f"D{d:04d}", None)),
            (IGEO + "nom", lit(f"Département synthétique {d}")),
            (RDFS_LABEL, lit(f"Département synthétique {d}")),
            (IGEO + "subdivisionDirecteDe", iri(region_iri(d // DEPTS_PER_REGION))),
        ],
    )
    epcis = [f"{ID}epci/E{d:04d}{e:02d}" for e in range(EPCI_PER_DEPT)]
    for e, epci in enumerate(epcis):
        name = f"Communauté synthétique {d}-{e}"
        w.entity(
            epci,
            "geo",
            [
                (RDF_TYPE, iri(IGEO + "Intercommunalite")),
                (IGEO + "codeINSEE", lit(f"{d}{e}", None)),
                (QK + "epciNature", lit(rng.choice(["CA", "CC", "CU", "ME"]), None)),
                (IGEO + "nom", lit(name)),
                (QK + "siren", lit(f"9{d:05d}{e:03d}", None)),
                (RDFS_LABEL, lit(name)),
            ],
        )
        org = f"{ID}org/E{d:04d}{e:02d}"
        w.entity(
            org,
            "geo",
            [
                (RDF_TYPE, iri(QK + "EPCIAuthority")),
                (RDF_TYPE, iri(QK + "Organisation")),
                (QK + "jurisdiction", iri(epci)),
                (QK + "siren", lit(f"9{d:05d}{e:03d}", None)),
                (SKOS_ALT, lit(name.upper())),
                (PROV_FROM, src),
                (RDFS_LABEL, lit(name)),
            ],
        )
    communes = [f"{ID}commune/C{d:04d}{c:03d}" for c in range(COMMUNES_PER_DEPT)]
    for c, commune in enumerate(communes):
        name = f"Commune synthétique {d}-{c}"
        w.entity(
            commune,
            "geo",
            [
                (RDF_TYPE, iri(IGEO + "Commune")),
                (IGEO + "codeINSEE", lit(f"C{d:04d}{c:03d}", None)),
                (IGEO + "subdivisionDirecteDe", iri(dept)),
                (QK + "memberOf", iri(epcis[c % EPCI_PER_DEPT])),
                (IGEO + "nom", lit(name)),
                (RDFS_LABEL, lit(name)),
            ],
        )
        w.entity(
            f"{ID}org/C{d:04d}{c:03d}",
            "geo",
            [
                (RDF_TYPE, iri(QK + "CommuneAuthority")),
                (QK + "jurisdiction", iri(commune)),
                (QK + "siren", lit(f"8{d:05d}{c:03d}", None)),
                (RDFS_LABEL, lit(name)),
            ],
        )
    qpvs = []
    for q in range(QPV_PER_DEPT):
        code = f"QS{d:04d}{q:02d}"
        qpv = f"{ID}qpv/{code}"
        qpvs.append(qpv)
        commune = communes[rng.randrange(COMMUNES_PER_DEPT)]
        epci = epcis[communes.index(commune) % EPCI_PER_DEPT]
        pairs = [
            (RDF_TYPE, iri(QK + "QPV")),
            (QK + "qpvCode", lit(code, None)),
            (RDFS_LABEL, lit(f"Quartier {code}")),
            (QK + "commune", iri(commune)),
            (QK + "epci", iri(epci)),
            (QK + "departement", iri(dept)),
            (QK + "region", iri(region_iri(d // DEPTS_PER_REGION))),
            (QK + "zone", iri(f"{ID}concept/zone/metropole")),
            (QK + "perimeterStatus", iri(f"{ID}concept/statut-perimetre/modifie")),
            (GEO + "hasGeometry", iri(qpv + "/geometrie")),
            (GEO + "hasCentroid", iri(qpv + "/centroide")),
            (PROV_FROM, iri(f"{SOURCE}qpv")),
        ]
        if rng.random() < 0.08:  # a few QPV span two communes, as in the real graph
            pairs.append((QK + "commune", iri(communes[rng.randrange(COMMUNES_PER_DEPT)])))
        w.entity(qpv, "qpv", pairs)
        x, y = rng.uniform(-5, 8), rng.uniform(42, 51)
        w.entity(
            qpv + "/geometrie",
            "qpv",
            [
                (RDF_TYPE, iri(GEO + "Geometry")),
                (
                    GEO + "asWKT",
                    f'"POLYGON(({x} {y},{x + 0.01} {y},{x + 0.01} {y + 0.01},{x} {y}))"^^<{GEO}wktLiteral>',
                ),
            ],
        )
        w.entity(
            qpv + "/centroide",
            "qpv",
            [
                (RDF_TYPE, iri(SF_POINT)),
                (RDF_TYPE, iri(GEO + "Geometry")),
                (GEO + "asWKT", f'"POINT({x} {y})"^^<{GEO}wktLiteral>'),
            ],
        )
    contracts = []
    for k in range(CONTRACTS_2015_PER_DEPT):
        code = f"CS{d:04d}{k}"
        contract = f"{ID}contrat/2015/{code}"
        contracts.append(contract)
        w.entity(
            contract,
            "contrats-2015",
            [
                (RDF_TYPE, iri(QK + "CityContract2015")),
                (QK + "contractCode", lit(code, None)),
                (QK + "carriedBy", iri(f"{ID}org/E{d:04d}{k % EPCI_PER_DEPT:02d}")),
                (QK + "departement", iri(dept)),
                (QK + "qpvPopulation", typed(rng.randrange(1000, 60000), "integer")),
                (PROV_FROM, iri(f"{SOURCE}contrats-2015")),
                (RDFS_LABEL, lit(f"Contrat de ville synthétique {code}")),
            ],
        )
    orgs = [f"{ID}org/A{d:04d}{o:03d}" for o in range(ORGS_PER_DEPT)]
    for o, org in enumerate(orgs):
        w.entity(
            org,
            "funding",
            [
                (RDF_TYPE, iri(QK + "Organisation")),
                (QK + "siret", lit(f"7{d:05d}{o:03d}00017", None)),
                (QK + "siren", lit(f"7{d:05d}{o:03d}", None)),
                (SKOS_ALT, lit(f"ASSOCIATION {d}-{o}")),
                (PROV_FROM, iri(f"{SOURCE}sirene")),
                (RDFS_LABEL, lit(f"Association synthétique {d}-{o}")),
            ],
        )
    lines = [("adulte-relais", i) for i in range(ADULTE_RELAIS_PER_DEPT)] + [
        ("fonjep", i) for i in range(FONJEP_PER_DEPT)
    ]
    for scheme, i in lines:
        line = f"{ID}financement/{scheme}/D{d:04d}/{i:03d}"
        recipient = orgs[rng.randrange(ORGS_PER_DEPT)]
        w.entity(
            line,
            "funding",
            [
                (RDF_TYPE, iri(QK + "Funding")),
                (QK + "scheme", iri(f"{ID}programme/{scheme}")),
                (QK + "funder", iri(f"{ID}org/etat")),
                (QK + "recipient", iri(recipient)),
                (QK + "recipientSiret", lit(f"7{d:05d}{i:03d}00017", None)),
                (QK + "departement", iri(dept)),
                (DCT + "identifier", lit(f"{scheme[:2].upper()}{d:04d}{i:03d}", None)),
                (QK + "year", typed(rng.choice([2021, 2022, 2023]), "gYear")),
                (QK + "amount", typed(f"{rng.uniform(5000, 25000):.2f}", "decimal")),
                (QK + "amountBasis", iri(f"{ID}concept/base-montant/annuel")),
                (QK + "postCount", typed(1, "integer")),
                (QK + "currency", iri(EUR)),
                (QK + "contract", iri(contracts[rng.randrange(CONTRACTS_2015_PER_DEPT)])),
                (PROV_FROM, iri(f"{SOURCE}{scheme}")),
            ],
        )
    for a in range(AGGREGATES_PER_DEPT):
        scheme = SCHEMES[a % 2]
        w.entity(
            f"{ID}financement/agrege/{scheme}/D{d:04d}/{a:02d}",
            "funding",
            [
                (RDF_TYPE, iri(QK + "FundingAggregate")),
                (QK + "aggregateYear", typed(2020 + a % 4, "gYear")),
                (QK + "aggregatePostCount", typed(rng.randrange(1, 40), "integer")),
                (QK + "departement", iri(dept)),
                (QK + "aggregateContract", iri(contracts[a % CONTRACTS_2015_PER_DEPT])),
                (QK + "aggregateScheme", iri(f"{ID}programme/{scheme}")),
                (QK + "aggregateAmount", typed(f"{rng.uniform(1e4, 9e5):.2f}", "decimal")),
                (QK + "currency", iri(EUR)),
                (PROV_FROM, iri(f"{SOURCE}{scheme}")),
            ],
        )
    contract_2024(w, d, epcis[0], qpvs, orgs, contracts[0], rng)


def contract_2024(
    w: Writer, d: int, epci: str, qpvs: list[str], orgs: list[str], predecessor: str, rng: random.Random
) -> None:
    contract = f"{ID}contrat/2024/E{d:04d}"
    graph = f"contracts/D{d:04d}"
    title = lit(f"Contrat de ville synthétique 2024-2030 du département {d}")
    signers = [f"{ID}org/E{d:04d}00", f"{ID}org/etat", *orgs[: SIGNATURES_2024 - 2]]
    pairs = [
        (RDF_TYPE, iri(QK + "Quartiers2030Contract")),
        (QK + "territory", iri(epci)),
        (QK + "carriedBy", iri(f"{ID}org/E{d:04d}00")),
        (QK + "predecessor", iri(predecessor)),
        (QK + "period", iri(contract + "/periode")),
        (DCT + "title", title),
        (RDFS_LABEL, title),
        (QK + "signingDate", typed("2024-07-10", "date")),
        (PROV_FROM, iri(f"{SOURCE}contract/{d}")),
    ]
    pairs += [(QK + "coversQPV", iri(q)) for q in qpvs]
    pairs += [(QK + "signatory", iri(s)) for s in signers]
    w.entity(contract, graph, pairs)
    for s, signer in enumerate(signers):
        signature = f"{contract}/signature/{s:02d}"
        w.quad(iri(contract), QK + "hasSignature", iri(signature), graph)
        w.entity(
            signature,
            graph,
            [
                (RDF_TYPE, iri(QK + "Signature")),
                (QK + "signatureOf", iri(contract)),
                (QK + "signer", iri(signer)),
                (QK + "signatoryRole", iri(f"{ID}concept/role-signataire/organisme-public")),
                (QK + "signingDate", typed("2024-07-10", "date")),
                (QK + "basis", iri(f"{ID}concept/fondement/texte-source")),
                (PROV_FROM, iri(f"{SOURCE}contract/{d}")),
                (RDFS_LABEL, lit(f"Signature {d}-{s}")),
            ],
        )
    for c in range(COMMITMENTS_2024):
        commitment = f"{contract}/engagement/{c:02d}"
        w.quad(iri(contract), QK + "hasCommitment", iri(commitment), graph)
        w.entity(
            commitment,
            graph,
            [
                (RDF_TYPE, iri(QK + "Commitment")),
                (QK + "withinContract", iri(contract)),
                (QK + "committedBy", iri(signers[rng.randrange(len(signers))])),
                (QK + "theme", iri(f"{ID}concept/theme/t{c}")),
                (QK + "involves", iri(f"{ID}dispositif/d{c}")),
                (DCT + "description", lit(f"Engagement synthétique {d}-{c}")),
                (PROV_FROM, iri(f"{SOURCE}contract/{d}")),
                (RDFS_LABEL, lit(f"Engagement {d}-{c}")),
            ],
        )


def regions(w: Writer, departements: int) -> None:
    for r in range(departements // DEPTS_PER_REGION + 1):
        w.entity(
            region_iri(r),
            "geo",
            [
                (RDF_TYPE, iri(IGEO + "Region")),
                (IGEO + "codeINSEE", lit(f"R{r:03d}", None)),
                (IGEO + "nom", lit(f"Région synthétique {r}")),
                (RDFS_LABEL, lit(f"Région synthétique {r}")),
            ],
        )
    w.entity(f"{ID}org/etat", "geo", [(RDF_TYPE, iri(QK + "Organisation")), (RDFS_LABEL, lit("État (synthétique)"))])
    for scheme in SCHEMES:
        w.entity(f"{ID}programme/{scheme}", "funding", [(RDF_TYPE, iri(QK + "Programme")), (RDFS_LABEL, lit(scheme))])


def generate(out: Path, triples: int, seed: int = 2026) -> int:
    """Write about ``triples`` quads to ``out`` (N-Quads); returns the number written."""
    rng = random.Random(seed)
    with out.open("w", encoding="utf-8") as handle:
        w = Writer(handle)
        d = 0
        while w.count < triples:
            dept_block(w, d, rng)
            d += 1
        regions(w, d)
    return w.count


def qpv_iris(departements: int) -> Iterator[str]:
    for d in range(departements):
        for q in range(QPV_PER_DEPT):
            yield f"{ID}qpv/QS{d:04d}{q:02d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(f"{generate(args.out, args.triples, args.seed)} quads → {args.out}")


if __name__ == "__main__":
    main()
