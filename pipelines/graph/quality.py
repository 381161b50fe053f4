"""The report's agreement with itself as linked data: W3C DQV findings, a score, the prose's figures.

Nobody publishes audit findings as data. Each discrepancy of `calidad.json`
becomes a `dqv:QualityAnnotation` aimed at the observation (or data set) it
concerns, with the printed and the computed value and the report line; each
package gets one `dqv:QualityMeasurement` of a declared metric — the share of
checks that held — so reports and periods can be ranked by internal
consistency with one query. The figures the prose states are observations of
their own data set, linked (`ra:reafirma`) to the totals they restate.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, QB, RDF, RDFS, SKOS, XSD

from pipelines.graph.cube import Triple, dataset_iri, es, observation_iri, row_node
from pipelines.graph.namespaces import (
    CODIGO,
    COUNTRY,
    DQV,
    ESTRUCTURA,
    LANGUAGE,
    OA,
    RA,
    SDMX_DIMENSION,
    SeriesTerms,
    period,
)
from pipelines.tables.expressions import names
from pipelines.tables.model import Discrepancy, ParsedReport
from pipelines.tables.reconcile import Check

PROSE_STRUCTURE = ESTRUCTURA["texto"]
"""One structure for every package's prose figures: area, period, which figure; the stated value."""


def quality_triples(parsed: ParsedReport, package: URIRef) -> Iterator[Triple]:
    prose = prose_observations(parsed, package)
    yield from _measurement(parsed, package)
    yield from _prose_triples(parsed, package, prose)
    for number, found in enumerate(parsed.discrepancies, start=1):
        yield from _annotation(parsed, package, number, found, prose)


def _measurement(parsed: ParsedReport, package: URIRef) -> Iterator[Triple]:
    made = sum(c.comparaciones for c in parsed.checks)
    held = sum(c.cumplidas for c in parsed.checks)
    measurement = URIRef(f"{package}/calidad/consistencia")
    yield package, DQV.hasQualityMeasurement, measurement
    yield measurement, RDF.type, DQV.QualityMeasurement
    yield measurement, RDFS.label, es("Consistencia interna del informe")
    yield measurement, DQV.computedOn, package
    yield measurement, DQV.isMeasurementOf, RA.proporcionComprobacionesCumplidas
    yield measurement, RA.comprobaciones, Literal(made)
    yield measurement, RA.comprobacionesCumplidas, Literal(held)
    share = (Decimal(held) / Decimal(made)).quantize(Decimal("0.0001")) if made else Decimal(1)
    yield measurement, DQV.value, Literal(format(share, "f"), datatype=XSD.decimal)


def prose_observations(parsed: ParsedReport, package: URIRef) -> dict[tuple[str, str], tuple[URIRef, Check]]:
    """(table, expression) → the observation of each prose figure the report states, and its check."""
    found: dict[tuple[str, str], tuple[URIRef, Check]] = {}
    counters: dict[str, int] = {}
    for check in parsed.checks:
        if check.tipo != "texto" or check.valor_declarado is None or check.expresion is None:
            continue
        counters[check.recurso] = counters.get(check.recurso, 0) + 1
        claim = URIRef(f"{dataset_iri(package, parsed.tables[check.recurso].spec)}/texto/{counters[check.recurso]:02d}")
        found[(check.recurso, check.expresion)] = (URIRef(f"{claim}/cifra"), check)
    return found


def _prose_triples(
    parsed: ParsedReport, package: URIRef, prose: dict[tuple[str, str], tuple[URIRef, Check]]
) -> Iterator[Triple]:
    if not prose:
        return
    ds = URIRef(f"{package}/texto")
    yield ds, RDF.type, QB.DataSet
    yield ds, QB.structure, PROSE_STRUCTURE
    yield ds, DCTERMS.identifier, Literal("texto")
    yield ds, RDFS.label, es("Cifras que declara el texto del informe")
    yield ds, DCTERMS.isPartOf, package
    yield from _prose_structure()
    per = period(parsed.period.key)
    for (table_name, expression), (obs, check) in prose.items():
        claim = URIRef(str(obs).removesuffix("/cifra"))
        table = parsed.tables[table_name]
        yield claim, RDF.type, RA.Afirmacion
        yield claim, RDF.type, SKOS.Concept
        yield claim, SKOS.inScheme, CODIGO.afirmacion
        yield claim, SKOS.prefLabel, es(check.descripcion)
        yield claim, RA.expresion, Literal(expression)
        if check.texto:
            yield claim, RA.textoDeclarado, Literal(check.texto)
        yield obs, RDF.type, QB.Observation
        yield obs, QB.dataSet, ds
        yield obs, SDMX_DIMENSION.refArea, COUNTRY
        yield obs, SDMX_DIMENSION.refPeriod, per
        yield obs, RA.afirmacion, claim
        yield obs, QB.measureType, RA.cifraDeclarada
        yield obs, RA.cifraDeclarada, Literal(check.valor_declarado, datatype=XSD.decimal)
        if check.linea:
            yield obs, RA.lineaInforme, Literal(check.linea)
        if table.totals:
            table_ds = dataset_iri(package, table.spec)
            for name in sorted(names(expression)):
                if name in table.totals:
                    yield obs, RA.reafirma, observation_iri(table_ds, "total", name)


