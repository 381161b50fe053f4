"""Graphs of two periods built into a temporary folder: the bundled report and a variant.

The variant moves the report to May–August 2021 and gives Guatemala ten more
children in the Hogares Comunitarios table (totals line re-added), so a query
that mixes periods up gives a visibly wrong answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.graph import write_graph
from pipelines.report.text import load_report
from pipelines.tables.model import ParsedReport
from pipelines.tables.parse import parse_report
from tests.variants import bundled_text, rerender, with_period, write

EXTRA_CHILDREN = 10


def more_children(rows: list[dict]) -> list[dict]:
    for row in rows:
        if row["departamento"] == "Guatemala":
            row["ninos_beneficiarios"] += EXTRA_CHILDREN
    return rows


@pytest.fixture(scope="session")
def second(tmp_path_factory: pytest.TempPathFactory) -> ParsedReport:
    folder = tmp_path_factory.mktemp("variante")
    text = rerender(with_period(bundled_text(), "mayo-agosto", 2021), "hogares-comunitarios", more_children)
    return parse_report(load_report(write(folder, "sosep-2021-cuatrimestre-2.txt", text)))


@pytest.fixture(scope="session")
def graphs(bundled: ParsedReport, second: ParsedReport, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """grafo.ttl of both periods, laid out as datapackages/ would hold them."""
    root = tmp_path_factory.mktemp("datapackages")
    paths = []
    for parsed in (bundled, second):
        folder = root / parsed.package_name
        write_graph(parsed, folder)
        paths.append(folder / "grafo.ttl")
    return paths
