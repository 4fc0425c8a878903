"""From checked tables to one RDF graph per contract (the modelling of docs/model.md and the seed files)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from graph.contracts import reference as refdata
from graph.contracts.cells import INSEE_RE, SIREN_RE, Cells, luhn_ok, split
from graph.contracts.columns import NATIONAL_ORGS, NATIONAL_SCHEMES, POST_ROLES
from graph.contracts.errors import CellError
from graph.contracts.reader import Row, Tables
from graph.contracts.reference import Reference
from graph.importer.turtle import Graph, Literal, en, fr, string, typed
from graph.namespaces import DCAT, DCT, EU_CURRENCY, FOAF, ORG, PROV, QK, QKC, QKG, QKI, RDF, RDFS, SKOS, XSD

A = RDF + "type"
LAW_URL = "https://www.legifrance.gouv.fr/loda/id/JORFTEXT000028636804"
NOT_STATED = QKI + "licence/non-indiquee"
NATIONAL_LABELS = {
    "etat": ("État", QK + "StateService"),
    "france-travail": ("France Travail", QK + "EmploymentService"),
    "banque-des-territoires": ("Banque des Territoires", QK + "PublicFinancialInstitution"),
    "education-nationale": ("Éducation nationale", QK + "EducationAuthority"),
    "anru": ("Agence nationale pour la rénovation urbaine", QK + "PublicBody"),
    "anct": ("Agence nationale de la cohésion des territoires", QK + "PublicBody"),
}
ORG_CLASSES = {
    "etat": QK + "StateService", "prefecture": QK + "StateService", "commune": QK + "CommuneAuthority",
    "epci": QK + "EPCIAuthority", "departement": QK + "DepartementAuthority", "region": QK + "RegionAuthority",
    "caf": QK + "FamilyAllowanceFund", "cpam": QK + "HealthInsuranceFund", "ars": QK + "RegionalHealthAgency",
    "france-travail": QK + "EmploymentService", "education-nationale": QK + "EducationAuthority",
    "banque-des-territoires": QK + "PublicFinancialInstitution", "justice": QK + "Court",
    "cci": QK + "ChamberOfCommerce", "cma": QK + "ChamberOfTrades", "bailleur-social": QK + "SocialLandlord",
    "association": QK + "Association", "public-body": QK + "PublicBody", "unit": QK + "Organisation",
    "other": QK + "Organisation",
}  # fmt: skip
PRIORITY_SCHEMES = {
    "axe": ("axes", "Axes", "Axes"),
    "defi": ("defis", "Défis", "Challenges"),
    "pilier": ("piliers", "Piliers", "Pillars"),
    "orientation": ("orientations", "Orientations", "Orientations"),
    "priorite": ("priorites", "Priorités", "Priorities"),
}
STATED_PROPS = {  # contracts column -> (property, datatype)
    "signing_date": QK + "signingDate",
    "adoption_date": QK + "adoptionDate",
    "stated_qpv_count": QK + "qpvCount",
    "stated_signatory_count": QK + "signatoryCount",
    "stated_population": QK + "qpvPopulation",
}


def theme_iri(key: str) -> str:
    return f"{QKC}theme/{key}"


@dataclass
class Org:
    iri: str
    label: str


@dataclass
class Contract:
    key: str
    iri: str
    title: str
    carrier: Org
    territory: str  # epci:<SIREN> or commune:<INSEE>
    graph: Graph
    sources: set[str] = field(default_factory=set)
    rows: list[Row] = field(default_factory=list)


class Builder:
    """Turns the tables of one input into one Graph per contract; collects every error."""

    def __init__(self, tables: Tables, ref: Reference, errors: list[CellError]) -> None:
        self.t = tables
        self.ref = ref
        self.errors = errors
        self.c = Cells(errors)
        self.sources: dict[str, str] = {}  # key -> URL
        self.orgs: dict[str, Row] = {}
        self.people: dict[str, list[Row]] = {}  # a person holding several posts has one row per post
        self.schemes: dict[str, Row] = {}
        self.contracts: dict[str, Contract] = {}
        self.descriptions: dict[str, Graph] = {}  # IRI -> triples describing it (pulled into files that use it)
        self.kinds: dict[str, str] = {}  # source URL -> kind
        for url, title, comment in refdata.DATASETS:
            for cls in (DCAT + "Dataset", PROV + "Entity"):
                self.describe(url, A, cls)
            self.describe(url, DCT + "title", fr(title))
            self.describe(url, RDFS + "comment", en(comment))

    # ---- descriptions pulled into every file that refers to them -------------------------------------------
    def describe(self, iri: str, predicate: str, obj: str | Literal) -> None:
        self.descriptions.setdefault(iri, Graph(iri)).add(iri, predicate, obj)

    # ---- references -------------------------------------------------------------------------------------
    def source(self, row: Row, column: str = "source", required: bool = True) -> str | None:
        key = row[column]
        if not key:
            if required:
                self.c.fail(
                    row, column, "ligne sans source (colonne source vide)", "row with no source (empty source column)"
                )
            return None
        if key not in self.sources:
            self.c.fail(
                row, column, f"source inconnue {key!r} (feuille sources)", f"unknown source {key!r} (sources sheet)"
            )
            return None
        return self.sources[key]

    def org(self, row: Row, column: str, value: str | None = None) -> Org | None:
        ref = row[column] if value is None else value
        if not ref:
            return None
        if SIREN_RE.fullmatch(ref):
            if not luhn_ok(ref):
                self.c.fail(row, column, f"SIREN {ref} invalide (clé de Luhn)", f"invalid SIREN {ref} (Luhn check)")
                return None
            return self.siren_org(row, column, ref)
        if ref.startswith("commune:"):
            insee = ref.removeprefix("commune:")
            siren = self.ref.commune_siren.get(insee)
            if not siren:
                self.c.fail(
                    row,
                    column,
                    f"commune inconnue {insee!r} (COG 2024 / DGCL 2024)",
                    f"unknown commune {insee!r} (COG 2024 / DGCL 2024)",
                )
                return None
            return self.siren_org(row, column, siren)
        if ref in self.orgs:
            org_row = self.orgs[ref]
            siren = org_row["siren"]
            iri = f"{QKI}org/{siren}" if siren and SIREN_RE.fullmatch(siren) else f"{QKI}org/{ref}"
            return Org(iri, org_row["label"] or ref)
        if ref in NATIONAL_ORGS:
            label, cls = NATIONAL_LABELS[ref]
            iri = f"{QKI}org/{ref}"
            if ref != "etat":  # the State is described by the reference graphs
                self.describe(iri, A, cls)
                self.describe(iri, RDFS + "label", fr(label))
                if row["source"] in self.sources:
                    self.describe(iri, PROV + "wasDerivedFrom", self.sources[row["source"]])
            return Org(iri, label)
        self.c.fail(
            row,
            column,
            f"organisation inconnue {ref!r} (SIREN, commune:INSEE, clé de la feuille organisations ou clé nationale)",
            f"unknown organisation {ref!r} (SIREN, commune:INSEE, organisations key or national key)",
        )
        return None

    def siren_org(self, row: Row, column: str, siren: str) -> Org | None:
        iri = f"{QKI}org/{siren}"
        if siren in self.ref.epcis or siren in self.ref.epts:
            self.describe(iri, A, QK + "EPCIAuthority")
            self.describe(iri, QK + "siren", string(siren))
            self.describe(iri, QK + "jurisdiction", f"{QKI}epci/{siren}")
            self.describe(iri, PROV + "wasDerivedFrom", refdata.GEO_DATASET)
            return Org(iri, self.ref.epcis.get(siren) or self.ref.epts[siren])
        if siren in self.ref.siren_commune:
            insee = self.ref.siren_commune[siren]
            self.describe(iri, A, QK + "CommuneAuthority")
            self.describe(iri, QK + "siren", string(siren))
            self.describe(iri, QK + "jurisdiction", f"{QKI}commune/{insee}")
            self.describe(iri, PROV + "wasDerivedFrom", refdata.GEO_DATASET)
            return Org(iri, f"commune de {self.ref.communes.get(insee, insee)}")
        for key, org_row in self.orgs.items():
            if org_row["siren"] == siren:
                return self.org(row, column, key)
        self.c.fail(
            row,
            column,
            f"SIREN {siren} absent de la référence (EPCI, EPT, communes) : le déclarer dans la feuille organisations",
            f"SIREN {siren} not in the reference (EPCI, EPT, communes): declare it in the organisations sheet",
        )
        return None

    def territory(self, row: Row, column: str) -> str | None:
        value = row[column]
        if not value:
            return None
        kind, _, code = value.partition(":")
        ok = (
            (kind == "commune" and code in self.ref.communes)
            or (kind == "departement" and code in self.ref.departements)
            or (kind == "region" and code in self.ref.regions)
            or (kind == "epci" and (code in self.ref.epcis or code in self.ref.epts))
        )
        if not ok:
            self.c.fail(
                row,
                column,
                f"territoire inconnu {value!r} (commune:, departement:, region:, epci:)",
                f"unknown territory {value!r} (commune:, departement:, region:, epci:)",
            )
            return None
        return f"{QKI}{kind}/{code}"

    def person(self, row: Row, column: str, key: str) -> str | None:
        if key not in self.people:
            self.c.fail(
                row, column, f"personne inconnue {key!r} (feuille people)", f"unknown person {key!r} (people sheet)"
            )
            return None
        return f"{QKI}personne/{key}"

    def contract_of(self, row: Row, column: str = "contract") -> Contract | None:
        key = row[column]
        if not key:
            self.c.fail(row, column, "clé de contrat manquante", "missing contract key")
            return None
        if key not in self.contracts:
            self.c.fail(
                row,
                column,
                f"contrat inconnu {key!r} (feuille contracts)",
                f"unknown contract {key!r} (contracts sheet)",
            )
            return None
        return self.contracts[key]

    # ---- common row facts ---------------------------------------------------------------------------------
    def facts(self, g: Graph, subject: str, row: Row, source: str | None, quote: bool = True) -> None:
        if source:
            g.add(subject, PROV + "wasDerivedFrom", source)
        if quote and row["quote"] and self.c.short(row, "quote"):
            g.add(subject, QK + "note", fr(row["quote"]))
        if row["comment"]:
            g.add(subject, RDFS + "comment", en(row["comment"]))
        if row["locator"] and source:
            g.add(subject, DCT + "bibliographicCitation", fr(f"{row['locator']} — {source}"))

    # ---- sheets -------------------------------------------------------------------------------------------
    def build(self) -> dict[str, Graph]:
        self.read_sources()
        self.read_keyed("organisations", "organisation", self.orgs)
        self.read_people()
        self.read_keyed("schemes", "scheme", self.schemes)
        self.read_contracts()
        self.describe_sources()
        self.describe_orgs()
        self.describe_people()
        for row in self.t.sheet("qpv"):
            self.qpv_row(row)
        dates: dict[tuple[str, str], set[str]] = defaultdict(set)  # (contract, signatory) -> signing dates
        for row in self.t.sheet("signatories"):
            dates[(row["contract"], row["signatory"])].add(row["signing_date"])
        for row in self.t.sheet("signatories"):
            self.signatory_row(row, len(dates[(row["contract"], row["signatory"])]) > 1)
        priorities = self.priorities()
        for row in self.t.sheet("commitments"):
            self.commitment_row(row, priorities)
        for row in self.t.sheet("funding"):
            self.funding_row(row)
        for row in self.t.sheet("events"):
            self.event_row(row)
        for row in self.t.sheet("schemes"):
            self.scheme_row(row)
        for row in self.t.sheet("statements"):
            self.statement_row(row)
        graphs = {key: self.finish(contract) for key, contract in self.contracts.items()}
        unused = [iri for iri in self.declared() if not any(g.has_subject(iri) for g in graphs.values())]
        for graph in graphs.values():  # described but referred to by no file: kept in every file of the input
            self.pull_descriptions(graph, unused)
        for contract in self.contracts.values():
            self.finish_graph(contract)
        return graphs

    def declared(self) -> list[str]:
        """The IRIs of the organisations, people and sources the input's sheets declare."""
        iris = [self.sources[k] for k in self.sources]
        iris += [f"{QKI}personne/{k}" for k in self.people]
        iris += [o.iri for k in self.orgs if (o := self.org(self.orgs[k], "organisation", k))]
        return sorted(set(iris) & set(self.descriptions))

    def read_sources(self) -> None:
        for row in self.t.sheet("sources"):
            key = self.c.key(row, "source")
            url = self.c.url(row, "url")
            if not url:
                self.c.required(row, "url")
            if key and url:
                if key in self.sources and self.sources[key] != url:
                    self.c.fail(row, "source", f"clé en double {key!r}", f"duplicate key {key!r}")
                self.sources[key] = url

    def read_keyed(self, sheet: str, column: str, into: dict[str, Row]) -> None:
        for row in self.t.sheet(sheet):
            key = self.c.key(row, column)
            if not key:
                self.c.required(row, column)
                continue
            if key in into:
                if same_entity(into[key], row):
                    continue  # the same declaration in another folder of the same import (e.g. a préfet)
                self.c.fail(row, column, f"clé en double {key!r}", f"duplicate key {key!r}")
            into[key] = row

    def describe_sources(self) -> None:
        for row in self.t.sheet("sources"):
            url = self.sources.get(row["source"])
            if not url or (url in self.descriptions and row["source"] != self._first_key(url)):
                continue
            kind = self.c.choice(
                row, "kind", ("page", "press", "prefecture", "deliberation", "document", "table", "law")
            )
            self.kinds[url] = kind or ""
            types = (
                (DCAT + "Dataset", PROV + "Entity") if kind == "table" else (QK + "SourceDocument", FOAF + "Document")
            )
            for t in types:
                self.describe(url, A, t)
            if row["title"]:
                self.describe(url, DCT + "title", fr(row["title"]))
            issued = self.c.date(row, "issued")
            if issued:
                self.describe(url, DCT + "issued", typed(*issued))
            publisher = self.org(row, "publisher")
            if publisher:
                self.describe(url, DCT + "publisher", publisher.iri)
            licence = self.c.url(row, "licence")
            if licence:
                self.describe(url, DCT + "license", licence)
            if row["comment"]:
                self.describe(url, RDFS + "comment", en(row["comment"]))
            if kind != "table":
                self.describe(url, DCT + "language", string("fr"))

    def _first_key(self, url: str) -> str:
        return next(k for k, v in self.sources.items() if v == url)

    def describe_orgs(self) -> None:
        for key, row in self.orgs.items():
            siren = row["siren"]
            if siren and not (SIREN_RE.fullmatch(siren) and luhn_ok(siren)):
                self.c.fail(
                    row,
                    "siren",
                    f"SIREN {siren!r} invalide (9 chiffres, clé de Luhn)",
                    f"invalid SIREN {siren!r} (9 digits, Luhn check)",
                )
                continue
            org = self.org(row, "organisation", key)
            if not org:
                continue
            kind = self.c.choice(row, "kind", tuple(ORG_CLASSES))
            if not kind and not siren:
                self.c.required(row, "kind")
            if kind:
                self.describe(org.iri, A, ORG_CLASSES[kind])
                if kind == "unit":
                    self.describe(org.iri, A, ORG + "OrganizationalUnit")
            if siren:
                self.describe(org.iri, QK + "siren", string(siren))
            if row["label"]:
                self.describe(org.iri, RDFS + "label", fr(row["label"]))
            for alt in split(row["alt_labels"]):
                self.describe(org.iri, SKOS + "altLabel", fr(alt))
            jurisdiction = self.territory(row, "jurisdiction")
            if jurisdiction:
                self.describe(org.iri, QK + "jurisdiction", jurisdiction)
            parent = self.org(row, "parent")
            if parent:
                self.describe(org.iri, ORG + "subOrganizationOf", parent.iri)
            source = self.source(row)
            g = self.descriptions.setdefault(org.iri, Graph(org.iri))
            self.facts(g, org.iri, row, source, quote=False)

    def read_people(self) -> None:
        for row in self.t.sheet("people"):
            key = self.c.key(row, "person")
            if not key:
                self.c.required(row, "person")
                continue
            self.people.setdefault(key, []).append(row)

    def describe_people(self) -> None:
        for key, row in ((k, r) for k, rows in self.people.items() for r in rows):
            iri = f"{QKI}personne/{key}"
            source = self.source(row)
            self.describe(iri, A, FOAF + "Person")
            self.describe(iri, FOAF + "name", string(row["name"]))
            g = self.descriptions[iri]
            self.facts(g, iri, row, source)
            post = self.c.key(row, "post")
            if not post:
                continue
            post_iri = f"{QKI}poste/{post}"
            self.describe(iri, ORG + "holds", post_iri)
            self.describe(post_iri, A, ORG + "Post")
            if row["post_label"]:
                self.describe(post_iri, RDFS + "label", fr(row["post_label"]))
            role = self.c.choice(row, "post_role", POST_ROLES)
            if role and role != "autre":
                self.describe(post_iri, ORG + "role", f"{QKC}fonction/{role}")
            post_in = self.org(row, "post_in")
            if post_in:
                self.describe(post_iri, ORG + "postIn", post_in.iri)
            if row["electoral_division"]:
                self.describe(post_iri, QK + "electoralDivision", string(row["electoral_division"]))
            if source:
                self.describe(post_iri, PROV + "wasDerivedFrom", source)

    # ---- contracts ----------------------------------------------------------------------------------------
    def read_contracts(self) -> None:
        groups: dict[str, list[Row]] = defaultdict(list)
        for row in self.t.sheet("contracts"):
            key = self.c.key(row, "contract")
            if key:
                groups[key].append(row)
            else:
                self.c.required(row, "contract")
        for key, rows in groups.items():
            first = rows[0]
            carrier_ref = self.c.required(first, "carrier")
            title = self.c.required(first, "title")
            carrier = self.org(first, "carrier") if carrier_ref else None
            if not (carrier and title):
                continue
            siren = carrier.iri.rsplit("/", 1)[1]
            if siren in self.ref.epcis or siren in self.ref.epts:
                territory = f"epci:{siren}"
            elif siren in self.ref.siren_commune:
                territory = f"commune:{self.ref.siren_commune[siren]}"
            else:
                self.c.fail(
                    first,
                    "carrier",
                    "le porteur doit être un EPCI, un EPT ou une commune de la référence",
                    "the carrier must be an EPCI, an EPT or a commune of the reference",
                )
                continue
            iri = f"{QKI}contrat/2024/{siren}"
            if any(c.iri == iri for c in self.contracts.values()):
                self.c.fail(
                    first, "carrier", "deux contrats pour le même porteur", "two contracts for the same carrier"
                )
                continue
            graph = Graph(f"{QKG}data/contracts/{key}")
            contract = Contract(key, iri, title, carrier, territory, graph, rows=rows)
            self.contracts[key] = contract
            self.contract_rows(contract)

    def contract_rows(self, c: Contract) -> None:
        g, iri = c.graph, c.iri
        g.add(iri, A, QK + "Quartiers2030Contract")
        g.add(iri, RDFS + "label", fr(c.title))
        g.add(iri, DCT + "title", fr(c.title))
        g.add(iri, QK + "carriedBy", c.carrier.iri)
        kind, _, code = c.territory.partition(":")
        g.add(iri, QK + "territory", f"{QKI}{kind}/{code}")
        stated: dict[str, list[tuple[Literal | str, Row, str | None]]] = defaultdict(list)
        for index, row in enumerate(c.rows):
            source = self.source(row)
            if source:
                c.sources.add(source)
            if index and row["carrier"] and self.org(row, "carrier") and self.org(row, "carrier").iri != c.carrier.iri:
                self.c.fail(
                    row,
                    "carrier",
                    "porteur différent de la première ligne du contrat",
                    "carrier differs from the contract's first row",
                )
            if index and row["title"] and row["title"] != c.title:
                g.add(iri, SKOS + "altLabel", fr(row["title"]))
            values: dict[str, Literal | str] = {}
            for column in ("signing_date", "adoption_date"):  # a council vote may be known to the month only
                parsed = self.c.day(row, column) if column == "signing_date" else self.c.date(row, column)
                if parsed:
                    values[STATED_PROPS[column]] = typed(*parsed)
            for column in ("stated_qpv_count", "stated_signatory_count", "stated_population"):
                count = self.c.count(row, column)
                if count is not None:
                    values[STATED_PROPS[column]] = typed(count, XSD + "nonNegativeInteger")
            adopted_by = self.org(row, "adopted_by")
            if adopted_by:
                values[QK + "adoptedBy"] = adopted_by.iri
            for predicate, value in values.items():
                stated[predicate].append((value, row, source))
            self.period(g, iri, f"{iri}/periode", row, source)
            for theme in self.c.themes(row, "themes"):
                g.add(iri, DCT + "subject", theme_iri(theme))
            for principle in split(row["principles"]):
                if principle in ("laicite", "non-discrimination"):
                    g.add(iri, QK + "principle", f"{QKC}principe/{principle}")
                else:
                    self.c.fail(
                        row, "principles", f"principe inconnu {principle!r}", f"unknown principle {principle!r}"
                    )
            self.facts(g, iri, row, source)
        for predicate, items in stated.items():
            # the first row's value, or a later value that only makes it more precise (2024-05 -> 2024-05-30)
            chosen = items[0][0]
            for value, _row, _source in items[1:]:
                if refines(value, chosen):
                    chosen = value
            g.add(iri, predicate, chosen)
            for value, row, source in items:
                if value != chosen and not refines(chosen, value):
                    self.conflict(c, row, source, predicate, value)
        self.predecessor(c)

    def conflict(self, c: Contract, row: Row, source: str | None, predicate: str, value: Literal | str) -> None:
        """A value another source states differently: kept as a reified statement with its own source."""
        local = predicate.rsplit("#", 1)[1]
        stmt = f"{c.iri}/enonce/{local}/{row['source']}-{row.row}"
        g = c.graph
        g.add(stmt, A, RDF + "Statement")
        g.add(stmt, RDF + "subject", c.iri)
        g.add(stmt, RDF + "predicate", predicate)
        g.add(stmt, RDF + "object", value)
        g.add(
            stmt,
            RDFS + "comment",
            en(
                "What this source states; it differs from the value asserted on the contract "
                "(from the contract's first row)."
            ),
        )
        self.facts(g, stmt, row, source)

    def period(self, g: Graph, subject: str, period: str, row: Row, source: str | None, label: str = "") -> None:
        start = self.c.date(row, "start_date")
        end = self.c.date(row, "end_date")
        if not (start or end):
            return
        g.add(subject, QK + "period", period)
        g.add(period, A, DCT + "PeriodOfTime")
        if start:
            g.add(period, DCAT + "startDate", typed(*_day(start, first=True)))
        if end:
            g.add(period, DCAT + "endDate", typed(*_day(end, first=False)))
        if label:
            g.add(period, RDFS + "label", fr(label))
        elif start and end:
            g.add(
                period, RDFS + "label", fr(f"{start[0][:4]}-{end[0][:4]}" if start[0][:4] != end[0][:4] else start[0])
            )
        if (start and start[1] != XSD + "date") or (end and end[1] != XSD + "date"):
            g.add(
                period,
                RDFS + "comment",
                en(
                    "The source gives a year or a month, not a day: the period runs from the first day "
                    "to the last day of what it gives."
                ),
            )
        if source:
            g.add(period, PROV + "wasDerivedFrom", source)

    def predecessor(self, c: Contract) -> None:
        siren = c.carrier.iri.rsplit("/", 1)[1]
        codes = self.ref.contracts2015.get(siren, ())
        if len(codes) != 1:
            return
        g, old = c.graph, f"{QKI}contrat/2015/{codes[0]}"
        g.add(c.iri, QK + "predecessor", old)
        stmt = f"{c.iri}/predecesseur"
        g.add(stmt, A, RDF + "Statement")
        g.add(stmt, RDF + "subject", c.iri)
        g.add(stmt, RDF + "predicate", QK + "predecessor")
        g.add(stmt, RDF + "object", old)
        g.add(
            stmt,
            RDFS + "comment",
            en(
                f"Same carrying body (siren_porteur {siren}) in the 2015-2023 contract table "
                f"(code_cv {codes[0]}); derived, not stated by the sources."
            ),
        )
        g.add(stmt, PROV + "wasDerivedFrom", refdata.CONTRACTS_2015_DATASET)
        c.sources.add(refdata.CONTRACTS_2015_DATASET)

    # ---- QPV ------------------------------------------------------------------------------------------------
    def qpv_row(self, row: Row) -> None:
        c = self.contract_of(row)
        source = self.source(row)
        if not c:
            return
        territory = self.ref.territory_qpv(c.territory)
        code, name = row["qpv"], row["qpv_name"]
        if code == "*":
            for each in territory:
                self.coverage(c, each, row, None, derived=True)
            if source:  # the row's source says the contract covers the territory's QPV (e.g. a count)
                c.sources.add(source)
            return
        if code:
            if not self.c.qpv_code(row, "qpv", code):
                return
            if code not in self.ref.qpv:
                self.c.fail(
                    row, "qpv", f"QPV inconnu {code} (liste nationale 2024)", f"unknown QPV {code} (2024 national list)"
                )
                return
            if code not in territory:
                self.c.fail(
                    row,
                    "qpv",
                    f"le QPV {code} n'est pas dans le territoire du porteur ({c.territory})",
                    f"QPV {code} is outside the carrier's territory ({c.territory})",
                )
                return
        elif name:
            found = self.ref.qpv_by_name(name, territory)
            if len(found) != 1:
                self.c.fail(
                    row,
                    "qpv_name",
                    f"aucun QPV nommé exactement {name!r} dans le territoire du porteur"
                    if not found
                    else f"plusieurs QPV nommés {name!r}",
                    f"no QPV named exactly {name!r} in the carrier's territory"
                    if not found
                    else f"several QPV named {name!r}",
                )
                return
            code = found[0]
        else:
            self.c.fail(row, "qpv", "ni code QPV, ni *, ni qpv_name", "no QPV code, no *, no qpv_name")
            return
        self.coverage(c, code, row, source, derived=False)

    def coverage(self, c: Contract, code: str, row: Row, source: str | None, derived: bool) -> None:
        g, q = c.graph, self.ref.qpv[code]
        qpv = f"{QKI}qpv/{code}"
        stmt = f"{c.iri}/couverture/{code}"
        g.add(c.iri, QK + "coversQPV", qpv)
        g.add(stmt, A, RDF + "Statement")
        g.add(stmt, RDF + "subject", c.iri)
        g.add(stmt, RDF + "predicate", QK + "coversQPV")
        g.add(stmt, RDF + "object", qpv)
        if derived:
            where = " / ".join(q.commune_labels)
            kind, _, tcode = c.territory.partition(":")
            column = "insee_com" if kind == "commune" else ("siren_ept" if tcode in self.ref.epts else "siren_epci")
            note = f"QPV {code} ({q.label}, {where}) has {column} {tcode} in the 2024 national QPV list."
            if len(q.epcis) > 1:
                note += f" It straddles several EPCI ({', '.join(q.epcis)}): it is in each of their territories."
            if len(q.epts) > 1:
                note += f" It straddles several EPT ({', '.join(q.epts)}): it is in each of their territories."
            g.add(stmt, RDFS + "comment", en(note))
            g.add(stmt, PROV + "wasDerivedFrom", refdata.QPV_DATASET)
            g.add(stmt, PROV + "wasDerivedFrom", refdata.GEO_DATASET)
            c.sources.update((refdata.QPV_DATASET, refdata.GEO_DATASET))
        else:
            self.facts(g, stmt, row, source)

    # ---- signatories ----------------------------------------------------------------------------------------
    def signatory_row(self, row: Row, several: bool = False) -> None:
        """One signature; a signer that signed on several days (several ceremonies) gets one per day."""
        c = self.contract_of(row)
        source = self.source(row)
        signer = self.org(row, "signatory") if self.c.required(row, "signatory") else None
        role = self.c.choice(
            row,
            "role",
            (
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
            ),
        )
        if not role:
            self.c.required(row, "role")
        basis = self.c.choice(row, "basis", ("texte-source", "loi")) or "texte-source"
        date = self.c.day(row, "signing_date")
        if not (c and signer and role and source):
            return
        g = c.graph
        key = row["signatory"].removeprefix("commune:")
        if (key.isdigit() and len(key) == 5) or INSEE_RE.fullmatch(key):
            key = signer.iri.rsplit("/", 1)[1]
        iri = f"{c.iri}/signature/{key}" + (f"/{date[0]}" if several and date else "")
        g.add(iri, A, QK + "Signature")
        g.add(iri, RDFS + "label", fr(f"Signature du {c.title} : {signer.label}"))
        g.add(iri, QK + "signatureOf", c.iri)
        g.add(iri, QK + "signer", signer.iri)
        g.add(iri, QK + "signatoryRole", f"{QKC}role-signataire/{role}")
        g.add(iri, QK + "basis", f"{QKC}fondement/{basis}")
        if date:
            g.add(iri, QK + "signingDate", typed(*date))
        rep = row["represented_by"]
        if rep and (person := self.person(row, "represented_by", rep)):
            g.add(iri, QK + "representedBy", person)
            post = self.representative_post(rep, signer)
            if post:
                g.add(iri, QK + "representativePost", f"{QKI}poste/{post}")
        for other in split(row["in_presence_of"]):
            if person := self.person(row, "in_presence_of", other):
                g.add(iri, QK + "inPresenceOf", person)
        self.facts(g, iri, row, source)
        if signer.iri.rsplit("/", 1)[1] in self.ref.siren_commune:  # a commune body: its SIREN comes from DGCL
            g.add(iri, PROV + "wasDerivedFrom", refdata.GEO_DATASET)
        g.add(c.iri, QK + "hasSignature", iri)
        g.add(c.iri, QK + "signatory", signer.iri)

    def representative_post(self, person: str, signer: Org) -> str | None:
        """The post of ``person`` in the signing organisation (or their only post)."""
        posts = [(r["post"], r["post_in"]) for r in self.people[person] if r["post"]]
        if len(posts) == 1:
            return posts[0][0]
        for post, post_in in posts:
            org = self.org(self.people[person][0], "post_in", post_in) if post_in else None
            if org and org.iri == signer.iri:
                return post
        return None

    # ---- priorities -----------------------------------------------------------------------------------------
    def priorities(self) -> dict[tuple[str, str], str]:
        found: dict[tuple[str, str], str] = {}
        for row in self.t.sheet("priorities"):
            c = self.contract_of(row)
            source = self.source(row)
            key = self.c.key(row, "priority") or self.c.required(row, "priority")
            kind = self.c.choice(row, "kind", tuple(PRIORITY_SCHEMES)) or self.c.required(row, "kind")
            label = self.c.required(row, "label")
            definition = self.c.short(row, "definition")
            themes = self.c.themes(row, "themes")
            if not (c and key and kind in PRIORITY_SCHEMES and label):
                continue
            path, fr_name, en_name = PRIORITY_SCHEMES[kind]
            g, scheme, concept = c.graph, f"{c.iri}/{path}", f"{c.iri}/{path}/{key}"
            found[(c.key, key)] = concept
            g.add(scheme, A, SKOS + "ConceptScheme")
            g.add(scheme, SKOS + "prefLabel", fr(f"{fr_name} du {c.title}"))
            g.add(scheme, SKOS + "prefLabel", en(f"{en_name} of the {c.title}"))
            g.add(scheme, SKOS + "hasTopConcept", concept)
            g.add(scheme, DCT + "subject", c.iri)
            if source:
                g.add(scheme, PROV + "wasDerivedFrom", source)
            g.add(concept, A, SKOS + "Concept")
            g.add(concept, SKOS + "inScheme", scheme)
            g.add(concept, SKOS + "topConceptOf", scheme)
            g.add(concept, SKOS + "prefLabel", fr(label))
            if row["number"]:
                g.add(concept, SKOS + "notation", string(row["number"]))
            if definition:
                g.add(concept, SKOS + "definition", fr(definition))
            for theme in themes:
                g.add(concept, SKOS + "relatedMatch", theme_iri(theme))
            if themes:
                note = row["mapping_note"] or "Correspondance établie par le projet (non donnée par la source)."
                g.add(concept, SKOS + "editorialNote", fr(note))
            self.facts(g, concept, row, source, quote=False)
            g.add(c.iri, QK + "pillar", concept)
        return found

    # ---- commitments ----------------------------------------------------------------------------------------
    def commitment_row(self, row: Row, priorities: dict[tuple[str, str], str]) -> None:
        c = self.contract_of(row)
        source = self.source(row)
        key = self.c.key(row, "commitment") or self.c.required(row, "commitment")
        label = self.c.required(row, "label")
        by = self.org(row, "committed_by") if self.c.required(row, "committed_by") else None
        theme_key = self.c.required(row, "theme")
        description = self.c.short(row, "description")
        if not (c and key and label and by and theme_key):
            return
        if (c.key, theme_key) in priorities:
            theme = priorities[(c.key, theme_key)]
        elif self.c.theme(row, "theme"):
            theme = theme_iri(theme_key)
        else:
            return
        g, iri = c.graph, f"{c.iri}/engagement/{key}"
        g.add(iri, A, QK + "Commitment")
        g.add(iri, RDFS + "label", fr(label))
        if description:
            g.add(iri, DCT + "description", fr(description))
        g.add(iri, QK + "committedBy", by.iri)
        g.add(iri, QK + "withinContract", c.iri)
        g.add(iri, QK + "theme", theme)
        territory = self.ref.territory_qpv(c.territory)
        for code in split(row["qpv"]):
            if not self.c.qpv_code(row, "qpv", code):
                continue
            if code not in self.ref.qpv:
                self.c.fail(row, "qpv", f"QPV inconnu {code}", f"unknown QPV {code}")
            elif code not in territory:
                self.c.fail(
                    row,
                    "qpv",
                    f"le QPV {code} n'est pas dans le territoire du porteur",
                    f"QPV {code} is outside the carrier's territory",
                )
            else:
                g.add(iri, QK + "forQPV", f"{QKI}qpv/{code}")
        communes = split(row["communes"])
        if communes == ["*"]:
            kind, _, code = c.territory.partition(":")
            members = (
                (self.ref.epci_members.get(code) or self.ref.ept_members.get(code, ())) if kind == "epci" else (code,)
            )
            for insee in members:
                g.add(iri, DCT + "spatial", f"{QKI}commune/{insee}")
            g.add(iri, PROV + "wasDerivedFrom", refdata.GEO_DATASET)
            c.sources.add(refdata.GEO_DATASET)
        else:
            for insee in communes:
                if insee in self.ref.communes:
                    g.add(iri, DCT + "spatial", f"{QKI}commune/{insee}")
                else:
                    self.c.fail(row, "communes", f"commune inconnue {insee!r}", f"unknown commune {insee!r}")
        self.period(g, iri, f"{iri}/periode", row, source, row["period_label"])
        for scheme in split(row["involves"]):
            if scheme in self.schemes:
                g.add(iri, QK + "involves", f"{QKI}dispositif/{scheme}")
            else:
                self.c.fail(
                    row,
                    "involves",
                    f"dispositif inconnu {scheme!r} (feuille schemes)",
                    f"unknown scheme {scheme!r} (schemes sheet)",
                )
        if row["indicator"]:
            g.add(iri, QK + "indicator", fr(row["indicator"]))
        for funding in split(row["funding"]):
            g.add(iri, DCT + "relation", f"{c.iri}/financement/{funding}")
        self.facts(g, iri, row, source)
        g.add(c.iri, QK + "hasCommitment", iri)

    # ---- funding --------------------------------------------------------------------------------------------
    def funding_row(self, row: Row) -> None:
        source = self.source(row)
        tied = bool(row["contract"])
        c = self.contract_of(row, "contract" if tied else "file")
        key = self.c.key(row, "funding") or self.c.required(row, "funding")
        label = self.c.required(row, "label")
        amount = self.c.amount(row, "amount")
        currency = self.c.currency(row, "currency")
        basis = self.c.choice(row, "amount_basis", ("total", "annuel"))
        year = self.c.year(row, "year")
        funder = self.org(row, "funder")
        recipient = self.org(row, "recipient")
        theme = self.c.theme(row, "purpose_theme")
        posts = self.c.count(row, "post_count")
        resources = self.c.count(row, "resource_count")
        if not (c and key and label):
            return
        g, iri = c.graph, f"{c.iri}/financement/{key}"
        g.add(iri, A, QK + "Funding")
        g.add(iri, RDFS + "label", fr(label))
        if funder:
            g.add(iri, QK + "funder", funder.iri)
        if amount is not None:
            g.add(iri, QK + "amount", typed(amount, XSD + "decimal"))
            g.add(iri, QK + "currency", EU_CURRENCY + currency)
        if basis:
            g.add(iri, QK + "amountBasis", f"{QKC}base-montant/{basis}")
        if year:
            g.add(iri, QK + "year", typed(year, XSD + "gYear"))
        self.period(g, iri, f"{iri}/periode", row, source)
        if row["purpose"]:
            g.add(iri, QK + "purpose", fr(row["purpose"]))
        if theme:
            g.add(iri, QK + "purposeTheme", theme_iri(theme))
        scheme = row["scheme"]
        if scheme in NATIONAL_SCHEMES:
            g.add(iri, QK + "scheme", f"{QKI}programme/{scheme}")
        elif scheme in self.schemes:
            g.add(iri, DCT + "relation", f"{QKI}dispositif/{scheme}")
        elif scheme:
            self.c.fail(row, "scheme", f"programme inconnu {scheme!r}", f"unknown scheme {scheme!r}")
        if recipient:
            g.add(iri, QK + "recipient", recipient.iri)
        if posts:
            g.add(iri, QK + "postCount", typed(posts, XSD + "nonNegativeInteger"))
        if resources:
            g.add(iri, QK + "fundedResourceCount", typed(resources, XSD + "nonNegativeInteger"))
        if row["resource"]:
            g.add(iri, QK + "fundedResource", fr(row["resource"]))
        if row["supersedes"]:
            g.add(iri, QK + "supersedes", f"{c.iri}/financement/{row['supersedes']}")
        if tied:
            g.add(iri, QK + "contract", c.iri)
        self.facts(g, iri, row, source)

    # ---- events, schemes, statements ------------------------------------------------------------------------
    def event_row(self, row: Row) -> None:
        c = self.contract_of(row)
        source = self.source(row)
        key = self.c.key(row, "event") or self.c.required(row, "event")
        label = self.c.required(row, "label")
        date = self.c.date(row, "date")
        participants = self.c.count(row, "participants")
        organisers = [o for o in (self.org(row, "organised_by", v) for v in split(row["organised_by"])) if o]
        if not (c and key and label):
            return
        g, iri = c.graph, f"{c.iri}/evenement/{key}"
        g.add(iri, A, QK + "ConsultationEvent")
        g.add(iri, RDFS + "label", fr(label))
        if date:
            g.add(iri, DCT + "date", typed(*date))
        if participants is not None:
            g.add(iri, QK + "participantCount", typed(participants, XSD + "nonNegativeInteger"))
        if row["part_of"]:
            parent = f"{c.iri}/evenement/{row['part_of']}"
            g.add(iri, DCT + "isPartOf", parent)
            g.add(parent, DCT + "hasPart", iri)
        for org in organisers:
            g.add(iri, PROV + "wasAssociatedWith", org.iri)
        self.facts(g, iri, row, source)
        g.add(c.iri, QK + "hasEvent", iri)

    def scheme_row(self, row: Row) -> None:
        c = self.contract_of(row)
        source = self.source(row)
        if not (c and row["scheme"] in self.schemes and row["label"]):
            self.c.required(row, "label")
            return
        g, iri = c.graph, f"{QKI}dispositif/{row['scheme']}"
        g.add(iri, A, QK + "LocalScheme")
        g.add(iri, RDFS + "label", fr(row["label"]))
        for alt in split(row["alt_labels"]):
            g.add(iri, SKOS + "altLabel", fr(alt))
        self.facts(g, iri, row, source, quote=False)

    def statement_row(self, row: Row) -> None:
        c = self.contract_of(row)
        source = self.source(row)
        key = self.c.key(row, "statement") or self.c.required(row, "statement")
        label = self.c.required(row, "label")
        about = self.territory(row, "about") if self.c.required(row, "about") else None
        count = self.c.count(row, "qpv_count")
        if not (c and key and label and about):
            return
        g, iri = c.graph, f"{c.iri}/constat/{key}"
        g.add(iri, A, PROV + "Entity")
        g.add(iri, RDFS + "label", fr(label))
        g.add(iri, DCT + "spatial", about)
        if count is not None:
            g.add(iri, QK + "qpvCount", typed(count, XSD + "nonNegativeInteger"))
        for code in split(row["qpv"]):
            if self.c.qpv_code(row, "qpv", code):
                if code in self.ref.qpv:
                    g.add(iri, DCT + "references", f"{QKI}qpv/{code}")
                else:
                    self.c.fail(row, "qpv", f"QPV inconnu {code}", f"unknown QPV {code}")
        self.facts(g, iri, row, source)

    # ---- the file -------------------------------------------------------------------------------------------
    def finish(self, c: Contract) -> Graph:
        g = c.graph
        for url in sorted(c.sources):
            g.add(c.iri, PROV + "wasDerivedFrom", url)
        self.pull_descriptions(g)
        return g

    def finish_graph(self, c: Contract) -> None:
        g = c.graph
        documents = sorted(
            s for s, in_graph in ((s, g.objects(s, A)) for s in g.subjects()) if QK + "SourceDocument" in in_graph
        )
        derived = sorted({str(o) for s in g.subjects() for o in g.objects(s, PROV + "wasDerivedFrom")})
        me = g.iri
        g.add(me, A, PROV + "Entity")
        g.add(me, A, DCAT + "Dataset")
        g.add(me, DCT + "title", fr(f"{c.title} (faits extraits des sources citées)"))
        g.add(me, DCT + "title", en(f"{c.title} (facts extracted from the cited sources)"))
        for url in documents:
            g.add(me, DCT + "source", url)
        for url in derived:
            g.add(me, PROV + "wasDerivedFrom", url)
        licences = {str(o) for url in documents for o in g.objects(url, DCT + "license")}
        if len(licences) == 1 and all(g.objects(url, DCT + "license") for url in documents):
            g.add(me, DCT + "license", licences.pop())
        else:
            g.add(me, DCT + "license", NOT_STATED)
        dated = [url for url in documents if self.kinds.get(url) not in ("law", "table")]
        issued = sorted(o.lexical for url in dated for o in g.objects(url, DCT + "issued") if isinstance(o, Literal))
        if issued:
            g.add(
                me,
                DCT + "issued",
                typed(
                    issued[-1],
                    XSD + "date"
                    if len(issued[-1]) == 10
                    else XSD + "gYear"
                    if len(issued[-1]) == 4
                    else XSD + "gYearMonth",
                ),
            )
        g.add(me, DCT + "subject", c.iri)
        g.add(
            me,
            RDFS + "comment",
            en(
                "Generated by quartiers import-contracts from the tables in data/contracts-src/; "
                "every statement carries its own prov:wasDerivedFrom."
            ),
        )

    def pull_descriptions(self, g: Graph, seeds: list[str] | None = None) -> None:
        """Add the description of every organisation, person, post, source or scheme the file refers to."""
        done: set[str] = set()
        while True:
            wanted = set(seeds or ()) - done
            wanted |= {
                o for s in g.subjects() for p in g.predicates(s) for o in g.objects(s, p)
                if isinstance(o, str) and o in self.descriptions and o not in done
            }  # fmt: skip
            if not wanted:
                return
            for iri in sorted(wanted):
                done.add(iri)
                d = self.descriptions[iri]
                for p in d.predicates(iri):
                    for o in d.objects(iri, p):
                        g.add(iri, p, o)


