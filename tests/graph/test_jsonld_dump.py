"""serialize's JSON writer gives exactly `json.dumps(..., ensure_ascii=False, indent=1)`.

grafo.jsonld keeps its bytes."""

from __future__ import annotations

import json

from pipelines.graph.serialize import _dump, jsonld, to_oxigraph

TRICKY = {
    "@context": {},
    "@graph": [
        [],
        {},
        {"a": [1, -2, 0, True, False, None, 1.5]},
        {'"comillas" \\ \n\t\x01 ñ €': ["\u2028", "😀", ""]},
        [[{"x": {"y": []}}]],
    ],
}


def dumped(value: object) -> str:
    out: list[str] = []
    _dump(value, 0, out)
    return "".join(out)


def test_same_text_as_the_standard_library() -> None:
    assert dumped(TRICKY) == json.dumps(TRICKY, ensure_ascii=False, indent=1)
    for scalar in ("x", 3, True, None, [], {}):
        assert dumped(scalar) == json.dumps(scalar, ensure_ascii=False, indent=1)


def test_the_bundled_graph_round_trips(triples: list) -> None:
    text = jsonld(to_oxigraph(triples), "https://w3id.org/rendicion-abierta/")
    assert text == (json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
