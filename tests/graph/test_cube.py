"""Every printed figure is a Data Cube observation, linked to programs, departments and activities."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, QB, RDF, RDFS, SKOS

from pipelines.graph.namespaces import (
    BUDGET_PHASE,
    COUNTRY,
    OBEU_ATTRIBUTE,
    OBEU_DIMENSION,
    OBEU_MEASURE,
    RA,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SeriesTerms,
    department,
    unit,
)
from pipelines.tables.model import ParsedReport

SOSEP = SeriesTerms("sosep")
MEDIDA, program, activity = SOSEP.medida, SOSEP.program, SOSEP.activity

PACKAGE = "https://w3id.org/rendicion-abierta/paquete/sosep-informe-cuatrimestral-2021-1"


def dataset(name: str) -> URIRef:
    return URIRef(f"{PACKAGE}/{name}")


def observations(graph: Graph, name: str) -> set:
    """The table's observations: its rows' data set and its totals line's own data set."""
    return set(graph.subjects(QB.dataSet, dataset(name))) | set(graph.subjects(QB.dataSet, totals(name)))


def totals(name: str) -> URIRef:
    return URIRef(f"{PACKAGE}/{name}/totales")


def the(graph: Graph, **where: object) -> URIRef:
    """The one observation with these property values (keyword → predicate)."""
    props = {
        "ds": QB.dataSet,
        "area": SDMX_DIMENSION.refArea,
        "measure": QB.measureType,
        "fila": RA.fila,
        "actividad": RA.actividad,
        "grupo": RA.grupoGasto,
    }
    found = None
    for key, value in where.items():
        matches = set(graph.subjects(props[key], value))
        found = matches if found is None else found & matches
    assert found is not None and len(found) == 1, where
    return found.pop()


def test_every_figure_of_every_table_is_one_observation_totals_included(bundled: ParsedReport, graph: Graph) -> None:
    for name, table in bundled.tables.items():
        numeric = [f for f in table.spec.fields if f.is_numeric]
        printed = Counter((f.name, Decimal(r.values[f.name])) for r in table.rows for f in numeric)
        printed += Counter((k, Decimal(v)) for k, v in (table.totals or {}).items())
        published = Counter()
        for obs in observations(graph, name):
            measure = graph.value(obs, QB.measureType)
            published[(str(graph.value(measure, DCTERMS.identifier)), Decimal(str(graph.value(obs, measure))))] += 1
        assert published == printed, name


def test_summing_a_measure_over_a_rows_data_set_gives_the_printed_total(bundled: ParsedReport, graph: Graph) -> None:
    """The generic OpenBudgets.eu sum never counts the totals line: it lives in its own data set."""
    query = """
        PREFIX qb: <http://purl.org/linked-data/cube#>
        PREFIX obeu-measure: <http://data.openbudgets.eu/ontology/dsd/measure/>
        PREFIX obeu-dimension: <http://data.openbudgets.eu/ontology/dsd/dimension/>
        SELECT ?phase (SUM(?amount) AS ?total) WHERE {
          ?obs qb:dataSet ?ds ; obeu-measure:amount ?amount ; obeu-dimension:budgetPhase ?phase .
        } GROUP BY ?phase"""
    sums = {
        str(row[0]).rsplit("/", 1)[-1]: Decimal(str(row[1]))
        for row in graph.query(query, initBindings={"ds": dataset("ejecucion-actividad")})
    }
    printed = bundled.tables["ejecucion-actividad"].totals
    assert sums == {"approved": printed["asignado"], "revised": printed["vigente"], "executed": printed["ejecutado"]}
    assert graph.value(totals("ejecucion-actividad"), RA.totalesDe) == dataset("ejecucion-actividad")


def test_budget_observations_carry_the_openbudgets_components(graph: Graph) -> None:
    obs = the(graph, ds=dataset("ejecucion-actividad"), actividad=activity("Servicio Social"), measure=MEDIDA.ejecutado)
    assert str(graph.value(obs, OBEU_DIMENSION.operationCharacter)).endswith("operation-character/expenditure")
    assert str(graph.value(obs, OBEU_DIMENSION.fiscalYear)) == "http://reference.data.gov.uk/id/year/2021"
    assert str(graph.value(obs, OBEU_DIMENSION.organization)).endswith("organizacion/sosep")
    assert graph.value(obs, OBEU_DIMENSION.fiscalPeriod) == graph.value(obs, SDMX_DIMENSION.refPeriod)
    structure = graph.value(dataset("ejecucion-actividad"), QB.structure)
    attributes = {graph.value(c, QB.attribute) for c in graph.objects(structure, QB.component)}
    assert {
        OBEU_DIMENSION.budgetPhase,
        OBEU_DIMENSION.operationCharacter,
        OBEU_DIMENSION.fiscalYear,
        OBEU_ATTRIBUTE.currency,
    } <= attributes


def test_one_measure_property_per_numeric_field_named_by_dct_identifier(bundled: ParsedReport, graph: Graph) -> None:
    for table in bundled.tables.values():
        for fld in table.spec.fields:
            if fld.is_numeric:
                assert (MEDIDA[fld.name], RDF.type, QB.MeasureProperty) in graph
                assert graph.value(MEDIDA[fld.name], DCTERMS.identifier) == Literal(fld.name)


def test_department_observations_carry_area_period_program_and_unit(graph: Graph) -> None:
    obs = the(graph, ds=dataset("hogares-comunitarios"), area=department("16"), measure=MEDIDA.ninos_beneficiarios)
    assert graph.value(obs, MEDIDA.ninos_beneficiarios) == Literal(611)
    assert graph.value(obs, RA.programa) == program("hogares-comunitarios")
    assert graph.value(obs, SDMX_ATTRIBUTE.unitMeasure) == unit("persona")
    period = graph.value(obs, SDMX_DIMENSION.refPeriod)
    assert graph.value(period, SKOS.notation) == Literal("2021-C1")


