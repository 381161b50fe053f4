"""What a person using the local CKAN portal notices (needs the real services)."""

from __future__ import annotations

import io
import time

import ckanapi
import pytest
import requests

from .conftest import run_start_script

pytestmark = pytest.mark.services

CSV = "departamento,asignado,ejecutado\nGuatemala,1000.00,750.50\nPetén,200.00,0.00\n".encode()


@pytest.fixture(scope="module")
def dataset(admin: ckanapi.RemoteCKAN, organization: dict, unique: str) -> dict:
    """A public dataset with one uploaded CSV (purged with its organization)."""
    pkg = admin.action.package_create(
        name=f"test-ejecucion-{unique}",
        title=f"Ejecución presupuestaria cuatrimestral {unique}",
        notes="Presupuesto asignado y ejecutado por departamento.",
        owner_org=organization["id"],
        license_id="cc-by",
        tags=[{"name": "presupuesto"}],
    )
    admin.action.resource_create(
        package_id=pkg["id"], name="ejecucion.csv", format="CSV", upload=("ejecucion.csv", io.BytesIO(CSV))
    )
    return admin.action.package_show(id=pkg["id"])


def test_home_page_and_dataset_list_answer(portal: str) -> None:
    home = requests.get(portal + "/", timeout=30)
    assert home.status_code == 200
    assert "Rendición abierta" in home.text
    assert requests.get(portal + "/dataset/", timeout=30).status_code == 200


def test_uploaded_csv_downloads_byte_identical(dataset: dict) -> None:
    (resource,) = dataset["resources"]
    assert resource["url_type"] == "upload"
    download = requests.get(resource["url"], timeout=30)
    assert download.status_code == 200
    assert download.content == CSV


def test_search_finds_dataset_by_title_word(anonymous: ckanapi.RemoteCKAN, dataset: dict, unique: str) -> None:
    found = anonymous.action.package_search(q=f"cuatrimestral {unique}")
    assert [d["name"] for d in found["results"]] == [dataset["name"]]
    # accents do not matter, as with Solr's folding filter
    assert anonymous.action.package_search(q=f"ejecucion {unique}")["count"] == 1
    assert anonymous.action.package_search(q=f"nadaqueencontrar{unique}")["count"] == 0


def test_search_filters_by_organization_with_facets(
    anonymous: ckanapi.RemoteCKAN, organization: dict, dataset: dict
) -> None:
    found = anonymous.action.package_search(
        fq=f"organization:{organization['name']}",
        **{"facet.field": ["organization", "tags", "res_format", "license_id"]},
    )
    assert [d["name"] for d in found["results"]] == [dataset["name"]]
    assert found["facets"]["organization"] == {organization["name"]: 1}
    assert found["facets"]["res_format"] == {"CSV": 1}
    assert found["facets"]["tags"] == {"presupuesto": 1}


def test_html_pages_show_the_dataset(portal: str, organization: dict, dataset: dict, unique: str) -> None:
    for path in (
        f"/dataset/?q=cuatrimestral+{unique}",
        f"/organization/{organization['name']}",
        f"/dataset/{dataset['name']}",
    ):
        page = requests.get(portal + path, timeout=30)
        assert page.status_code == 200, path
        assert dataset["title"] in page.text, path


def test_private_dataset_hidden_from_anonymous(
    admin: ckanapi.RemoteCKAN, anonymous: ckanapi.RemoteCKAN, organization: dict, unique: str
) -> None:
    admin.action.package_create(
        name=f"test-privado-{unique}", title=f"Borrador {unique}", owner_org=organization["id"], private=True
    )
    query = {"q": f"Borrador {unique}", "include_private": True}
    assert admin.action.package_search(**query)["count"] == 1
    assert anonymous.action.package_search(**query)["count"] == 0


def test_dataset_turtle_is_dcat(portal: str, dataset: dict) -> None:
    ttl = requests.get(f"{portal}/dataset/{dataset['name']}.ttl", timeout=30)
    assert ttl.status_code == 200
    assert "dcat:Dataset" in ttl.text
    assert "dcat:distribution" in ttl.text
    catalog = requests.get(f"{portal}/catalog.ttl", timeout=30)
    assert catalog.status_code == 200
    assert "dcat:Catalog" in catalog.text


def test_second_start_succeeds_on_running_portal(portal: str) -> None:
    began = time.monotonic()
    result = run_start_script()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == portal
    assert time.monotonic() - began < 60  # a generous bound; it takes about a second
