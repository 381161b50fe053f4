"""One parsed report → the package's graph files, SHACL-checked, plus their resource entries.

`build_triples` gathers the parts (code lists, Data Cube structures and
observations, DCAT/PROV description); `write_graph` validates them and writes
`grafo.ttl` and `grafo.jsonld`. Building is one pass over the rows, so time
and memory grow linearly with the report.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from rdflib import Graph

from pipelines.graph.catalog import Distribution, catalog_triples, code_list_triples, package_iri
from pipelines.graph.cube import Triple, measure_triples, observation_triples, structure_triples
from pipelines.graph.namespaces import data_base
from pipelines.graph.quality import quality_triples
from pipelines.graph.serialize import jsonld, to_oxigraph, turtle
from pipelines.graph.shacl import check_graph
from pipelines.package.schema import descriptor
from pipelines.paths import VOCAB_DIR
from pipelines.tables.model import ParsedReport
from pipelines.turtle import read_turtle

TURTLE_FILE = "grafo.ttl"
JSONLD_FILE = "grafo.jsonld"


def graph_resources(parsed: ParsedReport) -> list[dict]:
    """The Data Package entries of the two graph files (resource `grafo` and its JSON-LD twin)."""
    period = parsed.period.label
    description = parsed.series.graph_description
    return [
        {
            "name": "grafo",
            "path": TURTLE_FILE,
            "format": "ttl",
            "mediatype": "text/turtle",
            "encoding": "utf-8",
            "title": f"Grafo RDF del informe ({period}), Turtle",
            "description": description,
        },
        {
            "name": "grafo-jsonld",
            "path": JSONLD_FILE,
            "format": "jsonld",
            "mediatype": "application/ld+json",
            "encoding": "utf-8",
            "title": f"Grafo RDF del informe ({period}), JSON-LD",
            "description": description + " El mismo grafo que grafo.ttl.",
        },
    ]


FILE_TYPES = {"csv": "CSV", "json": "JSON", "ttl": "RDF_TURTLE", "jsonld": "JSON_LD"}
"""Data Package `format` → EU file-type authority code."""


def distributions(package: dict, folder: Path | None = None) -> list[Distribution]:
    """Every file the descriptor lists, with its size and sha256 when the package stage already wrote it.

    The graph files and datapackage.json cannot state their own size or hash (they would have to
    contain it); the CSVs and the quality report can, and do.
    """
    files = [
        Distribution(r["name"], r["path"], r["title"], r["mediatype"], FILE_TYPES[r["format"]])
        for r in package["resources"]
    ]
    files.append(
        Distribution(
            "datapackage", "datapackage.json", "Descriptor del paquete (Data Package v2)", "application/json", "JSON"
        )
    )
    if folder is None:
        return files
    return [_with_file_facts(f, folder / f.path) for f in files]


def _with_file_facts(found: Distribution, path: Path) -> Distribution:
    if not path.is_file():
        return found
    data = path.read_bytes()
    return dataclasses.replace(found, byte_size=len(data), sha256=hashlib.sha256(data).hexdigest())


def build_triples(
    parsed: ParsedReport, base: str | None = None, package: dict | None = None, folder: Path | None = None
) -> list[Triple]:
    """All the package's triples, derived from the table descriptions, the parsed rows and the descriptor."""
    base = data_base(base)
    package = package or descriptor(parsed, graph_resources(parsed))
    iri = package_iri(base, parsed)
    triples: list[Triple] = []
    triples += code_list_triples(parsed)
    triples += measure_triples(parsed.series)
    for table in parsed.tables.values():
        triples += structure_triples(parsed.series, table.spec)
        triples += observation_triples(parsed, table, iri)
    triples += catalog_triples(parsed, base, distributions(package, folder))
    triples += quality_triples(parsed, iri)
    triples += vocabulary_triples(parsed.series.vocabulary)
    for path in SHARED_CODE_LISTS:
        triples += vocabulary_triples(path)
    return triples


SHARED_CODE_LISTS = (VOCAB_DIR / "codigos.ttl", VOCAB_DIR / "departamentos.ttl")
"""National code lists every graph carries, so grafo.ttl answers queries on its own."""


def vocabulary_triples(path: Path | None) -> tuple[Triple, ...]:
    """A vocabulary file's triples (the series' own, or a shared code list), parsed once per process."""
    return () if path is None else read_turtle(path)


def as_graph(triples: list[Triple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def write_graph(
    parsed: ParsedReport, package_dir: Path, base: str | None = None, package: dict | None = None
) -> list[dict]:
    """Build, SHACL-check and write `grafo.ttl` and `grafo.jsonld` in `package_dir`.

    `package` is the descriptor the package stage made (its files, as the graph describes them);
    files already in `package_dir` get their size and hash. Raises ShaclError (listing the first
    violations) and writes nothing when the graph does not conform. Returns the graph's resource entries.
    """
    base = data_base(base)
    triples = build_triples(parsed, base, package, package_dir)
    check_graph(triples, parsed.package_name, base=base)
    ordered = to_oxigraph(triples)
    package_dir.mkdir(parents=True, exist_ok=True)
    (package_dir / TURTLE_FILE).write_bytes(turtle(ordered, parsed.series.key))
    (package_dir / JSONLD_FILE).write_bytes(jsonld(ordered, base, parsed.series.key))
    return graph_resources(parsed)
