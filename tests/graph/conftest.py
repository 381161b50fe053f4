"""The bundled report's graph, built once: as triples, as an rdflib Graph and as files."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from pipelines.graph import build_triples, write_graph
from pipelines.graph.write import as_graph
from pipelines.tables.model import ParsedReport


@pytest.fixture(scope="session")
def triples(bundled: ParsedReport) -> list:
    return build_triples(bundled)


@pytest.fixture(scope="session")
def graph(triples: list) -> Graph:
    return as_graph(triples)


@pytest.fixture(scope="session")
def written(bundled: ParsedReport, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    folder = tmp_path_factory.mktemp("paquete")
    return folder, write_graph(bundled, folder)
