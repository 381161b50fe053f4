"""The endpoint's HTTP front: the SPARQL protocol with honest status codes, CORS, a query page, and IRIs.

Routes:

- `GET /` a small Spanish query page (a form; with JavaScript, it shows the
  answer and its status in place);
- `GET|POST /query` the SPARQL 1.1 protocol (`query=` in the URL or a form,
  or an `application/sparql-query` body), run in a worker process
  (`pipelines.sparql.worker`); `OPTIONS` answers CORS preflights;
- `/update` and any `update=` are refused with 403: the endpoint is read-only;
- any other `GET` path is an IRI under the base: `/codigo/departamento/16`
  answers `<base>codigo/departamento/16` (`pipelines.sparql.describe`), and a
  package's file, `/paquete/<package>/data/albergues.csv`, is sent as it is
  (`pipelines.sparql.files`): the distributions' download URLs resolve too.

Every answer carries `Access-Control-Allow-Origin: *`, so a browser tool
hosted elsewhere (YASGUI, an Observable notebook) can read it; there is
nothing to protect with credentials and nothing it can change.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from pipelines.paths import DATAPACKAGES_DIR
from pipelines.sparql.describe import Describer, hash_documents
from pipelines.sparql.files import PackageFiles
from pipelines.sparql.protocol import MAX_QUERY_BYTES, inspect, negotiate
from pipelines.sparql.query import MEDIA_TYPES, disk_store, vocabulary
from pipelines.sparql.worker import Pool, Reply, text_reply

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Accept",
    "Access-Control-Max-Age": "86400",
}
READ_ONLY = "Este punto SPARQL es de solo lectura: no admite actualizaciones (INSERT, DELETE, LOAD, CLEAR…)"


@dataclass(frozen=True)
class Limits:
    """What one query may take; the defaults are `pipelines.settings`' (documented in queries/README.md)."""

    timeout_s: float = 30.0
    max_rows: int = 100_000
    max_bytes: int = 64 * 1024 * 1024
    memory_mb: int = 2048
    workers: int = 2
    allow_service: bool = False
    cache_mb: int = 64
    """Bytes of complete answers each worker keeps to answer a repeated query again (0: none)."""


class Front(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        port: int,
        location: Path,
        limits: Limits,
        bases: list[str],
        packages: Path = DATAPACKAGES_DIR,
        warm: tuple[str, ...] = (),
    ) -> None:
        self.limits = limits
        self.files = PackageFiles(packages)
        self.warm = warm if limits.cache_mb > 0 else ()
        super().__init__(("127.0.0.1", port), Handler)  # a port in use fails here, before any worker starts
        try:
            self.describer = Describer(disk_store(location), bases, hash_documents(vocabulary(), bases))
            self.pool = Pool(location, limits.workers, limits.memory_mb, limits.timeout_s, limits.cache_mb)
        except BaseException:
            super().server_close()
            raise

    def warm_up(self) -> None:
        """Ask every worker each query of `warm` (the cookbook) as CSV and as JSON, so their answers are kept
        before anyone asks: researchers' first cookbook query then answers like a repeated one.

        Sent through the pool like any request (same time limit and caps), one at a time, so at most one
        worker is busy with them and a researcher's query takes another at once. Each is sent once per
        worker in a row: the pool hands out its idle workers in turn, so each worker keeps its own copy
        (when other queries come in meanwhile, some worker may miss one: it evaluates it when asked).
        Run in a background thread once serving."""
        kept = 0
        for query in self.warm:
            for fmt in ("csv", "json"):
                for _ in range(self.limits.workers):
                    kept += (
                        self.pool.run(
                            {
                                "query": query,
                                "accept": None,
                                "format": fmt,
                                "max_rows": self.limits.max_rows,
                                "max_bytes": self.limits.max_bytes,
                                "cache": True,
                            }
                        ).status
                        == 200
                    )
        sys.stderr.write(f"precalentadas {kept} respuestas de {len(self.warm)} consultas del recetario\n")

    def server_close(self) -> None:
        super().server_close()
        if hasattr(self, "pool"):
            self.pool.close()


