"""Query worker processes: each query runs in a child we can time out, kill and bound in memory.

Why processes and not Oxigraph's own server: measured on the bundled graph,
`oxigraph serve-read-only --timeout-s 1` answers a cancelled query with HTTP
200 and "The SPARQL operation has been cancelled" in the body, has no memory
bound (an ORDER BY over a cross join grew to 24 GB) and calls out on SERVICE.
pyoxigraph cannot cancel a running query either, so a query runs in a worker
process: past the time limit the front kills it (SIGKILL) and starts another,
and each worker's address space is capped with RLIMIT_AS, so a query that
needs more memory aborts its own process (Rust's allocator aborts: SIGABRT)
instead of growing the server. Measured: that ORDER BY cross join over the
bundled graph hits a 1 GB cap after 0.45 s; a worker with the store open
takes ~630 MB of address space (RSS ~30 MB), ~0.3 s to start.

Each worker keeps the complete answers it gave (status 200) in a cache bounded
in bytes, by the request's text, Accept, format and caps: the store is read-only
and the worker's view of it is fixed when it opens it, so a repeated question
has the same answer for the worker's whole life (a restarted worker starts
empty). Measured over 200 periods: the cookbook's slowest recipe takes 0.5 s to
evaluate and ~2 ms to answer again; the cookbook's answers there take 2.3 MB.

Protocol on the worker's stdin/stdout: one JSON line per request; the answer
is one JSON line (status, media type, length) then `length` bytes of body.
A worker reads requests until its stdin closes (the front exited).
"""

from __future__ import annotations

import json
import os
import queue
import resource
import select
import signal
import subprocess
import sys
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from pipelines.sparql.protocol import kind_by_keywords, negotiate, result_offers
from pipelines.sparql.query import (
    EvaluationError,
    FormatMismatch,
    QuerySyntaxError,
    ResultTooLarge,
    disk_store,
    finish,
    needs_union,
    prepare,
)

STARTUP_S = 30.0
CHILD = "import sys; from pipelines.sparql.worker import child_main; sys.exit(child_main(sys.argv[1:]))"
"""The child's program (`-m` would warn: the package's __init__ already imports this module)."""


@dataclass(frozen=True)
class Reply:
    status: int
    media_type: str
    body: bytes
    cached: bool = False
    """Answered from the worker's cache (the front says so in the X-Cache header)."""


def text_reply(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip(".") + ".\n").encode("utf-8"))


# ------------------------------------------------------------------ the child


def _answer(store: ox.Store, union: bool, request: dict, answers: Answers | None = None) -> Reply:
    """The reply to one request; `answers`, when given, keeps it (and may already hold it).

    Kept by the format the answer takes, not by the Accept header's spelling: `text/csv`,
    `text/csv;q=1` and `?format=csv` are the same answer. The query's form, which the format depends
    on, is read from its keywords before anything else (Oxigraph sorts an ORDER BY as soon as it is
    asked the query: looking the answer up after that would save nothing).
    """

    def chooser(kind: str) -> str | None:
        return negotiate(request.get("accept"), result_offers(kind), request.get("format"))

    guess = kind_by_keywords(request["query"]) if answers is not None else None
    guessed = chooser(guess) if guess else None
    if answers is not None and guessed is not None:
        kept = answers.get(Answers.key(request, guessed))  # a text kept under a format had that format
        if kept is not None:
            return kept
    try:
        prepared = prepare(store, request["query"], chooser, union)
        key = Answers.key(request, prepared.format)
        kept = answers.get(key) if answers is not None else None
        if kept is not None:
            return kept
        answer = finish(prepared, request.get("max_rows"), request.get("max_bytes"))
    except QuerySyntaxError as error:
        return text_reply(400, f"Error de sintaxis: {error}")
    except FormatMismatch as error:
        return text_reply(406, f"Formato no disponible para esta consulta: {error}")
    except ResultTooLarge as error:
        return text_reply(413, f"Respuesta demasiado grande: {error}")
    except EvaluationError as error:
        return text_reply(500, f"La consulta falló: {error}")
    except MemoryError:
        return text_reply(503, "La consulta necesitó más memoria de la permitida")
    reply = Reply(200, answer.media_type, answer.body)
    if answers is not None:
        answers.put(key, reply)
    return reply


class Answers:
    """Complete answers by request, least recently used dropped first once they pass `budget` bytes."""

    def __init__(self, budget: int) -> None:
        self.budget, self.size = budget, 0
        self.entries: OrderedDict[str, Reply] = OrderedDict()

    @staticmethod
    def key(request: dict, fmt: str) -> str:
        return json.dumps([request.get("query"), fmt, request.get("max_rows"), request.get("max_bytes")])

    def get(self, key: str) -> Reply | None:
        reply = self.entries.get(key)
        if reply is not None:
            self.entries.move_to_end(key)
        return reply

    def put(self, key: str, reply: Reply) -> None:
        if reply.status != 200 or len(reply.body) > self.budget:
            return
        self.entries[key] = Reply(reply.status, reply.media_type, reply.body, cached=True)
        self.size += len(reply.body)
        while self.size > self.budget:
            self.size -= len(self.entries.popitem(last=False)[1].body)


