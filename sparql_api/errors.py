"""HTTP errors with bilingual messages (French first, then English), rendered as text/plain."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import Request
from fastapi.responses import PlainTextResponse

PREFIXES = {
    400: ("Requête invalide", "Bad request"),
    401: ("Authentification requise", "Authentication required"),
    403: ("Accès refusé", "Forbidden"),
    404: ("Introuvable", "Not found"),
    405: ("Méthode non permise", "Method not allowed"),
    406: ("Format non disponible", "Not acceptable"),
    413: ("Requête trop volumineuse", "Payload too large"),
    415: ("Type de contenu non pris en charge", "Unsupported media type"),
    422: ("Écriture refusée par les formes SHACL", "Write rejected by the SHACL shapes"),
    429: ("Trop de requêtes", "Too many requests"),
    500: ("Erreur interne", "Internal error"),
    503: ("Service indisponible", "Service unavailable"),
}


class HttpError(Exception):
    """An error response: ``fr`` and ``en`` explain the problem to the client."""

    def __init__(
        self,
        status: int,
        fr: str,
        en: str | None = None,
        headers: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(en or fr)
        self.status = status
        self.fr = fr
        self.en = en if en is not None else fr
        # a list of pairs keeps repeated headers apart (one WWW-Authenticate per challenge)
        self.headers: list[tuple[str, str]] = list(headers.items() if isinstance(headers, Mapping) else headers or [])

    @property
    def message(self) -> str:
        fr_prefix, en_prefix = PREFIXES.get(self.status, ("Erreur", "Error"))
        return f"{fr_prefix} : {self.fr} / {en_prefix}: {self.en}"


def bad_request(fr: str, en: str | None = None) -> HttpError:
    return HttpError(400, fr, en)


def error_response(exc: HttpError) -> PlainTextResponse:
    response = PlainTextResponse(exc.message + "\n", status_code=exc.status)
    for name, value in exc.headers:
        response.headers.append(name, value)
    return response


async def http_error_handler(_request: Request, exc: Exception) -> PlainTextResponse:
    assert isinstance(exc, HttpError)
    return error_response(exc)