def refines(precise: Literal | str, vague: Literal | str) -> bool:
    """A date that states more than another and agrees with it (2024-05-30 refines 2024-05 and 2024)."""
    dates = (XSD + "date", XSD + "gYearMonth", XSD + "gYear")
    return (
        isinstance(precise, Literal)
        and isinstance(vague, Literal)
        and precise.datatype in dates
        and vague.datatype in dates
        and len(precise.lexical) > len(vague.lexical)
        and precise.lexical.startswith(vague.lexical)
    )


def _day(parsed: tuple[str, str], first: bool) -> tuple[str, str]:
    lexical, datatype = parsed
    if datatype == XSD + "date":
        return parsed
    import calendar

    year = int(lexical[:4])
    if datatype == XSD + "gYear":
        return (f"{year}-01-01" if first else f"{year}-12-31"), XSD + "date"
    month = int(lexical[5:7])
    last = calendar.monthrange(year, month)[1]
    return (f"{lexical}-01" if first else f"{lexical}-{last:02d}"), XSD + "date"


PROVENANCE_CELLS = frozenset({"source", "locator", "quote", "comment", "contract", "file"})


def same_entity(first: Row, second: Row) -> bool:
    """Two rows declare the same entity when every cell but their provenance is equal."""
    keys = (set(first) | set(second)) - PROVENANCE_CELLS
    return all((first.get(k) or "") == (second.get(k) or "") for k in keys)
