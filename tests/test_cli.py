from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from medcodes.cli import main
from medcodes.service import CodeService
from medcodes.web.app import create_app

from .helpers import FIXTURES, fixture_db, fixture_release
from .test_web_support import web_db


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fixture_db(tmp_path_factory.mktemp("cli"))


def run(db: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*args, "--db", str(db)], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_show_in_any_notation(db: Path) -> None:
    code, out, _ = run(db, "show", "e119")
    assert code == 0
    assert "E11.9" in out
    assert "Type 2 diabetes mellitus without complications" in out
    assert "(inherited from E11)" in out


def test_show_json_lists_every_fact(db: Path) -> None:
    code, out, _ = run(db, "show", "T4011A", "--json")
    assert code == 0
    detail = json.loads(out)
    assert detail["code"] == "T40.1X1A"
    assert detail["title"] == "Poisoning by heroin, accidental (unintentional), initial encounter"
    assert [a["code"] for a in detail["ancestors"]] == ["19", "T36-T50", "T40", "T40.1", "T40.1X1"]
    assert {
        "kind": "seventh_character",
        "text": "initial encounter",
        "character": "A",
        "inherited_from": "T40",
    } in detail["notes"]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web tests' database: its codes have crosswalks and similar codes."""
    return web_db(tmp_path_factory.mktemp("cli-web"))


@pytest.mark.parametrize(
    ("command", "path", "listed"),
    [
        (("show", "E11.9"), "/api/v1/codes/icd10cm/E11.9", "relations"),
        (("similar", "I21.9"), "/api/v1/codes/icd10cm/I21.9/similar", "similar"),
    ],
)
def test_json_is_the_api_answer_less_its_ok(web: Path, command: tuple[str, str], path: str, listed: str) -> None:
    # One JSON shape per model: a relation, a similar code is the same object on the command line and in the API.
    code, out, _ = run(web, *command, "--json")
    assert code == 0
    service = CodeService.at(web)
    try:
        with TestClient(create_app(service)) as client:
            api = client.get(path).json()
    finally:
        service.close()
    assert api.pop("ok") is True
    assert json.loads(out) == api
    assert api[listed]


def test_show_unknown_code_exits_1_with_closest_codes(db: Path) -> None:
    code, _, err = run(db, "show", "E11.99", "--system", "icd10cm")
    assert code == 1
    assert "No ICD-10-CM code 'E11.99' in release 2026" in err
    assert "E11.9" in err


def test_show_malformed_code_explains_the_shape(db: Path) -> None:
    code, _, err = run(db, "show", "not-a-code!", "--system", "icd10cm")
    assert code == 1
    assert "is not a ICD-10-CM code" in err or "is not an ICD-10-CM code" in err
    assert "E11.9" in err


def test_show_without_a_database_says_build_first(tmp_path: Path) -> None:
    code, _, err = run(tmp_path / "absent.db", "show", "E11.9")
    assert code == 1
    assert "medcodes build" in err


def test_search_text(db: Path) -> None:
    code, out, _ = run(db, "search", "myocardial infarct", "--json")
    assert code == 0
    codes = [r["code"] for r in json.loads(out)["results"]]
    assert codes[:1] == ["I21"] or "I21.9" in codes


def test_search_jsonl_contract(db: Path) -> None:
    stdin = (
        "\n".join(
            [
                json.dumps({"q": "e119", "systems": ["icd10cm"], "limit": 3}),
                json.dumps({"q": "heroin"}),
                "not json",
            ]
        )
        + "\n"
    )
    code, out, _ = run(db, "search", "--jsonl", stdin=stdin)
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 3
    assert lines[0]["q"] == "e119"
    assert lines[0]["results"][0] == {
        "system": "icd10cm",
        "code": "E11.9",
        "display": "Type 2 diabetes mellitus without complications",
        "score": lines[0]["results"][0]["score"],
        "billable": True,
        "why": [{"field": "code", "text": "E11.9"}],
    }
    assert lines[1]["total"] >= 1
    assert "not JSON" in lines[2]["error"]


def test_search_rejects_overlong_queries(db: Path) -> None:
    code, _, err = run(db, "search", "x" * 10_000)
    assert code == 1
    assert "too long" in err


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ('{"q": "asthma", "systems": [null]}', '"systems" must be a list of system ids (strings)'),
        ('{"q": "asthma", "systems": [1]}', '"systems" must be a list of system ids (strings)'),
        ('{"q": "asthma", "systems": [{}]}', '"systems" must be a list of system ids (strings)'),
        ('{"q": "asthma", "systems": ["icd99"]}', "Unknown code system 'icd99'"),
        ('{"q": "asthma", "limit": true}', '"limit" must be a whole number from 1 to 1000'),
        ('{"q": "asthma", "limit": 100000000}', '"limit" must be a whole number from 1 to 1000'),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_search_jsonl_answers_a_bad_line_and_goes_on(db: Path, line: str, error: str) -> None:
    stdin = line + "\n" + json.dumps({"q": "e119", "systems": ["ICD-10-CM"]}) + "\n"
    code, out, _ = run(db, "search", "--jsonl", stdin=stdin)
    bad, good = (json.loads(answer) for answer in out.splitlines())
    assert (code, bad["total"], good["results"][0]["code"]) == (0, 0, "E11.9")
    assert bad["error"].startswith("line 1: ")
    assert error in bad["error"]


