"""Write authorisation (Bearer token, or Basic with the token as password) and the request body cap."""

from __future__ import annotations

import base64
import binascii
import hmac

from fastapi import Request

from sparql_api.errors import HttpError
from sparql_api.settings import Settings

ANONYMOUS = "anonymous"


def write_agent(request: Request, settings: Settings) -> str:
    """Who is writing (the token's name), or an error: 403 when writes are off or the token is wrong,
    401 when no token is sent."""
    if not settings.writes_enabled:
        raise HttpError(
            403,
            "les écritures sont désactivées sur ce service (aucun jeton configuré)",
            "writes are disabled on this service (no token configured)",
        )
    if not settings.write_token:
        return ANONYMOUS
    agent, token = credentials(request.headers.get("authorization", ""), settings.write_token_name)
    if token is None:
        raise HttpError(
            401,
            "en-tête Authorization: Bearer <jeton> (ou Basic avec le jeton comme mot de passe) requis pour écrire",
            "an Authorization: Bearer <token> header (or Basic with the token as password) is required to write",
            [("WWW-Authenticate", 'Bearer realm="quartiers"'), ("WWW-Authenticate", 'Basic realm="quartiers"')],
        )
    if not hmac.compare_digest(token.encode(), settings.write_token.encode()):
        raise HttpError(403, "jeton invalide", "invalid token")
    return agent


def credentials(header: str, default_agent: str) -> tuple[str, str | None]:
    """(agent, token) from ``Bearer <token>`` or ``Basic base64(user:token)`` (what SPARQLWrapper's
    setCredentials and rdflib's ``auth=`` send); token None when the header has neither."""
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return default_agent, value
    if scheme.lower() == "basic" and value:
        try:
            user, sep, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return default_agent, None
        if sep and password:
            return (safe_agent(user) or default_agent), password
    return default_agent, None


def safe_agent(user: str) -> str:
    """A user name usable in an IRI path segment (the write record's agent)."""
    return "".join(c for c in user if c.isalnum() or c in "-_.")[:64]


async def read_body(request: Request, settings: Settings) -> bytes:
    """The request body, refused with 413 beyond ``settings.max_body_bytes`` (checked while reading)."""
    cap = settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise _too_large(cap)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise _too_large(cap)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(cap: int) -> HttpError:
    return HttpError(413, f"corps de requête limité à {cap} octets", f"request body limited to {cap} bytes")
