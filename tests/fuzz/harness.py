"""Run mutants through the parser in limited child processes and judge each against the promise.

Each mutant is parsed in its own child (forked from a server that has already
imported the parser, so a child costs milliseconds) with an address-space limit
and a wall-clock deadline: a mutant that makes the parser loop or balloon is
killed and reported instead of taking the run down. Outcomes:

- `refused`: a ReportError whose message is one line naming the report (and, for a
  mutant aimed at a table, a table and a line; for a damaged byte, a line);
- `unclear`: refused, but the message breaks that rule;
- `harmless`: every table's typed rows and totals, and the package name, equal the clean parse's;
- `flagged`: figures differ and `discrepancies` holds something the clean parse's does not;
- `silent`: figures differ and nothing new is listed (a failure when the mutant is catchable);
- `altered`: published, but a figure the mutant prints is published otherwise;
- `crash`, `hang`, `memory`: any other exception, the deadline, MemoryError or death.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import random
import re
import resource
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.errors import ReportError
from pipelines.report.text import load_report
from pipelines.tables.model import ParsedReport
from pipelines.tables.parse import parse_report
from tests.fuzz.context import Mutant

OUTCOMES = ("refused", "harmless", "flagged", "silent", "altered", "unclear", "crash", "hang", "memory")
ALWAYS_FAILS = frozenset({"altered", "unclear", "crash", "hang", "memory"})
MEMORY = 1536 * 1024 * 1024
TIMEOUT = 10.0

Rows = tuple[tuple[tuple[str, Any], ...], ...]


@dataclass(frozen=True)
class Summary:
    """What a parse publishes, in comparable form: figures, package name, discrepancies."""

    package: str
    tables: dict[str, tuple[Rows, tuple[tuple[str, Any], ...] | None]]
    discrepancies: frozenset[tuple[str, ...]]


def summarize(parsed: ParsedReport) -> Summary:
    tables = {
        name: (
            tuple(tuple(sorted(r.values.items())) for r in t.rows),
            tuple(t.totals.items()) if t.totals is not None else None,
        )
        for name, t in parsed.tables.items()
    }
    found = frozenset(
        (d.recurso, d.campo, str(d.valor_declarado), str(d.valor_calculado), _unlined(d.descripcion), d.tipo)
        for d in parsed.discrepancies
    )
    return Summary(parsed.package_name, tables, found)


def _unlined(text: str) -> str:
    """A description without line numbers: a mutant that shifts lines does not make it new."""
    return re.sub(r"(l[ií]neas?)\s+\d+(\s*[–-]\s*\d+)?", r"\1 ?", text)


def clean_summary(path: Path) -> Summary:
    return summarize(parse_report(load_report(path)))


@dataclass
class Result:
    mutant: Mutant
    path: Path
    outcome: str
    detail: str
    seconds: float
    discrepancies: int = 0

    @property
    def failure(self) -> bool:
        return self.outcome in ALWAYS_FAILS or (self.outcome == "silent" and self.mutant.catchable)


def _child(path: str, conn: Any, memory: int) -> None:
    """Parse one mutant under the memory limit and send back what happened (runs in the child)."""
    try:
        vm = _vm_bytes()
        limit = max(memory, vm + 512 * 1024 * 1024)  # never below what the child already maps
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            parsed = parse_report(load_report(path))
            message: tuple[str, Any] = ("parsed", summarize(parsed))
        except ReportError as error:
            message = ("refused", (str(error), error.table, error.line))
        except MemoryError:
            message = ("memory", "MemoryError")
        except RecursionError as error:
            message = ("crash", f"RecursionError: {error}")
        except Exception as error:  # noqa: BLE001 - any other exception is the finding
            frame = traceback.extract_tb(error.__traceback__)[-1]
            message = ("crash", f"{type(error).__name__}: {error} ({Path(frame.filename).name}:{frame.lineno})")
        conn.send(message)
    except MemoryError:
        conn.send(("memory", "MemoryError"))
    finally:
        conn.close()


def _vm_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def classify(
    mutants: list[Mutant],
    folder: Path,
    clean: Summary,
    workers: int = 2,
    timeout: float = TIMEOUT,
    memory: int = MEMORY,
) -> list[Result]:
    """Every mutant's outcome, `workers` children at a time."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "tests.fuzz.mutants", "tests.fuzz.warm"])
    folder.mkdir(parents=True, exist_ok=True)
    results: list[Result | None] = [None] * len(mutants)
    pending = list(enumerate(mutants))
    running: dict[Any, tuple[int, Any, float, Path]] = {}
    while pending or running:
        while pending and len(running) < workers:
            index, mutant = pending.pop(0)
            path = folder / f"mutante-{index:04d}-{mutant.kind}.txt"
            path.write_bytes(mutant.text)
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(str(path), send, memory), daemon=True)
            process.start()
            send.close()
            running[receive] = (index, process, time.monotonic(), path)
        deadline = min(start + timeout for _, _, start, _ in running.values())
        for conn in multiprocessing.connection.wait(list(running), timeout=max(0.0, deadline - time.monotonic())):
            index, process, start, path = running.pop(conn)
            try:
                message = conn.recv()
            except (EOFError, OSError):
                process.join(5)
                code = process.exitcode
                message = ("memory" if code in (-9, -6, -11) else "crash", f"el proceso murió (código {code})")
            process.join(5)
            conn.close()
            results[index] = judge(mutants[index], path, message, clean, time.monotonic() - start)
        for conn, (index, process, start, path) in list(running.items()):
            if time.monotonic() - start > timeout:
                process.kill()
                process.join()
                conn.close()
                del running[conn]
                results[index] = Result(mutants[index], path, "hang", f"sin respuesta en {timeout:g} s", timeout)
    return [r for r in results if r is not None]


