from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medcodes import systems
from medcodes.errors import InvalidCodeSyntax, UnknownSystem
from medcodes.systems import SystemId, normalize_code


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("e119", "E11.9"),
        ("E11.9", "E11.9"),
        ("e11 9", "E11.9"),
        (" E11.9 ", "E11.9"),
        ("S52521A", "S52.521A"),
        ("s52.521a", "S52.521A"),
        ("I21", "I21"),
        ("A15-A19", "A15-A19"),
    ],
)
def test_icd10cm_notations(typed: str, canonical: str) -> None:
    assert normalize_code(SystemId.ICD10CM, typed) == canonical


def test_icd10cm_missing_placeholder_readings_include_the_official_code() -> None:
    readings = systems.get("icd10cm").candidates("T4011A")
    assert "T40.1X1A" in readings
    assert readings[0] == "T40.11A"  # the literal reading comes first, the store picks what exists


def test_icd10cm_placeholder_readings_keep_seventh_character_last() -> None:
    for reading in systems.get("icd10cm").candidates("T75.20D"):
        assert reading.endswith("D")
        assert len(reading.replace(".", "")) in (6, 7)


@pytest.mark.parametrize(
    ("system", "typed", "canonical"),
    [
        (SystemId.ICD10PCS, "0ut70zz", "0UT70ZZ"),
        (SystemId.ICD10PCS, "0UT.70ZZ", "0UT70ZZ"),
        (SystemId.HCPCS, "e0601", "E0601"),
        (SystemId.HCPCS, "rt", "RT"),
        (SystemId.CPT, "74740", "74740"),
        (SystemId.ICD11, "ba41z", "BA41.Z"),
        (SystemId.ICD10, "e119", "E11.9"),
        (SystemId.ICD9CM, "25000", "250.00"),
        (SystemId.ICD9CM, "87.83", "87.83"),
        (SystemId.ICD9CM, "E800.0", "E800.0"),
        (SystemId.MSDRG, "DRG 291", "291"),
        (SystemId.MSDRG, "ms-drg 069", "069"),
        (SystemId.MSDRG, "drg 64", "064"),
        (SystemId.MSDRG, "DRG291", "291"),
        (SystemId.MSDRG, "MS DRG 159", "159"),
        (SystemId.MSDRG, "mdc 5", "MDC05"),
        (SystemId.ICD11, "xn74m", "XN74M"),
    ],
)
def test_other_systems(system: SystemId, typed: str, canonical: str) -> None:
    assert normalize_code(system, typed) == canonical


def test_icd9cm_dotless_digits_may_be_diagnosis_or_procedure() -> None:
    assert systems.get("icd9cm").candidates("8783") == ("878.3", "87.83")


@pytest.mark.parametrize(
    ("system", "typed"),
    [
        (SystemId.ICD10CM, "diabetes"),
        (SystemId.ICD10CM, "E"),
        (SystemId.ICD10PCS, "0UI70ZZ"),
        (SystemId.HCPCS, "E06011"),
        (SystemId.MSDRG, "DRG 1234"),
        (SystemId.CPT, "7474"),
    ],
)
def test_malformed_codes_explain_the_shape(system: SystemId, typed: str) -> None:
    with pytest.raises(InvalidCodeSyntax) as caught:
        normalize_code(system, typed)
    assert caught.value.shape


def test_unknown_system() -> None:
    with pytest.raises(UnknownSystem, match="known systems"):
        systems.get("snomed")


# --- properties ---------------------------------------------------------------------------------
_ALNUM = st.sampled_from("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
_cm_codes = st.builds(
    lambda letter, d, c, rest: f"{letter}{d}{c}" + (f".{rest}" if rest else ""),
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    st.sampled_from("0123456789"),
    _ALNUM,
    st.text(_ALNUM, max_size=4),
)


@given(_cm_codes)
def test_icd10cm_canonical_codes_are_fixed_points(code: str) -> None:
    assert normalize_code(SystemId.ICD10CM, code) == code


@given(_cm_codes, st.sampled_from(["lower", "dotless", "space"]))
def test_icd10cm_notations_normalize_to_the_canonical_code(code: str, style: str) -> None:
    typed = {"lower": code.lower(), "dotless": code.replace(".", ""), "space": code.replace(".", " ")}[style]
    assert normalize_code(SystemId.ICD10CM, typed) == code


@given(st.text(_ALNUM, min_size=7, max_size=7))
def test_pcs_dotted_after_three_is_the_same_code(code: str) -> None:
    assert normalize_code(SystemId.ICD10PCS, f"{code[:3]}.{code[3:]}".lower()) == code


@given(st.text())
def test_normalizers_never_raise_anything_but_invalid_syntax(text: str) -> None:
    for system in SystemId:
        try:
            readings = systems.get(system).candidates(text)
        except InvalidCodeSyntax:
            continue
        assert readings
        assert all(r == r.strip() for r in readings)


@given(st.integers(0, 999))
def test_drg_numbers_pad_to_three_digits(number: int) -> None:
    assert normalize_code(SystemId.MSDRG, f"DRG {number}") == f"{number:03d}"