class Handler(BaseHTTPRequestHandler):
    server: Front
    protocol_version = "HTTP/1.1"
    server_version = "rendicion-abierta"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        sys.stderr.write(f"{self.address_string()} {format % args}\n")

    # -------------------------------------------------------------- sending

    def send(self, reply: Reply, extra: dict[str, str] | None = None, head: bool = False) -> None:
        self.send_response(reply.status)
        for name, value in {
            **CORS,
            "Content-Type": reply.media_type,
            "Content-Length": str(len(reply.body)),
            **(extra or {}),
        }.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(reply.body)

    def refuse(self, status: int, message: str, extra: dict[str, str] | None = None) -> None:
        self.send(text_reply(status, message), extra)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a method it lacks, a malformed request line, a header too long)
        in the endpoint's form: a short Spanish line, with CORS, never its English HTML page."""
        self.close_connection = True
        if code == 501:  # no do_<METHOD>: PUT, DELETE, PATCH…
            return self.refuse(
                405,
                "Método no admitido: este punto es de solo lectura (GET, HEAD, POST a /query, OPTIONS)",
                {"Allow": "GET, HEAD, POST, OPTIONS"},
            )
        reasons = {
            400: "Petición HTTP mal formada",
            414: "La dirección es demasiado larga",
            431: "Cabeceras demasiado largas",
        }
        self.refuse(code, reasons.get(code, f"Petición rechazada ({code})"))

    # -------------------------------------------------------------- methods

    def do_OPTIONS(self) -> None:  # noqa: N802 (http.server's naming)
        """A CORS preflight: any request header a browser tool asks for is allowed (nothing here reads
        credentials, and every answer is read-only), so a YASGUI that adds its own headers still works."""
        asked = self.headers.get("Access-Control-Request-Headers", "")
        allowed = ", ".join(
            dict.fromkeys(["Content-Type", "Accept", *(h.strip() for h in asked.split(",") if h.strip())])
        )
        self.send_response(204)
        for name, value in {**CORS, "Access-Control-Allow-Headers": allowed[:1000]}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self, head: bool = False) -> None:  # noqa: N802
        url = urlsplit(self.path)
        params = parse_qs(url.query)
        if url.path == "/":
            self.send(Reply(200, "text/html; charset=utf-8", QUERY_PAGE.encode("utf-8")), head=head)
        elif url.path == "/query":
            if "update" in params:
                self.refuse(403, READ_ONLY)
            elif "query" not in params:
                self.send(Reply(303, "text/plain; charset=utf-8", b""), {"Location": "/"})
            else:
                self.query(params["query"][0], params, head)
        elif url.path == "/update":
            self.refuse(403, READ_ONLY)
        else:
            self.dereference(url.path, params, head)

    def handle_one_request(self) -> None:
        """Any unexpected failure is a 500 with a Spanish line, not a dropped connection."""
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client left
        except Exception as error:  # noqa: BLE001 (the last net: the answer must still be HTTP)
            self.close_connection = True
            try:
                self.refuse(500, f"Error interno del servidor: {type(error).__name__}")
            except OSError:
                pass

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET(head=True)

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        declared = (self.headers.get("Content-Length") or "0").strip()
        if not declared.isdigit():  # a negative length would read until the client hangs up
            self.close_connection = True
            return self.refuse(400, "Content-Length no es un número de bytes")
        length = int(declared)
        if length > MAX_QUERY_BYTES:
            self.close_connection = True  # the body is not read
            return self.refuse(413, f"La consulta supera {MAX_QUERY_BYTES} bytes")
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        if url.path == "/update":
            return self.refuse(403, READ_ONLY)
        if url.path != "/query":
            return self.refuse(405, "Aquí solo se admite GET; las consultas van a /query", {"Allow": "GET, HEAD"})
        params = parse_qs(url.query)
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/sparql-query":
            return self.query(body, params)
        if kind == "application/x-www-form-urlencoded":
            form = parse_qs(body)
            if "update" in form:
                return self.refuse(403, READ_ONLY)
            if "query" in form:
                return self.query(form["query"][0], {**params, **form})
            return self.refuse(400, "Falta el parámetro «query»")
        if kind == "application/sparql-update":
            return self.refuse(403, READ_ONLY)
        self.refuse(415, "Envíe la consulta como application/sparql-query o como formulario con «query»")

    # -------------------------------------------------------------- the two kinds of answer

    def query(self, text: str, params: dict[str, list[str]], head: bool = False) -> None:
        limits = self.server.limits
        if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
            return self.refuse(413, f"La consulta supera {MAX_QUERY_BYTES} bytes")
        if "default-graph-uri" in params or "named-graph-uri" in params:
            return self.refuse(
                400, "No se admiten default-graph-uri ni named-graph-uri: use FROM o GRAPH en la consulta"
            )
        found = inspect(text)
        if found.update:
            return self.refuse(403, READ_ONLY)
        if found.service and not limits.allow_service:
            return self.refuse(
                400,
                "SERVICE está desactivado en este punto (consultas federadas): el servidor no "
                "llama a otros puntos SPARQL",
            )
        request = {
            "query": text,
            "accept": self.headers.get("Accept"),
            "format": params.get("format", [None])[0],
            "max_rows": limits.max_rows,
            "max_bytes": limits.max_bytes,
            "cache": not found.service,  # a federated answer is the other server's to change
        }
        reply = self.server.pool.run(request)
        self.send(reply, {"Vary": "Accept", "X-Cache": "HIT" if reply.cached else "MISS"}, head)

    def send_file(self, found: str, head: bool) -> bool:
        """A package's file as it is, streamed (a download: no negotiation, the bytes the graph's sha256 names);
        False if it can no longer be opened safely (a symlink swapped in since it was found)."""
        files = self.server.files
        try:
            stream = files.open(found)
        except files.safety.PackageError:
            return False
        with stream:
            self.send_response(200)
            for name, value in {
                **CORS,
                "Content-Type": files.media_type(found),
                "Content-Length": str(os.fstat(stream.fileno()).st_size),
            }.items():
                self.send_header(name, value)
            self.end_headers()
            if not head:
                shutil.copyfileobj(stream, self.wfile)
        return True

    def dereference(self, path: str, params: dict[str, list[str]], head: bool) -> None:
        found = self.server.files.find(path)
        if found is not None and self.send_file(found, head):
            return
        describer = self.server.describer
        iri = describer.iri_for(path)
        description = describer.describe(iri) if iri else None
        offers = ["ttl", "html", "jsonld", "nt", "rdfxml"]  # RDF/XML too: what older linked-data clients ask for
        fmt = negotiate(self.headers.get("Accept"), offers, params.get("format", [None])[0])
        if description is None:
            message = f"No hay datos de {describer.bases[0]}{path.lstrip('/')} en este servidor"
            if fmt == "html":
                return self.send(
                    Reply(404, "text/html; charset=utf-8", NOT_FOUND.format(message).encode()), {"Vary": "Accept"}, head
                )
            return self.send(text_reply(404, message), {"Vary": "Accept"}, head)
        if fmt is None:
            return self.refuse(
                406,
                "Formatos disponibles: text/turtle, application/ld+json, text/html, application/n-triples, "
                "application/rdf+xml",
            )
        if fmt == "html":
            reply = Reply(200, "text/html; charset=utf-8", describer.page(description).encode("utf-8"))
        else:
            reply = Reply(200, MEDIA_TYPES[fmt], describer.serialize(description, fmt))
        self.send(reply, {"Vary": "Accept", "Content-Location": f"{path}?format={fmt}"}, head)


