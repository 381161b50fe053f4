"""The fuzz suite's bounded sample: mutants of the bundled report against the promise.

Each mutant must be refused with one line naming the report (and, when aimed at a
table, a table and a line), or published exactly as printed with the problem in the
quality report, or be harmless (the same figures); a catchable mutant published
silently, an altered figure, a crash, a hang or exhausted memory is a failure. A
sample of refusals (and the silent ones) also goes through `rendicion build`:
exit code 1, one `error:` line, no traceback, nothing left in the output folder.
`make fuzz` runs the whole suite and prints the counts per kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fuzz.harness import CliCheck, Result, classify, clean_summary, cli_sample, run_cli
from tests.fuzz.mutants import KINDS, mutants
from tests.variants import BUNDLED

SEED = 20210501
PER_KIND = 3
CLI_REFUSALS = 8
"""Refusals checked through the real command line (about 1.5 s each, two at a time)."""


@dataclass
class Run:
    results: list[Result]
    cli: list[CliCheck]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder: Path = tmp_path_factory.mktemp("fuzz")
    sample = mutants(BUNDLED.read_text(encoding="utf-8"), SEED, PER_KIND)
    results = classify(sample, folder / "mutantes", clean_summary(BUNDLED), workers=2, timeout=10.0)
    chosen = cli_sample(results, per_kind=1, most=CLI_REFUSALS, silent_limit=4, seed=SEED)
    return Run(results, run_cli(chosen, folder / "cli", workers=2))


def _listed(results: list[Result]) -> str:
    return "\n".join(
        f"[{r.outcome}] {r.mutant.kind}: {r.mutant.description}\n    → {r.detail[:300]} ({r.path.name})"
        for r in results
    )


def test_every_kind_of_mutant_is_drawn(run: Run) -> None:
    assert {r.mutant.kind for r in run.results} == set(KINDS)


def test_no_mutant_crashes_hangs_or_exhausts_memory(run: Run) -> None:
    broken = [r for r in run.results if r.outcome in ("crash", "hang", "memory")]
    assert not broken, "\n" + _listed(broken)


def test_refusals_are_one_line_naming_the_report_and_the_table_and_line(run: Run) -> None:
    unclear = [r for r in run.results if r.outcome == "unclear"]
    assert not unclear, "\n" + _listed(unclear)


def test_published_figures_are_the_printed_ones(run: Run) -> None:
    altered = [r for r in run.results if r.outcome == "altered"]
    assert not altered, "\n" + _listed(altered)


def test_no_catchable_mutant_is_published_silently(run: Run) -> None:
    silent = [r for r in run.results if r.outcome == "silent" and r.mutant.catchable]
    assert not silent, "\n" + _listed(silent)


def test_the_command_line_refuses_with_one_line_and_leaves_no_package(run: Run) -> None:
    assert any(c.returncode == 1 for c in run.cli), "no refusal went through the command line"
    bad = [c for c in run.cli if c.problems]
    assert not bad, "\n" + "\n".join(
        f"{c.result.mutant.kind}: {c.result.mutant.description}: {'; '.join(c.problems)}" for c in bad
    )
