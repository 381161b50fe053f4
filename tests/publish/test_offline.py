"""The publisher without a portal: reproducible zip, metadata mapping, the plan's rules, retries, errors."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from pipelines.publish import metadata
from pipelines.publish import series as series_datasets
from pipelines.publish.cli import publish_main
from pipelines.publish.client import Portal
from pipelines.publish.errors import ConflictError, PackageError, PermissionDenied, TransientError
from pipelines.publish.local import GUIDE_KEY, ZIP_KEY, check_package, load_package
from pipelines.publish.plan import CREATE, DELETE, UNCHANGED, UPDATE, PortalState, make_plan
from pipelines.publish.publish import check_url
from pipelines.publish.zip import build_zip


@pytest.fixture
def pkg(package_copy, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    return load_package(package_copy("prueba-offline"), work)


def test_zip_is_reproducible(package_copy, tmp_path):
    folder = package_copy("prueba-zip")
    members = check_package(folder).zip_members
    first = build_zip(folder, members, tmp_path / "a.zip").read_bytes()
    for path in folder.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))  # other mtimes must not matter
    second = build_zip(folder, members, tmp_path / "b.zip").read_bytes()
    assert first == second
    (tmp_path / "w").mkdir()
    assert load_package(folder, tmp_path / "w").file(ZIP_KEY).path.read_bytes() == first  # via the snapshot too
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names) and "datapackage.json" in names and "data/albergues.csv" in names
        assert archive.read("data/albergues.csv") == (folder / "data/albergues.csv").read_bytes()


def test_files_cover_every_package_resource(pkg):
    listed = [r["name"] for r in pkg.descriptor["resources"]]
    keys = [f.key for f in pkg.files]
    assert [k.removeprefix("recurso:") for k in keys[: len(listed)]] == listed
    assert keys[-2:] == ["paquete:datapackage.json", "paquete:zip"]
    assert len(set(keys)) == len(keys)


def test_graph_resources_are_published_when_listed(package_copy, tmp_path):
    folder = package_copy("prueba-grafo")
    listed = [r["name"] for r in json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]]
    assert {"grafo", "grafo-jsonld"} <= set(listed)  # the build lists the graph in every package
    pkg = load_package(folder, tmp_path)
    graph = [f for f in pkg.files if f.key.startswith("recurso:grafo")]
    assert [f.upload_name for f in graph] == ["grafo.ttl", "grafo.jsonld"]
    formats = [metadata.resource(f, pkg, None)["format"] for f in graph]
    assert formats == ["Turtle", "JSON-LD"]


def test_dataset_metadata_maps_to_dcat_fields(pkg):
    org = metadata.organization(pkg)
    groups = metadata.groups(pkg, org["name"])
    ds = metadata.dataset(pkg, org, groups)
    assert org["name"] == "sosep" and ds["owner_org"] == "sosep"
    assert ds["license_id"] == "cc-by" and ds["version"] == pkg.descriptor["version"]
    assert [g.title for g in groups] == [
        "Hogares Comunitarios",
        "Servicio Social",
        "Mejoramiento de las Condiciones Socioeconómicas de la Mujer",
        "Mis Años Dorados",
    ]
    extras = ds["extras"]
    assert extras["temporal_start"] == "2021-01-01" and extras["temporal_end"] == "2021-04-30"
    assert extras["spatial_uri"].endswith("Q774") and extras["spatial_text"] == "Guatemala"
    assert extras["frequency"].endswith("ANNUAL_3") and extras["language"].endswith("SPA")
    assert all(isinstance(v, str) for v in extras.values())
    assert "celdas vacías" in ds["notes"].lower() and "discrepancias" in ds["notes"].lower()
    assert "rendición de cuentas" in ds["tags"]


def _portal_copy(pkg, drop_downloads: bool = False) -> PortalState:
    """A portal state equal to what the package wants (as package_show would show it), series included."""
    org = metadata.organization(pkg)
    groups = metadata.groups(pkg, org["name"])
    url = "http://portal/dataset/x/resource/{}/download/{}"
    desired = metadata.dataset(pkg, org, groups, url.format(f"r-{GUIDE_KEY}", "ciudadania.md"))
    descriptor_url = url.format("r-paquete:datapackage.json", "datapackage.json")
    resources = []
    for f in pkg.files:
        link = url.format(f"r-{f.key}", f.upload_name)
        fields = metadata.resource(f, pkg, descriptor_url, link)
        fields["size"] = int(fields["size"])
        resources.append(
            {**fields, "id": f"r-{f.key}", "url": link, "url_type": "upload", "last_modified": "2026-01-01T00:00:00"}
        )
    dataset = {
        "id": "d1",
        "name": desired["name"],
        "state": "active",
        "organization": {"name": org["name"]},
        **{k: desired[k] for k in ("title", "notes", "license_id", "version", "url")},
        "tags": [{"name": t} for t in desired["tags"]],
        "groups": [{"name": g} for g in desired["groups"]],
        "extras": [{"key": k, "value": v} for k, v in desired["extras"].items()],
        "resources": resources,
    }
    downloads = {r["id"]: (None if drop_downloads else r["size"]) for r in resources}
    series_names = {
        series_datasets.series_name(pkg, f.resource["name"]): f
        for f in pkg.files
        if f.kind == "table" and f.resource["name"] != "departamentos"
    }
    first = make_plan(
        pkg, PortalState(True, frozenset(desired["groups"]), dataset, downloads, {n: None for n in series_names})
    )
    by_id = {r["id"]: r for r in resources}
    for step in first.tables:  # the DataStore loaded and the views made, as the fingerprints say
        by_id[f"r-{step.key}"].update(step.done, datastore_active=True)
    series = {}
    link = url.format(f"r-{GUIDE_KEY}", "ciudadania.md")  # each series links the report's guide
    for step in first.series:
        f = series_names[step.name]
        wanted = series_datasets.series_dataset(pkg, org, f.resource, link)
        guide_fields = series_datasets.series_guide(pkg, link)
        guide_fields["size"] = int(guide_fields["size"])
        series[step.name] = {
            "id": f"s-{step.name}",
            "name": step.name,
            "state": "active",
            "organization": {"name": org["name"]},
            **{k: wanted[k] for k in ("title", "notes", "license_id", "version", "url")},
            "tags": [{"name": t} for t in wanted["tags"]],
            "groups": [{"name": g} for g in wanted["groups"]],
            "extras": [{"key": k, "value": v} for k, v in wanted["extras"].items()],
            "resources": [
                {
                    "id": f"t-{step.name}",
                    "datastore_active": True,
                    "url_type": "datastore",
                    **series_datasets.series_resource(pkg, f.resource),
                    **step.done,
                },
                {**guide_fields, "id": f"g-{step.name}"},
            ],
        }
    return PortalState(True, frozenset(desired["groups"]), dataset, downloads, series)


def test_plan_for_an_identical_portal_is_empty(pkg):
    plan = make_plan(pkg, _portal_copy(pkg))
    assert not plan.changes, plan.lines()
    assert all(s.action == UNCHANGED for s in plan.steps)


def test_a_table_marked_loaded_whose_datastore_table_is_missing_is_loaded_again(pkg):
    """A publish stopped after creating a table's resource (marked datastore_active) and before loading it."""
    state = _portal_copy(pkg)
    state.dataset["extras"].append({"key": metadata.PENDING_EXTRA, "value": metadata.PENDING_VALUE})
    first, second = [r for r in state.dataset["resources"] if r[metadata.KEY_FIELD].startswith("recurso:")][:2]
    plan = make_plan(pkg, dataclasses.replace(state, missing_tables=frozenset({first["id"]})))
    loads = {t.resource_id: t.load for t in plan.tables}
    assert loads[first["id"]] == "crear" and loads[second["id"]] is None
    assert all(t.views for t in plan.tables)  # not open yet: every table's views are checked again
    assert plan.activation is not None


