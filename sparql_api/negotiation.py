"""Content negotiation, one generic algorithm for every route: Accept headers with q-values, wildcards and
aliases, and the ``format``/``output`` request parameters SPARQLWrapper and scripts send. The formats and
their aliases come from the registry (``graph.formats``)."""

from __future__ import annotations

from dataclasses import dataclass

from graph.formats import SHORT_NAMES, Offer, canonical

HTML = "text/html"


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int
    aliased: bool = False  # named by an alias (application/json for SPARQL JSON, …), not the type itself

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media: str) -> bool:
        mtype, _, msub = media.partition("/")
        return self.type in ("*", mtype) and self.subtype in ("*", msub)


def parse_accept(header: str | None, *, graph: bool) -> list[MediaRange]:
    ranges: list[MediaRange] = []
    for order, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if media == "*":
            media = "*/*"
        if "/" not in media:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        target = canonical(media, graph=graph) if "*" not in media else media
        mtype, _, sub = target.partition("/")
        ranges.append(MediaRange(mtype, sub, q, order, target != media))
    return ranges


def precedence(r: MediaRange) -> int:
    """2 for a concrete type named as such, 1 for one named by an alias, 0 for a wildcard."""
    if r.specificity < 2:
        return 0
    return 1 if r.aliased else 2


def negotiate(accept: str | None, offer: Offer) -> str | None:
    """The offered media type the client prefers: a type named exactly beats one named by an alias, which
    beats a wildcard; then q-value, specificity, the client's order, the server's order. ``None`` when nothing
    offered is acceptable; no (or an empty) Accept header means anything, i.e. the first offered type."""
    ranges = parse_accept(accept, graph=offer.graph)
    if not ranges:
        return offer.media_types[0]
    best: tuple[float, ...] | None = None
    choice: str | None = None
    for index, media in enumerate(offer.media_types):
        matching = [r for r in ranges if r.matches(media)]
        if not matching:
            continue
        top = max(matching, key=lambda r: (r.specificity, -r.order))
        if top.q <= 0:
            continue
        key = (precedence(top), top.q, top.specificity, -top.order, -index)
        if best is None or key > best:
            best, choice = key, media
    return choice


def format_parameter(value: str | None, offer: Offer) -> str | None:
    """The media type a ``format``/``output`` parameter asks for, if it is one we offer."""
    if not value:
        return None
    for item in value.split(","):
        key = item.strip().lower()
        media = canonical(SHORT_NAMES.get(key, key), graph=offer.graph)
        if media in offer.media_types:
            return media
    return None


def choose(accept: str | None, format_value: str | None, offer: Offer) -> str | None:
    return format_parameter(format_value, offer) or negotiate(accept, offer)


def prefers_html(accept: str | None, offer: Offer) -> bool:
    """A browser: text/html named explicitly, at least as wanted as anything the data route offers by name."""
    ranges = parse_accept(accept, graph=offer.graph)
    html = [r for r in ranges if r.type == "text" and r.subtype == "html" and r.q > 0]
    if not html:
        return False
    named = [r for r in ranges if r.specificity == 2 and not r.aliased and f"{r.type}/{r.subtype}" in offer.media_types]
    return all(html[0].q >= r.q and html[0].order < r.order for r in named)
