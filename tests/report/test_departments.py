import pytest

from pipelines.report.departments import closest_department, load_departments, match_department


def test_code_list_has_the_22_departments_with_iso_codes() -> None:
    departments = load_departments()
    assert [d.codigo for d in departments] == [f"{n:02d}" for n in range(1, 23)]
    assert all(d.iso_3166_2 == f"GT-{d.codigo}" for d in departments)


@pytest.mark.parametrize(
    ("printed", "code"),
    [
        ("El Quiché", "14"),
        ("Quiche", "14"),
        ("QUICHÉ", "14"),
        ("Sacatepequez", "03"),
        ("  Alta   Verapaz ", "16"),
        ("Peten", "17"),
    ],
)
def test_spelling_variants_match(printed: str, code: str) -> None:
    department = match_department(printed)
    assert department is not None and department.codigo == code


def test_unknown_name_suggests_the_closest() -> None:
    assert match_department("Huehuetenagno") is None
    assert closest_department("Huehuetenagno") == "Huehuetenango"