def test_each_series_links_the_reports_guide_instead_of_a_copy(pkg):
    state = _portal_copy(pkg)
    report_guide = next(r for r in state.dataset["resources"] if r[metadata.KEY_FIELD] == GUIDE_KEY)
    assert {s.guide.action for s in make_plan(pkg, state).series} == {UNCHANGED}
    # a series still holding an uploaded copy (as published before) becomes a link to the report's
    name, series = next(iter(state.series.items()))
    guide = next(r for r in series["resources"] if r[metadata.KEY_FIELD] == GUIDE_KEY)
    guide.update(url="http://portal/dataset/s/resource/g/download/ciudadania.md", url_type="upload")
    step = next(s for s in make_plan(pkg, state).series if s.name == name)
    assert step.guide.action == UPDATE and set(step.guide.fields) >= {"url", "url_type"} and not step.guide.upload
    assert series_datasets.series_guide(pkg, report_guide["url"])["url"] == report_guide["url"]
    # no report dataset yet: every series creates its link (the URL known once the report's guide is up)
    fresh = dataclasses.replace(state, dataset=None, series={n: None for n in state.series})
    assert {s.guide.action for s in make_plan(pkg, fresh).series} == {CREATE}


def test_missing_download_link_is_patched_without_upload(pkg):
    """Published before download_url existed, or interrupted between an upload and its link: only the link."""
    state = _portal_copy(pkg)
    table = state.dataset["resources"][0]
    del table["download_url"], table["access_url"]
    state.dataset["resources"][1]["download_url"] = "http://old-site/file.csv"
    plan = make_plan(pkg, state)
    changed = [s for s in plan.resources if s.action != UNCHANGED]
    assert [(s.resource_id, s.fields, s.upload) for s in changed] == [
        (table["id"], ("download_url", "access_url"), False),
        (state.dataset["resources"][1]["id"], ("download_url",), False),
    ]
    assert changed[0].download_url == table["url"]
    assert metadata.resource(pkg.files[0], pkg, None, table["url"])["download_url"] == table["url"]
    assert "download_url" not in metadata.resource(pkg.files[0], pkg, None)


