"""The read-only Oxigraph endpoint answers the cookbook over HTTP and refuses updates."""

from __future__ import annotations

import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from pipelines.paths import QUERIES_DIR
from pipelines.sparql import endpoint_url, load_store, run_query, start_server

pytestmark = pytest.mark.services


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(url: str, body: str, content_type: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body.encode("utf-8"),
                                     headers={"Content-Type": content_type, "Accept": "text/csv"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def endpoint(graphs: list[Path], tmp_path_factory: pytest.TempPathFactory):
    location = tmp_path_factory.mktemp("oxigraph") / "store"
    count = load_store(graphs, location)
    assert count > 10000
    port = free_port()
    process = start_server(location, port, timeout_s=10)
    try:
        yield endpoint_url(port), location
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("name", sorted(p.stem for p in QUERIES_DIR.glob("*.rq")))
def test_endpoint_answers_each_cookbook_query_like_the_command(
        name: str, endpoint: tuple[str, Path], graphs: list[Path]) -> None:
    url, _ = endpoint
    text = (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")
    status, body = post(url, text, "application/sparql-query")
    assert status == 200
    assert body == run_query(text, graphs)
    assert b"2021-C1" in body and b"2021-C2" in body


def test_get_with_query_parameter_works_too(endpoint: tuple[str, Path]) -> None:
    url, _ = endpoint
    query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://purl.org/linked-data/cube#Observation> }")
    request = urllib.request.Request(f"{url}?query={query}", headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=30) as response:
        lines = response.read().decode().split("\r\n")
    assert lines[0] == "n" and int(lines[1]) > 1000


def test_updates_are_refused(endpoint: tuple[str, Path]) -> None:
    url, _ = endpoint
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"
    status, _ = post(url.replace("/query", "/update"), update, "application/sparql-update")
    assert status in (403, 405)
    status, body = post(url, "ASK { <http://example.org/a> ?p ?o }", "application/sparql-query")
    assert status == 200 and b"false" in body.lower()


def test_serve_loads_the_graphs_and_prints_its_url(graphs: list[Path], tmp_path: Path) -> None:
    import subprocess
    import sys

    port = free_port()
    script = ("import sys; from pathlib import Path; from pipelines.sparql import serve; "
              "sys.exit(serve(port=int(sys.argv[1]), graph_paths=[Path(p) for p in sys.argv[3:]], "
              "location=Path(sys.argv[2])))")
    process = subprocess.Popen([sys.executable, "-c", script, str(port), str(tmp_path / "store"),
                                *map(str, graphs)], stdout=subprocess.PIPE, text=True)
    try:
        lines = [process.stdout.readline(), process.stdout.readline()]
        assert "tripletas" in lines[0] and "solo lectura" in lines[0]
        assert lines[1].strip() == f"http://127.0.0.1:{port}/query"
        status, body = post(lines[1].strip(), (QUERIES_DIR / "cobertura-departamental.rq").read_text(),
                            "application/sparql-query")
        assert status == 200 and body.count(b"\r\n") == 45  # header + 22 departments × 2 periods
    finally:
        process.terminate()
        process.wait(timeout=10)