NOT_FOUND = """<!doctype html><html lang="es"><head><meta charset="utf-8"><title>No encontrado</title></head>
<body><h1>No encontrado</h1><p>{}.</p><p><a href="/">Consultar los datos</a></p></body></html>"""

QUERY_PAGE = """<!doctype html>
<html lang="es"><head><meta charset="utf-8"><title>Consulta SPARQL · rendición abierta</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
textarea{width:100%;height:14rem;font-family:monospace}pre{background:#f6f6f6;padding:.5rem;overflow:auto;
max-height:30rem}</style></head><body>
<h1>Consulta SPARQL</h1>
<p>Datos de los informes cuatrimestrales de rendición de cuentas: cada paquete y el vocabulario.
Solo lectura. Punto SPARQL: <code>/query</code> (protocolo SPARQL 1.1, GET o POST, con CORS).
Recetario: <code>queries/README.md</code> del repositorio.</p>
<form id="f" method="get" action="/query">
<textarea name="query" id="q">PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?codigo ?nombre WHERE {
  ?d skos:inScheme <https://w3id.org/rendicion-abierta/codigo/departamento> ;
     skos:notation ?codigo ; skos:prefLabel ?nombre .
} ORDER BY ?codigo</textarea>
<p><label>Formato <select name="format" id="fmt"><option>csv</option><option>json</option><option>tsv</option>
<option>xml</option><option value="ttl">ttl (CONSTRUCT, DESCRIBE)</option>
<option value="jsonld">jsonld (CONSTRUCT, DESCRIBE)</option></select></label>
<button>Consultar</button></p></form>
<p id="estado"></p><pre id="r"></pre>
<script>
document.getElementById("f").addEventListener("submit", async (e) => {
  e.preventDefault();
  const body = new URLSearchParams({query: document.getElementById("q").value,
                                    format: document.getElementById("fmt").value});
  document.getElementById("estado").textContent = "Consultando…";
  const r = await fetch("/query", {method: "POST", body});
  document.getElementById("estado").textContent = "HTTP " + r.status + " " + r.statusText;
  document.getElementById("r").textContent = await r.text();
});
</script></body></html>
"""


