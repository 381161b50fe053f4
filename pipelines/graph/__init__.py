"""The linked-data graph of a package: W3C Data Cube, OpenBudgets.eu, DCAT-AP 3, PROV-O, SKOS.

Integration point (called by the build for each package):

    write_graph(parsed: ParsedReport, package_dir: Path, base: str | None = None) -> list[dict]

builds the graph from the parsed report and the table descriptions, validates
it against `vocab/formas.ttl` (raising `pipelines.errors.ReportError` with the
first violations; nothing is written then), writes `grafo.ttl` and
`grafo.jsonld` into `package_dir` and returns the two resource descriptors
(`grafo`, `grafo-jsonld`) to append to datapackage.json's resources.

`base` is the base IRI of the package's instance data, passed down from the edge
(setting `RENDICION_BASE_IRI`); by default https://w3id.org/rendicion-abierta/. Vocabulary and
code-list IRIs are fixed (see `namespaces`).

Modules: `namespaces` (IRIs, the closed `RA` namespace), `cube` (structures and
observations), `catalog` (code lists from the series, DCAT, PROV), `shacl` (the
gate), `serialize` (deterministic Turtle/JSON-LD), `write` (the above together).
"""

from pipelines.graph.write import build_triples, graph_resources, write_graph

__all__ = ["build_triples", "graph_resources", "write_graph"]
