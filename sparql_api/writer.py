"""The writer process: the only process that holds the on-disk store open for writing.

Forked from the zygote (so it starts with the replica), it opens the store, replays the write log (repairing a
write a crash interrupted), says ``ready``, then plans, validates and commits one write at a time with
``graph.writes.Writer``. A write is committed only when the server says so (``{"op": "commit", "ok": true}``,
sent if the request has not timed out meanwhile), so a client never gets a timeout for a write that lands.

Requests: ``update`` (text, base, using, using_named, agent) and ``graph-write`` (graph, mode, media, base,
agent; body = the RDF). Replies: ``plan`` (the delta's size, then wait for ``commit``), ``done`` (generation,
created), ``abandoned``, ``rejected`` (SHACL report) or ``error`` (status, fr, en).
"""

from __future__ import annotations

import email.parser
import email.policy
import socket
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.formats import canonical, readable_rdf_media_types
from graph.rdf_input import parse_client_rdf
from graph.store import StoreError
from graph.writes import Plan, Writer, WriteRefused, WriteRejected, WriteSettings
from sparql_api import frames

REFUSED_STATUS = {"invalid": 400, "forbidden": 403, "not-found": 404, "unsupported": 415, "inconsistent": 422}
OPEN_RETRY_SECONDS = 10.0


def open_disk(path: Path) -> ox.Store:
    """Open the store for writing; a killed predecessor may hold its lock for a moment."""
    deadline = time.monotonic() + OPEN_RETRY_SECONDS
    while True:
        try:
            return ox.Store(str(path))
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def write_settings(config: dict[str, Any]) -> WriteSettings:
    shapes = config.get("gate_shapes")
    return WriteSettings(
        base_iri=config["base_iri"],
        shacl_gate=bool(config.get("shacl_gate", True)),
        min_severity=config.get("min_severity", "Violation"),
        shapes=tuple(shapes) if shapes is not None else None,
        allow_remote=tuple(config.get("allow_remote", ())),
        max_depth=int(config.get("max_depth", 128)),
    )


def writer_main(
    sock: socket.socket, replica: ox.Store, store_dir: Path, generation: int, config: dict[str, Any]
) -> None:
    disk = open_disk(store_dir / "oxigraph")
    writer = Writer(replica, write_settings(config), disk=disk, folder=store_dir)
    if writer.log is not None:
        for _found, delta in writer.log.between(generation, writer.log.last()):
            delta.apply(replica)  # catch up with writes made after the zygote's last sync
    writer.replay()
    writer.enable_inference()
    frames.send(sock, {"op": "ready", "generation": writer.generation})
    while True:
        try:
            header, body = frames.recv(sock)
        except (frames.FrameError, OSError):
            break
        if header.get("op") == "stop":
            break
        handle(sock, writer, header, body, config)
    disk.flush()


def handle(sock: socket.socket, writer: Writer, header: dict[str, Any], body: bytes, config: dict[str, Any]) -> None:
    try:
        plan = make_plan(writer, header, body, config)
    except WriteRefused as exc:
        frames.send(sock, {"op": "error", "status": REFUSED_STATUS[exc.kind], "fr": exc.fr, "en": exc.en})
        return
    except WriteRejected as exc:
        report = exc.report
        frames.send(sock, {"op": "rejected", "report": report.to_json()}, report.to_turtle().encode())  # type: ignore[attr-defined]
        return
    except StoreError as exc:
        frames.send(sock, {"op": "error", "status": 400, "fr": f"données RDF invalides : {exc}",
                           "en": f"invalid RDF data: {exc}"})
        return
    except MemoryError:
        frames.send(sock, {"op": "error", "status": 503, "fr": "écriture trop volumineuse pour la mémoire permise",
                           "en": "the write is too large for the memory limit"})
        return
    except Exception as exc:  # a defect: answer it, keep the writer (nothing was committed)
        frames.send(sock, {"op": "error", "status": 500, "fr": f"erreur interne de l'écriture : {exc!r}",
                           "en": f"internal error in the write: {exc!r}"})
        return
    frames.send(sock, {"op": "plan", "added": len(plan.delta.added), "removed": len(plan.delta.removed)})
    answer, _ = frames.recv(sock)
    if not answer.get("ok"):
        writer.abandon(plan)
        frames.send(sock, {"op": "abandoned"})
        return
    generation = writer.commit(plan)
    frames.send(sock, {"op": "done", "generation": generation, "created": plan.created,
                       "touched": plan.touched, "added": len(plan.delta.added), "removed": len(plan.delta.removed)})


def make_plan(writer: Writer, header: dict[str, Any], body: bytes, config: dict[str, Any]) -> Plan:
    op = header.get("op")
    agent = str(header.get("agent", "anonymous"))
    if op == "update":
        return writer.plan_update(
            header["text"], base_iri=header.get("base"), agent=agent,
            using=header.get("using"), using_named=header.get("using_named"),
        )
    if op == "graph-write":
        graph = header.get("graph")
        quads: list[ox.Quad] = []
        if header["mode"] != "delete":
            for media, data in parts(header, body):
                if canonical(media, graph=True) not in readable_rdf_media_types():
                    raise WriteRefused(
                        "unsupported",
                        f"type RDF {media!r} non pris en charge",
                        f"unsupported RDF media type {media!r} (use one of {', '.join(readable_rdf_media_types())})",
                    )
                quads += parse_client_rdf(data, media, graph, base_iri=header.get("base") or graph,
                                          max_depth=int(config.get("max_depth", 128)))
        return writer.plan_graph_write(graph, header["mode"], quads, agent=agent)
    raise WriteRefused("invalid", f"opération inconnue {op!r}", f"unknown operation {op!r}")


def parts(header: dict[str, Any], body: bytes) -> list[tuple[str, bytes]]:
    """(media type, bytes) of the body: itself, or each part of a multipart/form-data body."""
    content_type = str(header.get("content_type") or "")
    if not content_type.lower().startswith("multipart/"):
        return [(header["media"], body)]
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise StoreError("corps multipart illisible / unreadable multipart body")
    found = []
    for part in message.iter_parts():
        charset = part.get_param("charset")
        if isinstance(charset, str) and charset.lower() not in ("utf-8", "utf8"):
            raise StoreError("seul UTF-8 est accepté / only UTF-8 is accepted")
        payload = part.get_payload(decode=True)
        found.append((part.get_content_type(), payload if isinstance(payload, bytes) else b""))
    return found
