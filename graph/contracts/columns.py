# ruff: noqa: E501  (the column table reads best one column per line)
"""The contract import format: sheets and columns — the single source of truth.

``docs/import-format.md`` (the columns tables), the blank template (``docs/import/template.xlsx`` and
``data/contracts-src/_template/*.csv``) and the reader's checks are all generated from ``SHEETS``.
"""

from __future__ import annotations

from dataclasses import dataclass

THEMES = (
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
)
NATIONAL_ORGS = ("etat", "france-travail", "banque-des-territoires", "education-nationale", "anru", "anct")
SOURCE_KINDS = ("page", "press", "prefecture", "deliberation", "document", "table", "law")
ORG_KINDS = (
    "etat", "prefecture", "commune", "epci", "departement", "region", "caf", "cpam", "ars", "france-travail",
    "education-nationale", "banque-des-territoires", "justice", "cci", "cma", "bailleur-social", "association",
    "public-body", "unit", "other",
)  # fmt: skip
POST_ROLES = (
    "prefet", "maire", "president-epci", "president-conseil-departemental", "president-conseil-regional",
    "conseiller-departemental", "directeur", "autre",
)  # fmt: skip
SIGNATORY_ROLES = (
    "etat", "epci", "commune", "departement", "region", "organisme-public", "chambre-consulaire",
    "bailleur-social", "association", "autre",
)  # fmt: skip
BASES = ("texte-source", "loi")
PRIORITY_KINDS = ("axe", "defi", "pilier", "orientation", "priorite")
AMOUNT_BASES = ("total", "annuel")
NATIONAL_SCHEMES = ("p147", "npnru", "adulte-relais", "fonjep", "cper-2015-2020")
PRINCIPLES = ("laicite", "non-discrimination")

# kinds of cell (what the reader checks)
KEY = "key"  # lowercase ascii slug
TEXT = "text"
SHORT = "short"  # text of at most 200 characters
DATE = "date"  # YYYY-MM-DD, DD/MM/YYYY, YYYY-MM, YYYY
YEAR = "year"
AMOUNT = "amount"
COUNT = "count"  # non-negative integer
URL = "url"
ORG = "org"  # organisation reference
ORGS = "orgs"  # ; list of organisation references
THEME = "theme"
THEMES_LIST = "themes"
CHOICE = "choice"
SOURCE = "source"  # key of the sources sheet
PERSON = "person"
PERSONS = "persons"
QPV = "qpv"  # a QPV code or *
QPVS = "qpvs"  # ; list of QPV codes
COMMUNES = "communes"  # ; list of INSEE codes, or *
TERRITORY = "territory"  # commune:/departement:/region:/epci:
CURRENCY = "currency"
KEYS = "keys"  # ; list of keys


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    fr: str
    en: str
    required: bool = False
    choices: tuple[str, ...] = ()
    added: bool = False  # added after the columns were frozen: may be absent from a file


@dataclass(frozen=True)
class Sheet:
    name: str
    fr: str
    en: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _source_columns(quote: bool = True) -> tuple[Column, ...]:
    cols = [
        Column("source", SOURCE, "clé de la source (feuille sources)", "key of the source (sources sheet)", True),
        Column("locator", TEXT, "où dans la source (page, section, paragraphe)", "where in the source (page, section)"),
    ]
    if quote:
        cols.append(Column("quote", SHORT, "extrait exact (≤ 200 caractères)", "exact excerpt (≤ 200 characters)"))
    cols.append(Column("comment", TEXT, "note éditoriale (en anglais)", "editorial note (in English)"))
    return tuple(cols)