def run(
    port: int,
    location: Path,
    limits: Limits,
    bases: list[str],
    announce: Callable[[], None] | None = None,
    packages: Path = DATAPACKAGES_DIR,
    warm: tuple[Path, ...] = (),
) -> None:
    """Serve until SIGTERM or Ctrl-C; `announce` runs once the port is listening. The workers stop with the front.
    The queries in the files `warm` are answered once at start (Front.warm_up)."""
    texts = tuple(path.read_text(encoding="utf-8") for path in warm)
    front = Front(port, location, limits, bases, packages, texts)
    if front.warm:
        threading.Thread(target=front.warm_up, daemon=True, name="precalentar").start()
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=front.shutdown, daemon=True).start())
    if announce is not None:
        announce()
    try:
        front.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        front.server_close()


def main(argv: list[str] | None = None) -> int:
    """The front alone on an existing store (`serve.front_command` builds its command line)."""
    parser = argparse.ArgumentParser(prog="pipelines.sparql.front")
    parser.add_argument("store", type=Path)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--base", action="append", required=True)
    for field in ("timeout_s", "max_rows", "max_bytes", "memory_mb", "workers", "cache_mb"):
        parser.add_argument(
            "--" + field.replace("_", "-"), type=float if field == "timeout_s" else int, default=getattr(Limits, field)
        )
    parser.add_argument("--allow-service", action="store_true")
    parser.add_argument("--packages", type=Path, default=DATAPACKAGES_DIR)
    parser.add_argument("--warm", type=Path, action="append", default=[], help="a query file to answer at start")
    args = parser.parse_args(argv)
    limits = Limits(
        args.timeout_s, args.max_rows, args.max_bytes, args.memory_mb, args.workers, args.allow_service, args.cache_mb
    )
    run(args.port, args.store, limits, args.base, packages=args.packages, warm=tuple(args.warm))
    return 0
