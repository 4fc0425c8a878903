"""``quartiers ask`` and the ``/questions`` routes on a real store and a real HTTP server.

Expected answers come from ../shared/reference/qpv/qpv_2024.csv (standard ``csv`` module).
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from graph.build import open_built_store
from graph.cli import main
from graph.questions import load_catalogue
from graph.sparql_text import tokenize
from sparql_api.server import running_server
from sparql_api.settings import Settings

QPV_74 = "departement=74"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("questions-http")
    store, _ = open_built_store(folder)
    store.close()
    del store
    return folder


@pytest.fixture(scope="module")
def epci_74(shared: Path) -> dict[str, int]:
    """QPV per EPCI of the Haute-Savoie, from the national QPV table."""
    with (shared / "reference" / "qpv" / "qpv_2024.csv").open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["insee_dep"] == "74"]
    return dict(Counter(s for r in rows for s in r["siren_epci"].split(";") if s))


def ask(store_dir: Path, *args: str) -> int:
    return main(["ask", *args, "--store", str(store_dir), "--quiet"])


# ---- command line ----------------------------------------------------------------------------------------------
def test_cli_csv(store_dir, epci_74, capsys):
    assert ask(store_dir, "qpv-per-epci", "--departement", "74", "--format", "csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert {r["siren"]: int(r["qpv"]) for r in rows} == epci_74


def test_cli_json_and_param_form(store_dir, epci_74, capsys):
    assert ask(store_dir, "qpv-per-epci", "--param", "departement=74", "--format", "json") == 0
    bindings = json.loads(capsys.readouterr().out)["results"]["bindings"]
    assert {b["siren"]["value"]: int(b["qpv"]["value"]) for b in bindings} == epci_74


def test_cli_table(store_dir, epci_74, capsys):
    assert ask(store_dir, "qpv-per-epci", "--departement=74") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["epci", "siren", "epciLabel", "qpv"]
    assert len(out) == 2 + len(epci_74)


def test_cli_list(store_dir, capsys):
    assert ask(store_dir, "--list", "--lang", "en") == 0
    out = capsys.readouterr().out
    for question in load_catalogue().values():
        assert f"{question.name}  —  {question.title['en']}" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["no-such-question"], ["question inconnue", "unknown question", "no-such-question"]),
        (["qpv-per-epci", "--departement", "7x"], ["departement", "'7x'", "n'est pas", "is not a valid code"]),
        (["qpv-per-epci", "--commune", "42218"], ["paramètre inconnu", "unknown parameter", "commune"]),
        (["qpv-per-epci", "--departement"], ["valeur manquante", "missing value"]),
        (["qpv-per-epci", "--param", "departement"], ["NOM=VALEUR", "NAME=VALUE"]),
        (["contract-signatories", "--contract", "http://x> } DROP ALL #"], ["contract", "IRI"]),
        ([], ["nom de question manquant", "missing question name"]),
    ],
)
def test_cli_bad_input(store_dir, capsys, args, words):
    assert ask(store_dir, *args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and all(w in err for w in words), err


# ---- HTTP ------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client(store_dir):
    with running_server(store_dir, Settings(access_log=False)) as url, httpx.Client(base_url=url, timeout=60) as c:
        yield c


def test_list(client):
    response = client.get("/questions")
    assert response.status_code == 200
    listed = response.json()
    catalogue = load_catalogue()
    assert [q["name"] for q in listed] == list(catalogue)
    for item in listed:
        assert set(item) >= {"name", "title", "description", "parameters", "query", "chart"}
        assert item["title"]["fr"] and item["title"]["en"] and item["description"]["fr"] and item["description"]["en"]
        assert not [t for t in tokenize(item["query"]) if t.kind == "var" and t.text.startswith("$")]
        for p in item["parameters"]:
            assert set(p) >= {"name", "type", "default", "description"}
    epci = next(q for q in listed if q["name"] == "qpv-per-epci")
    assert epci["parameters"][0]["name"] == "departement" and epci["parameters"][0]["default"] == "42"
    assert epci["chart"] == {"kind": "bar", "label": "epciLabel", "value": "qpv"}


@pytest.mark.parametrize(
    ("headers", "params", "media"),
    [
        ({"Accept": "text/csv"}, {}, "text/csv"),
        ({"Accept": "application/sparql-results+json"}, {}, "application/sparql-results+json"),
        ({"Accept": "application/json"}, {}, "application/sparql-results+json"),
        ({}, {"format": "tsv"}, "text/tab-separated-values"),
        ({"Accept": "text/html"}, {"format": "csv"}, "text/csv"),
    ],
)
def test_answer_formats(client, epci_74, headers, params, media):
    response = client.get("/questions/qpv-per-epci", params={"departement": "74", **params}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    if media == "text/csv":
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert {r["siren"]: int(r["qpv"]) for r in rows} == epci_74
    elif media == "text/tab-separated-values":
        lines = response.text.splitlines()
        assert len(lines) == 1 + len(epci_74)
    else:
        bindings = response.json()["results"]["bindings"]
        assert {b["siren"]["value"]: int(b["qpv"]["value"]) for b in bindings} == epci_74


def test_html_page(client, epci_74):
    response = client.get("/questions/qpv-per-epci", params={"departement": "74"},
                          headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    question = load_catalogue()["qpv-per-epci"]
    assert question.title["fr"] in html.unescape(page) and question.title["en"] in html.unescape(page)
    assert 'name="departement" value="74"' in page
    assert '<a href="https://w3id.org/quartiers/id/epci/200011773">' in page
    assert f"Résultats <span class=\"en\">/ Results</span> ({len(epci_74)})" in page
    console = next(line for line in page.splitlines() if 'href="/sparql#' in line)
    href = console.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert parse_qs(urlparse(href).fragment)["query"][0] == question.render({"departement": "74"})


def test_errors(client):
    unknown = client.get("/questions/no-such-question", headers={"Accept": "application/json"})
    assert unknown.status_code == 404
    assert "question inconnue" in unknown.text and "unknown question" in unknown.text
    bad = client.get("/questions/qpv-per-epci", params={"departement": "7x"}, headers={"Accept": "text/csv"})
    assert bad.status_code == 400
    assert "n'est pas un(e) code valide" in bad.text and "is not a valid code" in bad.text
    extra = client.get("/questions/qpv-per-epci", params={"commune": "1"}, headers={"Accept": "text/csv"})
    assert extra.status_code == 400 and "unknown parameter" in extra.text
    injected = client.get("/questions/contract-signatories", params={"contract": "http://x> } DROP ALL #"},
                          headers={"Accept": "text/csv"})
    assert injected.status_code == 400
    html = client.get("/questions/qpv-per-epci", params={"departement": "7x"}, headers={"Accept": "text/html"})
    assert html.status_code == 400 and 'role="alert"' in html.text and "is not a valid code" in html.text
    refused = client.get("/questions/qpv-per-epci", headers={"Accept": "image/png"})
    assert refused.status_code == 406


def test_openapi(client):
    spec = client.get("/openapi.json").json()
    assert "get" in spec["paths"]["/questions"]
    answer = spec["paths"]["/questions/{name}"]["get"]
    names = {p["name"] for p in answer["parameters"]}
    assert {"name", "format", "departement", "region", "contract", "scheme", "year"} <= names
    assert "text/csv" in answer["responses"]["200"]["content"]


def test_every_question_answers_on_the_whole_graph(store_dir):
    """The committed dataset of the day (the corpus grows): every question runs with its defaults, and the
    contract questions see at least the two seed contracts."""
    from graph.questions import run_question
    from graph.store import OxigraphStore

    store = OxigraphStore(store_dir / "oxigraph", read_only=True)
    try:
        answers = {name: run_question(store, q).rows() for name, q in load_catalogue().items()}
    finally:
        store.close()
    seeds = {"https://w3id.org/quartiers/id/contrat/2024/244200770", "https://w3id.org/quartiers/id/contrat/2024/200011773"}
    for name in ("signatories-per-contract", "contracts-2024-signing-deadline", "qpv-coverage-vs-national-list",
                 "amounts-per-contract"):
        assert seeds <= {r["contract"] for r in answers[name]}, name
    assert sum(int(r["qpv"]) for r in answers["qpv-per-region"]) <= 1584