def _prose_structure() -> Iterator[Triple]:
    dsd = PROSE_STRUCTURE
    yield dsd, RDF.type, QB.DataStructureDefinition
    yield dsd, RDFS.label, es("Cifras del texto de un informe")
    parts = [
        ("refArea", QB.dimension, SDMX_DIMENSION.refArea),
        ("refPeriod", QB.dimension, SDMX_DIMENSION.refPeriod),
        ("afirmacion", QB.dimension, RA.afirmacion),
        ("measureType", QB.dimension, QB.measureType),
        ("cifraDeclarada", QB.measure, RA.cifraDeclarada),
        ("lineaInforme", QB.attribute, RA.lineaInforme),
    ]
    for order, (name, kind, prop) in enumerate(parts, start=1):
        node = URIRef(f"{dsd}/componente/{name}")
        yield dsd, QB.component, node
        yield node, RDF.type, QB.ComponentSpecification
        yield node, kind, prop
        if kind == QB.dimension:
            yield node, QB.order, Literal(order)
    yield RA.cifraDeclarada, RDF.type, QB.MeasureProperty
    yield RA.cifraDeclarada, DCTERMS.identifier, Literal("cifra_declarada")
    yield RA.cifraDeclarada, RDFS.label, es("cifra declarada")


def _target(
    parsed: ParsedReport, package: URIRef, found: Discrepancy, prose: dict[tuple[str, str], tuple[URIRef, Check]]
) -> list[URIRef]:
    """The observations a finding is about; the data set when no single figure is."""
    table = parsed.tables.get(found.recurso)
    if table is None:
        return [package]
    ds = dataset_iri(package, table.spec)
    fields = {f.name for f in table.spec.fields}
    claim = prose.get((found.recurso, found.campo))
    if claim is not None and found.linea == claim[1].linea:
        restated = [observation_iri(ds, "total", n) for n in sorted(names(found.campo)) if n in (table.totals or {})]
        return [claim[0], *restated]
    if found.campo in fields and found.linea is not None and found.linea == table.totals_line:
        return [observation_iri(ds, "total", found.campo)]
    if found.campo in fields and found.linea is not None:
        terms = SeriesTerms(parsed.series.key)
        for position, row in enumerate(table.rows, start=1):
            if row.line == found.linea:
                return [observation_iri(ds, row_node(table.spec, terms, row.values, position), found.campo)]
    return [ds]


def _annotation(
    parsed: ParsedReport,
    package: URIRef,
    number: int,
    found: Discrepancy,
    prose: dict[tuple[str, str], tuple[URIRef, Check]],
) -> Iterator[Triple]:
    note = URIRef(f"{package}/calidad/discrepancia/{number:02d}")
    body = URIRef(f"{note}/descripcion")
    yield package, DQV.hasQualityAnnotation, note
    yield note, RDF.type, DQV.QualityAnnotation
    yield note, RDFS.label, es(f"Discrepancia: {found.descripcion}")
    yield note, OA.motivatedBy, DQV.qualityAssessment
    yield note, DQV.inDimension, RA.consistenciaInterna
    for target in _target(parsed, package, found, prose):
        yield note, OA.hasTarget, target
    yield note, OA.hasBody, body
    yield body, RDF.type, OA.TextualBody
    yield body, RDF.value, es(found.descripcion)
    yield body, DCTERMS.language, LANGUAGE.SPA
    yield note, RA.valorDeclarado, Literal(found.valor_declarado)
    yield note, RA.valorCalculado, Literal(found.valor_calculado)
    yield note, RA.tipoDiscrepancia, Literal(found.tipo)
    if found.linea:
        yield note, RA.lineaInforme, Literal(found.linea)
