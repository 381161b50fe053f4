"""The report's disagreements with itself and its prose figures, as queryable linked data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import QB, RDF

from pipelines.graph.namespaces import DQV, OA, RA, SeriesTerms
from pipelines.graph.write import as_graph, build_triples
from pipelines.tables.model import ParsedReport

BASE = "https://datos.example/"
PACKAGE = URIRef(f"{BASE}paquete/sosep-informe-cuatrimestral-2021-1")
MEDIDA = SeriesTerms("sosep").medida


@pytest.fixture(scope="module")
def graph(bundled: ParsedReport) -> Graph:
    return as_graph(build_triples(bundled, BASE))


def test_every_discrepancy_is_an_annotation_on_the_figure_it_concerns(bundled: ParsedReport, graph: Graph) -> None:
    notes = set(graph.objects(PACKAGE, DQV.hasQualityAnnotation))
    assert len(notes) == len(bundled.discrepancies) == 4
    by_value = {
        (
            str(graph.value(n, RA.valorDeclarado)),
            str(graph.value(n, RA.valorCalculado)),
            int(graph.value(n, RA.lineaInforme)),
        ): n
        for n in notes
    }
    totals_note = by_value[("462", "460", 164)]
    target = URIRef(f"{PACKAGE}/hogares-comunitarios/total/cadi")
    assert set(graph.objects(totals_note, OA.hasTarget)) == {target}
    assert graph.value(target, MEDIDA.cadi) == Literal(462)
    prose_note = by_value[("462", "460", 173)]
    targets = set(graph.objects(prose_note, OA.hasTarget))
    prose = next(t for t in targets if graph.value(t, RA.cifraDeclarada) is not None)
    assert target in targets and Decimal(str(graph.value(prose, RA.cifraDeclarada))) == 462
    body = graph.value(prose_note, OA.hasBody)
    assert graph.value(body, RDF.value).language == "es" and "462 CADIS" in str(graph.value(body, RDF.value))


def test_the_consistency_measurement_counts_every_check(bundled: ParsedReport, graph: Graph) -> None:
    measurement = graph.value(PACKAGE, DQV.hasQualityMeasurement)
    made = sum(c.comparaciones for c in bundled.checks)
    held = sum(c.cumplidas for c in bundled.checks)
    assert (
        int(graph.value(measurement, RA.comprobaciones)),
        int(graph.value(measurement, RA.comprobacionesCumplidas)),
    ) == (made, held) and made - held == 4
    assert Decimal(str(graph.value(measurement, DQV.value))) == (Decimal(held) / made).quantize(Decimal("0.0001"))
    ranking = graph.query("""
        PREFIX dqv: <http://www.w3.org/ns/dqv#>
        PREFIX ra: <https://w3id.org/rendicion-abierta/def#>
        SELECT ?paquete ?valor WHERE {
          ?paquete dqv:hasQualityMeasurement ?m . ?m dqv:isMeasurementOf ra:proporcionComprobacionesCumplidas ;
          dqv:value ?valor } ORDER BY ?valor""")
    assert [(row[0], row[1]) for row in ranking] == [(PACKAGE, graph.value(measurement, DQV.value))]


def test_prose_figures_are_observations_that_restate_table_totals(bundled: ParsedReport, graph: Graph) -> None:
    prose = [o for o in graph.subjects(QB.measureType, RA.cifraDeclarada)]
    stated = [c for c in bundled.checks if c.tipo == "texto"]
    assert len(prose) == len(stated) > 0
    centers = next(
        o
        for o in prose
        if str(graph.value(graph.value(o, RA.afirmacion), RA.expresion)) == "hogares_comunitarios + cadi"
    )
    assert Decimal(str(graph.value(centers, RA.cifraDeclarada))) == 603
    assert set(graph.objects(centers, RA.reafirma)) == {
        URIRef(f"{PACKAGE}/hogares-comunitarios/total/{f}") for f in ("cadi", "hogares_comunitarios")
    }


def test_reconstructed_cells_stay_flagged(bundled: ParsedReport, graph: Graph) -> None:
    assert len(set(graph.subjects(RA.celdaReconstruida, Literal(True)))) == len(bundled.placed)
