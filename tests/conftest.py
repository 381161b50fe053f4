"""Shared fixtures: the bundled report parsed once per session."""

from __future__ import annotations

import pytest

from pipelines.report.text import load_report
from pipelines.tables.model import ParsedReport
from pipelines.tables.parse import parse_report
from tests.variants import BUNDLED


@pytest.fixture(scope="session")
def bundled() -> ParsedReport:
    return parse_report(load_report(BUNDLED))
