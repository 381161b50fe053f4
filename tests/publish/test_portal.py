"""The publisher against the real local CKAN portal (started if it is not running).

Each test publishes its own `prueba-…` copy of the bundled package and the
session purges them, so the suite is repeatable on a portal that already
holds the bundled dataset.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import rdflib
import requests
from rdflib.namespace import DCTERMS, RDF

from pipelines.paths import ROOT
from pipelines.publish import PublishError, TransientError, publish_package
from pipelines.publish.local import load_package
from pipelines.publish.metadata import KEY_FIELD
from pipelines.publish.views import series_tables
from tests.publish.proxy import FaultyProxy

pytestmark = pytest.mark.services
QUIET = {"log": lambda _line: None, "retries": 1, "backoff": 0.05}
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")  # rdflib's closed DCAT lacks DCAT 3 terms
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")


def publish(portal, folder: Path, **kwargs):
    options = {**QUIET, **kwargs}
    return publish_package(folder, options.pop("url", portal.url), options.pop("token", portal.token), **options)


def local_files(folder: Path, tmp_path: Path) -> dict[str, bytes]:
    """What each resource must download as, by key (the zip rebuilt independently)."""
    work = tmp_path / f"expected-{time.monotonic_ns()}"
    work.mkdir()
    return {f.key: f.path.read_bytes() for f in load_package(folder, work).files}


def assert_portal_matches(portal, name: str, folder: Path, tmp_path: Path) -> dict:
    dataset = portal.show(name)
    assert dataset is not None and dataset["state"] == "active" and not dataset["private"]
    ours = [r for r in dataset["resources"] if r.get(KEY_FIELD)]
    keys = [r[KEY_FIELD] for r in ours]
    expected = local_files(folder, tmp_path)
    assert keys == list(expected), "one resource per file, in the package's order, no duplicates"
    for r in ours:
        body = portal.download(r["url"])
        assert body == expected[r[KEY_FIELD]], f"{r[KEY_FIELD]} downloads different bytes"
        assert r["hash"] == hashlib.sha256(body).hexdigest()
    return dataset


def assert_tables_loaded(portal, dataset: dict, folder: Path) -> None:
    """Each table's resource says its DataStore table is there (a boolean), and the table holds the CSV's rows."""
    tables = [
        r for r in json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"] if "schema" in r
    ]
    by_key = {r.get(KEY_FIELD): r for r in dataset["resources"]}
    for table in tables:
        resource = by_key[f"recurso:{table['name']}"]
        assert resource.get("datastore_active") is True, table["name"]
        answer = requests.post(
            f"{portal.url}/api/3/action/datastore_search",
            json={"resource_id": resource["id"], "limit": 0},
            headers={"Authorization": portal.token},
            timeout=60,
        ).json()
        assert answer["success"], (table["name"], answer.get("error"))
        lines = (folder / table["path"]).read_text(encoding="utf-8").strip().splitlines()
        assert answer["result"]["total"] == len(lines) - 1, table["name"]


def name_not_public(portal, name: str) -> bool:
    anonymous = requests.get(f"{portal.url}/api/3/action/package_show", params={"id": name}, timeout=30)
    return anonymous.status_code in (403, 404)


def test_publish_downloads_dcat_and_search(portal, package_copy, unique_name, tmp_path):
    name = unique_name()
    folder = package_copy(name)
    result = publish(portal, folder)
    assert result.changed and result.dataset_url == f"{portal.url}/dataset/{name}"
    assert result.rounds == 1, result.plan  # the download links are set in the same round, not by the re-check
    dataset = assert_portal_matches(portal, name, folder, tmp_path)
    assert dataset["organization"]["name"] == "sosep" and dataset["license_id"] == "cc-by"
    assert {g["name"] for g in dataset["groups"]} == {
        "sosep-hogares-comunitarios",
        "sosep-servicio-social",
        "sosep-mejoramiento-mujer",
        "sosep-mis-anos-dorados",
    }

    # DCAT: the dataset and each distribution, as harvesters read /dataset/<name>.ttl
    graph = rdflib.Graph().parse(data=portal.download(f"{portal.url}/dataset/{name}.ttl").decode(), format="turtle")
    ds = next(graph.subjects(RDF.type, DCAT.Dataset))
    assert str(graph.value(ds, DCTERMS.title)) == dataset["title"]
    assert graph.value(ds, DCTERMS.temporal) is not None and graph.value(ds, DCTERMS.spatial) is not None
    assert graph.value(ds, DCTERMS.publisher) is not None and graph.value(ds, DCAT.version) is not None
    distributions = list(graph.objects(ds, DCAT.distribution))
    assert len(distributions) == len(dataset["resources"])
    expected = local_files(folder, tmp_path)
    key_of = {r["id"]: r[KEY_FIELD] for r in dataset["resources"]}
    for dist in distributions:
        assert graph.value(dist, DCAT.accessURL) is not None and graph.value(dist, DCTERMS.title) is not None
        assert (dist, DCAT.mediaType, None) in graph or (dist, DCTERMS["format"], None) in graph
        checksum = graph.value(dist, SPDX.checksum)
        assert graph.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        # dcat:downloadURL downloads the very file of the package (the distribution URI ends in the resource id)
        download = graph.value(dist, DCAT.downloadURL)
        assert download is not None, f"{dist} has no dcat:downloadURL"
        anonymous = requests.get(str(download), timeout=30)  # as a harvester fetches it: no token
        assert anonymous.status_code == 200, download
        body = anonymous.content
        assert body == expected[key_of[str(dist).rsplit("/", 1)[-1]]], f"{download} downloads different bytes"
        assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()

    # search: a word of the title, through the portal's own search
    found = portal("package_search", q="Cuatrimestral", rows=1000)
    assert name in [d["name"] for d in found["results"]]


def test_second_publish_is_a_no_op(portal, package_copy, unique_name):
    folder = package_copy(unique_name())
    publish(portal, folder)
    before = portal.show(folder.name)
    again = publish(portal, folder)
    after = portal.show(folder.name)
    assert not again.changed and again.counts["create"] == again.counts["update"] == again.counts["uploads"] == 0
    assert after["metadata_modified"] == before["metadata_modified"]
    assert [(r["id"], r["last_modified"]) for r in after["resources"]] == [
        (r["id"], r["last_modified"]) for r in before["resources"]
    ]
    # one package_show for the report and one per series dataset (plus a HEAD per file), nothing else
    assert again.api_calls == again.calls_by_action["package_show"] == 9, again.calls_by_action


def test_dry_run_writes_nothing(portal, package_copy, unique_name):
    folder = package_copy(unique_name())
    said: list[str] = []
    plan = publish(portal, folder, dry_run=True, log=said.append)
    assert portal.show(folder.name) is None and plan.counts["create"] > 0 and not plan.changed
    assert any("crear" in line for line in said)

    publish(portal, folder)
    before = portal.show(folder.name)
    csv = folder / "data" / "albergues.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace(",1706\n", ",1707\n"), encoding="utf-8")
    plan = publish(portal, folder, dry_run=True)
    assert portal.show(folder.name) == before
    assert "recurso albergues: actualizar (hash) [subir archivo]" in plan.plan
    assert "datastore albergues: reemplazar 3 filas en el DataStore" in plan.plan


def test_changed_package_updates_only_what_changed(portal, package_copy, unique_name, tmp_path):
    folder = package_copy(unique_name())
    publish(portal, folder)
    before = {r[KEY_FIELD]: r for r in portal.show(folder.name)["resources"]}
    csv = folder / "data" / "albergues.csv"
    csv.write_bytes(csv.read_bytes().replace(b"\n", b"\r\n", 1))
    # an administrator's own field and tag must survive the update
    portal(
        "package_patch",
        id=folder.name,
        extras=portal.show(folder.name)["extras"] + [{"key": "nota_del_portal", "value": "revisado"}],
        tags=portal.show(folder.name)["tags"] + [{"name": "etiqueta-del-portal"}],
    )
    result = publish(portal, folder)
    assert result.counts["uploads"] == 2 and result.counts["create"] == 0  # the CSV and the zip
    after = assert_portal_matches(portal, folder.name, folder, tmp_path)
    changed = {r[KEY_FIELD] for r in after["resources"] if r["last_modified"] != before[r[KEY_FIELD]]["last_modified"]}
    assert changed == {"recurso:albergues", "paquete:zip"}
    assert {"key": "nota_del_portal", "value": "revisado"} in after["extras"]
    assert "etiqueta-del-portal" in {t["name"] for t in after["tags"]}


# After the 14 reads and the dataset: the first upload, later ones (the series datasets' writes now go up
# beside them), then while the tables load (their resources are created marked datastore_active: the next
# publish must find the tables that are missing).
@pytest.mark.parametrize("cut", [17, 30, 36, 45])
def test_publish_cut_at_any_request_recovers(portal, package_copy, unique_name, tmp_path, cut):
    """Request `cut` reaches the portal but its answer is lost, and the portal vanishes for the client."""
    folder = package_copy(unique_name())
    with FaultyProxy(portal.url, drop_after=cut) as proxy, pytest.raises(TransientError):
        publish(portal, folder, url=proxy.url)
    half = portal.show(folder.name)
    assert half is None or half["private"], "a half-published dataset must not be public"
    assert name_not_public(portal, folder.name)
    publish(portal, folder)
    assert_tables_loaded(portal, assert_portal_matches(portal, folder.name, folder, tmp_path), folder)
    assert not publish(portal, folder).changed


@pytest.mark.parametrize("cut", [22, 40])
def test_new_series_go_up_beside_the_reports_files_but_open_only_after_it(portal, package_copy, unique_name, cut):
    """The series datasets are written while the report's files upload (they share nothing but the guide's
    link), yet none is public before the report's dataset is: a cut leaves them all private, a rerun opens all."""
    folder = package_copy(unique_name())
    prefix = unique_name()
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    series = [f"{prefix}-serie-{table}" for table in sorted(series_tables(descriptor))]
    portal.created.extend(series)  # purged after the tests, like the report's dataset
    with FaultyProxy(portal.url, drop_after=cut) as proxy, pytest.raises(TransientError):
        publish(portal, folder, url=proxy.url, series_prefix=prefix)
    assert name_not_public(portal, folder.name)
    assert any(portal.show(name) is not None for name in series), "the series did not go up beside the files"
    assert all(name_not_public(portal, name) for name in series)
    publish(portal, folder, series_prefix=prefix)
    assert not name_not_public(portal, folder.name)
    assert not any(name_not_public(portal, name) for name in series)
    assert not publish(portal, folder, series_prefix=prefix).changed


