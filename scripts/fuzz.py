"""`make fuzz`: every kind of mutant of the bundled report, judged against the promise.

Prints the count of each outcome per kind, then every failure (a catchable mutant
published silently, an altered figure, an unclear refusal, a crash, a hang, memory
exhaustion, a CLI refusal that is not one `error:` line or leaves files behind) with
the first differing figure, and exits 1 if there is any. `make test` runs a bounded
sample of the same suite (`tests/fuzz/test_fuzz.py`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fuzz.harness import OUTCOMES, CliCheck, Result, classify, clean_summary, cli_sample, run_cli  # noqa: E402
from tests.fuzz.mutants import KINDS, mutants  # noqa: E402
from tests.variants import BUNDLED  # noqa: E402

SEED = 20210501


def table(results: list[Result]) -> str:
    """Kinds × outcomes, with how many of each kind were catchable and how many failed."""
    counts = Counter((r.mutant.kind, r.outcome) for r in results)
    kinds = list(dict.fromkeys(r.mutant.kind for r in results))
    used = [o for o in OUTCOMES if any(counts[(k, o)] for k in kinds)]
    head = ["tipo", "n", "detectable", *used, "fallos"]
    rows = []
    for kind in kinds:
        mine = [r for r in results if r.mutant.kind == kind]
        rows.append(
            [
                kind,
                len(mine),
                sum(r.mutant.catchable for r in mine),
                *[counts[(kind, o)] for o in used],
                sum(r.failure for r in mine),
            ]
        )
    rows.append(
        [
            "total",
            len(results),
            sum(r.mutant.catchable for r in results),
            *[sum(counts[(k, o)] for k in kinds) for o in used],
            sum(r.failure for r in results),
        ]
    )
    widths = [max(len(str(x)) for x in column) for column in zip(head, *rows)]
    lines = [
        "  ".join(str(x).ljust(w) if i == 0 else str(x).rjust(w) for i, (x, w) in enumerate(zip(row, widths)))
        for row in [head, *rows]
    ]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    return "\n".join(lines)


def describe(result: Result) -> str:
    m = result.mutant
    tag = "detectable" if m.catchable else "no detectable"
    return (
        f"  [{result.outcome}] {m.kind} ({tag}): {m.description}\n      → {result.detail[:400]}\n"
        f"      ({result.path.name})"
    )


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--seed", type=int, default=SEED)
    options.add_argument("--per-kind", type=int, default=20, help="mutantes por tipo (por defecto 20)")
    options.add_argument("--kind", action="append", choices=list(KINDS), help="solo estos tipos (repetible)")
    options.add_argument("--timeout", type=float, default=10.0, help="segundos por mutante")
    options.add_argument("--workers", type=int, default=2)
    options.add_argument(
        "--cli-per-kind",
        type=int,
        default=1,
        help="mutantes rechazados (y publicados) por tipo que pasan por `rendicion build`",
    )
    options.add_argument("--keep", metavar="DIR", help="deja los mutantes y las salidas en DIR")
    args = options.parse_args(argv)

    started = time.monotonic()
    text = BUNDLED.read_text(encoding="utf-8")
    sample = mutants(text, args.seed, args.per_kind, args.kind)
    print(
        f"{len(sample)} mutantes de {len(set(m.kind for m in sample))} tipos (semilla {args.seed}, "
        f"{args.per_kind} por tipo), generados en {time.monotonic() - started:.1f} s",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="fuzz-") as scratch:
        folder = Path(args.keep) if args.keep else Path(scratch)
        results = classify(sample, folder / "mutantes", clean_summary(BUNDLED), args.workers, args.timeout)
        chosen = cli_sample(results, args.cli_per_kind)
        print(
            f"análisis en {time.monotonic() - started:.1f} s; {len(chosen)} mutantes por la línea de órdenes…",
            flush=True,
        )
        checks = run_cli(chosen, folder / "cli", args.workers)
    print()
    print(table(results))
    silent_uncatchable = [r for r in results if r.outcome == "silent" and not r.mutant.catchable]
    failures = [r for r in results if r.failure]
    cli_failures: list[CliCheck] = [c for c in checks if c.problems]
    print(
        f"\nlínea de órdenes: {len(checks)} ejecuciones, "
        f"{sum(c.returncode == 1 for c in checks)} rechazos, {len(cli_failures)} con problemas"
    )
    if silent_uncatchable:
        print(f"\nsilenciosos no detectables ({len(silent_uncatchable)}; ninguna comprobación declarada los ve):")
        for result in silent_uncatchable:
            print(describe(result))
    if failures:
        print(f"\nFALLOS ({len(failures)}):")
        for result in failures:
            print(describe(result))
    for check in cli_failures:
        print(
            f"\nFALLO de la línea de órdenes: {check.result.mutant.kind}: {check.result.mutant.description}\n"
            f"      código {check.returncode}: {'; '.join(check.problems)}"
        )
    print(f"\n{time.monotonic() - started:.0f} s en total")
    return 1 if failures or cli_failures else 0


if __name__ == "__main__":
    sys.exit(main())