SHEETS: tuple[Sheet, ...] = (
    Sheet("sources", "une ligne par document source", "one row per source document", (
        Column("source", KEY, "clé de la source", "source key", True),
        Column("url", URL, "adresse publique (http/https)", "public address (http/https)", True),
        Column("title", TEXT, "titre", "title"),
        Column("publisher", ORG, "éditeur (référence d'organisation)", "publisher (organisation reference)"),
        Column("issued", DATE, "date de publication", "publication date"),
        Column("kind", CHOICE, "nature du document", "kind of document", False, SOURCE_KINDS),
        Column("licence", URL, "licence (URL, si indiquée)", "licence (URL, if stated)"),
        Column("comment", TEXT, "note éditoriale (en anglais)", "editorial note (in English)"),
    )),
    Sheet("contracts", "une ligne par contrat et par source", "one row per contract per source", (
        Column("contract", KEY, "clé du contrat (nom du fichier produit)", "contract key (output file slug)", True),
        Column("carrier", ORG, "porteur (SIREN d'EPCI/EPT ou commune:INSEE)", "carrier (EPCI/EPT SIREN or commune:INSEE)"),
        Column("title", TEXT, "intitulé (fr)", "title (fr)"),
        Column("signing_date", DATE, "date de signature", "signing date"),
        Column("adoption_date", DATE, "date d'adoption par un conseil (pas une signature)", "date a council adopted it (not a signature)"),
        Column("adopted_by", ORG, "conseil qui l'a adopté", "council that adopted it"),
        Column("start_date", DATE, "début", "start"),
        Column("end_date", DATE, "fin", "end"),
        Column("stated_qpv_count", COUNT, "nombre de QPV indiqué par la source", "number of QPV the source states"),
        Column("stated_signatory_count", COUNT, "nombre de signataires indiqué", "number of signatories stated"),
        Column("stated_population", COUNT, "population des QPV indiquée", "QPV population as stated"),
        Column("themes", THEMES_LIST, "thèmes nationaux nommés (; liste)", "national themes named (; list)"),
        Column("principles", KEYS, "principes (laicite ; non-discrimination) [colonne ajoutée, facultative]", "principles (laicite; non-discrimination) [added optional column]", False, PRINCIPLES, added=True),
        *_source_columns(),
    )),
    Sheet("organisations", "organisations non résolues par SIREN", "bodies not resolved from the reference by SIREN", (
        Column("organisation", KEY, "clé de l'organisation", "organisation key", True),
        Column("siren", TEXT, "SIREN (si connu et indiqué)", "SIREN (if known and stated)"),
        Column("label", TEXT, "nom officiel (fr)", "official name (fr)"),
        Column("alt_labels", TEXT, "autres noms (; liste)", "other names (; list)"),
        Column("kind", CHOICE, "nature", "kind", False, ORG_KINDS),
        Column("jurisdiction", TERRITORY, "ressort territorial", "jurisdiction"),
        Column("parent", ORG, "organisation mère", "parent organisation"),
        *_source_columns(quote=False),
    )),
    Sheet("people", "personnes nommées et fonction", "named persons and the post they hold", (
        Column("person", KEY, "clé de la personne", "person key", True),
        Column("name", TEXT, "nom", "name", True),
        Column("post", KEY, "clé de la fonction", "post key"),
        Column("post_label", TEXT, "intitulé de la fonction (fr)", "post label (fr)"),
        Column("post_role", CHOICE, "nature de la fonction", "role of the post", False, POST_ROLES),
        Column("post_in", ORG, "organisation de la fonction", "organisation of the post"),
        Column("electoral_division", TEXT, "circonscription (canton…)", "electoral division (canton…)"),
        *_source_columns(),
    )),
    Sheet("signatories", "une ligne par signataire et par contrat", "one row per signing organisation per contract", (
        Column("contract", KEY, "clé du contrat", "contract key", True),
        Column("signatory", ORG, "signataire (référence d'organisation)", "signatory (organisation reference)", True),
        Column("role", CHOICE, "rôle du signataire", "signatory role", True, SIGNATORY_ROLES),
        Column("signing_date", DATE, "date de sa signature", "date of its signature"),
        Column("basis", CHOICE, "fondement (texte-source par défaut, ou loi)", "basis (texte-source by default, or loi)", False, BASES),
        Column("represented_by", PERSON, "représenté par (clé de personne)", "represented by (person key)"),
        Column("in_presence_of", PERSONS, "en présence de (; clés de personnes)", "in presence of (; person keys)"),
        *_source_columns(),
    )),
    Sheet("qpv", "les QPV couverts", "the QPV a contract covers", (
        Column("contract", KEY, "clé du contrat", "contract key", True),
        Column("qpv", QPV, "code QPV, ou * (tous les QPV du territoire du porteur)", "QPV code, or * (every QPV of the carrier's territory)"),
        Column("qpv_name", TEXT, "nom exact du QPV dans la liste nationale", "exact QPV name in the national list"),
        *_source_columns(),
    )),
    Sheet("priorities", "axes, défis, piliers, orientations du contrat", "the contract's own axes / défis / piliers", (
        Column("contract", KEY, "clé du contrat", "contract key", True),
        Column("priority", KEY, "clé de la priorité", "priority key", True),
        Column("kind", CHOICE, "nature", "kind", True, PRIORITY_KINDS),
        Column("number", TEXT, "numéro", "number"),
        Column("label", TEXT, "intitulé (fr)", "label (fr)", True),
        Column("definition", SHORT, "définition courte (≤ 200 caractères)", "short definition (≤ 200 characters)"),
        Column("themes", THEMES_LIST, "thèmes nationaux correspondants", "national themes it maps to"),
        Column("mapping_note", TEXT, "qui a établi la correspondance (fr)", "who made the mapping (fr)"),
        *_source_columns(quote=False),
    )),
    Sheet("commitments", "engagements", "commitments", (
        Column("contract", KEY, "clé du contrat", "contract key", True),
        Column("commitment", KEY, "clé de l'engagement", "commitment key", True),
        Column("label", TEXT, "intitulé (fr)", "label (fr)", True),
        Column("description", SHORT, "description (≤ 200 caractères)", "description (≤ 200 characters)"),
        Column("committed_by", ORG, "organisation qui s'engage", "committing organisation", True),
        Column("theme", KEY, "un thème national ou une priorité du contrat", "one national theme or a priority of the contract", True),
        Column("qpv", QPVS, "QPV concernés (; codes)", "QPV concerned (; codes)"),
        Column("communes", COMMUNES, "communes (; codes INSEE, ou * = communes membres du porteur)", "communes (; INSEE codes, or * = member communes of the carrier)"),
        Column("start_date", DATE, "début", "start"),
        Column("end_date", DATE, "fin", "end"),
        Column("period_label", TEXT, "période telle que formulée (fr)", "period as worded (fr)"),
        Column("involves", KEYS, "dispositifs mobilisés (; clés de schemes)", "schemes involved (; scheme keys)"),
        Column("indicator", TEXT, "indicateur", "indicator"),
        Column("funding", KEYS, "financements liés (; clés)", "related funding (; keys)"),
        *_source_columns(),
    )),
    Sheet("funding", "financements", "money", (
        Column("contract", KEY, "clé du contrat (vide si la source ne lie pas l'argent au contrat)", "contract key (empty when the source does not tie the money to it)"),
        Column("funding", KEY, "clé du financement", "funding key", True),
        Column("label", TEXT, "intitulé (fr)", "label (fr)", True),
        Column("funder", ORG, "financeur", "funder"),
        Column("amount", AMOUNT, "montant", "amount"),
        Column("currency", CURRENCY, "devise ISO 4217 (EUR par défaut)", "ISO 4217 currency (default EUR)"),
        Column("amount_basis", CHOICE, "total ou annuel", "total or annual", False, AMOUNT_BASES),
        Column("year", YEAR, "année", "year"),
        Column("start_date", DATE, "début", "start"),
        Column("end_date", DATE, "fin", "end"),
        Column("purpose", TEXT, "objet (fr, court)", "purpose (fr, short)"),
        Column("purpose_theme", THEME, "thème de l'objet", "theme of the purpose"),
        Column("scheme", KEY, "programme (p147, npnru… ou clé de schemes)", "programme (p147, npnru… or a schemes key)"),
        Column("recipient", ORG, "bénéficiaire", "recipient"),
        Column("post_count", COUNT, "nombre de postes financés", "number of funded posts"),
        Column("resource_count", COUNT, "nombre de ressources financées", "number of funded resources"),
        Column("resource", TEXT, "ce qui est compté (fr)", "what is counted (fr)"),
        Column("supersedes", KEY, "financement remplacé (clé)", "funding it replaces (key)"),
        Column("file", KEY, "contrat dont le fichier porte la ligne (si contract est vide)", "contract whose file holds the row (when contract is empty)"),
        *_source_columns(),
    )),
    Sheet("events", "concertations et autres événements", "consultations and other events", (
        Column("contract", KEY, "clé du contrat", "contract key", True),
        Column("event", KEY, "clé de l'événement", "event key", True),
        Column("label", TEXT, "intitulé (fr)", "label (fr)", True),
        Column("date", DATE, "date", "date"),
        Column("participants", COUNT, "nombre de participants", "number of participants"),
        Column("part_of", KEY, "événement parent (clé)", "parent event (key)"),
        Column("organised_by", ORGS, "organisé par (; références)", "organised by (; references)"),
        *_source_columns(),
    )),
    Sheet("schemes", "dispositifs et instances locales", "local schemes and bodies", (
        Column("scheme", KEY, "clé du dispositif", "scheme key", True),
        Column("label", TEXT, "intitulé (fr)", "label (fr)", True),
        Column("alt_labels", TEXT, "sigles, autres noms (; liste)", "acronyms, other names (; list)"),
        Column("contract", KEY, "fichier (clé de contrat) où l'écrire", "file (contract key) it is written to", True),
        *_source_columns(quote=False),
    )),
    Sheet("statements", "ce qu'une source dit d'autre chose que le contrat", "what a source says about something else", (
        Column("contract", KEY, "fichier (clé de contrat) où l'écrire", "file (contract key) it is written to", True),
        Column("statement", KEY, "clé de l'énoncé", "statement key", True),
        Column("label", TEXT, "intitulé (fr)", "label (fr)", True),
        Column("about", TERRITORY, "territoire dont il s'agit", "territory it is about", True),
        Column("qpv_count", COUNT, "nombre de QPV", "number of QPV"),
        Column("qpv", QPVS, "QPV (; codes)", "QPV (; codes)"),
        *_source_columns(),
    )),
)  # fmt: skip

SHEET_BY_NAME = {sheet.name: sheet for sheet in SHEETS}


def markdown_tables() -> str:
    """The columns of every sheet as Markdown tables (fr + en), for docs/import-format.md."""
    out: list[str] = []
    for sheet in SHEETS:
        out.append(f"### `{sheet.name}` — {sheet.fr} / {sheet.en}\n")
        out.append("| column | required | fr | en | values |")
        out.append("|---|---|---|---|---|")
        for col in sheet.columns:
            values = ", ".join(f"`{c}`" for c in col.choices) if col.choices else col.kind
            out.append(f"| `{col.name}` | {'yes' if col.required else ''} | {col.fr} | {col.en} | {values} |")
        out.append("")
    return "\n".join(out)
