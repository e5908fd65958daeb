"""Code history and crosswalks as the service answers them, on the full official releases."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from medcodes.cli import main
from medcodes.errors import AsOfOutOfRange, CodeDeleted, CodeNotYetValid
from medcodes.service import CodeService
from medcodes.systems import SystemId


@pytest.fixture(scope="module")
def service(full_db: Path) -> CodeService:
    return CodeService.at(full_db)


def test_a_deleted_code_says_what_replaced_it(service: CodeService) -> None:
    with pytest.raises(CodeDeleted) as caught:
        service.show("H35.054", SystemId.ICD10CM)
    assert caught.value.effective == "2017-10-01"
    assert caught.value.replaced_by == ("H44.2A1", "H44.2A2", "H44.2A3", "H44.2A9")


def test_a_deleted_code_as_of_a_date_it_was_valid(service: CodeService) -> None:
    detail = service.show("H35.054", SystemId.ICD10CM, as_of=dt.date(2016, 10, 1))
    assert detail.concept.code == "H35.054"


def test_a_code_added_later_is_not_valid_before(service: CodeService) -> None:
    with pytest.raises(CodeNotYetValid, match="added on 2025-10-01"):
        service.show("E11.A", SystemId.ICD10CM, as_of=dt.date(2020, 10, 1))


def test_as_of_before_every_loaded_release_lists_the_ranges(service: CodeService) -> None:
    with pytest.raises(AsOfOutOfRange) as caught:
        service.show("E11.9", as_of=dt.date(1999, 1, 1))
    assert "ICD-10-CM from 2016-10-01" in (caught.value.hint or "")


def test_search_as_of_leaves_out_codes_added_later(service: CodeService) -> None:
    now = [h.code for h in service.search("type 2 diabetes in remission", [SystemId.ICD10CM]).hits]
    then = [
        h.code
        for h in service.search("type 2 diabetes in remission", [SystemId.ICD10CM], as_of=dt.date(2024, 10, 1)).hits
    ]
    assert "E11.A" in now
    assert "E11.A" not in then


def test_map_icd9_to_icd10cm_both_directions(service: CodeService) -> None:
    concept, mappings = service.map("250.00", None, SystemId.ICD10CM)
    assert concept is not None and concept.system is SystemId.ICD9CM
    forward = [(m.code, m.relation.flags) for m in mappings if m.forward]
    assert forward == [("E11.9", ("approximate",))]
    assert {m.code for m in mappings if not m.forward} == {"E11.9", "E13.9"}


def test_map_icd10cm_to_icd11_through_the_who_stem(service: CodeService) -> None:
    _, mappings = service.map("E11.9", SystemId.ICD10CM, SystemId.ICD11)
    assert [m.code for m in mappings] == ["5A11"]
    assert "via WHO ICD-10 E11.9" in mappings[0].relation.flags


def test_map_cli_json(full_db: Path) -> None:
    result = CliRunner().invoke(main, ["map", "E11.9", "--to", "icd9cm", "--json", "--db", str(full_db)])
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert answer["source"]["code"] == "E11.9"
    assert {m["code"] for m in answer["mappings"]} == {"250.00"}


def test_show_cli_deleted_code_exits_1_with_the_replacement(full_db: Path) -> None:
    result = CliRunner().invoke(main, ["show", "H35.054", "--system", "icd10cm", "--db", str(full_db)])
    assert result.exit_code == 1
    assert "deleted on 2017-10-01" in result.stderr
    assert "H44.2A1" in result.stderr


def test_search_can_include_deleted_codes_after_the_codes_in_force(service: CodeService) -> None:
    plain = service.search("H35.054", [SystemId.ICD10CM])
    assert plain.hits == ()
    found = service.search("H35.054", [SystemId.ICD10CM], include_deleted=True)
    (hit,) = found.hits
    assert hit.code == "H35.054"
    assert not hit.billable
    assert hit.reasons[0].field == "deleted"
    assert hit.reasons[0].text.startswith("deleted on 2017-10-01; replaced by H44.2A1")