def judge(mutant: Mutant, path: Path, message: tuple[str, Any], clean: Summary, seconds: float) -> Result:
    kind, payload = message
    if kind == "refused":
        text, table, line = payload
        problems = []
        if len(text.splitlines()) != 1 or text != text.strip():
            problems.append("el mensaje no es una sola línea")
        if path.name not in text:
            problems.append("no nombra el informe")
        if mutant.table and not (table and line):
            problems.append("no nombra cuadro y línea")
        elif mutant.needs_line and not line:
            problems.append("no nombra la línea")
        outcome = "unclear" if problems else "refused"
        return Result(mutant, path, outcome, text + (f"  [{'; '.join(problems)}]" if problems else ""), seconds)
    if kind != "parsed":
        return Result(mutant, path, kind, str(payload), seconds)
    summary: Summary = payload
    count = len(summary.discrepancies)
    if mutant.expect and not as_printed(summary, mutant.expect):
        table, row, field, value = mutant.expect
        return Result(
            mutant, path, "altered", f"{table} {field}: se imprimió {value}, se publica otra cifra", seconds, count
        )
    difference = first_difference(clean, summary)
    if difference is None:
        return Result(mutant, path, "harmless", "", seconds, count)
    new = sorted(summary.discrepancies - clean.discrepancies)
    if new:
        return Result(mutant, path, "flagged", f"{difference}; nueva discrepancia: {new[0][4]}", seconds, count)
    return Result(mutant, path, "silent", difference, seconds, count)


def as_printed(summary: Summary, expect: tuple[str, int | None, str, Any]) -> bool:
    """Is the figure the mutant prints published as printed? (Unknown layouts count as yes.)"""
    table, row, field, value = expect
    if table not in summary.tables:
        return True
    rows, totals = summary.tables[table]
    if row is None:
        return totals is None or dict(totals).get(field, value) == value
    return row >= len(rows) or dict(rows[row]).get(field, value) == value


def first_difference(clean: Summary, other: Summary) -> str | None:
    """The first published figure that differs, worded for a person; None when all agree."""
    if clean.package != other.package:
        return f"paquete {other.package} en vez de {clean.package}"
    for name, (rows, totals) in clean.tables.items():
        if name not in other.tables:
            return f"falta el cuadro {name}"
        theirs, their_totals = other.tables[name]
        for index, (mine, yours) in enumerate(zip(rows, theirs)):
            a, b = dict(mine), dict(yours)
            for field in a:
                if a[field] != b.get(field):
                    return f"{name} fila {index + 1} {field}: {a[field]!s} → {b.get(field)!s}"
        if len(rows) != len(theirs):
            return f"{name}: {len(theirs)} filas en vez de {len(rows)}"
        if totals != their_totals:
            changed = [k for k, v in (totals or ()) if dict(their_totals or ()).get(k) != v] or ["(otras columnas)"]
            return (
                f"{name} totales {changed[0]}: {dict(totals or ()).get(changed[0])} → "
                f"{dict(their_totals or ()).get(changed[0])}"
            )
    return None


