"""Similar codes on the full database: noise that once qualified a code, and supply lists that were thin.
Needs ../shared/data (the figures over a sample are bench/similar.py's)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from medcodes.service import CodeService
from medcodes.systems import SystemId


@pytest.fixture(scope="module")
def service(full_db: Path) -> Iterator[CodeService]:
    service = CodeService.at(full_db)
    yield service
    service.close()


def _codes(service: CodeService, code: str, system: SystemId, limit: int = 10) -> set[str]:
    return {s.code for s in service.similar(code, system, limit)}


@pytest.mark.parametrize(
    ("code", "noise"),
    [
        ("M54.50", "I50.9"),  # "Syndrome, low": output (heart failure) beside back
        ("J35.8", "I33.0"),  # "Vegetation, vegetative": endocarditis beside adenoid
        ("J44.1", "J4A.0"),  # the conversion table: restrictive allograft syndrome carved out of COPD
    ],
)
def test_an_index_neighbour_or_a_conversion_row_alone_does_not_make_a_code_similar(
    service: CodeService, code: str, noise: str
) -> None:
    assert noise not in _codes(service, code, SystemId.ICD10CM, 50)


def test_a_cpap_device_lists_the_bilevel_devices_and_the_humidifiers(service: CodeService) -> None:
    assert {"E0470", "E0471", "E0561", "E0562"} <= _codes(service, "E0601", SystemId.HCPCS)


def test_a_standard_wheelchair_lists_the_lightweight_ones(service: CodeService) -> None:
    assert {"K0003", "K0004"} <= _codes(service, "K0001", SystemId.HCPCS)
