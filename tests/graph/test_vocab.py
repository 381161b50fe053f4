"""vocab/: labelled code lists that agree with the table descriptions and the department parser."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from pipelines.graph.namespaces import RA, SeriesTerms, people, sex, unit
from pipelines.paths import VOCAB_DIR
from pipelines.report.departments import load_departments
from pipelines.specs import load_series

SOSEP = SeriesTerms("sosep")
program, activity, directorate = SOSEP.program, SOSEP.activity, SOSEP.directorate


def vocab() -> Graph:
    """The shared vocabulary plus SOSEP's own (its programs live in the series folder)."""
    graph = Graph()
    for path in [*sorted(VOCAB_DIR.glob("*.ttl")), load_series().vocabulary]:
        graph.parse(path)
    return graph


def test_the_package_graph_carries_its_series_vocabulary(bundled) -> None:
    from pipelines.graph.write import build_triples

    triples = set(build_triples(bundled, "https://datos.example/"))
    own = set(Graph().parse(load_series().vocabulary))
    assert own and own <= triples


def test_department_code_list_still_feeds_the_parser() -> None:
    departments = load_departments()
    assert [d.codigo for d in departments] == [f"{n:02d}" for n in range(1, 23)]
    assert departments[13].nombre == "Quiché" and "El Quiché" in departments[13].variants
    assert departments[0].iso_3166_2 == "GT-01" and departments[0].wikidata.endswith("/Q695660")


def test_every_sex_and_people_a_table_uses_is_a_listed_code() -> None:
    graph = vocab()
    for spec in load_series().tables:
        for fld in spec.fields:
            for key, iri in ((fld.sexo, sex), (fld.pueblo, people)):
                if key:
                    assert (iri(key), RDF.type, SKOS.Concept) in graph, f"{spec.name}.{fld.name}: {key}"


def test_every_unit_the_bundled_tables_use_has_labels_in_the_vocabulary() -> None:
    graph = vocab()
    for spec in load_series().tables:
        for fld in spec.fields:
            if fld.unit:
                languages = {label.language for label in graph.objects(unit(fld.unit), SKOS.prefLabel)}
                assert languages == {"es", "en"}, f"{spec.name}.{fld.name}: {fld.unit}"


def test_code_lists_have_spanish_and_english_labels() -> None:
    graph = vocab()
    for scheme in ("grupo-gasto", "pueblo", "sexo", "unidad", "programa", "actividad", "departamento"):
        members = set(graph.subjects(SKOS.inScheme, URIRef(f"https://w3id.org/rendicion-abierta/codigo/{scheme}")))
        assert members, scheme
        for concept in members:
            languages = {label.language for label in graph.objects(concept, SKOS.prefLabel)}
            if scheme != "departamento":
                assert {"es", "en"} <= languages, concept
            else:
                assert "es" in languages, concept


def test_programs_in_the_vocabulary_are_the_series_programs() -> None:
    graph, series = vocab(), load_series()
    declared = set(graph.subjects(RDF.type, RA.Programa))
    assert declared == {program(p["key"]) for p in series.programs}
    for p in series.programs:
        assert Literal(p["name"], lang="es") in set(graph.objects(program(p["key"]), SKOS.prefLabel))
        assert Literal(p["actividad"], lang="es") in set(graph.objects(activity(p["actividad"]), SKOS.prefLabel))
        assert Literal(p["direccion"], lang="es") in set(graph.objects(directorate(p["direccion"]), SKOS.prefLabel))
        # the financing link is editorial: the vocabulary says so on the program
        notes = " ".join(str(n) for n in graph.objects(program(p["key"]), SKOS.editorialNote))
        assert "editorial" in notes


def test_beneficiaries_measure_of_each_program_is_a_field_of_its_table() -> None:
    graph, series = vocab(), load_series()
    for spec in series.tables:
        if spec.program:
            measure = graph.value(program(spec.program), RA.medidaBeneficiarios)
            assert measure is not None, spec.program
            assert str(measure).rsplit("/", 1)[-1] in {f.name for f in spec.fields if f.is_numeric}
