"""SPARQL 1.1 Protocol request parsing: which operation, its text, its dataset, and the checks the
protocol requires (one query/update, right method, right Content-Type, UTF-8 only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl

import pyoxigraph as ox

from sparql_api.errors import HttpError, bad_request
from sparql_api.scan import has_dataset_clause, tokenize

Operation = Literal["query", "update", "description"]
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


@dataclass
class SparqlRequest:
    operation: Operation
    text: str = ""
    default_graphs: list[str] | None = None  # default-graph-uri / using-graph-uri
    named_graphs: list[str] | None = None  # named-graph-uri / using-named-graph-uri
    format: str | None = None  # format= / output= parameter
    params: dict[str, list[str]] = field(default_factory=dict)


def split_content_type(header: str | None) -> tuple[str, dict[str, str]]:
    if not header:
        return "", {}
    media, *params = header.split(";")
    parsed = {}
    for param in params:
        name, _, value = param.partition("=")
        parsed[name.strip().lower()] = value.strip().strip('"')
    return media.strip().lower(), parsed


def check_charset(params: dict[str, str]) -> None:
    charset = params.get("charset")
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise bad_request(
            f"jeu de caractères {charset!r} non pris en charge, seul UTF-8 l'est",
            f"charset {charset!r} is not supported, only UTF-8 is",
        )


def decode_utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise bad_request(f"le corps n'est pas en UTF-8 ({exc})", f"the body is not UTF-8 ({exc})") from exc


def multi_params(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    return params


def parse_request(method: str, query_string: str, content_type: str | None, body: bytes) -> SparqlRequest:
    """Read a request to the SPARQL endpoint; raise ``HttpError`` 400/405 when it breaks the protocol."""
    url_params = multi_params(parse_qsl(query_string, keep_blank_values=True))
    if method in ("GET", "HEAD"):
        if "update" in url_params:
            raise bad_request(
                "une mise à jour doit être envoyée par POST", "an update must be sent with POST, not GET"
            )
        params = url_params
        text_key = "query" if "query" in params else None
    elif method == "POST":
        media, ct_params = split_content_type(content_type)
        if not media:
            raise bad_request("en-tête Content-Type manquant", "missing Content-Type header")
        check_charset(ct_params)
        if media == "application/x-www-form-urlencoded":
            form = multi_params(parse_qsl(decode_utf8(body), keep_blank_values=True))
            params = {k: url_params.get(k, []) + form.get(k, []) for k in url_params.keys() | form.keys()}
            if "query" in params and "update" in params:
                raise bad_request("query et update ensemble", "both query and update parameters")
            text_key = "query" if "query" in params else "update" if "update" in params else None
            if text_key is None:
                raise bad_request("paramètre query ou update manquant", "missing query or update parameter")
        elif media in ("application/sparql-query", "application/sparql-update"):
            if "query" in url_params or "update" in url_params:
                raise bad_request(
                    "le texte est déjà dans le corps : pas de paramètre query/update en plus",
                    "the operation is in the body: no query/update parameter allowed as well",
                )
            key = "query" if media == "application/sparql-query" else "update"
            params = {**url_params, key: [decode_utf8(body)]}
            text_key = key
        else:
            raise bad_request(
                f"type de contenu {media!r} non pris en charge (application/sparql-query, "
                "application/sparql-update ou application/x-www-form-urlencoded)",
                f"unsupported Content-Type {media!r} (use application/sparql-query, "
                "application/sparql-update or application/x-www-form-urlencoded)",
            )
    else:
        raise HttpError(
            405,
            f"méthode {method} non permise sur le point d'accès SPARQL",
            f"method {method} is not allowed on the SPARQL endpoint",
            {"Allow": "GET, POST, HEAD, OPTIONS"},
        )
    fmt = (params.get("format") or params.get("output") or [None])[0]
    if text_key is None:
        return SparqlRequest("description", format=fmt, params=params)
    if len(params[text_key]) != 1:
        raise bad_request(
            f"un seul paramètre {text_key} est permis", f"exactly one {text_key} parameter is allowed"
        )
    text = params[text_key][0]
    if text_key == "query":
        if first_keyword(text) in UPDATE_KEYWORDS:
            raise bad_request(
                "c'est une mise à jour : envoyez-la avec update= ou application/sparql-update",
                "this is an update: send it with update= or application/sparql-update",
            )
        return SparqlRequest(
            "query",
            text,
            default_graphs=checked_iris(params.get("default-graph-uri"), "default-graph-uri"),
            named_graphs=checked_iris(params.get("named-graph-uri"), "named-graph-uri"),
            format=fmt,
            params=params,
        )
    using = checked_iris(params.get("using-graph-uri"), "using-graph-uri")
    using_named = checked_iris(params.get("using-named-graph-uri"), "using-named-graph-uri")
    if (using or using_named) and has_dataset_clause(text):
        raise bad_request(
            "using-graph-uri/using-named-graph-uri interdits avec USING, USING NAMED ou WITH dans la requête",
            "using-graph-uri/using-named-graph-uri are not allowed with USING, USING NAMED or WITH in the update",
        )
    return SparqlRequest("update", text, default_graphs=using, named_graphs=using_named, format=fmt, params=params)


def checked_iris(values: list[str] | None, name: str) -> list[str] | None:
    """Protocol graph parameters must be absolute IRIs (they are spliced into updates and passed to the store)."""
    for value in values or []:
        check_iri(value, name)
    return values


def check_iri(value: str, name: str) -> str:
    try:
        ox.NamedNode(value)
    except ValueError as exc:
        raise bad_request(f"{name} : IRI invalide {value!r} ({exc})", f"{name}: invalid IRI {value!r} ({exc})") from exc
    return value


def first_keyword(text: str) -> str:
    """The first keyword after the prologue (PREFIX/BASE declarations)."""
    tokens = tokenize(text)
    i = 0
    while i < len(tokens):
        key = tokens[i].keyword
        if key == "PREFIX":
            i += 3
        elif key == "BASE":
            i += 2
        else:
            return key
    return ""
