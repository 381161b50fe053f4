"""Tables → W3C Data Cube: structures from the table descriptions, observations from the rows.

One `qb:DataSet` per published table, with a `qb:DataStructureDefinition`
derived from the table's TOML description alone (so every period of a series
shares it). Every printed figure, the totals line included, is one observation
in the measure-dimension style: `qb:measureType` names the field's
`qb:MeasureProperty` (`medida:<field>`, whose `dct:identifier` is the field
name) and the observation carries that one value. A single-measure cell is
what lets budget figures also take the OpenBudgets.eu shape
(`obeu-measure:amount`, `obeu-dimension:budgetPhase`, currency GTQ) next to
percentages and balances of the same table, which have no budget phase.

Dimensions of every structure: `sdmx-dimension:refArea` (the department, or
the country for national tables and for totals lines), `refPeriod` (the
four-month period), `ra:programa` when the description names a program, one
row dimension when departments do not identify the rows, and `qb:measureType`.
The row dimension is a code when the table's key is a known code
(`KEY_DIMENSIONS`), otherwise `ra:fila`, the row by its printed position: the
metas-fisicas table prints "Dirección y Coordinación" twice with identical
text, so position is the only thing that tells those rows apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, QB, RDF, RDFS, SKOS, XSD

from pipelines.graph.namespaces import (
    BUDGET_PHASE,
    CODIGO,
    COUNTRY,
    ESTRUCTURA,
    OBEU_ATTRIBUTE,
    OBEU_CURRENCY,
    OBEU_DIMENSION,
    OBEU_MEASURE,
    RA,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SeriesTerms,
    department,
    expenditure_group,
    organization,
    people,
    period,
    sex,
    unit,
)
from pipelines.specs.model import FieldSpec, SeriesSpec, TableSpec
from pipelines.tables.model import ParsedReport, Table

Triple = tuple[URIRef, URIRef, URIRef | Literal]


@dataclass(frozen=True)
class KeyDimension:
    """A table key whose values are codes of a code list."""

    prop: URIRef
    code: Callable[[SeriesTerms, str], URIRef]
    scheme: URIRef
    label_field: str
    cls: URIRef | None = None


EXPENDITURE = URIRef("http://data.openbudgets.eu/resource/codelist/operation-character/expenditure")
OBEU_COMPONENTS = (
    ("budgetPhase", OBEU_DIMENSION.budgetPhase),
    ("operationCharacter", OBEU_DIMENSION.operationCharacter),
    ("organization", OBEU_DIMENSION.organization),
    ("fiscalYear", OBEU_DIMENSION.fiscalYear),
    ("fiscalPeriod", OBEU_DIMENSION.fiscalPeriod),
    ("currency", OBEU_ATTRIBUTE.currency),
)


def fiscal_year(year: int) -> URIRef:
    """The year as the UK reference intervals name it, the range OpenBudgets.eu gives fiscalYear."""
    return URIRef(f"http://reference.data.gov.uk/id/year/{year}")


# Table keys that are codes: the key field → its dimension. Any other table
# whose rows are not departments gets the generic row dimension `ra:fila`.
KEY_DIMENSIONS: dict[str, KeyDimension] = {
    "actividad": KeyDimension(
        RA.actividad,
        lambda terms, name: terms.activity(name),
        CODIGO.actividad,
        "actividad",
        RA.ActividadPresupuestaria,
    ),
    "grupo_gasto_codigo": KeyDimension(
        RA.grupoGasto, lambda terms, code: expenditure_group(code), CODIGO["grupo-gasto"], "grupo_gasto"
    ),
}


def es(text: str) -> Literal:
    return Literal(text, lang="es")


def key_dimension(spec: TableSpec) -> KeyDimension | None:
    return next((KEY_DIMENSIONS[k] for k in spec.primary_key if k in KEY_DIMENSIONS), None)


def row_dimension(spec: TableSpec) -> URIRef | None:
    """The dimension that tells a table's rows apart, besides the area (None: departments do)."""
    if spec.has_departments:
        return None
    found = key_dimension(spec)
    return found.prop if found else RA.fila


def structure_iri(series: SeriesSpec, spec: TableSpec) -> URIRef:
    return ESTRUCTURA[f"{series.key}/{spec.name}"]


def is_text_field(fld: FieldSpec) -> bool:
    """Fields that hang from a row resource rather than being measured."""
    return not fld.is_numeric and fld.source not in ("department_code", "department_name")


