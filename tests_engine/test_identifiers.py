import pytest

from engine import identifiers


@pytest.mark.parametrize("value", ["732829320", "732 829 320", "552 100 554"])
def test_valid_siren(value):
    assert identifiers.is_siren(value)


@pytest.mark.parametrize("value", ["732829321", "12345678", "1234567890", "", None, "ABCDEFGHI"])
def test_invalid_siren(value):
    assert not identifiers.is_siren(value)


def test_siret_is_luhn_over_fourteen_digits():
    assert identifiers.is_siret("73282932000074")
    assert not identifiers.is_siret("73282932000075")


def test_french_vat_key():
    # docs/legal.md: key = (12 + 3 x (SIREN mod 97)) mod 97
    assert identifiers.french_vat("732829320") == "FR44732829320"
    assert identifiers.french_vat("552 100 554") == "FR96552100554"
    with pytest.raises(ValueError):
        identifiers.french_vat("123")


@pytest.mark.parametrize(("value", "siren"), [
    ("FR44732829320", "732829320"),
    ("fr 44 732 829 320", "732829320"),
    ("73282932000074", "732829320"),
    ("732829320", "732829320"),
    ("FR45732829320", None),  # wrong key
    ("BE0477472701", None),
    ("", None),
])
def test_siren_of(value, siren):
    assert identifiers.siren_of(value) == siren


@pytest.mark.parametrize(("is_company", "vat", "registry", "expected"), [
    (True, None, None, True),
    (False, "FR44732829320", None, True),
    (False, None, "732829320", True),
    (False, "", "  ", False),
    (False, None, None, False),
])
def test_is_professional(is_company, vat, registry, expected):
    assert identifiers.is_professional(is_company, vat, registry) is expected