def _address_space() -> int:
    """This process's address space in bytes (what RLIMIT_AS counts), 0 if /proc cannot tell."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def child_main(argv: list[str]) -> int:
    """The worker's main (`CHILD STORE MEMORY_MB CACHE_MB`): answer requests on stdin/stdout until stdin closes."""
    location, memory_mb, cache_mb = Path(argv[0]), int(argv[1]), int(argv[2])
    out: BinaryIO = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # nothing printed by accident can corrupt the protocol
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the front's to handle
    store = disk_store(location)
    union = needs_union(store)
    if memory_mb > 0:  # capped once the store is open: the cap bounds a query, not RocksDB's start-up
        # (capped before, RocksDB's threads could not reserve their stacks now and then: the worker
        # aborted with "std::system_error: Resource temporarily unavailable" and the server did not start)
        limit = memory_mb * 1024 * 1024
        if _address_space() >= limit:  # every allocation would fail: say so now, not as a 503 on each query
            sys.stderr.write(f"el proceso de consulta ya ocupa más de {memory_mb} MB con el almacén abierto\n")
            return 3
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out.write(b'{"ready": true}\n')
    out.flush()
    answers = Answers(cache_mb * 1024 * 1024)
    for line in sys.stdin.buffer:
        request = json.loads(line)
        reply = _answer(store, union, request, answers if request.get("cache") else None)
        header = {"status": reply.status, "type": reply.media_type, "length": len(reply.body), "cached": reply.cached}
        out.write(json.dumps(header).encode() + b"\n")
        out.write(reply.body)
        out.flush()
    return 0


# ------------------------------------------------------------------ the front's side


class Worker:
    """One child process and the pipes to it; used by one request at a time."""

    def __init__(self, location: Path, memory_mb: int, cache_mb: int = 0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(location), str(memory_mb), str(cache_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            env={**os.environ, "RUST_BACKTRACE": "0", "MALLOC_ARENA_MAX": "2"},  # arenas reserve 64 MB of the cap each
        )
        self.buffer = b""
        self.ready = False
        self.ended = False
        """The child closed its output: it died (or is dying), as opposed to still working past the deadline."""

    def _read_line(self, deadline: float) -> bytes | None:
        while b"\n" not in self.buffer:
            if not self._fill(deadline):
                return None
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    def _fill(self, deadline: float) -> bool:
        """Read what the child has sent; False on timeout or end of output."""
        assert self.process.stdout is not None
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([self.process.stdout], [], [], remaining)[0]:
            return False
        chunk = os.read(self.process.stdout.fileno(), 1 << 20)
        if not chunk:
            self.ended = True
            return False
        self.buffer += chunk
        return True

    def wait_ready(self, deadline: float) -> bool:
        if not self.ready:
            self.ready = self._read_line(deadline) == b'{"ready": true}'
        return self.ready

    def ask(self, request: dict, timeout_s: float) -> Reply | None:
        """The child's reply, or None if it did not finish in time or died (`ended` tells which)."""
        assert self.process.stdin is not None
        deadline = time.monotonic() + timeout_s
        if not self.wait_ready(deadline):  # a replacement worker may still be opening the store
            return None
        try:
            self.process.stdin.write(json.dumps(request).encode("utf-8") + b"\n")
        except OSError:
            self.ended = True
            return None
        header = self._read_line(deadline)
        if header is None:
            return None
        meta = json.loads(header)
        while len(self.buffer) < meta["length"]:
            if not self._fill(deadline):
                return None
        body, self.buffer = self.buffer[: meta["length"]], self.buffer[meta["length"] :]
        return Reply(meta["status"], meta["type"], body, meta.get("cached", False))

    def kill(self) -> int:
        """Stop the child now; its exit status (negative: the signal that ended it)."""
        if self.process.poll() is None:
            self.process.kill()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        return self.process.wait()


class Pool:
    """`size` workers over one store; a query takes a free one or waits for one, at most the time limit."""

    def __init__(self, location: Path, size: int, memory_mb: int, timeout_s: float, cache_mb: int = 0) -> None:
        self.location, self.memory_mb, self.timeout_s, self.cache_mb = location, memory_mb, timeout_s, cache_mb
        self.idle: queue.Queue[Worker] = queue.Queue()
        workers = [Worker(location, memory_mb, cache_mb) for _ in range(size)]  # started together, ~0.3 s each
        for worker in workers:
            if not worker.wait_ready(time.monotonic() + STARTUP_S):
                codes = [other.kill() for other in workers]
                raise RuntimeError(
                    f"un proceso de consulta no pudo abrir el almacén {location} "
                    f"(código {codes[workers.index(worker)]})"
                )
        for worker in workers:
            self.idle.put(worker)

    def run(self, request: dict) -> Reply:
        """Run one query; the timeout, a crash or the memory cap become a 5xx reply, never a hang."""
        try:
            worker = self.idle.get(timeout=self.timeout_s)
        except queue.Empty:
            return text_reply(503, "El servidor está ocupado con otras consultas; inténtelo de nuevo en un momento")
        try:
            reply = worker.ask(request, self.timeout_s)
            if reply is not None:
                return reply
            timed_out = not worker.ended
            if worker.ended:  # its output closed: let it finish dying to read how it ended
                try:
                    worker.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
            code = worker.kill()
            if timed_out:
                return text_reply(
                    504,
                    f"La consulta superó el límite de {self.timeout_s:g} s y se canceló; "
                    "afínela (menos combinaciones, LIMIT) o use `rendicion query` en su equipo",
                )
            if code == -signal.SIGABRT:
                return text_reply(
                    503,
                    f"La consulta necesitó más memoria que el límite de {self.memory_mb} MB "
                    "y se canceló; afínela (menos combinaciones, sin ORDER BY sobre todo)",
                )
            return text_reply(500, f"El proceso de consulta terminó inesperadamente (código {code})")
        finally:
            if worker.process.poll() is not None:
                worker.kill()
                worker = Worker(self.location, self.memory_mb, self.cache_mb)  # readiness awaited on its first use
            self.idle.put(worker)

    def close(self) -> None:
        while True:
            try:
                self.idle.get_nowait().kill()
            except queue.Empty:
                return
