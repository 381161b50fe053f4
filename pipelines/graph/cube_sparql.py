"""Native evaluation of the Data Cube SHACL-SPARQL constraints of vocab/formas.ttl.

pyoxigraph runs these `sh:select` queries correctly but joins them by nested
loops: IC-12 (no two observations with the same dimension values) pairs every
observation of a dataset with every other one, ~80 ms on one report, and the
measure rule walks a property path per observation. Here each query is
evaluated over the gate's in-memory index with hash joins, solution for
solution what SPARQL gives (duplicates included), in well under a millisecond
per dataset.

Only the exact query texts below are evaluated natively (compared with
whitespace collapsed): a query edited in formas.ttl no longer matches and runs
on pyoxigraph, so an edit can make the gate slower but never wrong. Where
SPARQL's value semantics would matter (`!=` between two different literals)
an evaluator raises `Unsure` and that focus node goes
to pyoxigraph too. tests/graph/test_shacl_engines.py compares every evaluator
with pyoxigraph on the bundled graph and on broken ones.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import BNode, Literal, URIRef

from pipelines.graph.shapes import Index, Term

QB = "http://purl.org/linked-data/cube#"
DATASET, MEASURE_TYPE = URIRef(QB + "dataSet"), URIRef(QB + "measureType")
STRUCTURE, COMPONENT = URIRef(QB + "structure"), URIRef(QB + "component")
DIMENSION, MEASURE, CODE_LIST = URIRef(QB + "dimension"), URIRef(QB + "measure"), URIRef(QB + "codeList")
REF_AREA = URIRef("http://purl.org/linked-data/sdmx/2009/dimension#refArea")
SKOS = "http://www.w3.org/2004/02/skos/core#"
IN_SCHEME, MEMBER = URIRef(SKOS + "inScheme"), URIRef(SKOS + "member")

Row = dict[str, Term]


class Unsure(Exception):
    """SPARQL value semantics would decide this case: let pyoxigraph answer it."""


def normalized(select: str) -> str:
    return " ".join(select.split())


def _path(g: Index, start: Term, *steps: URIRef) -> list[Term]:
    """A SPARQL sequence path: one solution per way through it (SPARQL keeps duplicates)."""
    current = [start]
    for step in steps:
        current = [o for node in current for o in g.objects(node, step)]
    return current


def missing_dimension(g: Index, this: Term) -> list[Row]:
    """IC-11: every dimension of the structure is present on each observation."""
    return [
        {"this": this, "value": value, "dim": dim}
        for dim in _path(g, this, STRUCTURE, COMPONENT, DIMENSION)
        for value in g.subjects(DATASET, this)
        if not (isinstance(dim, URIRef) and g.objects(value, dim))
    ]


def missing_measure_value(g: Index, this: Term) -> list[Row]:
    return [
        {"this": this, "value": value, "measure": measure}
        for value in g.subjects(DATASET, this)
        for measure in g.objects(value, MEASURE_TYPE)
        if not (isinstance(measure, URIRef) and g.objects(value, measure))
    ]


def measure_outside_structure(g: Index, this: Term) -> list[Row]:
    declared = set(_path(g, this, STRUCTURE, COMPONENT, MEASURE))
    return [
        {"this": this, "value": value, "measure": measure}
        for value in g.subjects(DATASET, this)
        for measure in g.objects(value, MEASURE_TYPE)
        if measure not in declared
    ]


def code_outside_list(g: Index, this: Term) -> list[Row]:
    """IC-19: each value of a coded dimension is in its code list (skos:inScheme or skos:member)."""
    rows = []
    for dim in _path(g, this, STRUCTURE, COMPONENT, DIMENSION):
        for code_list in g.objects(dim, CODE_LIST):
            for value in g.subjects(DATASET, this):
                for code in g.objects(value, dim) if isinstance(dim, URIRef) else ():
                    if not g.has(code, IN_SCHEME, code_list) and not g.has(code_list, MEMBER, code):
                        rows.append({"this": this, "value": value, "dim": dim, "code": code, "list": code_list})
    return rows


def _different(first: Term, second: Term) -> bool:
    """SPARQL `first != second` where it is plain term inequality; Unsure where values would be compared."""
    if first == second:
        return False
    if isinstance(first, Literal) and isinstance(second, Literal):
        raise Unsure("!= entre dos literales")
    return True


def duplicate_observations(g: Index, this: Term) -> list[Row]:
    """IC-12: no two observations of a dataset share every dimension value."""
    groups: dict[tuple[Term, Term], list[Term]] = {}
    for value in g.subjects(DATASET, this):
        for measure in g.objects(value, MEASURE_TYPE):
            for area in g.objects(value, REF_AREA):
                groups.setdefault((measure, area), []).append(value)
    dims = set(_path(g, this, STRUCTURE, COMPONENT, DIMENSION))
    rows = []
    for members in groups.values():
        for value in members:
            for other in members:
                # STR() of a blank node is an error, and an error in a FILTER drops the solution.
                if isinstance(value, BNode) or isinstance(other, BNode) or not str(value) < str(other):
                    continue
                differs = any(
                    _different(v1, v2)
                    for dim in dims
                    if isinstance(dim, URIRef)
                    for v1 in g.objects(value, dim)
                    for v2 in g.objects(other, dim)
                )
                if not differs:
                    rows.append({"this": this, "value": value, "other": other})
    return rows


NATIVE: dict[str, Callable[[Index, Term], list[Row]]] = {
    normalized(q): f
    for q, f in [
        (
            """SELECT $this ?value ?dim WHERE {
            $this qb:structure/qb:component/qb:dimension ?dim .
            ?value qb:dataSet $this .
            FILTER NOT EXISTS { ?value ?dim ?any }
        }""",
            missing_dimension,
        ),
        (
            """SELECT $this ?value ?measure WHERE {
            ?value qb:dataSet $this ; qb:measureType ?measure .
            FILTER NOT EXISTS { ?value ?measure ?any }
        }""",
            missing_measure_value,
        ),
        (
            """SELECT $this ?value ?measure WHERE {
            ?value qb:dataSet $this ; qb:measureType ?measure .
            FILTER NOT EXISTS { $this qb:structure/qb:component/qb:measure ?measure }
        }""",
            measure_outside_structure,
        ),
        (
            """SELECT $this ?value ?dim ?code ?list WHERE {
            $this qb:structure/qb:component/qb:dimension ?dim .
            ?dim qb:codeList ?list .
            ?value qb:dataSet $this ; ?dim ?code .
            FILTER NOT EXISTS { ?code skos:inScheme ?list }
            FILTER NOT EXISTS { ?list skos:member ?code }
        }""",
            code_outside_list,
        ),
        (
            """SELECT $this ?value ?other WHERE {
            ?value qb:dataSet $this ; qb:measureType ?measure ; sdmx-dimension:refArea ?area .
            ?other qb:dataSet $this ; qb:measureType ?measure ; sdmx-dimension:refArea ?area .
            FILTER (STR(?value) < STR(?other))
            FILTER NOT EXISTS {
                $this qb:structure/qb:component/qb:dimension ?dim .
                ?value ?dim ?v1 .
                ?other ?dim ?v2 .
                FILTER (?v1 != ?v2)
            }
        }""",
            duplicate_observations,
        ),
    ]
}
"""Query text (whitespace collapsed) → its native evaluator. The prefixes are those formas.ttl declares."""


def native(select: str, prefixes: str) -> Callable[[Index, Term], list[Row]] | None:
    """The evaluator of a `sh:select`, if it is one of the above with the standard prefixes."""
    expected = {"qb": QB, "sdmx-dimension": str(REF_AREA)[: -len("refArea")], "skos": SKOS}
    declared = dict(line[len("PREFIX ") :].split(": <", 1) for line in prefixes.strip().splitlines())
    if any(declared.get(name, uri + ">") != uri + ">" for name, uri in expected.items()):
        return None
    return NATIVE.get(normalized(select))