# ------------------------------------------------------------ structures


def measure_triples(series: SeriesSpec) -> Iterator[Triple]:
    """`medida:<field>` and `campo:<field>` properties, described by the first table that declares them."""
    seen: set[str] = set()
    terms = SeriesTerms(series.key)
    for spec in series.tables:
        for fld in spec.fields:
            if fld.name in seen:
                continue
            if fld.is_numeric:
                seen.add(fld.name)
                prop = terms.medida[fld.name]
                yield prop, RDF.type, QB.MeasureProperty
                yield prop, RDF.type, OWL.DatatypeProperty
                yield prop, RDFS.range, XSD.integer if fld.type == "integer" else XSD.decimal
                if fld.unit:
                    yield prop, SDMX_ATTRIBUTE.unitMeasure, unit(fld.unit)
                    # Units are open-ended (a new table may count "becas"): the description
                    # declares the code; vocab/codigos.ttl adds labels for the known ones.
                    yield unit(fld.unit), RDF.type, SKOS.Concept
                    yield unit(fld.unit), SKOS.inScheme, CODIGO.unidad
                    yield unit(fld.unit), SKOS.notation, Literal(fld.unit)
                if fld.budget_phase:
                    yield prop, RDFS.subPropertyOf, OBEU_MEASURE.amount
                    yield prop, OBEU_DIMENSION.budgetPhase, BUDGET_PHASE[fld.budget_phase]
                if fld.sexo:
                    yield prop, RA.sexo, sex(fld.sexo)
                if fld.pueblo:
                    yield prop, RA.pueblo, people(fld.pueblo)
            elif is_text_field(fld) and row_dimension(spec) == RA.fila:
                seen.add(fld.name)
                prop = terms.campo[fld.name]
                yield prop, RDF.type, OWL.DatatypeProperty
                yield prop, RDFS.range, XSD.date if fld.type == "date" else XSD.string
                yield prop, RDFS.domain, RA.Fila
            else:
                continue
            yield prop, DCTERMS.identifier, Literal(fld.name)
            yield prop, RDFS.label, es(fld.title)
            yield prop, RDFS.comment, es(fld.description)


def structure_triples(series: SeriesSpec, spec: TableSpec) -> Iterator[Triple]:
    """The table's qb:DataStructureDefinition, from its description only."""
    dsd = structure_iri(series, spec)
    yield dsd, RDF.type, QB.DataStructureDefinition
    yield dsd, DCTERMS.identifier, Literal(spec.name)
    yield dsd, RDFS.label, es(f"Estructura: {spec.title}")

    def component(
        name: str, kind: URIRef, prop: URIRef, order: int | None = None, required: bool | None = None
    ) -> Iterator[Triple]:
        node = URIRef(f"{dsd}/componente/{name}")
        yield dsd, QB.component, node
        yield node, RDF.type, QB.ComponentSpecification
        yield node, kind, prop
        if order is not None:
            yield node, QB.order, Literal(order)
        if required is not None:
            yield node, QB.componentRequired, Literal(required)

    dims = [("refArea", SDMX_DIMENSION.refArea), ("refPeriod", SDMX_DIMENSION.refPeriod)]
    if spec.program:
        dims.append(("programa", RA.programa))
    row_dim = row_dimension(spec)
    if row_dim is not None:
        dims.append((row_dim.split("#")[-1], row_dim))
    dims.append(("measureType", QB.measureType))
    for order, (name, prop) in enumerate(dims, start=1):
        yield from component(name, QB.dimension, prop, order=order)
    for fld in spec.fields:
        if fld.is_numeric:
            node = URIRef(f"{dsd}/componente/medida-{fld.name}")
            yield from component(f"medida-{fld.name}", QB.measure, SeriesTerms(series.key).medida[fld.name])
            yield node, RDFS.label, es(fld.title)
            yield node, RDFS.comment, es(fld.description)
    yield from component("lineaInforme", QB.attribute, RA.lineaInforme, required=True)
    yield from component("celdaReconstruida", QB.attribute, RA.celdaReconstruida, required=False)
    if any(f.is_numeric and f.unit for f in spec.fields):
        yield from component("unitMeasure", QB.attribute, SDMX_ATTRIBUTE.unitMeasure, required=False)
    if any(f.budget_phase for f in spec.fields):
        # OpenBudgets.eu's expenditure components, on the observations that carry an amount (the
        # measures of money columns are rdfs:subPropertyOf obeu-measure:amount).
        for name, prop in OBEU_COMPONENTS:
            yield from component(name, QB.attribute, prop, required=False)
    if any(f.budget_phase for f in spec.fields):
        yield from component("currency", QB.attribute, OBEU_ATTRIBUTE.currency, required=False)


