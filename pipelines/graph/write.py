"""One parsed report → the package's graph files, SHACL-checked, plus their resource entries.

`build_triples` gathers the parts (code lists, Data Cube structures and
observations, DCAT/PROV description); `write_graph` validates them and writes
`grafo.ttl` and `grafo.jsonld`. Building is one pass over the rows, so time
and memory grow linearly with the report.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from pipelines.graph.catalog import Distribution, catalog_triples, code_list_triples, package_iri
from pipelines.graph.cube import Triple, measure_triples, observation_triples, structure_triples
from pipelines.graph.namespaces import data_base
from pipelines.graph.quality import quality_triples
from pipelines.graph.serialize import jsonld, to_oxigraph, turtle
from pipelines.graph.shacl import check_graph
from pipelines.package.schema import descriptor
from pipelines.tables.model import ParsedReport

TURTLE_FILE = "grafo.ttl"
JSONLD_FILE = "grafo.jsonld"


def graph_resources(parsed: ParsedReport) -> list[dict]:
    """The Data Package entries of the two graph files (resource `grafo` and its JSON-LD twin)."""
    period = parsed.period.label
    description = parsed.series.graph_description
    return [
        {"name": "grafo", "path": TURTLE_FILE, "format": "ttl", "mediatype": "text/turtle",
         "encoding": "utf-8", "title": f"Grafo RDF del informe ({period}), Turtle", "description": description},
        {"name": "grafo-jsonld", "path": JSONLD_FILE, "format": "jsonld", "mediatype": "application/ld+json",
         "encoding": "utf-8", "title": f"Grafo RDF del informe ({period}), JSON-LD",
         "description": description + " El mismo grafo que grafo.ttl."},
    ]


FILE_TYPES = {"csv": "CSV", "json": "JSON", "ttl": "RDF_TURTLE", "jsonld": "JSON_LD"}
"""Data Package `format` → EU file-type authority code."""


def distributions(parsed: ParsedReport) -> list[Distribution]:
    """Every file of the package, named and titled exactly as datapackage.json lists it."""
    resources = descriptor(parsed, graph_resources(parsed))["resources"]
    files = [Distribution(r["name"], r["path"], r["title"], r["mediatype"], FILE_TYPES[r["format"]])
             for r in resources]
    files.append(Distribution("datapackage", "datapackage.json", "Descriptor del paquete (Data Package v2)",
                              "application/json", "JSON"))
    return files


def build_triples(parsed: ParsedReport, base: str | None = None) -> list[Triple]:
    """All the package's triples, derived from the table descriptions and the parsed rows."""
    base = data_base(base)
    package = package_iri(base, parsed)
    triples: list[Triple] = []
    triples += code_list_triples(parsed)
    triples += measure_triples(parsed.series)
    for table in parsed.tables.values():
        triples += structure_triples(parsed.series, table.spec)
        triples += observation_triples(parsed, table, package)
    triples += catalog_triples(parsed, base, distributions(parsed))
    triples += quality_triples(parsed, package)
    triples += series_vocabulary(parsed.series.vocabulary)
    return triples


@lru_cache(maxsize=16)
def series_vocabulary(path: Path | None) -> tuple[Triple, ...]:
    """The series' own vocabulary, carried in every package graph so `grafo.ttl` stands alone."""
    if path is None:
        return ()
    return tuple(Graph().parse(path, format="turtle"))  # type: ignore[arg-type]


def as_graph(triples: list[Triple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def write_graph(parsed: ParsedReport, package_dir: Path, base: str | None = None) -> list[dict]:
    """Build, SHACL-check and write `grafo.ttl` and `grafo.jsonld` in `package_dir`.

    Raises ReportError (listing the first violations) and writes nothing when
    the graph does not conform. Returns the resource entries for datapackage.json.
    """
    base = data_base(base)
    triples = build_triples(parsed, base)
    check_graph(triples, parsed.package_name, base=base)
    ordered = to_oxigraph(triples)
    package_dir.mkdir(parents=True, exist_ok=True)
    (package_dir / TURTLE_FILE).write_bytes(turtle(ordered))
    (package_dir / JSONLD_FILE).write_bytes(jsonld(ordered, base))
    return graph_resources(parsed)