def test_plan_for_an_empty_portal_creates_everything_in_the_package_order(pkg):
    plan = make_plan(pkg, PortalState(False, frozenset(), None))
    assert plan.organization.action == CREATE and all(g.action == CREATE for g in plan.groups)
    assert plan.dataset.action == CREATE and plan.dataset.payload["private"] is True
    assert {"key": metadata.PENDING_EXTRA, "value": metadata.PENDING_VALUE} in plan.dataset.payload["extras"]
    # apply.py names each new resource, so the descriptor need not go first and nothing is reordered after
    assert [s.key for s in plan.resources] == [f.key for f in pkg.files]
    assert plan.counts()["uploads"] == len(pkg.files) and not plan.reorder and plan.activate
    # a new dataset's tables carry their fingerprints from their creation on; the views are checked until it opens
    assert plan.tables and all(t.early and t.load == "crear" and t.views for t in plan.tables)
    assert plan.series and all(s.early and s.views for s in plan.series)


def test_views_are_checked_until_the_dataset_opens_and_only_new_resources_go_early(pkg):
    """Interrupted after a table's load but before its views: the fingerprints say done, the PENDING mark does not."""
    state = _portal_copy(pkg)
    assert not any(t.changes for t in make_plan(pkg, state).tables)
    state.dataset["extras"].append({"key": metadata.PENDING_EXTRA, "value": metadata.PENDING_VALUE})
    plan = make_plan(pkg, state)
    assert all(t.views and not t.load and not t.early for t in plan.tables)
    del state.dataset["resources"][0]  # a table resource that the interrupted run had not created yet
    first = make_plan(pkg, state).tables[0]
    assert first.early and first.load == "crear"


def test_files_and_metadata_only_plan_has_no_datastore_views_or_series(pkg):
    """The narrower plan (a portal without the DataStore plugins; the benchmark's baseline)."""
    full = make_plan(pkg, PortalState(False, frozenset(), None))
    files_only = make_plan(pkg, PortalState(False, frozenset(), None), datastore=False)
    assert full.tables and full.series
    assert files_only.tables == () and files_only.series == ()
    assert files_only.steps == full.steps and files_only.activation == full.activation
    assert not any(line.startswith(("datastore", "serie")) for line in files_only.lines())


def test_an_unfinished_dataset_is_opened_only_at_the_end(pkg):
    state = _portal_copy(pkg)
    state.dataset.update(private=True, state="active")  # created by an editor: CKAN ignored "draft"
    state.dataset["extras"].append({"key": metadata.PENDING_EXTRA, "value": metadata.PENDING_VALUE})
    plan = make_plan(pkg, state)
    assert plan.dataset.action == UNCHANGED and plan.activation["private"] is False
    assert metadata.PENDING_EXTRA not in {e["key"] for e in plan.activation["extras"]}
    state.dataset.update(private=True)  # an administrator's choice on a finished dataset is kept
    state.dataset["extras"].pop()
    assert not make_plan(pkg, state).changes


def test_administrator_additions_survive(pkg):
    state = _portal_copy(pkg)
    state.dataset["extras"].append({"key": "nota_del_portal", "value": "revisado"})
    state.dataset["tags"].append({"name": "etiqueta-del-portal"})
    state.dataset["groups"].append({"name": "grupo-del-portal"})
    state.dataset["title"] = "Título cambiado"
    plan = make_plan(pkg, state)
    assert plan.dataset.action == UPDATE and plan.dataset.fields == ("title",)
    assert "tags" not in plan.dataset.payload and "extras" not in plan.dataset.payload


