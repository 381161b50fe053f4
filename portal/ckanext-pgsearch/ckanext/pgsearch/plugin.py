"""The ``pgsearch`` plugin: lets CKAN 2.12 run without Solr.

CKAN has no setting for "no Solr": dataset writes send every change to the
search index (``ckan.lib.search.index_for``), and reads ask the search query
class (``package_search``, organization and group pages, dataset counts, tag
pages). This plugin swaps those two pieces when CKAN loads its configuration:

* the package index becomes a no-op index (there is nothing to keep in sync:
  searches read the database directly);
* the package query becomes :class:`PostgresPackageSearchQuery`, so CKAN's own
  ``package_search`` action still does validation, permissions and facet
  formatting unchanged;
* the start-up Solr schema check is skipped.

It is meant for small local or test portals. Production portals keep Solr and
do not load this plugin.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
from ckan.common import CKANConfig
from ckan.lib import search
from ckan.lib.search.index import NoopSearchIndex

from .query import PostgresPackageSearchQuery


class PgNoopSearchIndex(NoopSearchIndex):
    """CKAN's ``NoopSearchIndex``, plus the calls its base class sends to Solr."""

    def clear(self) -> None:
        pass

    def commit(self) -> None:
        pass

    def delete_package(self, pkg_dict: dict[str, Any]) -> None:
        pass


def _no_solr_schema(schema_file: Any = None) -> bool:
    """Stand-in for ``check_solr_schema_version``: there is no Solr to check."""
    return False


def install() -> None:
    """Point CKAN's search module at PostgreSQL (idempotent)."""
    search._INDICES["package"] = PgNoopSearchIndex
    search._QUERIES["package"] = PostgresPackageSearchQuery
    search.PackageSearchQuery = PostgresPackageSearchQuery  # used directly by model_dictize
    search.check_solr_schema_version = _no_solr_schema


class PgSearchPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)

    def update_config(self, config: CKANConfig) -> None:
        # Runs in load_environment before CKAN checks the Solr schema.
        install()
