"""Slugs and label choice for organisations known only by name."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Lowercase ASCII words joined by '-' ("Ligue de l'Enseignement" -> "ligue-de-l-enseignement")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return NON_ALNUM_RE.sub("-", ascii_text.lower()).strip("-")


def preferred_name(names: Counter[str]) -> tuple[str, list[str]]:
    """The most frequent name (ties broken alphabetically) and the other names, sorted."""
    ranked = sorted(names.items(), key=lambda item: (-item[1], item[0]))
    chosen = ranked[0][0]
    return chosen, sorted(name for name in names if name != chosen)