def test_tags_we_no_longer_set_are_removed_but_not_others(pkg):
    state = _portal_copy(pkg)
    extras = {e["key"]: e for e in state.dataset["extras"]}
    extras[metadata.TAGS_EXTRA]["value"] = json.dumps(metadata.tags(pkg) + ["vieja"])
    state.dataset["tags"] += [{"name": "vieja"}, {"name": "del-portal"}]
    plan = make_plan(pkg, state)
    tags = {t["name"] for t in plan.dataset.payload["tags"]}
    assert "vieja" not in tags and "del-portal" in tags


def test_changed_file_is_uploaded_and_only_it(pkg):
    state = _portal_copy(pkg)
    target = state.dataset["resources"][2]
    target["hash"] = "0" * 64
    plan = make_plan(pkg, state)
    changed = [s for s in plan.resources if s.action != UNCHANGED]
    assert [(s.key, s.upload) for s in changed] == [(target[metadata.KEY_FIELD], True)]
    assert plan.dataset.action == UNCHANGED


def test_duplicates_and_lost_files_are_repaired(pkg):
    state = _portal_copy(pkg)
    copy = dict(state.dataset["resources"][0], id="duplicate")
    state.dataset["resources"].append(copy)
    state.downloads["duplicate"] = copy["size"]
    state.downloads[state.dataset["resources"][1]["id"]] = None  # the portal lost this file
    plan = make_plan(pkg, state)
    assert [s.resource_id for s in plan.resources if s.action == DELETE] == ["duplicate"]
    assert [s.upload for s in plan.resources if s.action == UPDATE] == [True]


def test_dataset_of_another_organization_is_not_touched(pkg):
    state = _portal_copy(pkg)
    state.dataset["organization"] = {"name": "otra"}
    with pytest.raises(ConflictError, match="otra"):
        make_plan(pkg, state)


def test_bad_package_folder_is_one_line(tmp_path, capsys):
    (tmp_path / "vacio").mkdir()
    assert publish_main([tmp_path / "vacio"], "http://127.0.0.1:9", dry_run=True) == 1
    err = capsys.readouterr().err
    assert "datapackage.json" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    with pytest.raises(PackageError):
        load_package(tmp_path / "no-existe", tmp_path)


def test_an_oversized_descriptor_is_refused_without_reading_it_whole(package_copy, tmp_path):
    folder = package_copy("prueba-descriptor-enorme")
    descriptor = folder / "datapackage.json"
    with descriptor.open("ab") as handle:
        handle.truncate(17 * 1024 * 1024)  # JSON followed by 16 MB of NUL bytes: a sparse file, no memory
    with pytest.raises(PackageError, match="más de 16777216 bytes"):
        load_package(folder, tmp_path)


def test_a_descriptor_nested_past_the_parsers_depth_is_one_line(tmp_path):
    folder = tmp_path / "anidado"
    folder.mkdir()
    (folder / "datapackage.json").write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(PackageError, match="JSON no válido"):
        load_package(folder, tmp_path)


