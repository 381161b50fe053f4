"""`rendicion_cifras`: the table view (datatables_view) shows each figure as the report prints it.

Why a plugin: CKAN 2.12's datatables_view reads the rows through `datastore_search` inside the
server, which decodes the DataStore's JSON numbers as floats (`ckan/lib/lazyjson.py`), and prints
`str(float)`: a `numeric` cell 32595100.00 (exactly that in PostgreSQL and in the API) shows as
32595100.0, 23.20 as 23.2. The view has no setting for a number format. The publisher writes each
column's decimal places (the Table Schema's `decimales`) into the DataStore's data dictionary
(`info.decimales`); this plugin extends the view's template (CKAN's template inheritance) with an
asset (assets/cifras.js) that, on DataTables' documented `xhr.dt` event, gives each such cell its
decimal places before the table draws it. Nothing else changes: the DataStore, the API and the CSV
download keep their values.
"""

from __future__ import annotations

from ckan import plugins
from ckan.plugins import toolkit


class CifrasPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)

    def update_config(self, config) -> None:  # noqa: ANN001 - CKAN's signature
        toolkit.add_template_directory(config, "templates")
        toolkit.add_resource("assets", "ckanext-rendicion")
