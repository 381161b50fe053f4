"""The errors users see, each a kind with its own wording, printed as one line.

`ReportError`: the report cannot be turned into data as it stands (named by
report, table and line). `OutputError`: the machine refused what the build
needed (a folder, a permission, disk space). `Interrupted`: a person or the
system stopped the build. The CLI prints any of them as one `error: …` line.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base of the errors the CLI prints as one line instead of a traceback."""

    exit_code = 1


class ReportError(PipelineError):
    """A report cannot be turned into data as it stands.

    Carries where the problem is so the CLI and Dagster can print one clear
    line instead of a traceback: the report file, the table (resource name)
    and the 1-based line number in the report text.
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        line: int | None = None,
        report: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.table = table
        self.line = line
        self.report = report

    def naming(self, report: str) -> ReportError:
        """This error, with the report file named if the raiser could not know it."""
        if self.report is None:
            self.report = report
        return self

    def __str__(self) -> str:
        where = []
        if self.report:
            where.append(self.report)
        if self.table:
            where.append(f"tabla {self.table}")
        if self.line:
            where.append(f"línea {self.line}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class ShaclError(ReportError):
    """The report's graph breaks the SHACL shapes: the graph stage's refusal, with every violation."""

    def __init__(self, message: str, *, violations: list[str], report: str | None = None) -> None:
        super().__init__(message, report=report)
        self.violations = violations


class InvalidPackage(ReportError):
    """Frictionless found the written package invalid (types, constraints, keys): the package stage's refusal."""


class OutputError(PipelineError):
    """The package could not be written where it was asked to go; nothing was replaced."""

    def __init__(self, path: object, why: str, report: str | None = None) -> None:
        super().__init__(why)
        self.path = path
        self.why = why
        self.report = report

    @classmethod
    def from_os(cls, path: object, error: OSError, report: str | None = None) -> OutputError:
        return cls(path, error.strerror or str(error), report)

    def __str__(self) -> str:
        prefix = f"{self.report}: " if self.report else ""
        return f"{prefix}no se pudo escribir en {self.path}: {self.why}; el paquete anterior sigue intacto"


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM: scratch folders are removed on the way out.

    A BaseException, like KeyboardInterrupt, so no `except Exception` on the
    way up swallows it.
    """

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name
        self.exit_code = 130 if signal_name == "SIGINT" else 1

    def __str__(self) -> str:
        return f"interrumpido ({self.signal_name}); no se reemplazó ningún paquete"
