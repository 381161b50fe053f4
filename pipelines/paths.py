"""Where the project's declared data lives: one place, so nothing hard-codes paths."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOCAB_DIR = ROOT / "vocab"
REPORTS_DIR = ROOT / "reports"
DATAPACKAGES_DIR = ROOT / "datapackages"
QUERIES_DIR = ROOT / "queries"
SPECS_DIR = Path(__file__).resolve().parent / "specs"