# ---------------------------------------------------------- observations


def number(fld: FieldSpec, value: object) -> Literal:
    """A figure as a typed literal, printed the way the CSV prints it."""
    if fld.type == "integer":
        return Literal(str(int(value)), datatype=XSD.integer)
    return Literal(format(Decimal(value), "f"), datatype=XSD.decimal)


def dataset_iri(package: URIRef, spec: TableSpec) -> URIRef:
    return URIRef(f"{package}/{spec.name}")


def _activity_names(parsed: ParsedReport) -> set[str]:
    """Budget activities the graph declares: the programs' and the ones the report prints."""
    names = {p["actividad"] for p in parsed.series.programs}
    for table in parsed.tables.values():
        found = key_dimension(table.spec)
        if found is not None and found.prop == RA.actividad:
            names |= {str(r.values[found.label_field]) for r in table.rows}
    return names


def row_node(spec: TableSpec, terms: SeriesTerms, values: dict, position: int) -> str:
    """The path segment of a row's observations: department code, key code, or `fila/NN` by position."""
    if spec.has_departments:
        return str(next(values[f.name] for f in spec.fields if f.source == "department_code"))
    key = key_dimension(spec)
    if key is not None:
        return key.code(terms, str(values[next(k for k in spec.primary_key if k in KEY_DIMENSIONS)])).split("/")[-1]
    return f"fila/{position:02d}"


def observation_iri(ds: URIRef, node: str, field: str) -> URIRef:
    return URIRef(f"{ds}/{node}/{field}")


def totals_dataset_iri(ds: URIRef) -> URIRef:
    """The totals line's own data set: summing the rows' data set never counts a total twice."""
    return URIRef(f"{ds}/totales")