def test_file_lost_by_the_portal_is_uploaded_again(portal, package_copy, unique_name, tmp_path):
    """A publish killed between CKAN's database commit and its file write: CKAN 2.12 answers 500, not 404."""
    folder = package_copy(unique_name())
    publish(portal, folder)
    table = next(r for r in portal.show(folder.name)["resources"] if r[KEY_FIELD] == "recurso:albergues")
    rid = table["id"]
    (ROOT / ".portal" / "storage" / "resources" / rid[:3] / rid[3:6] / rid[6:]).unlink()
    result = publish(portal, folder)
    assert result.counts["uploads"] == 1 and result.rounds == 1, result.plan
    assert_portal_matches(portal, folder.name, folder, tmp_path)


def test_retried_call_that_had_succeeded_leaves_no_duplicate(portal, package_copy, unique_name, tmp_path):
    """The answer to a resource_create is lost and the call retried: the resource it names is found, not doubled."""
    folder = package_copy(unique_name())
    with FaultyProxy(portal.url, lose_answer_of="resource_create") as proxy:
        result = publish(portal, folder, url=proxy.url, retries=2)
    assert result.calls_by_action["resource_show"] == 1  # the retry found what the lost attempt had created
    assert result.rounds == 1, result.plan  # nothing left for a verification round to clean up
    assert_portal_matches(portal, folder.name, folder, tmp_path)


