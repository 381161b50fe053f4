"""`rendicion build` over many reports: one worker process per core, output in input order.

A backlog of thousands of reports is CPU-bound Python, so it is spread over
processes (forked after the imports, so a worker starts in milliseconds and
shares the parent's loaded modules). What a user sees does not depend on the
number of workers: one line per report, in the order given (a result on
stdout, a failure as one `error: …` line on stderr); a failing report, even a
worker that dies under it, does not stop the others; the exit code is 1 if
any failed.

Interruptions end as they do for one report: Ctrl-C reaches every process of
the terminal's group, and a SIGTERM or Ctrl-C the parent gets is passed on to
the workers. Each worker stops where it is, the build's own cleanup removes
its scratch folder, and the parent waits for all of them (then, as a last
resort, removes what a worker that had to be killed left) before it prints
the one `error: interrumpido …` line.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from pipelines.errors import Interrupted, PipelineError
from pipelines.settings import BuildOptions

if TYPE_CHECKING:  # multiprocessing is imported only when a pool is used (one report needs none)
    import multiprocessing
    from multiprocessing.connection import Connection

STOP_GRACE_SECONDS = 30.0
"""How long interrupted workers get to clean up before they are killed."""

Outcome = tuple[bool, str]
"""(built, the line to print): stdout when built, stderr (`error: …`) when not."""


def default_jobs() -> int:
    """The cores this process may use (its CPU affinity, which containers and taskset narrow)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def build_one(report: str, options: BuildOptions) -> Outcome:
    """Build one report; every failure becomes one line naming the report (interruptions propagate)."""
    from pipelines.build import build_report

    name = Path(report).name
    try:
        result = build_report(Path(report), options)
    except PipelineError as error:
        return False, f"error: {error}"
    except MemoryError:
        return False, f"error: {name}: la construcción se quedó sin memoria; no se escribió nada"
    except Exception as error:  # a bug: this report fails, the others go on
        return False, f"error: {name}: error interno ({type(error).__name__}: {error}); no se escribió nada"
    parsed = result.parsed
    return True, (
        f"{result.package_dir}: {sum(len(t.rows) for t in parsed.tables.values())} filas en "
        f"{len(parsed.tables)} cuadros, {len(parsed.placed)} celdas vacías reconstruidas, "
        f"{len(parsed.discrepancies)} discrepancias del informe"
    )


def _print(outcome: Outcome) -> None:
    built, line = outcome
    print(line, file=sys.stdout if built else sys.stderr, flush=True)


def build_all(reports: Sequence[str], options: BuildOptions, jobs: int | None = None) -> int:
    """Build every report, printing each outcome in input order; returns how many failed."""
    jobs = default_jobs() if jobs is None else jobs
    if jobs <= 1 or len(reports) <= 1:
        failed = 0
        for report in reports:
            outcome = build_one(report, options)
            _print(outcome)
            failed += not outcome[0]
        return failed
    return _Pool(list(reports), options, min(jobs, len(reports))).run()


# ------------------------------------------------------------------ workers


def _stop_on_signal() -> None:
    """In a worker: the first SIGINT/SIGTERM interrupts the build (whose cleanup then runs), later ones are ignored."""

    def interrupted(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Interrupted(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)


def _work(conn: Connection, options: BuildOptions) -> None:
    """A worker's life: build the (index, report) it is sent, answer (index, outcome); None ends it."""
    _stop_on_signal()
    try:
        while (task := conn.recv()) is not None:
            index, report = task
            conn.send((index, build_one(report, options)))
    except (Interrupted, KeyboardInterrupt, EOFError, OSError):
        pass
    finally:
        conn.close()


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    task: tuple[int, str] | None = None


@dataclass
class _Pool:
    reports: list[str]
    options: BuildOptions
    jobs: int
    pending: deque[tuple[int, str]] = field(init=False)
    done: dict[int, Outcome] = field(default_factory=dict)
    workers: list[_Worker] = field(default_factory=list)
    printed: int = 0

    def __post_init__(self) -> None:
        self.pending = deque(enumerate(self.reports))

    def run(self) -> int:
        import gc
        import multiprocessing

        import pipelines.build  # noqa: F401  (imported once here, shared by the forked workers)

        gc.freeze()  # what the workers inherit is never walked by their collector
        context = multiprocessing.get_context("fork")
        try:
            for _ in range(self.jobs):
                self._start(context)
            while self.printed < len(self.reports):
                self._collect()
                while self.printed in self.done:
                    _print(self.done[self.printed])
                    self.printed += 1
        except BaseException:
            self._stop(interrupted=True)
            raise
        self._stop(interrupted=False)
        return sum(not built for built, _ in self.done.values())

    def _start(self, context: multiprocessing.context.BaseContext) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        parent, child = context.Pipe()
        process = context.Process(target=_work, args=(child, self.options), daemon=True)  # type: ignore
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self.workers.append(worker)
        self._assign(worker)

    def _assign(self, worker: _Worker) -> None:
        worker.task = self.pending.popleft() if self.pending else None
        if worker.task is not None:
            worker.conn.send(worker.task)

    def _collect(self) -> None:
        """Wait for answers (or deaths); hand out the next reports."""
        from multiprocessing.connection import wait

        busy = [w for w in self.workers if w.task is not None]
        ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
        for worker in busy:
            if worker.conn in ready or worker.conn.poll():
                try:
                    index, outcome = worker.conn.recv()
                except (EOFError, OSError):
                    self._lost(worker)
                    continue
                self.done[index] = outcome
                self._assign(worker)
            elif worker.process.sentinel in ready:
                self._lost(worker)

    def _lost(self, worker: _Worker) -> None:
        """A worker died under a report (killed, out of memory): that report failed; a new worker goes on."""
        worker.process.join()
        assert worker.task is not None
        index, report = worker.task
        self.done[index] = (
            False,
            f"error: {Path(report).name}: el proceso que lo construía terminó de forma "
            f"inesperada (código {worker.process.exitcode}); no se escribió nada",
        )
        worker.task = None
        worker.conn.close()
        self.workers.remove(worker)
        from pipelines.build import clean_leftovers

        clean_leftovers(self.options.out_dir)  # its scratch folder, now that its process is gone
        if self.pending:
            import multiprocessing

            self._start(multiprocessing.get_context("fork"))

    def _stop(self, interrupted: bool) -> None:
        if interrupted:  # a second Ctrl-C must not cut the workers' cleanup short
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for worker in self.workers:
            if interrupted and worker.process.is_alive():
                os.kill(worker.process.pid, signal.SIGTERM)  # type: ignore[arg-type]
            elif not interrupted:
                try:
                    worker.conn.send(None)
                except OSError:
                    pass
        for worker in self.workers:
            worker.process.join(STOP_GRACE_SECONDS)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()
        if interrupted:
            from pipelines.build import clean_leftovers

            clean_leftovers(self.options.out_dir)
