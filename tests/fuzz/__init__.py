"""Fuzzing the parser with mutants of the bundled report (issue 11, point 5).

The promise under test: each mutant is refused with one line naming the report
(and, for a table's mutant, a table and a line), or published exactly as printed
with the problem in `calidad.json`, or harmless (the same figures). Modules:

- `layout`: where each table's rows, cells and totals sit in the clean report;
- `oracle`: which changes the report's own declarations (row rules, totals,
  prose, cross-table figures, keys, labels, dates) can reveal;
- `mutants`, `kinds_figures`, `kinds_text`: the seeded generator;
- `harness`: runs each mutant in a limited child process, and a sample through the CLI.
"""
