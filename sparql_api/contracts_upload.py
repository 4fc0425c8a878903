"""``POST /contracts``: import contract tables over HTTP, for authorised writers.

The body is an ``.xlsx`` workbook (``application/vnd.openxmlformats-officedocument.spreadsheetml.sheet``) or a
``multipart/form-data`` of CSV files named ``<sheet>.csv`` (docs/import-format.md). The tables are checked and
resolved by ``graph.contracts`` (in a thread, off the event loop); a bad cell is a 422 listing every error as
``file:row:column``. The contract graphs are then written by ONE SPARQL update (each graph replaced) through the
writer process and its SHACL gate, so the whole upload lands or nothing does: a Violation is the gate's 422 with
its report; success is 201 with the graphs written.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import re
import tempfile
from pathlib import Path

import pyoxigraph as ox
from fastapi import Request, Response
from fastapi.responses import JSONResponse

from graph.contracts.errors import CellError, ContractImportError
from graph.contracts.pipeline import ImportResult, import_contracts
from graph.namespaces import QK
from sparql_api.errors import HttpError
from sparql_api.internal import select
from sparql_api.protocol import split_content_type
from sparql_api.security import read_body, write_agent

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_NAME = re.compile(r"[a-z]+\.csv")


def parse_upload(media: str, content_type: str, body: bytes) -> tuple[ImportResult | None, list[CellError]]:
    """Import the uploaded tables (blocking: run it in a thread). File names in errors are the uploaded ones."""
    with tempfile.TemporaryDirectory(prefix="quartiers-upload-") as tmp:
        folder = Path(tmp) / "upload"
        folder.mkdir()
        if media == XLSX:
            target = folder / "contracts.xlsx"
            target.write_bytes(body)
        else:
            for name, data in csv_parts(content_type, body):
                (folder / name).write_bytes(data)
            target = folder
        try:
            return import_contracts([target]), []
        except ContractImportError as exc:
            prefix = str(folder) + "/"
            return None, [
                CellError(e.file.replace(prefix, "").replace(str(folder), "upload"), e.row, e.column, e.fr, e.en)
                for e in exc.errors
            ]


def csv_parts(content_type: str, body: bytes) -> list[tuple[str, bytes]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise HttpError(400, "corps multipart illisible", "unreadable multipart body")
    found = []
    for part in message.iter_parts():
        name = Path(part.get_filename() or part.get_param("name", header="content-disposition") or "").name
        if not CSV_NAME.fullmatch(name):
            raise HttpError(
                422,
                f"partie {name!r} : un fichier <feuille>.csv est attendu",
                f"part {name!r}: a <sheet>.csv file is expected",
            )
        payload = part.get_payload(decode=True)
        found.append((name, payload if isinstance(payload, bytes) else b""))
    if not found:
        raise HttpError(422, "aucun fichier CSV", "no CSV file")
    return found


def update_text(result: ImportResult) -> str:
    """One SPARQL update replacing every contract graph (INSERT DATA with N-Triples terms)."""
    parts = []
    for slug, data in sorted(result.files.items()):
        graph = result.graphs[slug].iri
        triples = "\n".join(
            f"{t.subject} {t.predicate} {t.object} ." for t in ox.parse(data, format=ox.RdfFormat.TURTLE)
        )
        parts.append(f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{triples}\n}} }}")
    return " ;\n".join(parts)


async def clashes(request: Request, result: ImportResult) -> list[CellError]:
    errors = []
    for slug, (iri, where) in sorted(result.contracts.items()):
        mine = result.graphs[slug].iri
        _, rows = await select(
            request.app.state.engine,
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{iri}> a <{QK}Quartiers2030Contract> }} "
            f"FILTER(?g != <{mine}>) }}",
        )
        for row in rows:
            graph = row["g"]["value"]
            errors.append(CellError(where.file, where.row, where.column,
                                    f"ce porteur a déjà un contrat ({iri}) dans le graphe {graph}",
                                    f"this carrier already has a contract ({iri}) in graph {graph}"))  # fmt: skip
    return errors


def errors_response(errors: list[CellError]) -> JSONResponse:
    return JSONResponse(
        {
            "error": "Tableaux invalides, rien n'est écrit / Invalid tables, nothing written",
            "errors": [
                {"file": e.file, "row": e.row, "column": e.column, "fr": e.fr, "en": e.en, "line": e.line()}
                for e in errors
            ],
        },
        status_code=422,
    )


async def upload_contracts(request: Request) -> Response:
    settings = request.app.state.settings
    agent = write_agent(request, settings)
    content_type = request.headers.get("content-type") or ""
    media, _params = split_content_type(content_type)
    if media not in (XLSX, "multipart/form-data"):
        raise HttpError(415, f"type {media!r} non pris en charge (xlsx ou multipart de CSV)",
                        f"unsupported type {media!r} (an .xlsx workbook or a multipart of CSV files)")  # fmt: skip
    body = await read_body(request, settings)
    if media == "multipart/form-data":
        csv_parts(content_type, body)  # 400/422 for a malformed body before the thread
    result, errors = await asyncio.to_thread(parse_upload, media, content_type, body)
    if result is None:
        return errors_response(errors)
    if not result.files:
        return errors_response(
            [CellError("upload", 0, "", "aucun contrat dans les tableaux", "no contract in the tables")]
        )
    clash = await clashes(request, result)
    if clash:
        return errors_response(clash)
    reply = await request.app.state.engine.write({"op": "update", "text": update_text(result), "agent": agent})
    graphs = {slug: result.graphs[slug].iri for slug in sorted(result.files)}
    return JSONResponse({"graphs": graphs, "generation": reply.get("generation")}, status_code=201)