@dataclass
class CliCheck:
    """One mutant built by the real command line, and what was wrong with how it ended."""

    result: Result
    returncode: int
    stderr: str
    problems: list[str]


def cli_sample(
    results: list[Result], per_kind: int, most: int | None = None, silent_limit: int = 60, seed: int = 0
) -> list[Result]:
    """Refused and published mutants of each kind (at most `most` refused, a quarter as many published,
    drawn with `seed`), and the silent catchable ones up to `silent_limit`.

    A silent parse may still be refused when the package is written and validated: running the
    CLI on those tells a real failure from one the build catches.
    """
    refused: list[Result] = []
    published: list[Result] = []
    for kind in dict.fromkeys(r.mutant.kind for r in results):
        mine = [r for r in results if r.mutant.kind == kind]
        refused += [r for r in mine if r.outcome == "refused"][:per_kind]
        published += [r for r in mine if r.outcome in ("harmless", "flagged")][:per_kind]
    if most is not None:
        rng = random.Random(seed)
        refused = rng.sample(refused, min(most, len(refused)))
        published = rng.sample(published, min(max(1, most // 4), len(published)))
    silent = [r for r in results if r.outcome == "silent" and r.mutant.catchable]
    return refused + published + silent[:silent_limit]


def run_cli(results: list[Result], folder: Path, workers: int = 2, timeout: float = 120.0) -> list[CliCheck]:
    """`rendicion build MUTANT --out DIR` for each; a refusal must be one `error:` line leaving no package."""
    import subprocess
    import sys

    from pipelines.paths import ROOT

    checks: list[CliCheck] = []
    queue = list(enumerate(results))
    running: list[tuple[Result, Path, subprocess.Popen[str], float]] = []
    while queue or running:
        while queue and len(running) < workers:
            index, result = queue.pop(0)
            out = folder / f"cli-{index:03d}"
            command = [sys.executable, "-m", "pipelines.cli", "build", str(result.path), "--out", str(out)]
            process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            running.append((result, out, process, time.monotonic()))
        time.sleep(0.05)
        for item in list(running):
            result, out, process, start = item
            if process.poll() is None and time.monotonic() - start < timeout:
                continue
            if process.poll() is None:
                process.kill()
            _, stderr = process.communicate()
            running.remove(item)
            checks.append(_check_cli(result, out, process.returncode, stderr))
    return checks


def _check_cli(result: Result, out: Path, code: int, stderr: str) -> CliCheck:
    problems = []
    left = sorted(p.name for p in out.iterdir()) if out.exists() else []
    if "Traceback" in stderr:
        problems.append("traza de Python en stderr")
    if code == 0:
        if result.outcome == "refused":
            problems.append("el análisis rechaza el informe pero la orden lo publica")
        packages = [out / name for name in left if not name.startswith(".")]
        quality = packages[0] / "calidad.json" if packages else None
        if not quality or not quality.exists():
            problems.append(f"sin paquete publicado en {out} ({left})")
        elif result.outcome in ("harmless", "flagged", "silent"):
            import json

            listed = len(json.loads(quality.read_text(encoding="utf-8")).get("discrepancias", []))
            if listed != result.discrepancies:
                problems.append(f"calidad.json lista {listed} discrepancias; el análisis halló {result.discrepancies}")
    else:
        lines = stderr.splitlines()
        if code != 1:
            problems.append(f"código de salida {code}")
        if len(lines) != 1 or not lines[0].startswith("error: "):
            problems.append(f"stderr no es una línea «error: …»: {stderr[:300]!r}")
        if left:
            problems.append(f"la carpeta de salida no quedó vacía: {left}")
        if result.outcome == "silent" and not problems:
            result.outcome, result.detail = "refused", f"(al construir el paquete) {lines[0]}"
    return CliCheck(result, code, stderr.strip(), problems)
