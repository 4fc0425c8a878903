"""The catalogue of named questions over HTTP.

``GET /questions`` — a JSON array: each question's name, title and description (fr, en), parameters (name, type,
default, pattern, description) and chart hint, and its SPARQL with the defaults.
``GET /questions/{name}?param=value…`` — the answer as SPARQL results (JSON, XML, CSV, TSV by content
negotiation or ``format=``), or an HTML page for browsers (description, parameter form, the SPARQL with a link
to run it at ``/sparql``, the results table). 404 for an unknown name, 400 for a bad parameter (bilingual).
Queries run in a worker process (the endpoint's path), never on the event loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from graph.formats import SOLUTIONS_OFFER
from graph.namespaces import XSD
from graph.questions import ParameterError, Question, UnknownQuestionError, get_question, load_catalogue
from sparql_api.errors import HttpError
from sparql_api.internal import select
from sparql_api.negotiation import choose, prefers_html
from sparql_api.protocol import query_params

QUESTIONS_PATH = "/questions"
RESERVED = frozenset({"format", "output"})  # output-format parameters, never a question's parameter
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(("html",)),
    trim_blocks=True,
    lstrip_blocks=True,
)
PAGE_ROWS = 1000  # rows shown on the HTML page (the data formats give every row)

router = APIRouter(tags=["questions"])


def catalogue_parameters() -> list[dict[str, Any]]:
    """Every parameter name used by a question, for the OpenAPI description of ``/questions/{name}``."""
    seen: dict[str, list[str]] = {}
    for question in load_catalogue().values():
        for p in question.parameters:
            seen.setdefault(p.name, []).append(question.name)
    params = [
        {"name": "name", "in": "path", "required": True, "description": "question name / nom de la question",
         "schema": {"type": "string", "enum": sorted(load_catalogue())}},
        {"name": "format", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "result format: json, xml, csv, tsv (else the Accept header; HTML for browsers)"},
    ]
    for name, users in sorted(seen.items()):
        params.append({"name": name, "in": "query", "required": False, "schema": {"type": "string"},
                       "description": "parameter of / paramètre de: " + ", ".join(users)})
    return params


@router.get(
    QUESTIONS_PATH,
    summary="Catalogue of named questions / catalogue des questions",
    operation_id="questionsList",
    responses={200: {"description": "JSON array of questions: name, title, description, parameters, query, chart"}},
)
async def list_questions() -> JSONResponse:
    return JSONResponse([q.to_json() for q in load_catalogue().values()])


def question_or_404(name: str) -> Question:
    try:
        return get_question(name)
    except UnknownQuestionError as exc:
        raise HttpError(404, exc.message_fr.replace("quartiers ask --list", QUESTIONS_PATH),
                        exc.message_en.replace("quartiers ask --list", QUESTIONS_PATH)) from None


def given_parameters(request: Request) -> tuple[dict[str, str], str | None]:
    """The question's parameters and the ``format`` asked for, from the URL (each given once)."""
    given: dict[str, str] = {}
    fmt = None
    for name, values in query_params(request.url.query).items():
        if len(values) != 1:
            raise HttpError(400, f"paramètre {name!r} répété", f"parameter {name!r} repeated")
        if name in RESERVED:
            fmt = values[0]
        else:
            given[name] = values[0]
    return given, fmt


@router.get(
    QUESTIONS_PATH + "/{name}",
    summary="Answer of a named question / réponse à une question",
    operation_id="questionsAnswer",
    openapi_extra={"parameters": catalogue_parameters()},
    responses={
        200: {"description": "SPARQL results (JSON, XML, CSV, TSV) or an HTML page",
              "content": {m: {} for m in (*SOLUTIONS_OFFER.media_types, "text/html")}},
        400: {"description": "Bad parameter / paramètre invalide"},
        404: {"description": "Unknown question / question inconnue"},
        406: {"description": "No acceptable format"},
    },
)
async def answer_question(name: str, request: Request) -> Response:
    question = question_or_404(name)
    given, fmt = given_parameters(request)
    accept = request.headers.get("accept")
    html = fmt is None and prefers_html(accept, SOLUTIONS_OFFER)
    try:
        sparql = question.render(given)
    except ParameterError as exc:
        if html:
            return await page(request, question, given, None, error=(exc.message_fr, exc.message_en))
        raise HttpError(400, exc.message_fr, exc.message_en) from None
    if html:
        return await page(request, question, given, sparql)
    media = choose(accept, fmt, SOLUTIONS_OFFER)
    if media is None:
        offered = ", ".join(SOLUTIONS_OFFER.media_types)
        raise HttpError(406, f"aucun format demandé n'est disponible ({offered})",
                        f"none of the requested formats is available ({offered})")
    return await run_as_query(request, sparql, media)


async def run_as_query(request: Request, sparql: str, media: str) -> Response:
    """The rendered question through the endpoint's own path (cache, worker, streaming)."""
    from sparql_api.app import endpoint_url, run_cached  # the application module imports this router

    settings = request.app.state.settings
    base = endpoint_url(request)
    header = {
        "op": "query",
        "text": sparql,
        "base": base,
        "default_graphs": None,
        "named_graphs": None,
        "union": settings.union_default_graph,
        "media": {"solutions": media, "boolean": media, "graph": None},
        "allow_remote": [],
        "max_depth": settings.max_depth,
        "exclude": [],
    }
    key = ("question", sparql, base, media)
    return await run_cached(request, key, header, {"Vary": "Accept"})


NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "nonNegativeInteger", "int", "long")}


def cell(binding: dict[str, str] | None) -> dict[str, Any] | None:
    if binding is None:
        return None
    return {"type": binding["type"], "value": binding["value"], "numeric": binding.get("datatype") in NUMERIC}


async def page(
    request: Request,
    question: Question,
    given: dict[str, str],
    sparql: str | None,
    *,
    error: tuple[str, str] | None = None,
) -> HTMLResponse:
    variables: list[str] = []
    rows: list[list[dict[str, Any] | None]] = []
    total = 0
    if sparql is not None:
        variables, bindings = await select(request.app.state.engine, sparql)
        total = len(bindings)
        rows = [[cell(b.get(v)) for v in variables] for b in bindings[:PAGE_ROWS]]
    values = {p.name: given.get(p.name, p.default) for p in question.parameters}
    shown = sparql or question.render()
    links = {
        "console": "/sparql#" + urlencode({"query": shown}),  # the console reads its editor text from the fragment
        **{fmt: f"{QUESTIONS_PATH}/{question.name}?" + urlencode({**values, "format": fmt})
           for fmt in ("csv", "json", "tsv")},
    }
    body = TEMPLATES.get_template("questions/question.html").render(
        question=question, values=values, sparql=shown, variables=variables, rows=rows, total=total,
        shown_rows=len(rows), error=error, links=links, catalogue=load_catalogue().values(),
    )
    return HTMLResponse(body, status_code=400 if error else 200)
