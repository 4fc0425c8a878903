"""SPARQL 1.1 Protocol request parsing, at the HTTP level only: which operation, its text, its dataset, the
rules the protocol sets (one query/update, right method, right Content-Type, UTF-8 only). The SPARQL text
itself is lexed, checked and evaluated by the worker and writer processes, never here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl

import pyoxigraph as ox

from sparql_api.errors import HttpError, bad_request

Operation = Literal["query", "update", "description"]
# graph IRIs clients use to mean "the service's default graph" (rdflib's Dataset over SPARQLStore)
DEFAULT_GRAPH_ALIASES = frozenset({"urn:x-rdflib:default"})


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


def query_params(query_string: str) -> dict[str, list[str]]:
    try:
        return multi_params(parse_qsl(query_string, keep_blank_values=True, errors="strict"))
    except UnicodeDecodeError as exc:
        raise bad_request("paramètres d'URL non UTF-8", f"URL parameters are not UTF-8 ({exc})") from exc


def parse_request(method: str, query_string: str, content_type: str | None, body: bytes) -> SparqlRequest:
    """Read a request to the SPARQL endpoint; raise ``HttpError`` 400/405 when it breaks the protocol."""
    url_params = query_params(query_string)
    if method in ("GET", "HEAD"):
        if "update" in url_params:
            raise bad_request("une mise à jour doit être envoyée par POST", "an update must be sent with POST, not GET")
        params, text_key = url_params, ("query" if "query" in url_params else None)
    elif method == "POST":
        params, text_key = post_params(url_params, content_type, body)
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
        raise bad_request(f"un seul paramètre {text_key} est permis", f"exactly one {text_key} parameter is allowed")
    text = params[text_key][0]
    if text_key == "query":
        return SparqlRequest(
            "query",
            text,
            default_graphs=service_default(checked_iris(params.get("default-graph-uri"), "default-graph-uri")),
            named_graphs=checked_iris(params.get("named-graph-uri"), "named-graph-uri"),
            format=fmt,
            params=params,
        )
    using = checked_iris(params.get("using-graph-uri"), "using-graph-uri")
    using_named = checked_iris(params.get("using-named-graph-uri"), "using-named-graph-uri")
    return SparqlRequest("update", text, default_graphs=using, named_graphs=using_named, format=fmt, params=params)


def post_params(
    url_params: dict[str, list[str]], content_type: str | None, body: bytes
) -> tuple[dict[str, list[str]], str | None]:
    media, ct_params = split_content_type(content_type)
    if not media:
        if not body and ("query" in url_params):  # Blazegraph-style federation: the query in the URL
            return url_params, "query"
        raise bad_request("en-tête Content-Type manquant", "missing Content-Type header")
    check_charset(ct_params)
    if media == "application/x-www-form-urlencoded":
        try:
            form = multi_params(parse_qsl(decode_utf8(body), keep_blank_values=True))
        except ValueError as exc:
            raise bad_request(f"formulaire illisible ({exc})", f"unreadable form ({exc})") from exc
        params = {k: url_params.get(k, []) + form.get(k, []) for k in url_params.keys() | form.keys()}
        if "query" in params and "update" in params:
            raise bad_request("query et update ensemble", "both query and update parameters")
        text_key = "query" if "query" in params else "update" if "update" in params else None
        if text_key is None:
            raise bad_request("paramètre query ou update manquant", "missing query or update parameter")
        return params, text_key
    if media in ("application/sparql-query", "application/sparql-update"):
        if "query" in url_params or "update" in url_params:
            raise bad_request(
                "le texte est déjà dans le corps : pas de paramètre query/update en plus",
                "the operation is in the body: no query/update parameter allowed as well",
            )
        key = "query" if media == "application/sparql-query" else "update"
        return {**url_params, key: [decode_utf8(body)]}, key
    raise HttpError(
        415,
        f"type de contenu {media!r} non pris en charge (application/sparql-query, "
        "application/sparql-update ou application/x-www-form-urlencoded)",
        f"unsupported Content-Type {media!r} (use application/sparql-query, "
        "application/sparql-update or application/x-www-form-urlencoded)",
    )


def service_default(graphs: list[str] | None) -> list[str] | None:
    """``default-graph-uri`` naming only the service's default graph is the same as none."""
    if graphs and all(g in DEFAULT_GRAPH_ALIASES for g in graphs):
        return None
    return graphs


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
    if ":" not in value:
        raise bad_request(f"{name} : IRI relative {value!r}", f"{name}: not an absolute IRI {value!r}")
    return value
