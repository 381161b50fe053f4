"""Our namespace is closed and equal to the ontology file; IRIs follow the configured base."""

from __future__ import annotations

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from pipelines.graph.namespaces import RA, VOCAB_BASE, data_base, slug
from pipelines.paths import VOCAB_DIR


def test_a_misspelt_term_fails_instead_of_minting_an_iri() -> None:
    assert str(RA.programa) == VOCAB_BASE + "def#programa"
    with pytest.raises(AttributeError):
        RA.programme  # noqa: B018


def test_python_namespace_lists_exactly_the_terms_the_ontology_defines() -> None:
    ontology = Graph().parse(VOCAB_DIR / "ontologia.ttl")
    ns = str(RA._NS)
    defined = {str(s)[len(ns) :] for s in ontology.subjects(RDF.type, None) if str(s).startswith(ns)}
    assert defined == set(RA.__annotations__)


def test_base_iri_from_argument_then_environment_then_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RENDICION_BASE_IRI", "https://datos.example.org/ra")
    assert data_base() == VOCAB_BASE  # no stage reads the environment: the edge passes the base down
    assert data_base("https://datos.example.org/ra") == "https://datos.example.org/ra/"
    assert data_base("https://otra.example.org/") == "https://otra.example.org/"


def test_slugs_are_accent_free_and_stable() -> None:
    assert slug("Programa Nacional Mis Años Dorados") == "programa-nacional-mis-anos-dorados"
    assert slug("Dirección y Coordinación") == "direccion-y-coordinacion"
