"""What the package is and where it came from: DCAT-AP 3, PROV-O, ORG and the series' code lists.

Everything here is read from the series description (publisher, programs,
license) and the parsed report (period, file name, sha256, each table's
"Fuente" line, for a PDF the extractor that read it); nothing is invented and
nothing depends on the clock, so the same report gives the same triples.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, QB, RDF, RDFS, SKOS, XSD

from pipelines import __version__
from pipelines.graph.cube import Triple, dataset_iri, es, structure_iri
from pipelines.graph.namespaces import (
    CODIGO,
    COUNTRY,
    FILE_TYPE,
    LANGUAGE,
    MEDIA_TYPE,
    RA,
    SPDX,
    VCARD,
    SeriesTerms,
    organization,
    period,
)
from pipelines.tables.model import ParsedReport

SOURCE_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


@dataclass(frozen=True)
class Distribution:
    """One file of the package, as datapackage.json lists it."""

    name: str
    path: str
    title: str
    mediatype: str
    file_type: str
    """EU file-type authority code (CSV, JSON, RDF_TURTLE, JSON_LD, …)."""
    byte_size: int | None = None
    sha256: str | None = None
    """Known for the files written before the graph (tables, quality report), not for the graph itself."""


def package_iri(base: str, parsed: ParsedReport) -> URIRef:
    return URIRef(f"{base}paquete/{parsed.package_name}")


def report_iri(base: str, parsed: ParsedReport) -> URIRef:
    """The source report, named by its content: a changed file is a different report."""
    return URIRef(f"{base}informe/{parsed.report.sha256}")


def software_iri(base: str) -> URIRef:
    return URIRef(f"{base}software/rendicion-abierta/{__version__}")


def source_date(printed: str | None) -> date | None:
    """The dd/mm/yyyy date of a table's "Fuente … con fecha …" line, if it prints one."""
    found = SOURCE_DATE.search(printed or "")
    if not found:
        return None
    day, month, year = (int(g) for g in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def report_date(parsed: ParsedReport) -> date:
    """When the report's figures were current: its latest "Fuente … con fecha" date, else the period's end.

    The package's dct:issued/dct:modified come from the report itself, never from the clock of the
    machine that built it, so a rebuild is byte-identical.
    """
    dates = [found for t in parsed.tables.values() if (found := source_date(t.source))]
    return max(dates, default=parsed.period.end)


def code_list_triples(parsed: ParsedReport) -> Iterator[Triple]:
    """Publisher, Direcciones, programs and their financing activities, and the period."""
    series = parsed.series
    publisher = organization(series.publisher)
    yield publisher, RDF.type, ORG.Organization
    yield publisher, RDF.type, FOAF.Agent
    yield publisher, SKOS.prefLabel, es(series.publisher_name)
    yield publisher, SKOS.altLabel, es(series.publisher)
    yield publisher, FOAF.homepage, URIRef(series.publisher_url)
    terms = SeriesTerms(series.key)
    for prog in series.programs:
        unit, act, concept = (
            terms.directorate(prog["direccion"]),
            terms.activity(prog["actividad"]),
            terms.program(prog["key"]),
        )
        yield publisher, ORG.hasUnit, unit
        yield unit, RDF.type, ORG.OrganizationalUnit
        yield unit, RDF.type, SKOS.Concept
        yield unit, SKOS.inScheme, CODIGO.direccion
        yield unit, SKOS.prefLabel, es(prog["direccion"])
        yield unit, ORG.unitOf, publisher
        yield act, RDF.type, RA.ActividadPresupuestaria
        yield act, RDF.type, SKOS.Concept
        yield act, SKOS.inScheme, CODIGO.actividad
        yield act, SKOS.prefLabel, es(prog["actividad"])
        yield concept, RDF.type, RA.Programa
        yield concept, RDF.type, SKOS.Concept
        yield concept, SKOS.inScheme, CODIGO.programa
        yield concept, SKOS.notation, Literal(prog["key"])
        yield concept, SKOS.prefLabel, es(prog["name"])
        yield concept, RA.direccion, unit
        yield concept, RA.financiadoPor, act
    per, p = period(parsed.period.key), parsed.period
    yield per, RDF.type, RA.Cuatrimestre
    yield per, RDF.type, DCTERMS.PeriodOfTime
    yield per, RDF.type, SKOS.Concept
    yield per, SKOS.inScheme, CODIGO.periodo
    yield per, SKOS.notation, Literal(p.key)
    yield per, SKOS.prefLabel, es(p.label)
    yield per, DCAT.startDate, Literal(p.start.isoformat(), datatype=XSD.date)
    yield per, DCAT.endDate, Literal(p.end.isoformat(), datatype=XSD.date)


def extraction_triples(parsed: ParsedReport, base: str, report: URIRef, build: URIRef) -> Iterator[Triple]:
    """A PDF report: the file is the entity (its checksum is the PDF's), and the text the build read
    came out of an extraction activity run by a named extractor version, so the step from the
    published file to the figures can be repeated and audited."""
    extractor = parsed.report.extractor
    assert extractor is not None
    series, p = parsed.series, parsed.period
    extraction = URIRef(f"{report}/extraccion")
    tool = URIRef(f"{base}software/{quote(extractor.program)}/{quote(extractor.version)}")
    yield report, DCTERMS.description, es(f"PDF del {series.title}, {p.label}.")
    yield report, DCTERMS.format, FILE_TYPE.PDF
    yield report, DCAT.mediaType, MEDIA_TYPE["application/pdf"]
    yield extraction, RDF.type, PROV.Activity
    yield extraction, RDFS.label, es(f"Extracción del texto de {parsed.report.filename}")
    yield extraction, RDFS.comment, Literal(f"{extractor.command} {parsed.report.filename} -")
    yield extraction, PROV.used, report
    yield extraction, PROV.wasAssociatedWith, tool
    yield tool, RDF.type, PROV.SoftwareAgent
    yield tool, RDFS.label, Literal(f"{extractor.program} {extractor.version} ({extractor.package})")
    yield tool, OWL.versionInfo, Literal(extractor.version)
    yield build, PROV.wasInformedBy, extraction


def catalog_triples(parsed: ParsedReport, base: str, files: list[Distribution]) -> Iterator[Triple]:
    """DCAT-AP 3 description of the package, its tables and files, with PROV-O provenance."""
    series, p = parsed.series, parsed.period
    pkg = package_iri(base, parsed)
    publisher = organization(series.publisher)
    report = report_iri(base, parsed)
    build = URIRef(f"{pkg}/construccion")
    agent = software_iri(base)
    license_ = URIRef(series.license_url)

    yield pkg, RDF.type, DCAT.Dataset
    yield pkg, RDF.type, PROV.Entity
    yield pkg, DCTERMS.identifier, Literal(parsed.package_name)
    yield pkg, DCTERMS.title, es(f"{series.title}, {p.label}")
    yield pkg, DCTERMS.description, es(f"{series.description} Período: {p.label}.")
    yield pkg, DCTERMS.publisher, publisher
    yield pkg, DCTERMS.creator, publisher
    yield pkg, DCTERMS.license, license_
    yield pkg, DCTERMS.temporal, period(p.key)
    yield pkg, DCTERMS.spatial, COUNTRY
    yield pkg, DCTERMS.language, LANGUAGE.SPA
    yield pkg, DCAT.keyword, es(series.publisher)
    for prog in series.programs:
        yield pkg, DCAT.keyword, es(prog["name"])
    yield pkg, PROV.wasDerivedFrom, report
    yield pkg, PROV.wasGeneratedBy, build
    issued = Literal(report_date(parsed).isoformat(), datatype=XSD.date)
    yield pkg, DCTERMS.issued, issued
    yield pkg, DCTERMS.modified, issued
    contact = URIRef(f"{publisher}-contacto")
    yield pkg, DCAT.contactPoint, contact
    yield contact, RDF.type, VCARD.Organization
    yield contact, VCARD.fn, Literal(series.publisher_name)
    yield contact, VCARD.hasURL, URIRef(series.publisher_url)
    catalog = URIRef(f"{base}catalogo")
    yield catalog, RDF.type, DCAT.Catalog
    yield catalog, DCTERMS.title, es("Rendición abierta: informes cuatrimestrales de rendición de cuentas")
    yield (
        catalog,
        DCTERMS.description,
        es(
            "Cada paquete de datos abiertos publicado a partir de los informes "
            "cuatrimestrales de rendición de cuentas de instituciones de Guatemala."
        ),
    )
    yield catalog, DCTERMS.language, LANGUAGE.SPA
    yield catalog, DCAT.dataset, pkg
    yield license_, RDF.type, DCTERMS.LicenseDocument
    yield license_, RDFS.label, Literal(series.license_title)

    # The source report (PROV entity) and the build that read it.
    yield report, RDF.type, PROV.Entity
    yield report, RDF.type, FOAF.Document
    yield report, DCTERMS.title, Literal(parsed.report.filename)
    if parsed.report.extractor is None:
        yield report, DCTERMS.description, es(f"Texto extraído del PDF del {series.title}, {p.label}.")
    else:
        yield from extraction_triples(parsed, base, report, build)
    yield report, DCTERMS.publisher, publisher
    yield report, PROV.wasAttributedTo, publisher
    yield report, DCTERMS.temporal, period(p.key)
    checksum = URIRef(f"{report}#sha256")
    yield report, SPDX.checksum, checksum
    yield checksum, RDF.type, SPDX.Checksum
    yield checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256
    yield checksum, SPDX.checksumValue, Literal(parsed.report.sha256, datatype=XSD.hexBinary)
    yield build, RDF.type, PROV.Activity
    yield build, RDFS.label, es(f"Construcción del paquete {parsed.package_name}")
    yield build, PROV.used, report
    yield build, PROV.wasAssociatedWith, agent
    yield agent, RDF.type, PROV.SoftwareAgent
    yield agent, RDFS.label, Literal(f"rendicion-abierta {__version__}")
    yield agent, OWL.versionInfo, Literal(__version__)

    by_name = {f.name: f for f in files}
    for f in files:
        dist = URIRef(f"{pkg}/distribucion/{f.name}")
        url = URIRef(f"{pkg}/{f.path}")
        yield pkg, DCAT.distribution, dist
        yield dist, RDF.type, DCAT.Distribution
        yield dist, DCTERMS.identifier, Literal(f.name)
        yield dist, DCTERMS.title, es(f.title)
        yield dist, DCAT.accessURL, url
        yield dist, DCAT.downloadURL, url
        yield dist, DCAT.mediaType, MEDIA_TYPE[f.mediatype]
        yield dist, DCTERMS.format, FILE_TYPE[f.file_type]
        yield dist, DCTERMS.license, license_
        yield dist, DCTERMS.issued, issued
        yield dist, DCTERMS.modified, issued
        if f.byte_size is not None:
            yield dist, DCAT.byteSize, Literal(f.byte_size, datatype=XSD.nonNegativeInteger)
        if f.sha256 is not None:
            checksum = URIRef(f"{dist}#sha256")
            yield dist, SPDX.checksum, checksum
            yield checksum, RDF.type, SPDX.Checksum
            yield checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256
            yield checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)

    for name, table in parsed.tables.items():
        spec = table.spec
        ds = dataset_iri(pkg, spec)
        yield pkg, DCTERMS.hasPart, ds
        yield ds, RDF.type, QB.DataSet
        yield ds, RDF.type, DCAT.Dataset
        yield ds, QB.structure, structure_iri(series, spec)
        yield ds, DCTERMS.identifier, Literal(name)
        yield ds, DCTERMS.title, es(spec.title)
        yield ds, DCTERMS.description, es(spec.description)
        yield ds, DCTERMS.isPartOf, pkg
        yield ds, DCTERMS.publisher, publisher
        yield ds, DCTERMS.license, license_
        yield ds, DCTERMS.temporal, period(p.key)
        yield ds, PROV.wasDerivedFrom, report
        yield ds, PROV.wasGeneratedBy, build
        yield ds, RA.lineaInforme, Literal(table.heading_line)
        if name in by_name:
            yield ds, DCAT.distribution, URIRef(f"{pkg}/distribucion/{name}")
        if spec.program:
            yield ds, RA.programa, SeriesTerms(series.key).program(spec.program)
        if spec.note:
            # e.g. the object-of-expenditure labels: supplied by the publisher, not read from the report.
            yield ds, SKOS.editorialNote, es(spec.note)
        if table.source:
            yield ds, RA.fuente, Literal(table.source)
            found = source_date(table.source)
            if found:
                yield ds, RA.fechaFuente, Literal(found.isoformat(), datatype=XSD.date)
