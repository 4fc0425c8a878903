"""The web console for people: the home page, the query page (``/sparql`` for a browser), the visual query
builder (``/builder``, Sparnatural configured from the project's ontology and shapes) and the dashboard
(``/dashboard``). Pages are jinja2 templates (``templates/console/``), bilingual (French first, English beside).

Front-end files come from the npm registry (``package.json``/``package-lock.json``, installed by ``./dev`` into
``node_modules/``) and are served here under ``/static/vendor/`` — never from a CDN: the console works offline.
SPARQL clients are not affected: ``/sparql`` answers HTML only to a GET without query or update whose Accept header
names text/html before, and at least as high as, every SPARQL result and RDF type the endpoint offers.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from graph.formats import GRAPH_OFFER, SOLUTIONS_OFFER
from graph.layout import WRITES_GRAPH, resource_root
from graph.namespaces import BASE, PREFIXES
from sparql_api import dashboard, internal
from sparql_api.errors import HttpError
from sparql_api.negotiation import prefers_html
from sparql_api.service_description import DESCRIPTION_OFFER

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
# /static/vendor/<name>/ → node_modules/<path>
VENDOR = {
    "yasgui": "@zazuko/yasgui/build",
    "sparnatural": "sparnatural/dist/browser",
    "chartjs": "chart.js/dist",
}
SPARNATURAL_CONFIG_PATH = "/builder/config.ttl"


def node_modules() -> Path:
    """Where npm installed the front-end files: $QUARTIERS_NODE_MODULES, or node_modules/ of the checkout."""
    override = os.environ.get("QUARTIERS_NODE_MODULES")
    if override:
        return Path(override)
    for root in (resource_root(), HERE.parent):
        if (root / "node_modules").is_dir():
            return root / "node_modules"
    return HERE.parent / "node_modules"


def vendor_missing() -> list[str]:
    return [name for name, sub in VENDOR.items() if not (node_modules() / sub).is_dir()]


def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def register(app: FastAPI) -> None:
    """Mount the static files and add the console's pages to ``app``."""
    app.state.console_templates = environment()
    app.state.console_cache = {}  # per write generation: the dashboard, the builder's configuration
    app.mount("/static/console", StaticFiles(directory=STATIC), name="console-static")
    for name, sub in VENDOR.items():
        if (node_modules() / sub).is_dir():  # missing: 404, and every page says how to install them
            app.mount(f"/static/vendor/{name}", StaticFiles(directory=node_modules() / sub), name=f"vendor-{name}")
    # pages for people, documented in docs/console.md, kept out of the API document (like the home page)
    for path, page in (("/", home), ("/builder", builder), (SPARNATURAL_CONFIG_PATH, builder_config),
                       ("/dashboard", dashboard_page)):
        app.add_api_route(path, page, methods=["GET"], include_in_schema=False)


# --- negotiation ---------------------------------------------------------------------------------------------
def wants_query_page(method: str, accept: str | None, format_value: str | None) -> bool:
    """A browser asking for /sparql itself: GET (or HEAD), no format parameter, text/html preferred over every
    service-description, result and graph type. ``parse_request`` already found no query or update."""
    if method not in ("GET", "HEAD") or format_value is not None:
        return False
    return all(prefers_html(accept, offer) for offer in (DESCRIPTION_OFFER, SOLUTIONS_OFFER, GRAPH_OFFER))


# --- pages ---------------------------------------------------------------------------------------------------
def render(request: Request, template: str, **values: Any) -> HTMLResponse:
    env: Environment = request.app.state.console_templates
    settings = request.app.state.settings
    page = env.get_template(f"console/{template}").render(
        base_iri=settings.base_iri, missing=vendor_missing(), path=request.url.path, **values)
    return HTMLResponse(page)


