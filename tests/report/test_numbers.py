from decimal import Decimal

import pytest

from pipelines.report.numbers import decimals_of, is_number, parse_number, quantize, split_trailing_numbers


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("Q32,595,100.00", Decimal("32595100.00")),
        ("1,009", Decimal(1009)),
        ("23.33%", Decimal("23.33")),
        ("0", Decimal(0)),
        ("0.00%", Decimal("0.00")),
        ("18.70", Decimal("18.70")),
    ],
)
def test_printed_numbers_parse_exactly(token: str, value: Decimal) -> None:
    assert parse_number(token) == value


@pytest.mark.parametrize("token", ["1O", "6,5961,88.00", "Q", "abc", "1,00", "12a"])
def test_letters_or_broken_separators_are_not_numbers(token: str) -> None:
    assert not is_number(token)
    with pytest.raises(ValueError):
        parse_number(token)


def test_labels_may_contain_numbers_only_the_trailing_run_are_cells() -> None:
    label, cells = split_trailing_numbers("Niños y niñas de 0 a 6 años beneficiados. 22,000 13,756 62.53", 3)
    assert label == "Niños y niñas de 0 a 6 años beneficiados."
    assert cells == ["22,000", "13,756", "62.53"]


def test_at_most_limit_cells_are_taken() -> None:
    assert split_trailing_numbers("Zona 3 1 2", 2) == ("Zona 3", ["1", "2"])


def test_rounding_is_half_up_like_the_report() -> None:
    assert quantize(Decimal("20.145"), 2) == Decimal("20.15")
    assert decimals_of("23.33%") == 2 and decimals_of("0") == 0


def test_a_currency_sign_set_apart_belongs_to_its_figure() -> None:
    from pipelines.report.numbers import split_trailing_numbers

    assert split_trailing_numbers("Servicio Social Q 7,194,735.00 Q6,596,188.00 17.83", 3) == (
        "Servicio Social",
        ["Q7,194,735.00", "Q6,596,188.00", "17.83"],
    )
    assert split_trailing_numbers("Plan Q 12", 1) == ("Plan", ["Q12"])
