"""The one error type users see: bad input, named by table and line."""

from __future__ import annotations


class ReportError(Exception):
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

    def naming(self, report: str) -> "ReportError":
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
