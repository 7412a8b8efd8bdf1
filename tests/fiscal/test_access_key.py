from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from fiscal.sri.access_key import (
    InvalidAccessKey,
    access_key_build,
    access_key_is_valid,
    access_key_parse,
    check_digit_mod11,
    numeric_code_derive,
)
from tests.sri_official import SAMPLES_DIR

SAMPLES = SAMPLES_DIR / "scripts-facturacion"

# Public unsigned samples whose check digits are valid (see shared/sri/SOURCES.md).
KNOWN_KEYS = [
    "0510201801171709150600110010010000000031234567814",
    "0510201804171709150600110010010000000021234567818",
]


@pytest.mark.parametrize("key", KNOWN_KEYS)
def test_check_digit_matches_public_examples(key):
    assert check_digit_mod11(key[:48]) == key[48]
    assert access_key_is_valid(key)


@pytest.mark.xsd  # the public samples live beside the official schemas
def test_check_digit_of_every_unsigned_public_sample():
    files = sorted(Path(SAMPLES).glob("*.xml"))
    assert files, f"public samples not found under {SAMPLES}"
    for path in files:
        key = etree.parse(str(path)).findtext(".//claveAcceso")
        assert check_digit_mod11(key[:48]) == key[48], path.name


@pytest.mark.parametrize(
    ("body_tail", "expected"),
    [
        ("0", "0"),  # 0 % 11 = 0 -> 11 - 0 = 11 -> "0"
        ("6", "1"),  # 6*2 = 12 -> 12 % 11 = 1 -> 11 - 1 = 10 -> "1"
        ("4", "3"),  # 4*2 = 8 -> 11 - 8 = 3
        ("11", "6"),  # 1*2 + 1*3 = 5 -> 11 - 5 = 6
    ],
)
def test_check_digit_special_cases(body_tail, expected):
    assert check_digit_mod11(body_tail) == expected


def test_build_then_parse_round_trips():
    key = access_key_build(
        fecha=date(2026, 11, 20),
        cod_doc="01",
        ruc="1790012345001",
        ambiente="2",
        estab="001",
        pto_emi="002",
        secuencial="000000123",
        numeric_code="12345678",
    )
    assert len(key) == 49
    assert key[:48] == "201120260117900123450012001002000000123123456781"
    parsed = access_key_parse(key)
    assert parsed.fecha == date(2026, 11, 20)
    assert (parsed.ruc, parsed.secuencial, parsed.ambiente) == (
        "1790012345001",
        "000000123",
        "2",
    )
    assert parsed.value == key


def test_rebuilding_a_public_key_from_its_fields_gives_the_same_key():
    key = KNOWN_KEYS[0]
    p = access_key_parse(key)
    rebuilt = access_key_build(
        fecha=p.fecha,
        cod_doc=p.cod_doc,
        ruc=p.ruc,
        ambiente=p.ambiente,
        estab=p.estab,
        pto_emi=p.pto_emi,
        secuencial=p.secuencial,
        numeric_code=p.numeric_code,
        tipo_emision=p.tipo_emision,
    )
    assert rebuilt == key


def test_wrong_check_digit_is_rejected():
    bad = KNOWN_KEYS[0][:48] + "5"
    assert not access_key_is_valid(bad)
    with pytest.raises(InvalidAccessKey, match="check digit"):
        access_key_parse(bad)


@pytest.mark.parametrize("bad", ["", "123", "x" * 49, KNOWN_KEYS[0] + "0"])
def test_malformed_keys_are_rejected(bad):
    assert not access_key_is_valid(bad)
    with pytest.raises(InvalidAccessKey):
        access_key_parse(bad)


def test_build_rejects_short_fields():
    with pytest.raises(InvalidAccessKey, match="ruc"):
        access_key_build(
            fecha=date(2026, 1, 1),
            cod_doc="01",
            ruc="179001234500",
            ambiente="1",
            estab="001",
            pto_emi="001",
            secuencial="000000001",
            numeric_code="00000001",
        )


def test_numeric_code_is_deterministic_and_8_digits():
    args = {"ruc": "1790012345001", "cod_doc": "01", "estab": "001", "pto_emi": "001"}
    first = numeric_code_derive(secuencial="000000001", **args)
    assert first == numeric_code_derive(secuencial="000000001", **args)
    assert first != numeric_code_derive(secuencial="000000002", **args)
    assert len(first) == 8 and first.isdigit()


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    ruc=st.from_regex(r"\A[0-9]{10}001\Z"),
    secuencial=st.integers(min_value=1, max_value=999_999_999),
    numeric=st.integers(min_value=0, max_value=99_999_999),
    ambiente=st.sampled_from("12"),
    cod_doc=st.sampled_from(["01", "04"]),
)
def test_any_built_key_parses_back_to_its_fields(
    day, ruc, secuencial, numeric, ambiente, cod_doc
):
    key = access_key_build(
        fecha=day,
        cod_doc=cod_doc,
        ruc=ruc,
        ambiente=ambiente,
        estab="001",
        pto_emi="001",
        secuencial=f"{secuencial:09d}",
        numeric_code=f"{numeric:08d}",
    )
    parsed = access_key_parse(key)
    assert (parsed.fecha, parsed.ruc, parsed.cod_doc) == (day, ruc, cod_doc)
    assert int(parsed.secuencial) == secuencial
    assert int(parsed.numeric_code) == numeric
