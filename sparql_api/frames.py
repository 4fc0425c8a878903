"""Messages between the server and its processes: a JSON header and an optional byte body per frame.

A frame is ``!II`` (header length, body length) followed by the UTF-8 JSON header and the body. No pickle:
the processes that parse client input must not be able to make the server run code by what they send back.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from typing import Any

PREFIX = struct.Struct("!II")
MAX_HEADER = 1 << 26  # the header carries the query text: above max_body_bytes even when JSON escapes it


class FrameError(Exception):
    """The peer sent something that is not a frame (or closed the connection)."""


def encode(header: dict[str, Any], body: bytes = b"") -> bytes:
    raw = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    return PREFIX.pack(len(raw), len(body)) + raw + body


def _decode_header(raw: bytes) -> dict[str, Any]:
    header = json.loads(raw)
    if not isinstance(header, dict):
        raise FrameError("frame header is not an object")
    return header


# --- blocking side (the processes) ------------------------------------------------------------------------
def recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise FrameError("connection closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def recv(sock: socket.socket) -> tuple[dict[str, Any], bytes]:
    head_len, body_len = PREFIX.unpack(recv_exactly(sock, PREFIX.size))
    if head_len > MAX_HEADER:
        raise FrameError("frame header too large")
    header = _decode_header(recv_exactly(sock, head_len))
    return header, recv_exactly(sock, body_len) if body_len else b""


def send(sock: socket.socket, header: dict[str, Any], body: bytes = b"") -> None:
    sock.sendall(encode(header, body))


# --- asyncio side (the server) ----------------------------------------------------------------------------
async def read(reader: asyncio.StreamReader) -> tuple[dict[str, Any], bytes]:
    try:
        head_len, body_len = PREFIX.unpack(await reader.readexactly(PREFIX.size))
        if head_len > MAX_HEADER:
            raise FrameError("frame header too large")
        header = _decode_header(await reader.readexactly(head_len))
        body = await reader.readexactly(body_len) if body_len else b""
    except (asyncio.IncompleteReadError, ConnectionError) as exc:
        raise FrameError("connection closed") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise FrameError(f"malformed frame: {exc}") from exc
    return header, body


def write(writer: asyncio.StreamWriter, header: dict[str, Any], body: bytes = b"") -> None:
    writer.write(encode(header, body))
