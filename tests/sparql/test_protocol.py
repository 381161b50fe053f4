"""What the endpoint decides before running a query: the tokenizer's shortcut never disagrees with the parser."""

from __future__ import annotations

import pytest

from pipelines.paths import QUERIES_DIR
from pipelines.sparql.protocol import inspect, parsed

TEXTS = [
    "SELECT * WHERE { ?s ?p ?o }",
    "ASK { ?s ?p ?o }",
    "SELECT ?service WHERE { BIND('SERVICE' AS ?service) } # SERVICE <x:y> {}",
    "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:SERVICE ?o }",
    "SELECT * WHERE { SERVICE <http://e/sparql> { ?s ?p ?o } }",
    "select * where { optional { service silent <http://e/> { ?s ?p ?o } } }",
    "SELECT * WHERE { \\u0053ERVICE <http://e/> { ?s ?p ?o } }",
    "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
    "WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    'SELECT * WHERE { ?s ?p "INSERT DATA" }',
    "CONSTRUCT { ?s ?p ?o } WHERE { { SELECT * WHERE { ?s ?p ?o } } }",
]


@pytest.mark.parametrize("text", TEXTS + [p.read_text(encoding="utf-8") for p in sorted(QUERIES_DIR.glob("*.rq"))])
def test_the_shortcut_agrees_with_the_parser_on_service_and_updates(text: str) -> None:
    quick, full = inspect(text), parsed(text)
    assert (quick.service, quick.update) == (full.service, full.update)
    assert quick.form in (None, full.form)


def test_service_and_updates_are_found_however_written() -> None:
    assert [inspect(t).service for t in TEXTS[4:7]] == [True, True, True]
    assert [inspect(t).update for t in TEXTS[7:10]] == [True, True, True]
    assert not any(inspect(t).service or inspect(t).update for t in TEXTS[:4] + TEXTS[10:])
