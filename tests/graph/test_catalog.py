"""DCAT-AP 3 description of the package and PROV-O provenance, from the report and the series."""

from __future__ import annotations

import hashlib
import json

from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, SKOS

from pipelines import __version__
from pipelines.graph.namespaces import SPDX, organization
from pipelines.paths import DATAPACKAGES_DIR
from pipelines.tables.model import ParsedReport

PACKAGE = URIRef("https://w3id.org/rendicion-abierta/paquete/sosep-informe-cuatrimestral-2021-1")


def test_package_lists_a_distribution_for_every_resource_of_datapackage_json(
    bundled: ParsedReport, graph: Graph
) -> None:
    committed = json.loads((DATAPACKAGES_DIR / bundled.package_name / "datapackage.json").read_text())
    names = {r["name"] for r in committed["resources"]} | {"grafo", "grafo-jsonld"}
    distributions = {str(graph.value(d, DCTERMS.identifier)): d for d in graph.objects(PACKAGE, ns.DCAT.distribution)}
    assert names <= set(distributions)
    csv = distributions["hogares-comunitarios"]
    assert str(graph.value(csv, ns.DCAT.accessURL)) == f"{PACKAGE}/data/hogares-comunitarios.csv"
    assert str(graph.value(csv, ns.DCAT.mediaType)).endswith("text/csv")


def test_package_is_a_dcat_dataset_published_by_sosep_for_the_period(bundled: ParsedReport, graph: Graph) -> None:
    assert (PACKAGE, RDF.type, ns.DCAT.Dataset) in graph
    sosep = graph.value(PACKAGE, DCTERMS.publisher)
    assert sosep == organization("SOSEP") and (sosep, RDF.type, ns.ORG.Organization) in graph
    assert str(graph.value(sosep, SKOS.prefLabel)) == bundled.series.publisher_name
    period = graph.value(PACKAGE, DCTERMS.temporal)
    assert str(graph.value(period, ns.DCAT.startDate)) == "2021-01-01"
    assert str(graph.value(period, ns.DCAT.endDate)) == "2021-04-30"
    assert str(graph.value(PACKAGE, DCTERMS.license)) == bundled.series.license_url


def test_provenance_names_the_report_its_hash_and_the_software_version(bundled: ParsedReport, graph: Graph) -> None:
    report = graph.value(PACKAGE, PROV.wasDerivedFrom)
    assert str(graph.value(report, DCTERMS.title)) == "sosep-2021-cuatrimestre-1.txt"
    checksum = graph.value(report, SPDX.checksum)
    assert str(graph.value(checksum, SPDX.checksumValue)) == bundled.report.sha256
    build = graph.value(PACKAGE, PROV.wasGeneratedBy)
    assert (build, PROV.used, report) in graph
    agent = graph.value(build, PROV.wasAssociatedWith)
    assert graph.value(agent, OWL.versionInfo) == Literal(__version__)


def test_each_table_dataset_keeps_its_printed_source_and_date(graph: Graph) -> None:
    ds = URIRef(f"{PACKAGE}/ejecucion-actividad")
    assert (
        str(graph.value(ds, URIRef("https://w3id.org/rendicion-abierta/def#fuente")))
        == "Fuente Dirección Financiera 05/05/2021"
    )
    assert str(graph.value(ds, URIRef("https://w3id.org/rendicion-abierta/def#fechaFuente"))) == "2021-05-05"
    assert (PACKAGE, DCTERMS.hasPart, ds) in graph


def test_the_committed_graph_catalogues_its_files_with_sizes_hashes_and_the_reports_dates() -> None:
    folder = DATAPACKAGES_DIR / "sosep-informe-cuatrimestral-2021-1"
    graph = Graph().parse(folder / "grafo.ttl")
    catalog = next(graph.subjects(RDF.type, ns.DCAT.Catalog))
    assert (catalog, ns.DCAT.dataset, PACKAGE) in graph
    # the latest "Fuente … con fecha" of the report (Dirección Financiera, 05/05/2021), never the build's clock
    assert graph.value(PACKAGE, DCTERMS.issued) == Literal("2021-05-05", datatype=ns.XSD.date)
    contact = graph.value(PACKAGE, ns.DCAT.contactPoint)
    assert "Secretaría de Obras Sociales" in str(graph.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#fn")))
    sized = 0
    for dist in graph.objects(PACKAGE, ns.DCAT.distribution):
        path = folder / str(graph.value(dist, ns.DCAT.downloadURL)).removeprefix(f"{PACKAGE}/")
        assert graph.value(dist, DCTERMS.modified) is not None
        size = graph.value(dist, ns.DCAT.byteSize)
        if size is None:
            assert path.name in ("grafo.ttl", "grafo.jsonld", "datapackage.json")  # cannot state their own size
            continue
        data = path.read_bytes()
        checksum = graph.value(graph.value(dist, SPDX.checksum), SPDX.checksumValue)
        assert int(size) == len(data) and str(checksum) == hashlib.sha256(data).hexdigest()
        sized += 1
    assert sized >= 10  # every table, the department list and calidad.json
