"""The fast SHACL gate gives pyshacl's verdicts: on the bundled graph and on graphs broken many ways.

SHACL Core: the fast engine's violations (focus node, path, value, constraint
component) equal pyshacl's, one for one. SHACL-SPARQL: the native Data Cube
evaluators give pyoxigraph's solutions line for line, and, once over a graph
broken eight ways at the same time, the focus nodes and values pyshacl itself
finds running the `sh:sparql` constraints (rdflib's SPARQL takes ~9 s there).
Some breaks touch vocabulary nodes on purpose: the verdicts cached for the
vocabulary must then be recomputed, not reused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, QB, RDF, RDFS, SH, SKOS, XSD

from pipelines.graph import shacl
from pipelines.graph.cube_sparql import NATIVE, normalized
from pipelines.graph.namespaces import (
    OBEU_DIMENSION,
    RA,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SeriesTerms,
    department,
    period,
)
from pipelines.graph.shacl_reference import oxigraph_sparql_lines, pyshacl_results

SOSEP = SeriesTerms("sosep")
PACKAGE = "https://w3id.org/rendicion-abierta/paquete/sosep-informe-cuatrimestral-2021-1"
OBS = URIRef(f"{PACKAGE}/hogares-comunitarios/16/cadi")
OTHER = URIRef(f"{PACKAGE}/hogares-comunitarios/17/cadi")
SERVICIO = URIRef(f"{PACKAGE}/servicio-social")
UNIT = URIRef("https://w3id.org/rendicion-abierta/codigo/unidad/litro")


def without(triples: list, subject: URIRef, predicate: URIRef) -> list:
    return [t for t in triples if not (t[0] == subject and t[1] == predicate)]


def replaced(triples: list, subject: URIRef, predicate: URIRef, value: object) -> list:
    return without(triples, subject, predicate) + [(subject, predicate, value)]


def first_component(triples: list) -> URIRef:
    return sorted(s for s, p, o in triples if p == RDF.type and o == QB.ComponentSpecification)[0]


def first_measure(triples: list) -> URIRef:
    """The first of the package's own measures (ra:cifraDeclarada is also described by the vocabulary)."""
    return sorted(s for s, p, o in triples if p == RDF.type and o == QB.MeasureProperty and "/def/medida/" in s)[0]


BREAKS: dict[str, Callable[[list], list]] = {
    "limpio": lambda t: t,
    "sin-area": lambda t: without(t, OBS, SDMX_DIMENSION.refArea),
    "observacion-repetida": lambda t: t + [(URIRef(f"{OBS}-copia"), p, o) for s, p, o in t if s == OBS],
    "dos-conjuntos": lambda t: t + [(OBS, QB.dataSet, SERVICIO)],
    "unidad-desconocida": lambda t: replaced(t, OBS, SDMX_ATTRIBUTE.unitMeasure, UNIT),
    "programa-sin-actividad": lambda t: without(t, SOSEP.program("servicio-social"), RA.financiadoPor),
    "sin-valor-de-medida": lambda t: without(t, OBS, SOSEP.medida.cadi),
    "area-fuera-de-lista": lambda t: replaced(t, OBS, SDMX_DIMENSION.refArea, department("99")),
    "periodo-no-declarado": lambda t: replaced(t, OBS, SDMX_DIMENSION.refPeriod, period("2020-C3")),
    "dimension-sin-lista": lambda t: t + [(URIRef(f"{RA._NS}sinLista"), RDF.type, QB.CodedProperty)],
    "linea-cero": lambda t: t + [(OBS, RA.lineaInforme, Literal(0))],
    "tipo-de-dato": lambda t: replaced(t, OBS, RA.lineaInforme, Literal("doce", datatype=XSD.integer)),
    "fase-desconocida": lambda t: replaced(t, OBS, OBEU_DIMENSION.budgetPhase, URIRef("http://example.org/fase")),
    "dos-misma-dimension-en-vecino": lambda t: replaced(t, OTHER, SDMX_DIMENSION.refArea, department("16")),
    # components: a specification that is two kinds at once (sh:xone) and one without any
    "componente-doble": lambda t: t + [(first_component(t), QB.measure, first_measure(t))],
    "medida-sin-etiqueta": lambda t: without(t, first_measure(t), RDFS.label),
    "medida-con-idioma-raro": lambda t: t + [(first_measure(t), RDFS.label, Literal("x", lang="fr"))],
    # vocabulary nodes touched by the report: cached verdicts must not be reused
    "departamento-dos-nombres": lambda t: t + [(department("16"), SKOS.prefLabel, Literal("Otra", lang="es"))],
    "departamento-codigo-malo": lambda t: t + [(department("16"), SKOS.notation, Literal("6"))],
    "programa-dos-actividades": lambda t: (
        t + [(SOSEP.program("servicio-social"), RA.financiadoPor, SOSEP.activity("Otra actividad"))]
    ),
    "subclase-nueva": lambda t: t + [(QB.Observation, RDFS.subClassOf, RA.Fila)],
    "identificador-de-medida": lambda t: t + [(first_measure(t), DCTERMS.identifier, Literal("otro"))],
}


def core_key(result: object) -> tuple:
    return (result.focus, result.path, result.value, result.component)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_fast_core_gives_pyshacls_violations(triples: list, name: str) -> None:
    broken = BREAKS[name](list(triples))
    fast, _ = shacl.core_results(broken)
    assert Counter(map(core_key, fast)) == Counter(map(core_key, pyshacl_results(broken)))
    if name != "limpio":
        assert shacl.violations(broken), "every break is refused"


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_native_sparql_gives_oxigraphs_solutions(triples: list, name: str) -> None:
    broken = BREAKS[name](list(triples))
    _, graph = shacl.core_results(broken)
    assert sorted(shacl.sparql_lines(graph, shacl.vocabulary().constraints)) == sorted(oxigraph_sparql_lines(broken))


def test_every_sparql_constraint_of_the_shapes_has_a_native_evaluator() -> None:
    # Not needed for correctness (an unknown query runs on pyoxigraph), but an edited query
    # would silently make every build slower: update cube_sparql.NATIVE with it.
    constraints = shacl.vocabulary().constraints
    assert constraints and all(evaluate is not None for _, evaluate in constraints)
    assert len(NATIVE) == len({normalized(c.select) for c, _ in constraints})


def test_full_pyshacl_finds_the_same_sparql_focus_nodes_and_values(triples: list) -> None:
    broken = list(triples)
    for name in (
        "sin-area",
        "observacion-repetida",
        "dos-conjuntos",
        "sin-valor-de-medida",
        "area-fuera-de-lista",
        "periodo-no-declarado",
        "unidad-desconocida",
        "programa-sin-actividad",
    ):
        broken = BREAKS[name](broken)
    full = pyshacl_results(broken, sparql=True)
    sparql = {(r.focus, r.value) for r in full if r.component == SH.SPARQLConstraintComponent}
    _, graph = shacl.core_results(broken)
    fast = set()
    for constraint, evaluate in shacl.vocabulary().constraints:
        for focus in {n for cls in constraint.targets for n in graph.subjects(RDF.type, cls)}:
            fast |= {(row["this"], row.get("value")) for row in evaluate(graph, focus)}  # type: ignore[misc]
    assert sparql == fast and len(sparql) >= 3
    core = Counter(core_key(r) for r in full if r.component != SH.SPARQLConstraintComponent)
    assert core == Counter(map(core_key, shacl.core_results(broken)[0]))
