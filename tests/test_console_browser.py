"""The console in a real browser: Debian's headless Chromium driven by Playwright (no browser download) against a
real server on the national graph. Runs a catalogue question (or, while the catalogue is not served, a query) from
the query page and checks the rows of the table, builds a query by clicking in the visual builder and runs it,
opens the dashboard, and saves screenshots to docs/screenshots/{console,builder,dashboard}.png.

Expected rows come from the source tables (../shared/reference) or from the built store read here by pattern with
pyoxigraph, never from the page itself."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from graph.namespaces import QK
from sparql_api.server import running_server
from sparql_api.settings import Settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed "
                                "(apt-get install chromium; ./dev test installs it)")
# the flags the workplace needs: no sandbox as root, no background connections to a closed network
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CFG = "https://w3id.org/quartiers/sparnatural/"
VISIBLE_ROWS = ".yasr .dataTable tbody tr"


@pytest.fixture(scope="module")
def url(national_store_path: Path) -> Iterator[str]:
    with running_server(national_store_path, Settings(access_log=False)) as base:
        yield base


@pytest.fixture(scope="module")
def page(url: str):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.errors = errors
        yield tab
        context.close()
        browser.close()


def visible_rows(page) -> int:
    return page.locator(VISIBLE_ROWS).count()


def qpv_of_departement(shared: Path, code: str) -> set[str]:
    rows = csv.DictReader((shared / "reference/qpv/qpv_2024.csv").open(encoding="utf-8"))
    return {r["code_qp"] for r in rows if r["insee_dep"] == code}


def catalogue(url: str) -> list[dict]:
    response = httpx.get(url + "/questions", headers={"Accept": "application/json"}, timeout=60)
    if response.status_code != 200:
        return []
    found = response.json()
    return found if isinstance(found, list) else []


def test_query_page_runs_a_question_or_a_query(page, url: str, shared: Path) -> None:
    page.goto(url + "/sparql", wait_until="networkidle")
    assert page.locator("#yasqe .CodeMirror").count() == 1  # the editor is there, with highlighting
    assert page.locator("#yasqe .cm-string-2, #yasqe .cm-keyword").count() > 0
    questions = catalogue(url)
    if questions:
        wanted = next((q for q in questions if q["name"] == "qpv-per-departement"), questions[0])
        answer = httpx.get(f"{url}/questions/{wanted['name']}", headers={"Accept": "application/sparql-results+json"},
                           timeout=120).json()
        expected = len(answer["results"]["bindings"])
        page.click(f'#examples li[data-name="{wanted["name"]}"] a')
        page.click("#question-run")
        page.wait_for_selector("#query-time")
        assert page.evaluate("QKGConsole.yasr.results.getBindings().length") == expected
        assert visible_rows(page) == min(expected, 50)  # the table shows its first page
        assert wanted["name"] not in page.locator("#error").inner_text()
    else:
        # the catalogue is not served yet: a typed query whose answer comes from the QPV table
        expected_codes = qpv_of_departement(shared, "42")
        query = ("PREFIX qk: <https://w3id.org/quartiers/def#>\nPREFIX igeo: <http://rdf.insee.fr/def/geo#>\n"
                 "SELECT DISTINCT ?qpv ?code WHERE {\n  ?qpv a qk:QPV ; qk:qpvCode ?code ;\n"
                 '       qk:departement/igeo:codeINSEE "42" .\n} ORDER BY ?code')
        page.evaluate("q => QKGConsole.yasqe.setValue(q)", query)
        page.click("#run")
        page.wait_for_selector("#query-time")
        assert visible_rows(page) == len(expected_codes)
        shown = set(page.locator(f"{VISIBLE_ROWS} td:nth-child(3)").all_inner_texts())
        assert {s.strip('"') for s in shown} == expected_codes
        links = page.locator(f'{VISIBLE_ROWS} a[href^="https://w3id.org/quartiers/id/qpv/"]')
        assert links.count() == len(expected_codes)  # IRIs are links to their pages
    assert "ms" in page.inner_text("#query-time")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "console.png"))
    # sorting: a click on a column header sorts the rows
    page.locator(".yasr .dataTable thead th").nth(1).click()
    assert visible_rows(page) > 0
    # an error says where it is
    page.evaluate("q => QKGConsole.yasqe.setValue(q)", "SELECT * WHERE {\n  ?s ?p \n}")
    page.click("#run")
    page.wait_for_selector("#error:not([hidden])")
    assert "3:1" in page.inner_text("#error") or "ligne 3" in page.inner_text("#error")
    assert page.locator("#yasqe .error-line").count() == 1
    assert not page.errors, page.errors


CAF_LOIRE = "Caisse d'allocations familiales de la Loire"


def contracts_signed_by(store_path: Path, label: str) -> tuple[set[str], set[str]]:
    """The organisations labelled ``label`` and the contracts they sign (qk:signatory), read from the built store
    by pattern (no SPARQL, not through the service)."""
    store = ox.Store.read_only(str(store_path / "oxigraph"))
    rdfs_label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    orgs = {q.subject for q in store.quads_for_pattern(None, rdfs_label, ox.Literal(label, language="fr"), None)}
    signatory = ox.NamedNode(QK + "signatory")
    contracts = {q.subject.value for org in orgs for q in store.quads_for_pattern(None, signatory, org, None)}
    return {o.value for o in orgs}, contracts


def test_builder_builds_and_runs_a_query(page, url: str, national_store_path: Path) -> None:
    """The issue's example: contracts signed by the CAF of the Loire, built by clicking."""
    orgs, expected = contracts_signed_by(national_store_path, CAF_LOIRE)
    assert orgs and expected  # the seed contract of Saint-Étienne Métropole names the CAF of the Loire
    page.goto(url + "/builder", wait_until="networkidle")
    page.click(f'.StartClassGroup li[data-id="{CFG}qk-Contract"] > .item-sel')  # contrat de ville
    page.click(f'.EndClassGroup li[data-id="{CFG}qk-Organisation"] > .item-sel')  # organisation
    page.locator(".ObjectPropertyGroup").get_by_text("signataire", exact=True).click()  # the relation
    page.locator(".EditComponents input").first.fill("Loire")  # autocomplete on the labels, through /sparql
    page.get_by_text(CAF_LOIRE, exact=True).click()
    page.wait_for_function("document.getElementById('generated-sparql').textContent.includes('signatory')")
    sparql = page.inner_text("#generated-sparql")
    assert f"<{QK}signatory>" in sparql and all(org in sparql for org in orgs)
    page.click("#builder-run")
    page.wait_for_selector("#query-time")
    found = page.evaluate("QKGBuilder.yasr.results.getBindings().map(b => b.qk_Contract_1.value)")
    assert sorted(found) == sorted(expected)
    assert visible_rows(page) == len(expected)
    links = page.locator(f'{VISIBLE_ROWS} a[href^="https://w3id.org/quartiers/id/contrat/"]')
    assert links.count() == len(expected)  # the contracts link to their IRIs
    page.screenshot(path=str(SCREENSHOTS / "builder.png"), full_page=True)
    # the generated query opens in the editor
    page.click("#open-editor")
    page.wait_for_selector("#yasqe .CodeMirror")
    assert "signatory" in page.evaluate("QKGConsole.yasqe.getValue()")
    assert not page.errors, page.errors