def test_plain_http_to_another_host_warns():
    said: list[str] = []
    check_url("http://datos.example.gt", said.append)
    check_url("http://127.0.0.1:5000", said.append)
    check_url("https://datos.example.gt", said.append)
    assert len(said) == 1 and "HTTPS" in said[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused_is_retried_then_reported():
    said: list[str] = []
    sleeps: list[float] = []
    portal = Portal(
        f"http://127.0.0.1:{_free_port()}", "secreto-123", retries=3, backoff=0.5, log=said.append, sleep=sleeps.append
    )
    with pytest.raises(TransientError) as caught:
        portal.action("package_show", {"id": "x"})
    assert sleeps == [0.5, 1.0, 2.0] and len(said) == 3
    assert "conexión rechazada" in str(caught.value) and "4 intentos" in str(caught.value)
    assert "secreto-123" not in str(caught.value) + repr(portal) + " ".join(said)


class _Flaky(BaseHTTPRequestHandler):
    """503 twice, then a CKAN answer; 403 for organization_create."""

    seen = 0

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _Flaky.seen += 1
        if self.path.endswith("organization_create"):
            body, status = (
                {"success": False, "error": {"__type": "Authorization Error", "message": "Access denied"}},
                403,
            )
        elif _Flaky.seen <= 2:
            body, status = {"oops": True}, 503
        else:
            body, status = {"success": True, "result": {"ok": 1}}, 200
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def flaky_server():
    _Flaky.seen = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_5xx_is_retried_and_403_names_the_permission(flaky_server):
    portal = Portal(flaky_server, "secreto-456", retries=3, backoff=0.01, log=lambda _: None)
    started = time.monotonic()
    assert portal.action("status_show") == {"ok": 1}
    assert time.monotonic() - started < 2 and portal.requests == 3
    with pytest.raises(PermissionDenied) as caught:
        portal.action("organization_create", {"name": "x"})
    assert "sysadmin" in str(caught.value) and "secreto-456" not in str(caught.value)


# DataStore tables: typed from the schema, refused before anything is sent when the CSV disagrees.
from pipelines.publish.tables import read_tables  # noqa: E402


def test_tables_are_typed_and_labelled_from_the_schema(pkg):
    tables = read_tables(pkg)
    assert len(tables) == sum(1 for r in pkg.descriptor["resources"] if "schema" in r)
    for resource in pkg.descriptor["resources"]:
        if "schema" not in resource:
            continue
        table = tables[f"recurso:{resource['name']}"]
        assert list(table.primary_key) == list(resource["schema"].get("primaryKey") or [])
        for field, column in zip(resource["schema"]["fields"], table.fields):
            assert column["id"] == field["name"]
            assert (
                column["type"]
                == {"integer": "int", "number": "numeric", "string": "text", "date": "date"}[field["type"]]
            )
            assert column["info"]["label"] == field["title"]
            assert column["info"]["notes"].startswith(field["description"])
            assert ("Unidad: " + field["unidad"] + ".") in column["info"]["notes"] if field.get("unidad") else True
    activity = tables["recurso:ejecucion-actividad"]
    assert activity.records[0]["asignado"] == "32595100.00"  # numbers as spelled: numeric keeps the digits


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.replace(",1706\n", ",mil\n"), "no es un número entero"),
        (lambda t: t.replace("personas_beneficiadas", "personas"), "cabecera"),
        (lambda t: t.replace("2020-11-09", "09-11-2020", 1), "no es una fecha"),
        (lambda t: t.replace(",1706\n", ",-5\n"), "minimum"),
        (lambda t: t.replace(",1706\n", ",\n"), "obligatorio"),
        (lambda t: t + t.splitlines()[1] + "\n", "clave primaria"),
        (lambda t: t.replace(",1706\n", ",2147483648\n"), "no cabe en una columna entera del DataStore"),
        (lambda t: t.replace(",1706\n", ",-2147483649\n"), "no cabe en una columna entera del DataStore"),
        (lambda t: t.replace(",1706\n", "," + "9" * 5000 + "\n"), "no es un número entero"),
        (lambda t: t.replace("Barrio el Gallito", "Barrio el\x00Gallito"), "byte nulo"),
        (lambda t: t + "x" * (33 * 1024 * 1024), "el máximo es"),
    ],
)
def test_a_csv_that_disagrees_with_its_schema_is_refused_before_any_request(package_copy, change, message):
    refused_before_any_request(package_copy, "albergues", change, message)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda t: t.replace(",32595100.00,", ",1e999999,"), "no cabe en una columna numérica del DataStore"),
        (lambda t: t.replace(",32595100.00,", ",0." + "0" * 16383 + "1,"), "no cabe en una columna numérica"),
        (lambda t: t.replace(",32595100.00,", ",NaN,"), "no es un número"),
        (lambda t: t.replace(",32595100.00,", ",1e99999999999,"), "no es un número"),
    ],
)
def test_a_number_the_datastore_cannot_hold_is_refused_before_any_request(package_copy, change, message):
    """PostgreSQL's numeric holds 131,072 digits before the point and 16,383 after: past that a load would
    fail halfway through the publication."""
    refused_before_any_request(package_copy, "ejecucion-actividad", change, message)


def _with_charts(charts):
    """A change of datapackage.json: the budget-by-group table declares `charts` instead of its own."""

    def change(text: str) -> str:
        descriptor = json.loads(text)
        for resource in descriptor["resources"]:
            if resource["name"] == "ejecucion-grupo-gasto":
                resource["graficos"] = charts
        return json.dumps(descriptor, ensure_ascii=False)

    return change


CHART = {"titulo": "t", "tipo": "barras", "categoria": "grupo_gasto", "valores": ["asignado"]}


