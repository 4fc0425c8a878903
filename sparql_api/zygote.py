"""The zygote: a process that loads the in-memory replica once and forks the processes that use it.

Query workers and the writer are forked from it, so they share the replica's memory page by page
(copy-on-write) and start in milliseconds. The zygote runs no client input and starts no thread (forking a
threaded process is unsafe); it only answers the server on its control socket:

- ``{"op": "fork", "role": "worker"|"writer", "id": n}`` → ``{"op": "forked", "id", "pid"}`` with the server's
  end of a new socket pair passed along (SCM_RIGHTS);
- ``{"op": "sync", "generation": g}`` → applies the write log up to ``g`` (new children start current);
- ``{"op": "stop"}``;
and tells the server ``{"op": "ready", "generation", ...}`` once loaded and ``{"op": "exited", "pid",
"status"}`` when a child ends (how: exit code, or the signal that killed it).
"""

from __future__ import annotations

import json
import os
import resource
import selectors
import signal
import socket
import sys
import traceback
from pathlib import Path
from typing import Any

import pyoxigraph as ox

CONTROL_BYTES = 1 << 16


def send(control: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(control, [data], fds)
    else:
        control.send(data)


def zygote_main(control: socket.socket, config: dict[str, Any]) -> None:
    """Entry point of the zygote process (spawned by the server)."""
    from graph.deltas import DeltaLog
    from graph.replica import load_replica

    store_dir = Path(config["store_dir"])
    set_process_name("quartiers-zygote")
    try:
        replica = load_replica(store_dir)
    except Exception as exc:  # the server reports it and stops
        send(control, {"op": "failed", "error": f"{type(exc).__name__}: {exc}"})
        return
    log = DeltaLog(store_dir / "deltas")
    state = {"generation": replica.generation}
    send(control, {"op": "ready", "generation": replica.generation, "seconds": round(replica.seconds, 3),
                   "quads": len(replica.store), "pid": os.getpid()})
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ, "control")
    selector.register(wake_read, selectors.EVENT_READ, "wake")
    while True:
        for key, _ in selector.select():
            if key.data == "wake":
                os.read(wake_read, 4096)
                reap(control)
                continue
            try:
                data = control.recv(CONTROL_BYTES)
            except OSError:  # the server is gone
                return
            if not data:
                return  # the server is gone
            message = json.loads(data)
            op = message.get("op")
            if op == "stop":
                return
            if op == "sync":
                target = int(message["generation"])
                for found, delta in log.between(state["generation"], target):
                    delta.apply(replica.store)
                    state["generation"] = found
                state["generation"] = max(state["generation"], target)
            elif op == "fork":
                fork_child(control, message, replica.store, store_dir, state["generation"], config,
                           (wake_read, wake_write))


def reap(control: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        how = {"signal": os.WTERMSIG(status)} if os.WIFSIGNALED(status) else {"code": os.waitstatus_to_exitcode(status)}
        send(control, {"op": "exited", "pid": pid, **how})


def fork_child(
    control: socket.socket,
    message: dict[str, Any],
    store: ox.Store,
    store_dir: Path,
    generation: int,
    config: dict[str, Any],
    wake: tuple[int, int],
) -> None:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for fd in wake:
                os.close(fd)
            control.close()
            theirs.close()
            run_child(message["role"], ours, store, store_dir, generation, config)
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    ours.close()
    send(control, {"op": "forked", "id": message["id"], "pid": pid, "role": message["role"]}, [theirs.fileno()])
    theirs.close()


def set_process_name(name: str) -> None:
    """The name ``ps``/``top`` show for this process (Linux ``comm``, 15 bytes)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def run_child(
    role: str, sock: socket.socket, store: ox.Store, store_dir: Path, generation: int, config: dict[str, Any]
) -> None:
    set_process_name(f"quartiers-{role}")
    if role == "worker":
        from sparql_api.worker import worker_main

        limit_memory(int(config.get("worker_memory_mb", 1024)))
        worker_main(sock, store, store_dir, generation)
    elif role == "writer":
        from sparql_api.writer import writer_main

        writer_main(sock, store, store_dir, generation, config)


def limit_memory(megabytes: int) -> None:
    """Cap the address space at what the process maps now plus ``megabytes``: past it, allocations fail and
    the query stops (the server answers 503) instead of the machine swapping."""
    if megabytes <= 0:
        return
    size = virtual_size()
    limit = size + megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def virtual_size() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0
