"""The DataStore, the views and the series on the real test portal, as a citizen (and a browser) sees them.

One copy of the bundled package (period 2021-C1) and one of a second period (2021-C2, built from a
variant report) are published into series datasets of their own (`series_prefix`), so the portal's
`sosep-serie-*` are never touched; everything is purged at the end of the session.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from pipelines.paths import ROOT
from pipelines.publish import publish_package
from pipelines.publish.metadata import KEY_FIELD
from pipelines.specs import load_series
from tests.publish.conftest import copy_package
from tests.variants import bundled_text, with_period

pytestmark = pytest.mark.services
QUIET = {"log": lambda _line: None, "retries": 1, "backoff": 0.05}
TYPES = {"integer": "int", "number": "numeric", "string": "text", "date": "date"}
TABLES = [t.name for t in load_series().tables]
WRITES = {
    "package_create",
    "package_patch",
    "resource_create",
    "resource_patch",
    "resource_delete",
    "datastore_create",
    "datastore_upsert",
    "datastore_delete",
    "datastore_records_delete",
    "resource_view_create",
    "resource_view_update",
    "resource_view_delete",
    "resource_view_reorder",
    "package_resource_reorder",
    "organization_create",
    "group_create",
}
CHROMIUM = Path("/usr/bin/chromium")


def api(portal, action: str, **data):
    """Decimal-exact JSON (numeric columns compare with the CSV's digits)."""
    response = requests.post(
        f"{portal.url}/api/3/action/{action}", json=data, headers={"Authorization": portal.token}, timeout=60
    )
    body = json.loads(response.text, parse_float=Decimal)
    assert body.get("success"), (action, body.get("error"))
    return body["result"]


def rows(portal, resource_id: str, **filters) -> list[dict]:
    found = api(portal, "datastore_search", resource_id=resource_id, limit=32000, sort="_id", **filters)
    return found["records"]


def schema_rows(folder: Path, resource: dict) -> list[dict]:
    """The CSV read independently, typed by its Table Schema."""
    kinds = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
    convert = {"integer": int, "number": Decimal, "string": str, "date": str}
    with (folder / resource["path"]).open(encoding="utf-8", newline="") as handle:
        return [{k: convert[kinds[k]](v) for k, v in row.items()} for row in csv.DictReader(handle)]


def descriptor(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def publish(portal, folder: Path, prefix: str, **kwargs):
    return publish_package(folder, portal.url, portal.token, series_prefix=prefix, **{**QUIET, **kwargs})


def by_key(dataset: dict) -> dict[str, dict]:
    return {r[KEY_FIELD]: r for r in dataset["resources"] if r.get(KEY_FIELD)}


class Published:
    def __init__(self, portal, root: Path) -> None:
        self.portal = portal
        self.name = f"prueba-{uuid.uuid4().hex[:10]}"
        self.prefix = f"prueba-{uuid.uuid4().hex[:8]}"
        self.folder = copy_package(root, self.name)
        self.series = {t: f"{self.prefix}-serie-{t}" for t in TABLES}
        portal.created += [self.name, *self.series.values()]  # purged by the session fixture
        self.first = publish(portal, self.folder, self.prefix)

    def dataset(self) -> dict:
        return api(self.portal, "package_show", id=self.name)

    def resource(self, table: str) -> dict:
        return by_key(self.dataset())[f"recurso:{table}"]

    def series_resource(self, table: str) -> dict:
        return by_key(api(self.portal, "package_show", id=self.series[table]))[f"serie:{table}"]


@pytest.fixture(scope="module")
def published(portal, tmp_path_factory) -> Published:
    return Published(portal, tmp_path_factory.mktemp("paquete"))


@pytest.fixture(scope="module")
def second_period(portal, published, tmp_path_factory) -> Path:
    """The report of May–August 2021 (a variant of the bundled one), built and published into the same series."""
    work = tmp_path_factory.mktemp("segundo")
    report = work / "sosep-2021-cuatrimestre-2.txt"
    report.write_text(with_period(bundled_text(), "mayo-agosto", 2021), encoding="utf-8")
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "rendicion"), "build", str(report), "--out", str(work / "out")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    name = f"prueba-{uuid.uuid4().hex[:10]}"
    portal.created.append(name)
    folder = copy_package(work, name, source=work / "out" / "sosep-informe-cuatrimestral-2021-2")
    publish(portal, folder, published.prefix)
    return folder


def test_every_table_equals_its_csv_cell_by_cell(published):
    folder = published.folder
    for resource in descriptor(folder)["resources"]:
        if "schema" not in resource:
            continue
        portal_resource = published.resource(resource["name"])
        assert portal_resource["datastore_active"] is True, resource["name"]
        info = api(published.portal, "datastore_info", id=portal_resource["id"])
        wanted = {f["name"]: TYPES[f["type"]] for f in resource["schema"]["fields"]}
        got = {f["id"]: {"int4": "int"}.get(f["type"], f["type"]) for f in info["fields"]}
        assert got == wanted, resource["name"]  # types from the Table Schema, no guessing
        expected = schema_rows(folder, resource)
        stored = [{k: v for k, v in r.items() if k != "_id"} for r in rows(published.portal, portal_resource["id"])]
        assert len(stored) == len(expected) == info["meta"]["count"], resource["name"]
        assert stored == expected, resource["name"]
        key = resource["schema"].get("primaryKey")
        if key:  # the schema's primary key is the table's
            schema = api(published.portal, "datastore_info", id=portal_resource["id"], include_fields_schema=True)
            unique = [
                f["id"]
                for f in schema["fields"]
                if (f.get("schema") or {}).get("is_index") or (f.get("schema") or {}).get("uniquekey")
            ]
            assert set(key) <= set(unique) or key == unique, (resource["name"], schema["fields"])


def test_data_dictionary_labels_come_from_the_descriptor(published):
    for resource in descriptor(published.folder)["resources"]:
        if "schema" not in resource:
            continue
        info = api(published.portal, "datastore_info", id=published.resource(resource["name"])["id"])
        fields = {f["id"]: f.get("info", {}) for f in info["fields"]}
        for field in resource["schema"]["fields"]:
            notes = field.get("description", "") + (f" Unidad: {field['unidad']}." if field.get("unidad") else "")
            assert fields[field["name"]].get("label") == field["title"], field["name"]
            assert fields[field["name"]].get("notes") == notes, field["name"]


def test_views_table_first_then_the_declared_charts(published):
    dataset = published.dataset()
    first = dataset["resources"][0]
    assert first[KEY_FIELD] == "recurso:ejecucion-grupo-gasto" and first["datastore_active"]
    for spec in load_series().tables:
        views = api(published.portal, "resource_view_list", id=published.resource(spec.name)["id"])
        assert views[0]["view_type"] == "datatables_view", spec.name  # what a citizen sees first: the rows
        charts = [(v["title"], v["view_type"]) for v in views[1:]]
        assert charts == [(c.title, "charts_view") for c in spec.charts if not c.serie], spec.name
        series_views = api(published.portal, "resource_view_list", id=published.series_resource(spec.name)["id"])
        assert [v["title"] for v in series_views[1:]] == [c.title for c in spec.charts if c.serie]
    activity = next(
        v
        for v in api(published.portal, "resource_view_list", id=published.resource("ejecucion-actividad")["id"])
        if v["view_type"] == "charts_view"
    )
    assert activity["y"] == ["asignado", "vigente", "ejecutado"] and activity["x"] == "actividad"
    page = requests.get(f"{published.portal.url}/dataset/{published.name}/resource/{first['id']}", timeout=60).text
    for title in ["Tabla", *[c.title for c in load_series().table("ejecucion-grupo-gasto").charts if not c.serie]]:
        assert title in page  # the resource page lists its views


def test_no_op_republish_writes_nothing(published):
    portal = published.portal
    before = published.dataset()
    series_before = {t: api(portal, "package_show", id=n)["metadata_modified"] for t, n in published.series.items()}
    tables_before = {t: rows(portal, published.resource(t)["id"]) for t in TABLES}
    again = publish(portal, published.folder, published.prefix)
    assert not again.changed and again.rounds == 0
    assert not WRITES & set(again.calls_by_action), again.calls_by_action
    assert set(again.calls_by_action) <= {"package_show", "descarga (HEAD)"}
    assert again.calls_by_action["package_show"] == 1 + len(TABLES)  # the report and each series
    after = published.dataset()
    assert after["metadata_modified"] == before["metadata_modified"]
    assert [(r["id"], r.get("last_modified"), r["metadata_modified"]) for r in after["resources"]] == [
        (r["id"], r.get("last_modified"), r["metadata_modified"]) for r in before["resources"]
    ]
    assert {
        t: api(portal, "package_show", id=n)["metadata_modified"] for t, n in published.series.items()
    } == series_before
    assert {t: rows(portal, published.resource(t)["id"]) for t in TABLES} == tables_before


def test_series_holds_every_period_and_republishing_replaces_only_its_own(published, second_period):
    portal = published.portal
    for spec in load_series().tables:
        rid = published.series_resource(spec.name)["id"]
        counts = api(
            portal,
            "datastore_search_sql",
            sql=f'SELECT periodo, COUNT(*) AS n FROM "{rid}" GROUP BY periodo ORDER BY periodo',
        )["records"]
        expected = len(
            schema_rows(
                published.folder, next(r for r in descriptor(published.folder)["resources"] if r["name"] == spec.name)
            )
        )
        assert [(r["periodo"], int(r["n"])) for r in counts] == [("2021-C1", expected), ("2021-C2", expected)]
    # alias: the series answers to its dataset's name
    assert len(rows(portal, published.series["albergues"])) == 6

    # A corrected first-period report: only 2021-C1 rows change, in the report's table and in the series.
    rid = published.series_resource("hogares-comunitarios")["id"]
    second_before = rows(portal, rid, filters={"periodo": "2021-C2"})
    csv_path = published.folder / "data" / "hogares-comunitarios.csv"
    text = csv_path.read_text(encoding="utf-8")
    assert "16,Alta Verapaz,10,0,20,611\n" in text
    csv_path.write_text(
        text.replace("16,Alta Verapaz,10,0,20,611\n", "16,Alta Verapaz,10,0,20,612\n"), encoding="utf-8"
    )
    result = publish(portal, published.folder, published.prefix)
    assert result.calls_by_action.get("datastore_upsert") == 2, result.calls_by_action  # report table, series
    assert "datastore_delete" not in result.calls_by_action  # replaced in place: never missing for a reader
    report_rows = rows(
        portal, published.resource("hogares-comunitarios")["id"], filters={"departamento": "Alta Verapaz"}
    )
    assert [r["ninos_beneficiarios"] for r in report_rows] == [612]
    first = rows(portal, rid, filters={"periodo": "2021-C1", "departamento": "Alta Verapaz"})
    assert [r["ninos_beneficiarios"] for r in first] == [612]
    assert rows(portal, rid, filters={"periodo": "2021-C2"}) == second_before
    stored = [
        {k: v for k, v in r.items() if k != "_id"}
        for r in rows(portal, published.resource("hogares-comunitarios")["id"])
    ]
    resource = next(r for r in descriptor(published.folder)["resources"] if r["name"] == "hogares-comunitarios")
    assert sorted(stored, key=lambda r: r["departamento_codigo"]) == sorted(
        schema_rows(published.folder, resource), key=lambda r: r["departamento_codigo"]
    )
    csv_path.write_text(text, encoding="utf-8")  # back as published, for the tests that follow
    publish(portal, published.folder, published.prefix)


def test_citizen_guide_examples_give_the_answers_it_states(published, second_period):
    guide = (ROOT / "docs" / "ciudadania.md").read_text(encoding="utf-8")
    portal = published.portal
    # 1. filters
    (row,) = rows(portal, published.resource("hogares-comunitarios")["id"], filters={"departamento": "Alta Verapaz"})
    assert row["ninos_beneficiarios"] == 611 and "`ninos_beneficiarios` = **611**" in guide
    # 2. q
    (row,) = api(
        portal,
        "datastore_search",
        resource_id=published.resource("metas-fisicas")["id"],
        q="alimentación complementaria",
    )["records"]
    assert (row["meta"], row["ejecucion"], row["porcentaje_ejecucion"]) == (22000, 13756, Decimal("62.53"))
    assert "**22000**" in guide and "**13756**" in guide and "**62.53**" in guide
    # 3. datastore_search_sql on the series, its id found through its alias
    alias = published.series["hogares-comunitarios"]
    rid = api(portal, "datastore_search", resource_id=alias, limit=0)["resource_id"]
    sql = re.search(r"sql=(SELECT .*?)'", guide).group(1).replace("<resource_id>", rid)
    answer = api(portal, "datastore_search_sql", sql=sql)["records"]
    assert [(r["periodo"], int(r["ninos"])) for r in answer] == [("2021-C1", 13756), ("2021-C2", 13756)]
    assert "`2021-C1`, **13756**" in guide


def chromium(url: str, shot: Path) -> str:
    """Headless Chromium (Debian's package): the page's DOM after its scripts ran, and a screenshot."""
    assert CHROMIUM.exists(), "falta /usr/bin/chromium: make setup lo instala (apt-get install chromium)"
    done = subprocess.run(
        [
            str(CHROMIUM),
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1280,1600",
            "--virtual-time-budget=15000",
            f"--screenshot={shot}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 10_000, shot
    return done.stdout


def test_browser_shows_the_table_with_the_rows_and_the_chart(published, tmp_path):
    resource = published.resource("ejecucion-actividad")
    views = api(published.portal, "resource_view_list", id=resource["id"])
    page = f"{published.portal.url}/dataset/{published.name}/resource/{resource['id']}"
    # The resource page shows its first view (the table) in an iframe; the view itself is what it loads.
    dom = chromium(
        f"{published.portal.url}/dataset/{published.name}/resource/{resource['id']}/view/{views[0]['id']}",
        tmp_path / "tabla.png",
    )
    for row in schema_rows(
        published.folder,
        next(r for r in descriptor(published.folder)["resources"] if r["name"] == "ejecucion-actividad"),
    ):
        assert row["actividad"] in dom  # every row of the report, rendered by DataTables from the DataStore
    assert "7674675.24" in dom
    # printed as the report (and the CSV) prints it, not as a float: 32595100.00, not 32595100.0
    assert ">32595100.00<" in dom and "33038461.00" in dom and ">32595100.0<" not in dom
    assert "Tabla" in chromium(page, tmp_path / "recurso.png")
    chart = views[1]
    dom = chromium(f"{page}?view_id={chart['id']}", tmp_path / "grafico.png")
    assert chart["title"] in dom and "<canvas" in dom  # Chart.js drew into its canvas
    series = published.series_resource("hogares-comunitarios")
    series_views = api(published.portal, "resource_view_list", id=series["id"])
    dom = chromium(
        f"{published.portal.url}/dataset/{published.series['hogares-comunitarios']}/resource/"
        f"{series['id']}?view_id={series_views[1]['id']}",
        tmp_path / "serie.png",
    )
    assert "plot-container" in dom or "js-plotly-plot" in dom  # Plotly drew the chart over the periods