def test_dashboard(page, url: str, shared: Path) -> None:
    rows = list(csv.DictReader((shared / "reference/qpv/qpv_2024.csv").open(encoding="utf-8")))
    metro = {r["code_qp"] for r in rows if r["zone"] == "metropole"}
    page.goto(url + "/dashboard", wait_until="networkidle", timeout=300_000)
    assert page.locator("#qpv-map svg path").count() == len(metro)
    assert page.locator("#contracts svg circle.contract").count() >= 1
    for chart in ("chart-months", "chart-schemes", "chart-departements"):
        assert page.evaluate(f"!!Chart.getChart(document.getElementById('{chart}'))"), chart
    assert page.locator("#audit tbody tr").count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
    assert not page.errors, page.errors


def test_money_and_geometry_results_one_click_to_chart_and_map(page, url: str, shared: Path) -> None:
    page.goto(url + "/sparql", wait_until="networkidle")
    money = ("PREFIX qk: <https://w3id.org/quartiers/def#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "SELECT ?scheme (SUM(?amount) AS ?total) WHERE {\n"
             "  { SELECT DISTINCT ?f ?amount ?scheme WHERE {\n"
             "      ?f a qk:Funding ; qk:amount ?amount ; qk:scheme ?scheme } }\n"
             "} GROUP BY ?scheme ORDER BY DESC(?total)")
    page.evaluate("q => QKGConsole.yasqe.setValue(q)", money)
    page.click("#run")
    page.wait_for_selector("#query-time")
    bars = visible_rows(page)
    page.click(".yasr .select_chart")
    page.wait_for_selector(".qkg-chart canvas")
    assert page.evaluate("Chart.getChart(document.querySelector('.qkg-chart canvas')).data.labels.length") == bars
    geometry = ("PREFIX qk: <https://w3id.org/quartiers/def#>\nPREFIX geo: <http://www.opengis.net/ont/geosparql#>\n"
                "PREFIX igeo: <http://rdf.insee.fr/def/geo#>\n"
                "SELECT ?qpv ?wkt WHERE {\n  ?qpv a qk:QPV ; geo:hasGeometry/geo:asWKT ?wkt ;\n"
                '       qk:departement/igeo:codeINSEE "42" .\n}')
    page.evaluate("q => QKGConsole.yasqe.setValue(q)", geometry)
    page.click("#run")
    page.wait_for_selector("#query-time")
    page.click(".yasr .select_map")
    page.wait_for_selector(".qkg-map-wrap svg")
    assert page.locator(".qkg-map-wrap svg path").count() == len(qpv_of_departement(shared, "42"))
    assert not page.errors, page.errors