def observation_triples(parsed: ParsedReport, table: Table, package: URIRef) -> Iterator[Triple]:
    """Every figure of one table (rows and totals line) as qb:Observations, plus its row resources."""
    spec = table.spec
    ds = dataset_iri(package, spec)
    per = period(parsed.period.key)
    numeric = [f for f in spec.fields if f.is_numeric]
    row_dim = row_dimension(spec)
    key = key_dimension(spec)
    placed = {(c.linea, c.campo) for c in parsed.placed if c.recurso == spec.name}
    programs = {g.value: g.program for g in spec.groups.known} if spec.groups else {}
    activities = _activity_names(parsed)
    terms = SeriesTerms(parsed.series.key)
    publisher = organization(parsed.series.publisher)

    rows: list[tuple[str, dict, int, URIRef | None, URIRef | None]] = []
    for position, row in enumerate(table.rows, start=1):
        area, value = COUNTRY, None
        node = row_node(spec, terms, row.values, position)
        if spec.has_departments:
            area = department(node)
        elif key is not None:
            code = str(row.values[next(k for k in spec.primary_key if k in KEY_DIMENSIONS)])
            value = key.code(terms, code)
            yield value, RDF.type, SKOS.Concept
            yield value, SKOS.inScheme, key.scheme
            yield value, SKOS.prefLabel, es(str(row.values[key.label_field]))
            if key.cls is not None:
                yield value, RDF.type, key.cls
        else:
            value = URIRef(f"{ds}/{node}")
            yield from _row_resource(spec, terms, row.values, row.label, value, position, row.line)
            group = row.values.get(spec.groups.field) if spec.groups else None
            if group is not None and programs.get(group):
                yield value, RDF.type, RA.MetaFisica
                yield value, RA.programa, terms.program(programs[group])
                yield value, RA.direccion, terms.directorate(str(group))
            elif group is not None:
                yield value, RDF.type, RA.MetaFisica
                if group in activities:
                    yield value, RA.actividad, terms.activity(str(group))
        rows.append((node, row.values, row.line, area, value))

    if table.totals:
        totals_ds = totals_dataset_iri(ds)
        yield totals_ds, RDF.type, QB.DataSet
        yield totals_ds, QB.structure, structure_iri(parsed.series, spec)
        yield totals_ds, DCTERMS.identifier, Literal(f"{spec.name}-totales")
        yield totals_ds, RDFS.label, es(f"{spec.title}: línea «{spec.totals.label if spec.totals else 'Total'}»")
        yield totals_ds, RA.totalesDe, ds
        yield totals_ds, DCTERMS.isPartOf, package
        yield totals_ds, RA.lineaInforme, Literal(table.totals_line)
        if spec.has_departments:
            total_value = None
        elif key is not None:
            total_value = RA.total
        else:
            total_value = URIRef(f"{ds}/fila/total")
            yield total_value, RDF.type, RA.Fila
            yield total_value, RDFS.label, es(spec.totals.label if spec.totals else "Total")
            yield total_value, RA.lineaInforme, Literal(table.totals_line)
        values = {f.name: table.totals[f.name] for f in numeric if f.name in table.totals}
        rows.append(("total", values, table.totals_line, COUNTRY, total_value))

    # What every observation of a field repeats, made once per table (a namespace attribute or a
    # Literal costs 1–2 µs, and a report has ~700 observations of ~12 triples each).
    rdf_type, dataset, ref_area, ref_period, measure_type, line_of = (
        RDF.type,
        QB.dataSet,
        SDMX_DIMENSION.refArea,
        SDMX_DIMENSION.refPeriod,
        QB.measureType,
        RA.lineaInforme,
    )
    observation, totals_ds = QB.Observation, totals_dataset_iri(ds)
    program = (RA.programa, terms.program(spec.program)) if spec.program else None
    budget = (
        (OBEU_DIMENSION.operationCharacter, EXPENDITURE),
        (OBEU_DIMENSION.organization, publisher),
        (OBEU_DIMENSION.fiscalYear, fiscal_year(parsed.period.year)),
        (OBEU_DIMENSION.fiscalPeriod, per),
    )
    amount, phase, currency, reconstructed = (
        OBEU_MEASURE.amount,
        OBEU_DIMENSION.budgetPhase,
        OBEU_ATTRIBUTE.currency,
        RA.celdaReconstruida,
    )
    fields = [
        (
            fld,
            terms.medida[fld.name],
            unit(fld.unit) if fld.unit else None,
            BUDGET_PHASE[fld.budget_phase] if fld.budget_phase else None,
        )
        for fld in numeric
    ]
    for node, values, line, area, value in rows:
        printed_line = Literal(line)
        for fld, measure, unit_iri, budget_phase in fields:
            if fld.name not in values:
                continue
            obs = observation_iri(ds, node, fld.name)
            figure = number(fld, values[fld.name])
            yield obs, rdf_type, observation
            yield obs, dataset, totals_ds if node == "total" else ds
            yield obs, ref_area, area
            yield obs, ref_period, per
            if program is not None:
                yield obs, *program
            if row_dim is not None:
                yield obs, row_dim, value
            yield obs, measure_type, measure
            yield obs, measure, figure
            yield obs, line_of, printed_line
            if unit_iri is not None:
                yield obs, SDMX_ATTRIBUTE.unitMeasure, unit_iri
            if budget_phase is not None:
                yield obs, amount, figure
                yield obs, phase, budget_phase
                for predicate, obj in budget:
                    yield obs, predicate, obj
                if fld.unit == "GTQ":
                    yield obs, currency, OBEU_CURRENCY.GTQ
            if (line, fld.name) in placed:
                yield obs, reconstructed, Literal(True)


def _row_resource(
    spec: TableSpec, terms: SeriesTerms, values: dict, printed: str, row: URIRef, position: int, line: int
) -> Iterator[Triple]:
    """A row without a code: its position, its printed line and its text fields."""
    label = next((str(values[f.name]) for f in spec.fields if f.source == "label"), None)
    if label is None and spec.primary_key:
        label = " ".join(str(values[k]) for k in spec.primary_key)
    yield row, RDF.type, RA.Fila
    yield row, RDFS.label, es(label or printed)
    yield row, RA.posicion, Literal(position)
    yield row, RA.lineaInforme, Literal(line)
    for fld in spec.fields:
        if is_text_field(fld) and values.get(fld.name) is not None:
            raw = values[fld.name]
            if fld.type == "date":
                yield row, terms.campo[fld.name], Literal(raw.isoformat(), datatype=XSD.date)
            else:
                yield row, terms.campo[fld.name], Literal(str(raw))
