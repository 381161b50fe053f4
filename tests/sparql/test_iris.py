"""IRIs that resolve: `rendicion serve` answers each IRI under the base at the same path, by content negotiation."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from pipelines.paths import DATAPACKAGES_DIR, ROOT
from pipelines.sparql import Limits, load_store, start_server

pytestmark = pytest.mark.services

BASE = "https://w3id.org/rendicion-abierta/"
DEPARTMENT = "codigo/departamento/16"
PROGRAM = "codigo/programa/sosep/hogares-comunitarios"
PACKAGE = "sosep-informe-cuatrimestral-2021-1"
OBSERVATION = f"paquete/{PACKAGE}/albergues/fila/01/albergues"
SKOS = "http://www.w3.org/2004/02/skos/core#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def get(url: str, accept: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def triples(body: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {quad.triple for quad in ox.parse(body, format=fmt)}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed package, and a hostile one whose descriptor lists a symlink to a file outside it."""
    folder = tmp_path_factory.mktemp("paquetes")
    shutil.copytree(DATAPACKAGES_DIR / PACKAGE, folder / PACKAGE)
    hostile = folder / "paquete-hostil"
    (hostile / "data").mkdir(parents=True)
    (hostile / "data" / "secreto.csv").symlink_to(ROOT / "pyproject.toml")
    (hostile / "datapackage.json").write_text(
        json.dumps({"name": "paquete-hostil", "resources": [{"name": "s", "path": "data/secreto.csv"}]})
    )
    return folder