async def home(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    return render(request, "home.html", audit_graph=settings.base_iri + WRITES_GRAPH[len(BASE):])


def script_json(value: Any) -> str:
    """JSON for an inline <script> (no "</script>" can close it early)."""
    return json.dumps(value).replace("<", "\\u003c")


def served_prefixes(request: Request) -> dict[str, str]:
    """The project's prefixes with the served base IRI (``quartiers serve --base``)."""
    return {name: iri.replace(BASE, request.app.state.settings.base_iri, 1) for name, iri in PREFIXES.items()}


async def query_page(request: Request, endpoint: str) -> HTMLResponse:
    """The query editor (YASGUI's editor and result viewer) for ``endpoint`` (/sparql or /sparql/asserted)."""
    return render(request, "sparql.html", endpoint=endpoint, prefixes_json=script_json(served_prefixes(request)))


async def builder(request: Request) -> HTMLResponse:
    return render(request, "builder.html", config=SPARNATURAL_CONFIG_PATH,
                  prefixes_json=script_json(served_prefixes(request)))


async def cached(request: Request, key: str, compute) -> Any:
    """``compute()`` once per write generation of the store (a lock per key keeps it from running twice)."""
    engine = request.app.state.engine
    cache: dict[str, Any] = request.app.state.console_cache
    lock = cache.setdefault(("lock", key), asyncio.Lock())
    async with lock:
        entry = cache.get(key)
        if entry is None or entry[0] != engine.generation:
            entry = (engine.generation, await compute())
            cache[key] = entry
    return entry[1]


async def builder_config(request: Request) -> Response:
    """The Sparnatural configuration: generated from ontology/ and shapes/; the properties the ontology gives no
    domain are placed on the classes whose instances use them (one SPARQL query)."""
    from graph.sparnatural import config_turtle, domainless_properties

    base = request.app.state.settings.base_iri

    async def compute() -> str:
        props = await asyncio.to_thread(domainless_properties)
        values = " ".join(f"<{p.replace(BASE, base, 1)}>" for p in props)
        query = (f"SELECT DISTINCT ?c ?p WHERE {{ VALUES ?p {{ {values} }} ?s ?p ?o ; a ?c . "
                 f"FILTER(isIRI(?c)) }}")
        _, rows = await internal.select(request.app.state.engine, query, timeout=60) if props else ([], [])
        canonical = [(r["c"]["value"].replace(base, BASE, 1), r["p"]["value"].replace(base, BASE, 1)) for r in rows]
        text = await asyncio.to_thread(config_turtle, canonical)
        return text.replace(BASE, base)  # the IRIs the store holds when served with another base

    text = await cached(request, "sparnatural", compute)
    return Response(text, media_type="text/turtle; charset=utf-8")


async def dashboard_page(request: Request) -> HTMLResponse:
    engine = request.app.state.engine

    async def compute() -> dashboard.Dashboard:
        return await dashboard.gather(engine, engine.store_dir, request.app.state.settings.base_iri)

    board = await cached(request, "dashboard", compute)
    codes = {code for code, _ in board.departement_choices}
    departement = request.query_params.get("departement") or None
    if departement is not None and departement not in codes:
        raise HttpError(400, f"département inconnu : {departement!r} (codes INSEE, ex. 42)",
                        f"unknown département: {departement!r} (INSEE codes, e.g. 42)")
    qpv_svg, drawn, outside = await asyncio.to_thread(dashboard.qpv_map, board.outlines, departement)
    charts = {
        "months": {"labels": [m["month"] for m in board.months], "values": [m["contracts"] for m in board.months]},
        "schemes": {"labels": [s["label"] for s in board.schemes], "values": [s["total"] for s in board.schemes]},
        "departements": {"labels": [d["label"] for d in board.departements[:30]],
                         "values": [d["total"] for d in board.departements[:30]]},
    }
    return render(request, "dashboard.html", board=board, charts_json=json.dumps(charts), qpv_svg=qpv_svg,
                  qpv_drawn=drawn, qpv_outside=outside, departement=departement)


__all__ = ["query_page", "register", "wants_query_page"]