def test_portal_stopped_mid_publish_then_publish_again(portal, package_copy, unique_name, tmp_path):
    folder = package_copy(unique_name())
    env = {
        **os.environ,
        "CKAN_API_TOKEN": portal.token,
        "RENDICION_PUBLISH_RETRIES": "2",
        "RENDICION_PUBLISH_BACKOFF": "0.2",
        "PYTHONUNBUFFERED": "1",
    }
    with FaultyProxy(portal.url, delay=0.15) as proxy:  # slow enough to stop the portal half-way
        child = subprocess.Popen(
            [sys.executable, "-m", "pipelines.publish", str(folder), "--ckan-url", proxy.url],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        uploads = 0
        try:
            for line in child.stdout:
                uploads += "crear y subir" in line
                if uploads == 5:
                    subprocess.run(["bash", "portal/stop.sh"], cwd=ROOT, check=True, capture_output=True)
                    break
            out, err = child.communicate(timeout=120)
        finally:
            subprocess.run(["bash", "portal/start.sh"], cwd=ROOT, check=True, capture_output=True, timeout=600)
    assert uploads == 5, "the publish ended before the portal could be stopped"
    assert child.returncode == 1
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "no respondió" in err
    assert portal.token not in out + err
    publish(portal, folder)
    assert_portal_matches(portal, folder.name, folder, tmp_path)


def test_token_never_printed_nor_written(portal, package_copy, unique_name, tmp_path):
    folder = package_copy(unique_name())
    env = {**os.environ, "CKAN_API_TOKEN": portal.token, "TMPDIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.publish", str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert portal.token not in done.stdout + done.stderr
    for path in [*folder.rglob("*"), *tmp_path.rglob("*")]:
        if path.is_file():
            assert portal.token.encode() not in path.read_bytes(), path
    result = publish(portal, folder)
    assert portal.token not in json.dumps(result.__dict__, default=str)


def test_forbidden_names_the_missing_permission(portal, package_copy, unique_name):
    user = f"lector-{unique_name()}"
    portal("user_create", name=user, email=f"{user}@example.org", password="contrasena-larga-123")
    token = portal("api_token_create", user=user, name="prueba")["token"]
    folder = package_copy(unique_name())
    try:
        with pytest.raises(PublishError) as caught:
            publish(portal, folder, token=token)
    finally:
        portal("user_delete", id=user)
    message = str(caught.value)
    assert "403" in message and "editor" in message and token not in message
    with pytest.raises(PublishError, match="CKAN_API_TOKEN"):
        publish(portal, folder, token=None)


def test_editor_token_publishes_and_never_shows_a_half_dataset(portal, package_copy, unique_name, tmp_path):
    """The permissions docs/publicacion.md lists are enough; CKAN ignores 'draft' for editors, 'private' holds."""
    publish(portal, package_copy(unique_name()))  # a sysadmin's first publish creates the organization and groups
    user = f"editor-{unique_name()}"
    portal("user_create", name=user, email=f"{user}@example.org", password="contrasena-larga-123")
    try:
        portal("organization_member_create", id="sosep", username=user, role="editor")
        for group in ("hogares-comunitarios", "servicio-social", "mejoramiento-mujer", "mis-anos-dorados"):
            portal("group_member_create", id=f"sosep-{group}", username=user, role="editor")
        token = portal("api_token_create", user=user, name="prueba")["token"]
        folder = package_copy(unique_name())
        with FaultyProxy(portal.url, drop_after=30) as proxy, pytest.raises(TransientError):
            publish(portal, folder, url=proxy.url, token=token)
        assert name_not_public(portal, folder.name)
        publish(portal, folder, token=token)
        assert not name_not_public(portal, folder.name)
        assert_portal_matches(portal, folder.name, folder, tmp_path)
        assert not publish(portal, folder, token=token).changed
    finally:
        portal("user_delete", id=user)