def test_totals_line_is_the_country_with_the_printed_figure_even_when_rows_disagree(
    bundled: ParsedReport, graph: Graph
) -> None:
    printed = bundled.tables["hogares-comunitarios"].totals["cadi"]
    rows = bundled.tables["hogares-comunitarios"].column_sum("cadi")
    assert printed != rows  # the report's own disagreement (462 printed, rows add 460)
    obs = the(graph, ds=totals("hogares-comunitarios"), area=COUNTRY, measure=MEDIDA.cadi)
    assert Decimal(str(graph.value(obs, MEDIDA.cadi))) == printed
    # …in the totals line's own data set: the rows' data set adds up to what the rows say.
    in_rows = [
        graph.value(o, MEDIDA.cadi)
        for o in graph.subjects(QB.dataSet, dataset("hogares-comunitarios"))
        if graph.value(o, QB.measureType) == MEDIDA.cadi
    ]
    assert sum(Decimal(str(v)) for v in in_rows) == rows


def test_budget_figures_follow_openbudgets(graph: Graph) -> None:
    phases = {"asignado": "approved", "vigente": "revised", "ejecutado": "executed"}
    act = activity("Creciendo Seguro")
    for field, phase in phases.items():
        obs = the(graph, ds=dataset("ejecucion-actividad"), actividad=act, measure=MEDIDA[field])
        assert graph.value(obs, OBEU_MEASURE.amount) == graph.value(obs, MEDIDA[field])
        assert graph.value(obs, OBEU_DIMENSION.budgetPhase) == BUDGET_PHASE[phase]
        assert str(graph.value(obs, OBEU_ATTRIBUTE.currency)).endswith("/GTQ")
    percentage = the(graph, ds=dataset("ejecucion-actividad"), actividad=act, measure=MEDIDA.porcentaje_ejecucion)
    assert graph.value(percentage, OBEU_DIMENSION.budgetPhase) is None
    assert graph.value(percentage, SDMX_ATTRIBUTE.unitMeasure) == unit("porcentaje")


def test_balances_and_percentages_of_the_expenditure_groups_are_observations(graph: Graph) -> None:
    group9 = URIRef("https://w3id.org/rendicion-abierta/codigo/grupo-gasto/9")
    obs = the(graph, ds=dataset("ejecucion-grupo-gasto"), grupo=group9, measure=MEDIDA.saldo_por_ejecutar)
    assert Decimal(str(graph.value(obs, MEDIDA.saldo_por_ejecutar))) == Decimal("514043.00")
    notes = " ".join(graph.objects(dataset("ejecucion-grupo-gasto"), SKOS.editorialNote))
    assert "publicador" in notes  # the group labels are the publisher's reading, and the graph says so


def test_programs_link_to_the_activity_the_series_declares(bundled: ParsedReport, graph: Graph) -> None:
    for p in bundled.series.programs:
        assert graph.value(program(p["key"]), RA.financiadoPor) == activity(p["actividad"])
        # and that activity is the one whose executed budget the report prints
        assert set(graph.subjects(RA.actividad, activity(p["actividad"])))


def test_physical_targets_link_to_their_program_and_identical_rows_stay_distinct(
    bundled: ParsedReport, graph: Graph
) -> None:
    rows = bundled.tables["metas-fisicas"].rows
    targets = sorted(graph.subjects(RDF.type, RA.MetaFisica), key=lambda t: int(graph.value(t, RA.posicion)))
    assert len(targets) == len(rows)
    known = {g.value: g.program for g in bundled.tables["metas-fisicas"].spec.groups.known}
    for target, row in zip(targets, rows):
        assert str(graph.value(target, RDFS.label)) == row.values["concepto"]
        expected = known.get(row.values["direccion"])
        assert graph.value(target, RA.programa) == (program(expected) if expected else None)
        if not expected:  # "Dirección y Coordinación": the central activity of that name instead
            assert graph.value(target, RA.actividad) == activity("Dirección y Coordinación")
    first, second = targets[0], targets[1]
    assert str(graph.value(first, RDFS.label)) == str(graph.value(second, RDFS.label))
    assert the(graph, fila=first, measure=MEDIDA.meta) != the(graph, fila=second, measure=MEDIDA.meta)


def test_structures_declare_the_dimensions_observations_use(graph: Graph) -> None:
    for ds in graph.subjects(RDF.type, QB.DataSet):
        dsd = graph.value(ds, QB.structure)
        dims = {graph.value(c, QB.dimension) for c in graph.objects(dsd, QB.component)} - {None}
        assert {SDMX_DIMENSION.refArea, SDMX_DIMENSION.refPeriod, QB.measureType} <= dims
        for obs in list(graph.subjects(QB.dataSet, ds))[:5]:
            assert all(graph.value(obs, d) is not None for d in dims)


def test_blank_cells_the_parser_placed_are_marked(bundled: ParsedReport, graph: Graph) -> None:
    marked = set(graph.subjects(RA.celdaReconstruida, Literal(True)))
    assert len(marked) == len(bundled.placed)
    cell = bundled.placed[0]
    obs = next(
        o for o in marked if str(o).endswith(f"/{cell.campo}") and (o, RA.lineaInforme, Literal(cell.linea)) in graph
    )
    assert graph.value(obs, MEDIDA[cell.campo]) == Literal(0)
