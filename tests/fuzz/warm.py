"""Imported once by the fuzz harness's fork server: fills the parser's caches before any child forks.

The table descriptions (TOML) and the department vocabulary (Turtle, through rdflib)
are read lazily and cached; reading them in every child would cost more than the
parse. Parsing the bundled report once here leaves them in memory for every fork.
"""

from __future__ import annotations

from pipelines.report.text import load_report
from pipelines.tables.parse import parse_report
from tests.variants import BUNDLED

try:
    parse_report(load_report(BUNDLED))
except Exception:  # noqa: BLE001 - a broken clean report shows up in the run itself, not here
    pass
