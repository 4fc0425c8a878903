"""Write authorisation (Bearer token), request body cap, LOAD/SERVICE allow-list."""

from __future__ import annotations

import hmac

from fastapi import Request

from sparql_api.errors import HttpError, bad_request
from sparql_api.scan import remote_targets
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
    header = request.headers.get("authorization", "")
    if not settings.write_token:
        return ANONYMOUS
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HttpError(
            401,
            "en-tête Authorization: Bearer <jeton> requis pour écrire",
            "an Authorization: Bearer <token> header is required to write",
            {"WWW-Authenticate": 'Bearer realm="quartiers"'},
        )
    if not hmac.compare_digest(token.strip().encode(), settings.write_token.encode()):
        raise HttpError(403, "jeton invalide", "invalid token")
    return settings.write_token_name


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


def check_remote_access(text: str, settings: Settings, base: str | None) -> None:
    """LOAD and SERVICE may only reach IRIs of the allow-list (empty by default)."""
    for target in remote_targets(text, base):
        if target is None:
            raise bad_request(
                "SERVICE avec une variable n'est pas autorisé",
                "SERVICE with a variable endpoint is not allowed",
            )
        if not settings.remote_allowed(target):
            raise bad_request(
                f"accès à <{target}> interdit (LOAD et SERVICE limités à la liste autorisée)",
                f"access to <{target}> is forbidden (LOAD and SERVICE are limited to the allow-list)",
            )
