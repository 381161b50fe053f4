"""A small parser for the subset of Solr query syntax that CKAN sends.

CKAN core, its templates and extensions such as ckanext-dcat build ``q`` and
``fq`` strings in Solr's Lucene syntax. This module turns the common forms into
plain data that :mod:`ckanext.pgsearch.query` translates to SQL:

* free text words and ``"quoted phrases"``;
* ``field:value``, ``field:"quoted value"``, ``field:(a OR b OR "c d")``;
* ``+`` (required, the default: ``q.op`` is AND in CKAN) and ``-`` / ``NOT``
  (excluded) prefixes;
* ``a OR b`` between clauses (``AND`` is accepted and ignored);
* ranges ``field:[FROM TO TO]`` (``*`` and ``NOW`` allowed as ends);
* ``value*`` prefix matches and ``field:*`` / ``*:*`` match-all.

Anything else (boosts, fuzzy ``~``, nested parentheses of clauses, local
parameters) is not supported: the words are then searched as free text, or, in
a filter query, :class:`ckan.lib.search.SearchQueryError` is raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# One clause: optional +/- prefix, optional "field:", then a value that is a
# quoted phrase, a parenthesised list, a range or a bare word.
_CLAUSE_RE = re.compile(
    r"""
    (?P<occur>[+-])?
    (?:(?P<field>[A-Za-z_][\w.\-]*)\s*:\s*)?
    (?P<value>
        "(?:[^"\\]|\\.)*"                     # "quoted phrase"
      | \((?:[^()"]|"(?:[^"\\]|\\.)*")*\)     # (a OR "b c")
      | [\[{][^\]}]*[\]}]                     # [from TO to]
      | (?:[^\s()\\]|\\.)+                    # bare word, \-escapes allowed
    )
    """,
    re.VERBOSE,
)
_LIST_ITEM_RE = re.compile(r'"(?:[^"\\]|\\.)*"|[^\s"]+')
_ESCAPE_RE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Term:
    """A value to compare with: exact text, a ``prefix*`` or ``*`` (anything)."""

    text: str
    prefix: bool = False
    phrase: bool = False

    @property
    def any(self) -> bool:
        return self.text == "" and self.prefix


@dataclass(frozen=True)
class Range:
    """``[low TO high]``; ``None`` stands for an open end (``*``)."""

    low: str | None
    high: str | None


Value = Term | Range


@dataclass
class Clause:
    """``field:(v1 OR v2)``; ``field`` is None for free text."""

    field: str | None
    values: list[Value]
    negated: bool = False
    source: str = ""  # the clause as written, to fall back to free text


@dataclass
class Query:
    """A conjunction of groups; each group is a disjunction of clauses."""

    groups: list[list[Clause]] = field(default_factory=list)
    match_all: bool = False


def _unquote(raw: str) -> Term:
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return Term(_ESCAPE_RE.sub(r"\1", raw[1:-1]), phrase=True)
    text = _ESCAPE_RE.sub(r"\1", raw)
    if text == "*":
        return Term("", prefix=True)
    if text.endswith("*") and not raw.endswith("\\*"):
        return Term(text[:-1], prefix=True)
    return Term(text)


def _parse_value(raw: str) -> list[Value]:
    if raw[0] in "[{":
        ends = raw[1:-1].split(" TO ")
        if len(ends) != 2:
            raise ValueError(f"bad range {raw!r}")
        low, high = (e.strip() for e in ends)
        return [Range(None if low == "*" else low, None if high == "*" else high)]
    if raw[0] == "(":
        items = [i for i in _LIST_ITEM_RE.findall(raw[1:-1]) if i not in ("OR", "||")]
        if any(i in ("AND", "&&", "NOT") for i in items):
            raise ValueError(f"only OR lists are supported in {raw!r}")
        return [_unquote(i) for i in items]
    return [_unquote(raw)]


def parse(text: str | None) -> Query:
    """Parse a ``q`` or ``fq`` string. Raises ValueError on syntax it can't read."""
    query = Query()
    text = (text or "").strip()
    if text in ("", "*:*", "*", '""', "''"):
        query.match_all = True
        return query
    pos, join_next, negate_next = 0, False, False
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        match = _CLAUSE_RE.match(text, pos)
        if not match:
            raise ValueError(f"cannot parse query near {text[pos : pos + 20]!r}")
        pos = match.end()
        occur, fname, raw = match.group("occur", "field", "value")
        if fname is None and occur is None and raw in ("AND", "&&"):
            continue
        if fname is None and occur is None and raw in ("OR", "||"):
            join_next = bool(query.groups)
            continue
        if fname is None and occur is None and raw == "NOT":
            negate_next = True
            continue
        if fname is None and raw == "*:*":
            continue  # "match everything" adds no condition
        clause = Clause(fname, _parse_value(raw), occur == "-" or negate_next, source=match.group(0).lstrip("+-"))
        negate_next = False
        if join_next:
            query.groups[-1].append(clause)
        else:
            query.groups.append([clause])
        join_next = False
    query.match_all = not query.groups
    return query
