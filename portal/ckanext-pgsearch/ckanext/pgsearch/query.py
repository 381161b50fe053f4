"""Dataset search answered by PostgreSQL instead of Solr.

:class:`PostgresPackageSearchQuery` has the interface of CKAN's
``ckan.lib.search.query.PackageSearchQuery``: ``run(query, permission_labels)``
receives the Solr-style parameters that CKAN's ``package_search`` action has
already validated (``q``, ``fq``, ``fq_list``, ``rows``, ``start``, ``sort``,
``fl``, ``facet.field``, ...) and sets ``count``, ``results`` and ``facets``.

There is no index: every search reads CKAN's own tables (``package``,
``group``, ``member``, ``tag``, ``resource``), so a dataset is findable as soon
as its transaction commits. Result documents that need more than ``id`` or
``name`` are built with ``package_show``, which is fine for the page sizes a
local portal serves (20 by default) but would not scale like Solr.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

import ckan.logic as logic
import ckan.model as model
import sqlalchemy as sa
from ckan.common import config
from ckan.lib.navl.dictization_functions import MissingNullEncoder
from ckan.lib.search.common import SearchError, SearchQueryError
from ckan.lib.search.query import VALID_SOLR_PARAMETERS, SearchQuery
from dateutil.parser import parse as parse_date

from . import parser

log = logging.getLogger(__name__)

Cond = sa.ColumnElement[bool]
P = model.package_table
G = model.group_table
M = model.member_table
T = model.tag_table
PT = model.package_tag_table
R = model.resource_table
V = model.Vocabulary.__table__

# Accent folding, so that "ejecucion" finds "Ejecución" (Solr's text field
# does the same with an ASCII folding filter).
_FOLD_FROM = "ÁÀÂÄÃÅáàâäãåÉÈÊËéèêëÍÌÎÏíìîïÓÒÔÖÕóòôöõÚÙÛÜúùûüÑñÇç"
_FOLD_TO = "AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOoooooUUUUuuuuNnCc"
_FOLD_TABLE = str.maketrans(_FOLD_FROM, _FOLD_TO)

# Solr fields that map to one column of the package table, compared exactly.
_EXACT_COLUMNS = {
    "id": P.c.id,
    "name": P.c.name,
    "license_id": P.c.license_id,
    "type": P.c.type,
    "dataset_type": P.c.type,
    "state": P.c.state,
    "creator_user_id": P.c.creator_user_id,
    "version": P.c.version,
    "url": P.c.url,
    "author_email": P.c.author_email,
    "maintainer_email": P.c.maintainer_email,
    "title_string": P.c.title,
}
# Text fields: a value matches when it occurs in the field (accents ignored).
_TEXT_COLUMNS = {
    "title": P.c.title,
    "notes": P.c.notes,
    "author": P.c.author,
    "maintainer": P.c.maintainer,
}
_RESOURCE_COLUMNS = {
    "res_name": R.c.name,
    "res_description": R.c.description,
    "res_url": R.c.url,
    "res_type": R.c.resource_type,
    "res_format": R.c.format,
}
_DATE_COLUMNS = {
    "metadata_modified": P.c.metadata_modified,
    "metadata_created": P.c.metadata_created,
}
_SORT_COLUMNS: dict[str, Any] = {
    "metadata_modified": P.c.metadata_modified,
    "metadata_created": P.c.metadata_created,
    "name": P.c.name,
    "id": P.c.id,
    "license_id": P.c.license_id,
    "title_string": sa.func.lower(sa.func.coalesce(P.c.title, P.c.name)),
    "title": sa.func.lower(sa.func.coalesce(P.c.title, P.c.name)),
}
# Fields that exist in Solr but carry no filter here: always true.
_IGNORED_FIELDS = {"site_id", "entity_type", "index_id"}


def fold(text: str) -> str:
    """Lower-case and strip common Latin accents (Python side)."""
    return text.translate(_FOLD_TABLE).lower()


def _fold_sql(column: Any) -> Any:
    """The SQL twin of :func:`fold`."""
    return sa.func.lower(sa.func.translate(sa.func.coalesce(column, ""), _FOLD_FROM, _FOLD_TO))


def _matcher(term: parser.Term, exact: bool) -> Callable[[Any], Cond]:
    """A function that compares a column with ``term``."""
    if term.any:
        return lambda col: sa.func.coalesce(col, "") != ""
    if term.prefix:
        return lambda col: _fold_sql(col).startswith(fold(term.text), autoescape=True)
    if exact:
        return lambda col: col == term.text
    return lambda col: _fold_sql(col).contains(fold(term.text), autoescape=True)


def _has_tag(match: Callable[[Any], Cond], vocabulary: str | None = None) -> Cond:
    stmt = (
        sa.select(PT.c.package_id)
        .select_from(PT.join(T, T.c.id == PT.c.tag_id))
        .where(PT.c.package_id == P.c.id, PT.c.state == "active", match(T.c.name))
    )
    if vocabulary is None:
        stmt = stmt.where(T.c.vocabulary_id.is_(None))
    else:
        stmt = stmt.join(V, V.c.id == T.c.vocabulary_id).where(V.c.name == vocabulary)
    return sa.exists(stmt)


def _in_group(match: Callable[[Any], Cond], column: Any = G.c.name) -> Cond:
    return sa.exists(
        sa.select(M.c.table_id)
        .select_from(M.join(G, G.c.id == M.c.group_id))
        .where(
            M.c.table_id == P.c.id,
            M.c.table_name == "package",
            M.c.state == "active",
            G.c.is_organization.is_(False),
            G.c.state == "active",
            match(column),
        )
    )


def _in_org(match: Callable[[Any], Cond], column: Any = G.c.name) -> Cond:
    return sa.exists(sa.select(G.c.id).where(G.c.id == P.c.owner_org, match(column)))


def _has_resource(column: Any, match: Callable[[Any], Cond]) -> Cond:
    return sa.exists(sa.select(R.c.id).where(R.c.package_id == P.c.id, R.c.state == "active", match(column)))


def _parse_instant(text: str | None, default: datetime.datetime) -> datetime.datetime:
    if text is None:
        return default
    if text.upper().startswith("NOW"):  # date math such as NOW-1DAY is not supported
        return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    try:
        moment = parse_date(text)
    except (ValueError, OverflowError):
        raise SearchQueryError(f"Not a date: {text!r}") from None
    if moment.tzinfo is not None:  # CKAN stores naive UTC timestamps
        moment = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return moment


def labels_condition(labels: Iterable[str]) -> Cond:
    """SQL for CKAN's default permission labels (``DefaultPermissionLabels``).

    ``public`` = active and not private; ``member-<org id>``; ``creator-<user
    id>`` (datasets without organization); ``collaborator-<dataset id>``.
    """
    conds: list[Cond] = []
    for label in labels:
        kind, _, ref = label.partition("-")
        if label == "public":
            conds.append(sa.and_(P.c.state == "active", P.c.private.is_(False)))
        elif kind == "member":
            conds.append(P.c.owner_org == ref)
        elif kind == "creator":
            conds.append(sa.and_(P.c.owner_org.is_(None), P.c.creator_user_id == ref))
        elif kind == "collaborator":
            conds.append(P.c.id == ref)
        else:
            log.warning("pgsearch: permission label %r is not understood", label)
    return sa.or_(sa.false(), *conds)


def field_condition(name: str, value: parser.Value) -> Cond:
    """SQL for one ``field:value`` of a Solr query. Raises KeyError if unknown."""
    if isinstance(value, parser.Range):
        if name not in _DATE_COLUMNS:
            raise SearchQueryError(f"Range queries are only supported on {sorted(_DATE_COLUMNS)}")
        column = _DATE_COLUMNS[name]
        return column.between(
            _parse_instant(value.low, datetime.datetime.min), _parse_instant(value.high, datetime.datetime.max)
        )
    if name in _DATE_COLUMNS:
        if value.any:
            return _DATE_COLUMNS[name].isnot(None)
        return _DATE_COLUMNS[name] == _parse_instant(value.text, datetime.datetime.min)
    if name in _IGNORED_FIELDS:
        return sa.true()
    if name == "text":
        return text_condition(value)[0]
    if name == "permission_labels":
        return labels_condition([value.text])
    if name == "capacity":
        return P.c.private.is_(value.text == "private")
    if name == "private":
        return P.c.private.is_(value.text.lower() == "true")
    exact, text = _matcher(value, exact=True), _matcher(value, exact=False)
    if name in _EXACT_COLUMNS:
        return exact(_EXACT_COLUMNS[name])
    if name in _TEXT_COLUMNS:
        return text(_TEXT_COLUMNS[name])
    if name == "organization":
        return _in_org(exact)
    if name == "owner_org":  # Solr stores the id; accept the name too
        return sa.or_(exact(P.c.owner_org), _in_org(exact))
    if name == "groups":
        return _in_group(exact)
    if name == "tags":
        return _has_tag(exact)
    if name.startswith("vocab_"):
        return _has_tag(exact, vocabulary=name[len("vocab_") :])
    if name == "res_format":  # "csv" finds "CSV"
        if value.any or value.prefix:
            return _has_resource(R.c.format, exact)
        return _has_resource(R.c.format, lambda col: sa.func.lower(col) == value.text.lower())
    if name in _RESOURCE_COLUMNS:
        return _has_resource(_RESOURCE_COLUMNS[name], text)
    raise KeyError(name)


def extras_condition(name: str, value: parser.Value) -> Cond:
    """``extras_<key>:value`` (or a bare extra key, as Solr indexes both)."""
    if not isinstance(value, parser.Term):
        return sa.false()  # extras are strings: no ranges
    key = name[len("extras_") :] if name.startswith("extras_") else name
    return _matcher(value, exact=True)(P.c.extras[key].astext)


def text_condition(term: parser.Value) -> tuple[Cond, Any]:
    """Free text: a condition and a relevance score (title/name 4, tags 2, rest 1)."""
    if not isinstance(term, parser.Term):
        raise SearchQueryError("Ranges need a field name")
    if term.any:
        return sa.true(), sa.literal(0)
    match = _matcher(term, exact=False)
    weighted = [
        (match(P.c.name), 4),
        (match(P.c.title), 4),
        (_has_tag(match), 2),
        (match(P.c.notes), 1),
        (_has_resource(R.c.name, match) | _has_resource(R.c.description, match), 1),
        (_in_org(match, G.c.title) | _in_group(match, G.c.title), 1),
    ]
    score = sum((sa.case((cond, weight), else_=0) for cond, weight in weighted), sa.literal(0))
    return sa.or_(*(cond for cond, _ in weighted)), score


def query_condition(text: str | None, free_text_fallback: bool) -> tuple[Cond, list[Any]]:
    """Translate one ``q`` or ``fq`` string into a condition and score terms.

    A clause whose field is unknown is looked up as a dataset extra (Solr
    indexes extras under their own key); in ``q`` (``free_text_fallback``)
    its text, such as ``http://example.org``, is also searched as free text.
    """
    try:
        parsed = parser.parse(text)
    except ValueError as exc:
        raise SearchQueryError(f"Cannot parse search query {text!r}: {exc}") from None
    conds: list[Cond] = []
    scores: list[Any] = []
    for group in parsed.groups:
        alternatives: list[Cond] = []
        for clause in group:
            values: list[Cond] = []
            for value in clause.values:
                if clause.field is None:
                    cond, score = text_condition(value)
                    if not clause.negated:
                        scores.append(score)
                else:
                    try:
                        cond = field_condition(clause.field, value)
                    except KeyError:
                        cond = extras_condition(clause.field, value)
                        if free_text_fallback and not clause.field.startswith("extras_"):
                            as_text, score = text_condition(parser.Term(clause.source, phrase=True))
                            cond = sa.or_(cond, as_text)
                            scores.append(score)
                values.append(cond)
            either = sa.or_(*values)
            alternatives.append(sa.not_(either) if clause.negated else either)
        conds.append(sa.or_(*alternatives))
    return sa.and_(sa.true(), *conds), scores


def _facet_statement(name: str, ids: Any) -> Any | None:
    """``SELECT value, count`` over the datasets in ``ids``; None if unknown."""
    count = sa.func.count(sa.distinct(P.c.id))
    by_column = {
        **_EXACT_COLUMNS,
        **_TEXT_COLUMNS,
        "owner_org": P.c.owner_org,
        "capacity": sa.case((P.c.private, "private"), else_="public"),
    }
    if name == "organization":
        stmt = sa.select(G.c.name, count).select_from(P.join(G, G.c.id == P.c.owner_org))
    elif name == "groups":
        stmt = (
            sa.select(G.c.name, count)
            .select_from(P.join(M, M.c.table_id == P.c.id).join(G, G.c.id == M.c.group_id))
            .where(
                M.c.table_name == "package",
                M.c.state == "active",
                G.c.is_organization.is_(False),
                G.c.state == "active",
            )
        )
    elif name == "tags" or name.startswith("vocab_"):
        stmt = (
            sa.select(T.c.name, count)
            .select_from(P.join(PT, PT.c.package_id == P.c.id).join(T, T.c.id == PT.c.tag_id))
            .where(PT.c.state == "active")
        )
        if name == "tags":
            stmt = stmt.where(T.c.vocabulary_id.is_(None))
        else:
            stmt = stmt.join(V, V.c.id == T.c.vocabulary_id).where(V.c.name == name[len("vocab_") :])
    elif name in _RESOURCE_COLUMNS:
        column = _RESOURCE_COLUMNS[name]
        stmt = (
            sa.select(column, count)
            .select_from(P.join(R, R.c.package_id == P.c.id))
            .where(R.c.state == "active", sa.func.coalesce(column, "") != "")
        )
    elif name in by_column:
        column = by_column[name]
        stmt = sa.select(column, count).where(sa.func.coalesce(column, "") != "")
    elif name.startswith("extras_"):
        column = P.c.extras[name[len("extras_") :]].astext
        stmt = sa.select(column, count).where(column.isnot(None))
    else:
        return None
    return stmt.where(P.c.id.in_(ids)).group_by(stmt.selected_columns[0])


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return json.loads(value) if value.startswith("[") else [value]
    return list(value)


def index_document(package_id: str) -> dict[str, Any]:
    """The document Solr would hold for a dataset, built from the database."""
    default, custom = logic.package_show_default_and_custom_schemas({"ignore_auth": True}, package_id)
    skip = {
        "tags",
        "groups",
        "organization",
        "resources",
        "extras",
        "relationships_as_subject",
        "relationships_as_object",
    }
    doc = {key: value for key, value in default.items() if key not in skip}
    doc.update(
        data_dict=json.dumps(default, cls=MissingNullEncoder),
        validated_data_dict=json.dumps(custom, cls=MissingNullEncoder),
        tags=[t["name"] for t in default.get("tags", []) if not t.get("vocabulary_id")],
        groups=[g["name"] for g in default.get("groups", [])],
        organization=(default.get("organization") or {}).get("name"),
        capacity="private" if default.get("private") else "public",
        dataset_type=default.get("type"),
        entity_type="package",
        site_id=config.get("ckan.site_id"),
        title_string=default.get("title"),
    )
    for resource in default.get("resources", []):
        for key, field in (
            ("name", "res_name"),
            ("description", "res_description"),
            ("format", "res_format"),
            ("url", "res_url"),
            ("resource_type", "res_type"),
        ):
            doc.setdefault(field, []).append(resource.get(key) or "")
    for extra in default.get("extras", []):
        doc["extras_" + extra["key"]] = extra["value"]
        doc.setdefault(extra["key"], extra["value"])
    return doc


class PostgresPackageSearchQuery(SearchQuery):
    """Drop-in replacement for ``PackageSearchQuery`` that queries PostgreSQL."""

    def get_all_entity_ids(self, max_results: int = 1000) -> list[str]:
        stmt = sa.select(P.c.id).where(P.c.state == "active").limit(max_results)
        return list(model.Session.execute(stmt).scalars())

    def get_index(self, reference: str) -> dict[str, Any]:
        # package_show asks this first as a cache; without an index it must
        # build the dataset from the database, which it does on SearchError.
        raise SearchError(f"pgsearch keeps no search index (asked for {reference})")

    def run(self, query: dict[str, Any], permission_labels: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
        """Search datasets; same parameters and return value as CKAN's Solr query."""
        invalid = set(query) - VALID_SOLR_PARAMETERS - {"q.op"}
        if invalid:
            raise SearchQueryError(f"Invalid search parameters: {sorted(invalid)}")
        try:
            rows = int(query.get("rows", 10))
            start = int(query.get("start", 0) or 0)
        except ValueError as exc:
            raise SearchQueryError(f"rows and start must be integers: {exc}") from None

        where, scores = query_condition(query.get("q"), free_text_fallback=True)
        conds = [where]
        filters = ([query["fq"]] if query.get("fq") else []) + _as_list(query.get("fq_list"))
        for fq in filters:
            conds.append(query_condition(fq, free_text_fallback=False)[0])
        if not any("+state:" in fq for fq in filters):
            conds.append(P.c.state == "active")
        if permission_labels is not None:
            conds.append(labels_condition(permission_labels))
        where = sa.and_(*conds)
        score = sum(scores, sa.literal(0)) if scores else None

        session = model.Session
        self.count = session.execute(sa.select(sa.func.count()).select_from(P).where(where)).scalar_one()
        stmt = (
            sa.select(P.c.id, P.c.name).where(where).order_by(*self._order_by(query.get("sort"), score)).offset(start)
        )
        if rows >= 0:
            stmt = stmt.limit(rows)
        found = session.execute(stmt).all()
        self.results = self._documents(found, query.get("fl") or "name")
        self.facets = self._facets(query, sa.select(P.c.id).where(where))
        return {"results": self.results, "count": self.count}

    @staticmethod
    def _order_by(sort: str | None, score: Any) -> list[Any]:
        order: list[Any] = []
        for part in (sort or "score desc, metadata_modified desc").split(","):
            field, _, direction = part.strip().partition(" ")
            direction = direction.strip().lower() or "asc"
            if not field:
                continue
            if direction not in ("asc", "desc"):
                raise SearchQueryError('Invalid "sort" parameter')
            if field == "score":
                column = score
            else:
                # Solr's catch-all dynamic field accepts any name (the home
                # page sorts by "view_recent"); unknown fields sort nothing.
                column = _SORT_COLUMNS.get(field)
            if column is not None:
                order.append((column.desc() if direction == "desc" else column.asc()).nulls_last())
        return order + [P.c.id]

    @staticmethod
    def _documents(found: list[Any], fl: str) -> list[Any]:
        fields = fl.replace(",", " ").split()
        results: list[dict[str, Any]] = []
        for row in found:
            if set(fields) <= {"id", "name"}:
                doc = {"id": row.id, "name": row.name}
            else:
                doc = index_document(row.id)
            if "*" in fields:
                result = dict(doc)
            else:
                result = {f: doc[f] for f in fields if f in doc and not f.startswith("extras_")}
                extras = {f[len("extras_") :]: doc[f] for f in fields if f.startswith("extras_") and f in doc}
                if extras:
                    result["extras"] = extras
            results.append(result)
        if fl in ("id", "name"):  # as in CKAN: a list of strings
            return [r.get(fl) for r in results]
        return results

    @staticmethod
    def _facets(query: dict[str, Any], ids: Any) -> dict[str, dict[str, int]]:
        if str(query.get("facet", "true")).lower() == "false":
            return {}
        limit = int(query.get("facet.limit", config.get("search.facets.limit")) or 50)
        mincount = int(query.get("facet.mincount", 1) or 1)
        facets: dict[str, dict[str, int]] = {}
        for name in _as_list(query.get("facet.field")):
            stmt = _facet_statement(name, ids)
            if stmt is None:
                log.warning("pgsearch: no facet for unknown field %r", name)
                facets[name] = {}
                continue
            count = stmt.selected_columns[1]
            stmt = stmt.having(count >= mincount).order_by(count.desc(), stmt.selected_columns[0])
            if limit >= 0:
                stmt = stmt.limit(limit)
            facets[name] = {value: n for value, n in model.Session.execute(stmt).all()}
        return facets