def test_search_jsonl_error_repeats_only_the_start_of_a_huge_query(db: Path) -> None:
    huge = "diabetes " * 1_000_000
    code, out, _ = run(db, "search", "--jsonl", stdin=json.dumps({"q": huge}) + "\n")
    answer = json.loads(out)
    assert (code, answer["q"], answer["error"]) == (
        0,
        huge[:200] + "…",
        "line 1: query too long: 9000000 characters, at most 500",
    )
    assert len(out) < 1000


def test_a_system_is_named_the_same_way_everywhere(db: Path) -> None:
    for name in ("icd10cm", "ICD10CM", "ICD-10-CM"):
        code, out, _ = run(db, "show", "E11.9", "--system", name, "--json")
        assert (code, json.loads(out)["system"]) == (0, "icd10cm")


def test_build_reports_counts(tmp_path: Path) -> None:
    code, out, _ = run(tmp_path / "m.db", "build", "--from", str(fixture_release(tmp_path / "release")))
    assert code == 0
    assert "icd10cm" in out
    assert "13" in out


def test_build_summary_is_not_cut_to_80_columns_outside_a_terminal(tmp_path: Path) -> None:
    db = tmp_path / ("a-folder-with-a-long-name-" * 3) / "medcodes.db"
    code, out, _ = run(db, "build", "--from", str(fixture_release(tmp_path / "release")))
    assert code == 0
    assert f"Built {db}" in out  # one line, longer than 80 characters
    assert any(len(line) > 80 and "icd10cm" in line for line in out.splitlines())


def test_failed_build_exits_non_zero_and_keeps_the_old_database(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    assert run(db, "build", "--from", str(fixture_release(tmp_path / "good")))[0] == 0
    before = db.read_bytes()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "tabular.xml").write_bytes((FIXTURES / "icd10cm" / "tabular_truncated.xml").read_bytes())
    code, _, err = run(db, "build", "--from", str(bad))
    assert code == 1
    assert "tabular.xml, line" in err
    assert db.read_bytes() == before


def test_show_a_code_of_a_system_that_is_not_loaded_says_how_to_load_it(db: Path) -> None:
    code, _, err = run(db, "show", "0UT70ZZ")
    assert code == 1
    assert "'0UT70ZZ' may be an ICD-10-PCS code, but ICD-10-PCS is not loaded in this database" in err
    assert "2026-icd-10-pcs-code-tables-and-index.zip" in err
    assert "medcodes build --from DIR" in err


def test_show_with_a_system_that_is_not_loaded_says_so(db: Path) -> None:
    code, _, err = run(db, "show", "E0601", "--system", "hcpcs")
    assert code == 1
    assert "HCPCS Level II is not loaded in this database" in err


@pytest.fixture(scope="module")
def several(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Several systems: '01' is an ICD-11 chapter and an ICD-9-CM procedure category."""
    from .test_web_support import web_db

    return web_db(tmp_path_factory.mktemp("several"))


def test_show_a_code_of_several_systems_lists_them_and_exits_1(several: Path) -> None:
    code, out, err = run(several, "show", "01")
    assert code == 1
    assert out == ""
    assert "'01' is a code of 2 loaded systems" in err
    assert "--system icd11  01  Certain infectious or parasitic diseases" in err
    assert "--system icd9cm  01  Category 01" in err  # the fixture has no CDC category titles


def test_show_an_icd11_chapter(several: Path) -> None:
    code, out, _ = run(several, "show", "1", "--system", "icd11")
    assert code == 0
    assert out.startswith("01  ICD-11 MMS  chapter\nCertain infectious or parasitic diseases\n")


def test_show_names_the_kind_of_match_and_the_table_of_each_crosswalk(several: Path) -> None:
    code, out, _ = run(several, "show", "E11.9")
    assert code == 0
    assert (
        "  ICD-9-CM (1)\n    approximate - CMS General Equivalence Mappings 2018 (ICD-10-CM to ICD-9-CM) and CMS"
        " General Equivalence Mappings 2018 (ICD-9-CM to ICD-10-CM)\n      250.00 Diabetes mellitus" in out
    )


def test_show_says_a_retired_icd9cm_code_was_valid_until_2015(several: Path) -> None:
    _, out, _ = run(several, "show", "250.00")
    assert out.startswith("250.00  ICD-9-CM  retired: valid on US claims until 2015-09-30\n")
