"""The SHACL gate accepts the bundled graph and refuses broken ones with a readable message."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import QB, RDF, SKOS

from pipelines.errors import ReportError
from pipelines.graph import write
from pipelines.graph.cube import KEY_DIMENSIONS
from pipelines.graph.namespaces import RA, SDMX_ATTRIBUTE, SDMX_DIMENSION, SeriesTerms, department, period
from pipelines.graph.shacl import check_graph, violations, vocab_files
from pipelines.tables.model import ParsedReport

SOSEP = SeriesTerms("sosep")
MEDIDA, program = SOSEP.medida, SOSEP.program

PACKAGE = "https://w3id.org/rendicion-abierta/paquete/sosep-informe-cuatrimestral-2021-1"
OBS = URIRef(f"{PACKAGE}/hogares-comunitarios/16/cadi")


def vocab_triples() -> Graph:
    graph = Graph()
    for path in vocab_files():
        graph.parse(path)
    return graph


def without(triples: list, subject: URIRef, predicate: URIRef) -> list:
    return [t for t in triples if not (t[0] == subject and t[1] == predicate)]


def test_the_bundled_graph_conforms(triples: list) -> None:
    assert violations(triples) == []


def test_missing_dimension_is_named_with_the_observation(triples: list) -> None:
    with pytest.raises(ReportError) as caught:
        check_graph(without(triples, OBS, SDMX_DIMENSION.refArea), "paquete-de-prueba")
    message = str(caught.value)
    assert "paquete-de-prueba" in message and "no se escribe" in message
    assert "hogares-comunitarios/16/cadi" in message and "sdmx-dimension:refArea" in message
    assert "IC-11" in message


def test_two_observations_with_the_same_dimension_values_are_refused(triples: list) -> None:
    copy = URIRef(f"{OBS}-copia")
    found = violations(triples + [(copy, p, o) for s, p, o in triples if s == OBS])
    assert any("IC-12" in line and "16/cadi-copia" in line for line in found)


def test_an_observation_in_two_datasets_is_refused(triples: list) -> None:
    other = URIRef(f"{PACKAGE}/servicio-social")
    found = violations(triples + [(OBS, QB.dataSet, other)])
    assert any("exactamente un qb:DataSet" in line for line in found)


def test_a_unit_missing_from_the_code_list_is_refused(triples: list) -> None:
    litre = URIRef("https://w3id.org/rendicion-abierta/codigo/unidad/litro")
    broken = without(triples, OBS, SDMX_ATTRIBUTE.unitMeasure) + [(OBS, SDMX_ATTRIBUTE.unitMeasure, litre)]
    assert any("unidad" in line for line in violations(broken))


def test_a_program_without_its_financing_activity_is_refused(triples: list) -> None:
    found = violations(without(triples, program("servicio-social"), RA.financiadoPor))
    assert found == [
        "codigo:programa/sosep/servicio-social ra:financiadoPor: cada programa está enlazado con la actividad "
        "presupuestaria que lo financia"
    ]


def test_a_measure_value_missing_is_refused(triples: list) -> None:
    found = violations(without(triples, OBS, MEDIDA.cadi))
    assert any("no tiene el valor de su medida" in line for line in found)


def test_an_area_outside_its_code_list_is_refused_with_a_readable_message(triples: list) -> None:
    broken = without(triples, OBS, SDMX_DIMENSION.refArea) + [(OBS, SDMX_DIMENSION.refArea, department("99"))]
    with pytest.raises(ReportError) as caught:
        check_graph(broken, "paquete-de-prueba")
    message = str(caught.value)
    assert (
        "la observación datos:paquete/sosep-informe-cuatrimestral-2021-1/hogares-comunitarios/16/cadi tiene en "
        "sdmx-dimension:refArea el código codigo:departamento/99, que no está en la lista de códigos codigo:area "
        "de esa dimensión (IC-19)"
    ) in message
    assert "no se escribe" in message


def test_a_period_the_package_does_not_declare_is_refused(triples: list) -> None:
    broken = without(triples, OBS, SDMX_DIMENSION.refPeriod) + [(OBS, SDMX_DIMENSION.refPeriod, period("2020-C3"))]
    found = violations(broken)
    assert any("IC-19" in line and "codigo:periodo/2020-C3" in line and "16/cadi" in line for line in found)


def test_every_value_of_the_bundled_coded_dimensions_is_in_its_code_list(triples: list) -> None:
    # the totals lines of the key-dimension tables (ra:total) included: it is in their code lists
    assert not [line for line in violations(triples) if "IC-19" in line]
    vocab = vocab_triples()
    for key in KEY_DIMENSIONS.values():
        assert (RA.total, SKOS.inScheme, key.scheme) in vocab, key.scheme


def test_a_coded_dimension_without_a_code_list_is_refused() -> None:
    coded = URIRef("https://w3id.org/rendicion-abierta/def#sinLista")
    found = violations([(coded, RDF.type, QB.CodedProperty)])
    assert any(line.startswith("ra:sinLista qb:codeList") and "IC-5" in line for line in found)


def test_write_graph_writes_nothing_when_the_graph_does_not_conform(
    bundled: ParsedReport, triples: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = triples + [(OBS, RA.lineaInforme, Literal(0))]
    monkeypatch.setattr(write, "build_triples", lambda parsed, base=None, package=None, folder=None: broken)
    with pytest.raises(ReportError, match="ra:lineaInforme"):
        write.write_graph(bundled, tmp_path)
    assert list(tmp_path.iterdir()) == []
