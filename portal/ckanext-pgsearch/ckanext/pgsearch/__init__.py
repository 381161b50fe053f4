"""ckanext-pgsearch: CKAN dataset search from PostgreSQL, for portals without Solr."""
