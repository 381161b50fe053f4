"""What the endpoint decides before a query runs: its form, whether it calls out (SERVICE), the answer's format.

SERVICE is found in rdflib's parse tree of the query (a `ServiceGraphPattern`
node anywhere, however nested: OPTIONAL, UNION, sub-SELECT, EXISTS), not by
matching text, so `?service`, `ex:SERVICE` or the word in a string or comment
do not count. When rdflib cannot parse a query Oxigraph might still accept
(rdflib lags on some SPARQL 1.2 syntax), a tokenizer that drops comments,
strings and IRIs looks for the keyword instead: a query is never let through
to call out because our parser did not understand it.

The same tokenizer decides first whether parsing is needed at all: a text with
no SERVICE keyword cannot call out, and one with none of the update
operations' keywords cannot be an update, so it goes straight to Oxigraph
(which reports any syntax error). rdflib's parser takes 30–50 ms on a cookbook
query, as long as Oxigraph takes to answer some of them.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from pipelines.sparql.query import GRAPH_FORMATS, MEDIA_TYPES, RESULT_FORMATS, Kind

MAX_QUERY_BYTES = 100_000
"""Longest query text accepted (HTTP 413 beyond): the cookbook's longest is ~1.5 kB; parsing is not free."""

ACCEPTED: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdfxml",
    "text/html": "html",
}
"""Media types a client may ask for, → the format's short name (also valid as `?format=`)."""

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD"})
"""Every SPARQL 1.1 Update operation begins with one of these (WITH … also holds DELETE or INSERT)."""

_LOCK = threading.Lock()  # pyparsing's packrat cache is shared state


@dataclass(frozen=True)
class Inspection:
    form: str | None
    """SELECT, ASK, CONSTRUCT or DESCRIBE; None when only Oxigraph can tell (rdflib could not parse it)."""
    service: bool
    update: bool
    """The text is a SPARQL Update (INSERT, DELETE, LOAD, CLEAR, …), not a query."""


def _nodes(tree: object) -> list[str]:
    """Names of every rdflib CompValue in a parse tree (iteratively: deep queries must not hit recursion limits)."""
    names: list[str] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        name = getattr(node, "name", None)
        if isinstance(name, str):
            names.append(name)
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(list(node))  # type: ignore[call-overload]
    return names


_TOKENS = re.compile(
    r"""
    \#[^\n]*                                      # comment
  | '''(?:[^'\\]|\\.|'(?!''))*'''                 # long strings
  | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
  | '(?:[^'\\\n]|\\.)*' | "(?:[^"\\\n]|\\.)*"     # strings
  | <[^<>"{}|^`\\\x00-\x20]*>                     # IRIs
  | [?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+     # variables
  | [\w.-]*:[\w.:%\\-]*                           # prefixed names (ex:SERVICE)
  | (?P<word>[A-Za-z_]\w*)                        # keywords and other bare words
""",
    re.VERBOSE,
)


def _keywords(text: str) -> set[str]:
    return {m.group("word").upper() for m in _TOKENS.finditer(text) if m.group("word")}


def _form(keywords: set[str]) -> str | None:
    """The form when exactly one form's keyword is in the text (a sub-SELECT inside CONSTRUCT: None)."""
    forms = keywords & {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
    return next(iter(forms)) if len(forms) == 1 else None


def kind_by_keywords(text: str) -> Kind | None:
    """select, ask or graph when the text's keywords alone say so (a regular expression, no parse); else None."""
    if "\\u" in text.lower():
        return None
    form = _form(_keywords(text))
    return None if form is None else {"SELECT": "select", "ASK": "ask"}.get(form, "graph")


def inspect(text: str) -> Inspection:
    """The query's form, whether it uses SERVICE, whether it is an update instead."""
    keywords = _keywords(text)
    escaped = "\\u" in text.lower()  # SPARQL's \uXXXX codepoint escapes may spell a keyword anywhere
    if not escaped and "SERVICE" not in keywords and not keywords & UPDATE_KEYWORDS:
        return Inspection(_form(keywords), False, False)
    return parsed(text)


def parsed(text: str) -> Inspection:
    """`inspect` by rdflib's parse tree alone (the tokenizer only when rdflib cannot parse the text)."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    with _LOCK:
        try:
            tree = parseQuery(text)
        except (ParseException, ValueError, TypeError, RecursionError):
            tree = None
        if tree is None:
            try:
                update = bool(parseUpdate(text).get("request"))
            except (ParseException, ValueError, TypeError, RecursionError):
                update = False
            return Inspection(None, "SERVICE" in _keywords(text), update)
    names = _nodes(tree)
    form = next((n.removesuffix("Query").upper() for n in names if n.endswith("Query")), None)
    return Inspection(form, "ServiceGraphPattern" in names, False)


def _ranges(header: str | None) -> list[tuple[str, float]]:
    """Accept header → (media range, q) by preference; q=0 ranges are dropped."""
    ranges: list[tuple[str, float, int]] = []
    for order, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        quality = 1.0
        for field in fields[1:]:
            if field.lower().startswith("q="):
                try:
                    quality = float(field[2:])
                except ValueError:
                    quality = 0.0
        if fields[0] and quality > 0:
            ranges.append((fields[0].lower(), quality, order))
    # a more specific range wins over a wildcard of the same q
    ranges.sort(key=lambda r: (-r[1], r[0].count("*"), r[2]))
    return [(media, quality) for media, quality, _ in ranges]


def negotiate(header: str | None, offers: list[str], override: str | None = None) -> str | None:
    """The first of `offers` (format names, best default first) the client accepts; None if none (HTTP 406).

    `override` is a `?format=` value (a short name or a media type): forms and
    links cannot set Accept, so it wins when it names one of the offers.
    """
    if override:
        name = ACCEPTED.get(override.lower(), override.lower())
        return name if name in offers else None
    for media, _ in _ranges(header):
        if media in ("*/*", "*"):
            return offers[0]
        if media.endswith("/*"):
            found = next((o for o in offers if MEDIA_TYPES.get(o, "text/html").startswith(media[:-1])), None)
        else:
            found = ACCEPTED.get(media)
            found = found if found in offers else None
        if found:
            return found
    return None


def result_offers(kind: Kind) -> list[str]:
    """Formats an answer of this kind can take, the SPARQL protocol's usual default first."""
    return list(GRAPH_FORMATS) if kind == "graph" else ["json", *[f for f in RESULT_FORMATS if f != "json"]]