@pytest.mark.parametrize(
    "charts, message",
    [
        ("barras", "no es una lista"),
        ([None], "cada gráfico necesita"),
        ([{"tipo": "barras"}], "cada gráfico necesita"),
        ([{**CHART, "valores": "asignado"}], "cada gráfico necesita"),  # a string is not a list of fields
        ([{**CHART, "serie": "no"}], "cada gráfico necesita"),
        ([{**CHART, "tipo": "pastel"}], "kind must be one of"),
        ([{**CHART, "valores": ["no_existe"]}], r"unknown fields \['no_existe'\]"),
        ([{**CHART, "tipo": "barras-apiladas"}], "needs «group»"),
    ],
)
def test_a_malformed_chart_declaration_is_refused_before_any_request(package_copy, charts, message):
    """The package's `graficos` are checked with the rule the table descriptions use (ChartSpec.problem);
    before, a missing key or a string of values reached the portal or ended in a traceback."""
    refused_before_any_request(package_copy, "datapackage.json", _with_charts(charts), message)


def _with(**properties):
    """A change of datapackage.json: top-level properties replaced (a key `resource0_<k>`: the first resource's)."""

    def change(text: str) -> str:
        descriptor = json.loads(text)
        for key, value in properties.items():
            if key.startswith("resource0_"):
                descriptor["resources"][0][key.removeprefix("resource0_")] = value
            else:
                descriptor[key] = value
        return json.dumps(descriptor, ensure_ascii=False)

    return change


@pytest.mark.parametrize(
    "change, message",
    [
        (_with(keywords=1), "perfil Data Package: .*'keywords'"),
        (_with(description=None), "perfil Data Package: .*'description'"),
        (_with(licenses=[1]), "perfil Data Package: .*'licenses/0'"),
        (_with(sources="x"), "perfil Data Package"),
        (_with(resource0_type="x"), "perfil Data Package"),
        (_with(**{"$schema": 1}), "perfil Data Package"),
        (_with(periodo="x"), "una propiedad no tiene la forma que espera el publicador"),
        (_with(cobertura_espacial=[]), "una propiedad no tiene la forma que espera el publicador"),
        (_with(resource0_fuente=1), "una propiedad no tiene la forma que espera el publicador"),
    ],
)
def test_a_descriptor_property_of_the_wrong_shape_is_refused_before_any_request(package_copy, change, message):
    """A package edited by hand or by another tool: fuzzing each property with None, 1, "x", [], {} gave
    51 tracebacks out of 192 (some after the plan was made); now each is one line before any request."""
    refused_before_any_request(package_copy, "datapackage.json", change, message)


def refused_before_any_request(package_copy, table: str, change, message: str) -> None:
    """`change` applied to data/<table>.csv (or to `table` itself when it names the descriptor): no request."""
    folder = package_copy("prueba-csv-malo")
    target = folder / table if table == "datapackage.json" else folder / "data" / f"{table}.csv"
    target.write_text(change(target.read_text(encoding="utf-8")), encoding="utf-8")
    requests_seen = []
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0),
        type(
            "H",
            (BaseHTTPRequestHandler,),
            {
                "do_GET": lambda self: requests_seen.append(self.path),
                "do_POST": lambda self: requests_seen.append(self.path),
                "do_HEAD": lambda self: requests_seen.append(self.path),
                "log_message": lambda *a: None,
            },
        ),
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        from pipelines.publish import publish_package

        for dry_run in (True, False):
            with pytest.raises(PackageError, match=message):
                publish_package(
                    folder,
                    f"http://127.0.0.1:{server.server_address[1]}",
                    "token",
                    dry_run=dry_run,
                    log=lambda _l: None,
                    retries=0,
                )
    finally:
        server.shutdown()
        server.server_close()
    assert requests_seen == []


def test_chart_declarations_are_checked_with_the_table(tmp_path):
    from pipelines.specs import _charts

    raw = {
        "fields": [{"name": "a"}, {"name": "b"}],
        "charts": [{"title": "t", "kind": "barras", "category": "a", "values": ["c"]}],
    }
    with pytest.raises(ValueError, match="unknown fields"):
        _charts(raw, "x.toml")
    raw["charts"] = [{"title": "t", "kind": "barras-apiladas", "category": "periodo", "values": ["b"], "serie": True}]
    with pytest.raises(ValueError, match="group"):
        _charts(raw, "x.toml")
    raw["charts"][0]["group"] = "a"
    assert _charts(raw, "x.toml")[0].group == "a"
