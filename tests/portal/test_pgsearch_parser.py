"""The Solr-syntax parser of the pgsearch plugin (pure Python: no CKAN needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "portal" / "ckanext-pgsearch"))
from ckanext.pgsearch.parser import Range, Term, parse  # noqa: E402


def test_match_all_forms() -> None:
    for text in ("", None, "*:*", '""'):
        assert parse(text).match_all


def test_filter_query_as_ckan_builds_it() -> None:
    query = parse('+capacity:public  owner_org:"abc-1" +dataset_type:dataset +state:(active OR draft)')
    clauses = [group[0] for group in query.groups]
    assert [c.field for c in clauses] == ["capacity", "owner_org", "dataset_type", "state"]
    assert clauses[1].values == [Term("abc-1", phrase=True)]
    assert clauses[3].values == [Term("active"), Term("draft")]


def test_free_text_with_phrase_or_and_exclusion() -> None:
    query = parse('presupuesto "gasto total" OR ejecución -tags:borrador')
    assert len(query.groups) == 3
    assert [c.values[0] for c in query.groups[1]] == [Term("gasto total", phrase=True), Term("ejecución")]
    excluded = query.groups[2][0]
    assert (excluded.field, excluded.negated) == ("tags", True)


def test_ranges_prefixes_and_any() -> None:
    (rng,), (prefix,), (anything,) = parse(
        "metadata_modified:[2024-01-01T00:00:00Z TO NOW] name:sosep* res_format:*"
    ).groups
    assert rng.values == [Range("2024-01-01T00:00:00Z", "NOW")]
    assert prefix.values == [Term("sosep", prefix=True)]
    assert anything.values[0].any


def test_unknown_field_keeps_its_source_for_free_text() -> None:
    ((clause,),) = parse("http://example.org/x").groups
    assert clause.field == "http" and clause.source == "http://example.org/x"


def test_unsupported_syntax_is_an_error() -> None:
    with pytest.raises(ValueError):
        parse("tags:(a AND b)")
