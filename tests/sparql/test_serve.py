"""The endpoint over real servers: the cookbook over HTTP, honest status codes, caps, CORS, SERVICE, updates.

Two servers on the two periods' store: one started with `start_server` (20 s per query, 5000 rows, 1 GB
per worker), one with the real command line, `rendicion serve --no-reload --timeout-s 1` with small caps,
SERVICE allowed and one worker, so a runaway query meets each limit in about a second.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipelines.paths import QUERIES_DIR, ROOT
from pipelines.sparql import Limits, endpoint_url, load_store, run_query, start_server

pytestmark = pytest.mark.services

CROSS_JOIN_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # ~250 M rows: seconds of work
CROSS_JOIN_SORTED = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"  # sorts them all: gigabytes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(
    url: str,
    body: str | None = None,
    content_type: str = "application/sparql-query",
    accept: str = "text/csv",
    method: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request: status, headers (lower-case names), body; error statuses are answers too."""
    data = None if body is None else body.encode("utf-8")
    all_headers = {"Accept": accept, **({"Content-Type": content_type} if data is not None else {}), **(headers or {})}
    request = urllib.request.Request(url, data=data, headers=all_headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def post(url: str, body: str, content_type: str = "application/sparql-query") -> tuple[int, bytes]:
    status, _, answer = call(url, body, content_type)
    return status, answer


@pytest.fixture(scope="module")
def store(graphs: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    location = tmp_path_factory.mktemp("oxigraph") / "store"
    assert load_store(graphs, location) > 10000
    return location


@pytest.fixture(scope="module")
def endpoint(store: Path) -> Iterator[str]:
    port = free_port()
    process = start_server(store, port, limits=Limits(timeout_s=20, max_rows=5000, memory_mb=1024, workers=2))
    try:
        yield endpoint_url(port)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def strict(store: Path, endpoint: str) -> Iterator[str]:
    """`rendicion serve` itself, as an operator would start it, with every limit small."""
    env = {
        **os.environ,
        "RENDICION_ALMACEN": str(store),
        "RENDICION_SPARQL_MEMORIA_MB": "1024",
        "RENDICION_SPARQL_PROCESOS": "1",
        "RENDICION_SPARQL_CACHE_MB": "0",
    }
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipelines.cli",
            "serve",
            "--no-reload",
            "--port",
            str(port),
            "--timeout-s",
            "1",
            "--max-rows",
            "50",
            "--max-bytes",
            "20000",
            "--allow-service",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "tripletas de el almacén" in first and "límite 1 s y 50 filas" in first and "SERVICE permitido" in first
        assert process.stdout.readline().strip() == endpoint_url(port)
        yield endpoint_url(port)
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


@pytest.mark.parametrize("name", sorted(p.stem for p in QUERIES_DIR.glob("*.rq")))
def test_endpoint_answers_each_cookbook_query_like_the_command(name: str, endpoint: str, graphs: list[Path]) -> None:
    text = (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")
    status, body = post(endpoint, text)
    assert status == 200
    assert body == run_query(text, graphs)
    assert b"2021-C1" in body and b"2021-C2" in body


def test_get_with_query_parameter_and_a_form_post_work_too(endpoint: str) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://purl.org/linked-data/cube#Observation> }"
    status, headers, body = call(f"{endpoint}?query={urllib.parse.quote(query)}")
    lines = body.decode().split("\r\n")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert lines[0] == "n" and int(lines[1]) > 1000
    status, headers, body = call(
        endpoint,
        urllib.parse.urlencode({"query": query, "format": "json"}),
        "application/x-www-form-urlencoded",
        accept="*/*",
    )
    assert status == 200 and headers["content-type"] == "application/sparql-results+json"
    status, headers, body = call(endpoint, f"CONSTRUCT WHERE {{ <{DEPARTMENT}> ?p ?o }}", accept="application/ld+json")
    assert status == 200 and headers["content-type"] == "application/ld+json" and b"Alta Verapaz" in body


def test_a_repeated_query_is_answered_again_from_the_cache_unless_it_is_off(endpoint: str, strict: str) -> None:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} # {time.time_ns()}"  # a text no other test sent
    answers = [call(endpoint, query) for _ in range(4)]  # two workers, each with its own cache
    assert [a[1]["x-cache"] for a in answers] == ["MISS", "MISS", "HIT", "HIT"]
    assert len({a[2] for a in answers}) == 1 and all(a[0] == 200 for a in answers)
    for spelling in ("text/csv;q=0.9, application/json;q=0.1", "text/*"):  # the same format, otherwise asked
        assert call(endpoint, query, accept=spelling)[1]["x-cache"] == "HIT"
    assert call(f"{endpoint}?format=csv", query, accept="application/xml")[1]["x-cache"] == "HIT"
    status, headers, body = call(endpoint, query, accept="application/sparql-results+json")
    assert status == 200 and headers["x-cache"] == "MISS" and body.startswith(b"{")  # another format: evaluated
    assert [call(strict, query)[1]["x-cache"] for _ in range(3)] == ["MISS"] * 3  # RENDICION_SPARQL_CACHE_MB=0
    bad = "SELEC ?x WHERE {}"
    assert [call(endpoint, bad)[1]["x-cache"] for _ in range(4)] == ["MISS"] * 4  # only complete answers are kept


def test_rendicion_serve_answers_the_cookbook_before_anyone_asks(store: Path) -> None:
    """RENDICION_SPARQL_PRECALENTAR (on by default): each worker answers every recipe, as CSV and as JSON,
    once the server is up, so a researcher's first cookbook query is answered like a repeated one."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "serve", "--no-reload", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "RENDICION_ALMACEN": str(store), "RENDICION_SPARQL_PROCESOS": "2"},
    )
    recipes = sorted(QUERIES_DIR.glob("*.rq"))
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            if line.startswith("precalentadas"):
                break
        assert line == f"precalentadas {len(recipes) * 4} respuestas de {len(recipes)} consultas del recetario\n"
        url = endpoint_url(port)
        for recipe in recipes:
            text = recipe.read_text(encoding="utf-8")
            for accept in ("text/csv", "text/csv", "application/sparql-results+json"):  # both workers, both formats
                status, headers, body = call(url, text, accept=accept)
                assert (status, headers["x-cache"]) == (200, "HIT"), recipe.name
            assert body == execute_on(store, text, "json")
    finally:
        process.terminate()
        process.wait(timeout=10)


def execute_on(store: Path, text: str, fmt: str) -> bytes:
    from pipelines.sparql.query import disk_store, execute

    return execute(disk_store(store), text, fmt).body


def test_a_syntax_error_is_400_with_a_spanish_message(endpoint: str) -> None:
    status, headers, body = call(endpoint, "SELEC ?x WHERE {}")
    assert status == 400 and headers["content-type"].startswith("text/plain")
    assert body.decode().startswith("Error de sintaxis: la consulta SPARQL no es válida")


def test_service_is_refused_unless_allowed(endpoint: str, strict: str) -> None:
    federated = f"SELECT ?n WHERE {{ SERVICE <{endpoint}> {{ SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} }} }}"
    for query in (
        federated,
        f"ASK {{ FILTER EXISTS {{ OPTIONAL {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} }} }} }}",
    ):
        status, body = post(endpoint, query)
        assert status == 400 and "SERVICE está desactivado" in body.decode()
    # the word elsewhere is no SERVICE call
    status, body = post(endpoint, 'SELECT ?service WHERE { BIND("SERVICE" AS ?service) } # SERVICE <x:y> {}')
    assert status == 200
    # `rendicion serve --allow-service` does call out: here, to the other server
    status, body = post(strict, federated)
    assert status == 200 and int(body.split(b"\r\n")[1]) > 10000


def test_cors_headers_and_preflight(endpoint: str) -> None:
    status, headers, _ = call(
        endpoint,
        method="OPTIONS",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-requested-with",
        },
    )
    assert status == 204
    assert headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]
    allowed = {h.strip().lower() for h in headers["access-control-allow-headers"].split(",")}
    assert {"content-type", "x-requested-with"} <= allowed  # what the tool asked for
    for answer in (call(f"{endpoint}?query=ASK%7B%7D"), call(endpoint, "SELEC"), call(endpoint.replace("/query", "/"))):
        assert answer[1]["access-control-allow-origin"] == "*"


def test_updates_are_refused_with_403(endpoint: str) -> None:
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    assert post(endpoint.replace("/query", "/update"), update, "application/sparql-update")[0] == 403
    assert post(endpoint, update, "application/sparql-update")[0] == 403
    assert post(endpoint, update)[0] == 403  # an update sent as a query
    assert call(f"{endpoint}?update={urllib.parse.quote(update)}")[0] == 403
    status, body = post(endpoint, "ASK { <http://example.org/a> ?p ?o }")
    assert status == 200 and b"false" in body.lower()


def test_the_root_is_a_query_page(endpoint: str) -> None:
    status, headers, body = call(endpoint.replace("/query", "/"), accept="text/html")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b'<form id="f" method="get" action="/query">' in body and b"Consulta SPARQL" in body


def test_a_query_past_the_timeout_is_504_and_the_next_one_works(strict: str) -> None:
    started = time.monotonic()
    status, headers, body = call(strict, CROSS_JOIN_COUNT)
    assert status == 504 and time.monotonic() - started < 5
    assert "superó el límite de 1 s" in body.decode() and headers["content-type"].startswith("text/plain")
    assert post(strict, "ASK {}") == (200, b"true")  # a fresh worker took the killed one's place


def test_a_query_past_the_memory_limit_is_503_not_a_bigger_server(endpoint: str) -> None:
    """On the server with 20 s per query: the memory cap, not the clock, stops this one (in ~0.5 s)."""
    started = time.monotonic()
    status, body = post(endpoint, CROSS_JOIN_SORTED)
    assert status == 503 and "más memoria que el límite de 1024 MB" in body.decode()
    assert time.monotonic() - started < 15
    assert post(endpoint, "ASK {}") == (200, b"true")


def test_a_memory_cap_below_what_the_open_store_takes_stops_the_start(store: Path) -> None:
    """Capped after the store opens (RocksDB's start-up threads need room), a cap it already passes would
    make every query a 503: the server refuses to start instead."""
    with pytest.raises(RuntimeError, match="terminó al arrancar"):
        start_server(store, free_port(), limits=Limits(memory_mb=64, workers=1), quiet=True)


def test_results_past_the_caps_are_413_not_a_truncated_200(strict: str, endpoint: str) -> None:
    rows = "SELECT ?s WHERE { ?s a <http://purl.org/linked-data/cube#Observation> }"
    status, body = post(strict, rows)
    assert status == 413 and "máximo de 50 filas" in body.decode()
    status, body = post(strict, rows + " LIMIT 50")
    assert status == 200 and body.count(b"\r\n") == 51
    status, _, body = call(strict, "CONSTRUCT WHERE { ?s ?p ?o }", accept="text/turtle")
    assert status == 413 and "50 tripletas" in body.decode()
    status, _, body = call(strict, "CONSTRUCT WHERE { ?s ?p ?o }")  # asked as CSV: no such thing for a graph
    assert status == 406 and "use ttl, jsonld" in body.decode()
    long_values = (
        "SELECT (CONCAT(STR(?s), STR(?s), STR(?s), STR(?s), STR(?s)) AS ?x) "
        "WHERE { ?s a <http://purl.org/linked-data/cube#Observation> } LIMIT 45"
    )  # ~500 bytes a row
    status, body = post(strict, long_values)
    assert status == 413 and "máximo de 20000 bytes" in body.decode()
    assert post(endpoint, "SELECT * WHERE { ?s ?p ?o }")[0] == 413  # 5000 rows on the other server


def raw_request(url: str, request: bytes) -> bytes:
    """What the server sends back for bytes no HTTP library would send (read until it closes)."""
    parts = urllib.parse.urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


@pytest.mark.parametrize(
    ("request_bytes", "status", "words"),
    [
        (b"DELETE /codigo/departamento/16 HTTP/1.1\r\nHost: x\r\n\r\n", 405, "solo lectura"),
        (b"PUT /query HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405, "solo lectura"),
        (b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nASK{}", 400, "Content-Length"),
        (b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Length: diez\r\n\r\n", 400, "Content-Length"),
        (b"GET /%00%ff HTTP/1.1\r\nHost: x\r\n\r\n", 404, "No hay datos"),
        (b"GET /codigo/departamento/16%20x HTTP/1.1\r\nHost: x\r\n\r\n", 404, "No hay datos"),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "demasiado larga"),
    ],
)
def test_malformed_requests_get_a_spanish_4xx_never_a_500_or_a_hang(
    endpoint: str, request_bytes: bytes, status: int, words: str
) -> None:
    """What a fuzzer sends: a method the endpoint lacks, a negative or wordy length, a path that is no IRI."""
    if b"Connection:" not in request_bytes:
        request_bytes = request_bytes.replace(b"Host: x\r\n", b"Host: x\r\nConnection: close\r\n", 1)
    head, _, body = raw_request(endpoint, request_bytes).partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == str(status).encode(), head
    assert b"access-control-allow-origin: *" in head.lower()
    assert words in body.decode("utf-8")
    assert post(endpoint, "ASK {}") == (200, b"true")  # the server is still there


DEPARTMENT = "https://w3id.org/rendicion-abierta/codigo/departamento/16"


def test_serve_loads_the_graphs_and_prints_its_url(graphs: list[Path], tmp_path: Path) -> None:
    port = free_port()
    script = (
        "import sys; from pathlib import Path; from pipelines.sparql import serve; "
        "sys.exit(serve(port=int(sys.argv[1]), graph_paths=[Path(p) for p in sys.argv[3:]], "
        "location=Path(sys.argv[2])))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(port), str(tmp_path / "store"), *map(str, graphs)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline(), process.stdout.readline()]
        assert "tripletas" in lines[0] and "solo lectura" in lines[0]
        assert lines[1].strip() == f"http://127.0.0.1:{port}/query"
        status, body = post(lines[1].strip(), (QUERIES_DIR / "cobertura-departamental.rq").read_text())
        assert status == 200 and body.count(b"\r\n") == 45  # header + 22 departments × 2 periods
        status, _, body = call(f"http://127.0.0.1:{port}/def", accept="text/turtle")  # the vocabulary is served
        assert status == 200 and b"owl:Ontology" in body
    finally:
        process.terminate()
        process.wait(timeout=10)