@pytest.fixture(scope="module")
def site(graphs: list[Path], packages: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    location = tmp_path_factory.mktemp("iris") / "store"
    load_store(graphs, location)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = start_server(location, port, limits=Limits(workers=1), packages=packages)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_department_in_turtle_is_its_triples_as_subject(site: str) -> None:
    status, kind, body = get(site + DEPARTMENT, "text/turtle")
    assert status == 200 and kind.startswith("text/turtle")
    found = triples(body, ox.RdfFormat.TURTLE)
    iri = ox.NamedNode(BASE + DEPARTMENT)
    assert {t.subject for t in found} == {iri}
    assert ox.Triple(iri, ox.NamedNode(SKOS + "prefLabel"), ox.Literal("Alta Verapaz", language="es")) in found
    assert ox.Triple(iri, ox.NamedNode(SKOS + "notation"), ox.Literal("16")) in found


def rdflib_graph(body: bytes, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body.decode("utf-8"), format=fmt)


def test_a_program_in_json_ld_is_the_same_description(site: str) -> None:
    status, kind, body = get(site + PROGRAM, "application/ld+json")
    assert status == 200 and kind == "application/ld+json"
    document = json.loads(body)
    context = document["@context"]
    assert context["programa"] == BASE + "codigo/programa/" and context["skos"] == SKOS  # inline, compact
    assert document["@graph"][0]["@id"] == "programa:sosep/hogares-comunitarios"
    assert all(f"{name}:" in body.decode() for name in context)  # only the prefixes it uses
    _, _, turtle = get(site + PROGRAM, "text/turtle")
    assert triples(body, ox.RdfFormat.JSON_LD) == triples(turtle, ox.RdfFormat.TURTLE)
    assert set(rdflib_graph(body, "json-ld")) == set(rdflib_graph(turtle, "turtle"))  # another parser agrees
    labels = {
        (t.object.value, t.object.language)
        for t in triples(turtle, ox.RdfFormat.TURTLE)
        if t.predicate == ox.NamedNode(SKOS + "prefLabel")
    }
    assert ("Hogares Comunitarios", "es") in labels


def test_an_observation_for_a_browser_is_a_spanish_page_with_local_links(site: str) -> None:
    status, kind, body = get(site + OBSERVATION, BROWSER)
    page = body.decode("utf-8")
    assert status == 200 and kind.startswith("text/html")
    assert '<html lang="es">' in page and "<h1>Observación /" + OBSERVATION + "</h1>" in page
    assert "período de referencia" in page and "enero–abril de 2021" in page  # labels, Spanish
    assert 'href="/codigo/periodo/2021-C1"' in page  # links under the base stay on this server
    assert 'href="/def#lineaInforme"' in page and ">línea del informe<" in page
    assert not re.search(r'href="https://w3id\.org/rendicion-abierta/', page)
    assert "<td>1 <small>xsd:integer</small></td>" in page  # the value
    assert 'href="http://www.wikidata.org/' not in page and 'href="http://purl.org/linked-data/cube#dataSet"' in page


def test_hash_terms_are_answered_by_their_document_with_anchors(site: str) -> None:
    status, _, body = get(site + "def", BROWSER)
    page = body.decode("utf-8")
    assert status == 200 and "<h1>Vocabulario de rendición abierta</h1>" in page
    assert '<h2 id="programa">programa' in page and '<h2 id="Cuatrimestre">Cuatrimestre' in page
    _, _, turtle = get(site + "def", "text/turtle")
    subjects = {t.subject.value for t in triples(turtle, ox.RdfFormat.TURTLE)}
    assert {BASE + "def", BASE + "def#programa", BASE + "def#total"} <= subjects
    status, _, measure = get(site + "def/medida/sosep/asignado", "text/turtle")
    assert status == 200 and BASE + "def/medida/sosep/asignado" in {
        t.subject.value for t in triples(measure, ox.RdfFormat.TURTLE)
    }


def test_blank_nodes_are_described_with_their_subject(site: str) -> None:
    status, _, body = get(site + "def/forma", "text/turtle")
    found = triples(body, ox.RdfFormat.TURTLE)
    blank = {t.subject for t in found if isinstance(t.subject, ox.BlankNode)}
    assert status == 200 and blank
    reached = {t.object for t in found if isinstance(t.object, ox.BlankNode)}
    assert blank <= reached  # every blank node described is reached from the shapes, nested ones included
    status, _, document = get(site + "def/forma", "application/ld+json")
    assert status == 200 and '"_:' in document.decode() and "@context" in json.loads(document)
    assert isomorphic(rdflib_graph(document, "json-ld"), rdflib_graph(body, "turtle"))


def test_an_unknown_iri_is_404_with_a_short_spanish_message(site: str) -> None:
    status, kind, body = get(site + "codigo/departamento/99", "text/turtle")
    assert status == 404 and kind.startswith("text/plain")
    assert body.decode() == f"No hay datos de {BASE}codigo/departamento/99 en este servidor.\n"
    status, kind, body = get(site + "no/existe", BROWSER)
    assert status == 404 and kind.startswith("text/html") and "No encontrado" in body.decode()


def test_every_download_url_is_the_file_its_checksum_and_size_name(site: str, packages: Path) -> None:
    """A distribution's dcat:downloadURL is an IRI under the base too: following it gives the file's bytes."""
    graph = ox.Store()
    graph.bulk_load(path=str(packages / PACKAGE / "grafo.ttl"), format=ox.RdfFormat.TURTLE)
    rows = list(
        graph.query("""
            PREFIX dcat: <http://www.w3.org/ns/dcat#>
            PREFIX spdx: <http://spdx.org/rdf/terms#>
            SELECT ?url ?size ?sha WHERE {
              ?d dcat:downloadURL ?url .
              OPTIONAL { ?d dcat:byteSize ?size }
              OPTIONAL { ?d spdx:checksum/spdx:checksumValue ?sha }
            }""")
    )
    assert len(rows) >= 12  # nine tables, the quality report, the descriptor, the graph in two formats
    checked = 0
    for row in rows:
        url = row["url"].value
        assert url.startswith(f"{BASE}paquete/{PACKAGE}/")
        status, kind, body = get(site + url.removeprefix(BASE), "text/html")  # a browser's Accept: the file anyway
        assert status == 200, url
        assert body == (packages / PACKAGE / url.removeprefix(f"{BASE}paquete/{PACKAGE}/")).read_bytes()
        assert kind.startswith("text/csv") if url.endswith(".csv") else True
        if row["sha"] is not None:
            assert hashlib.sha256(body).hexdigest() == row["sha"].value and len(body) == int(row["size"].value)
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize(
    "path",
    [
        f"paquete/{PACKAGE}/README.md",  # in the folder, not a resource of the package
        f"paquete/{PACKAGE}/../../pyproject.toml",
        f"paquete/{PACKAGE}/data/..%2f..%2f..%2fpyproject.toml",
        "paquete/..%2f..%2fpyproject.toml",
        "paquete/paquete-hostil/data/secreto.csv",  # declared, but a symlink out of the package
        "paquete/paquete-hostil/datapackage.json/x",
    ],
)
def test_only_a_packages_declared_files_are_served(site: str, path: str) -> None:
    status, _, body = get(site + path, "text/plain")  # urllib sends the path as written, `..` included
    assert status == 404 and b"[project]" not in body


def test_rdf_xml_for_older_linked_data_clients_is_the_same_description(site: str) -> None:
    status, kind, body = get(site + DEPARTMENT, "application/rdf+xml")
    assert status == 200 and kind == "application/rdf+xml"
    assert triples(body, ox.RdfFormat.RDF_XML) == triples(get(site + DEPARTMENT, "text/turtle")[2], ox.RdfFormat.TURTLE)


def test_an_unavailable_format_is_406_and_format_parameter_overrides(site: str) -> None:
    assert get(site + DEPARTMENT, "image/png")[0] == 406
    status, kind, _ = get(site + DEPARTMENT + "?format=jsonld", BROWSER)
    assert status == 200 and kind == "application/ld+json"


def w3id(path: str) -> tuple[str, int]:
    """Where docs/w3id/rendicion-abierta/.htaccess sends https://w3id.org/rendicion-abierta/<path>, and how.

    Apache matches each RewriteRule's pattern against the path under the folder; the first match
    with [L] decides. The patterns there are plain regular expressions Python reads the same way.
    """
    rules = (ROOT / "docs" / "w3id" / "rendicion-abierta" / ".htaccess").read_text(encoding="utf-8")
    for pattern, target, flags in re.findall(r"^RewriteRule (\S+) (\S+) \[(\S+)\]$", rules, re.MULTILINE):
        found = re.match(pattern, path)
        if found:
            status = int(re.search(r"R=(\d+)", flags).group(1))  # type: ignore[union-attr]
            return found.expand(target.replace("$", "\\")), status
    raise AssertionError(f"ninguna regla para {path}")


@pytest.mark.parametrize("path", [DEPARTMENT, PROGRAM, OBSERVATION, "def", "def/medida/sosep/asignado"])
def test_the_w3id_rules_send_each_iri_to_its_path_on_the_server(site: str, path: str) -> None:
    target, status = w3id(path)
    assert status == 303 and target == "https://datos.example.org/" + path
    local = target.replace("https://datos.example.org/", site)
    for accept in ("text/turtle", BROWSER):
        assert get(local, accept)[:2] == get(site + path, accept)[:2] and get(local, accept)[0] == 200
    assert w3id("sparql") == ("https://datos.example.org/query", 307)
    assert w3id("") == ("https://datos.example.org/", 303)
