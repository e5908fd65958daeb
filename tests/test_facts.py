"""Facts users can trust (issue 13): each defect an audit found, checked where a user sees it.

On the database built from the official files in ../shared/data (skipped without them): the service, the
command line, the JSON API and the code page must all say the same, corrected fact.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from medcodes.cli import main
from medcodes.errors import AsOfOutOfRange, CodeNoLongerValid
from medcodes.models import HistoryKind, RelationKind
from medcodes.service import CodeService
from medcodes.systems import SystemId

from .test_web_support import read

CM, PCS, HCPCS = SystemId.ICD10CM, SystemId.ICD10PCS, SystemId.HCPCS


@pytest.fixture(scope="module")
def service(full_service: CodeService) -> CodeService:
    return full_service


@pytest.fixture(scope="module")
def client(full_client: TestClient) -> TestClient:
    return full_client


def _show_json(full_db: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["show", *args, "--json", "--db", str(full_db)])
    assert result.exit_code == 0, result.output
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def _show_text(full_db: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["show", *args, "--db", str(full_db)], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    return result.stdout


# ---------------------------------------------------------------------------------------------- 1. ICD-11 bridge
def test_a_cm_code_is_not_linked_to_icd11_through_a_who_number_cms_reused(service: CodeService) -> None:
    _, mappings = service.map("K55.3", CM, SystemId.ICD11)
    assert "DA97.0" not in {m.code for m in mappings}  # WHO K55.3: angiodysplasia of small intestine
    assert [m.code for m in service.map("K58.1", CM, SystemId.ICD11)[1]] == ["DD91.0Z"]  # via WHO K58
    assert service.map("R65.2", CM, SystemId.ICD11)[1] == []
    assert service.map("H54.3", CM, SystemId.ICD11)[1] == []


def test_a_bridged_link_is_indirect_and_never_equivalent(service: CodeService, full_db: Path) -> None:
    (mapping,) = service.map("E11.9", CM, SystemId.ICD11)[1]
    assert mapping.relation.flags[:2] == ("indirect", "via WHO ICD-10 E11.9")
    assert "equivalent" not in mapping.relation.flags
    bridged = [r for r in service.show("M54.5").relations if r.source == "who-10to11-one-via-icd10"]
    assert bridged and all("equivalent" not in r.flags for r in bridged)
    explained = service.explain_facts("K55.3", CM)
    lines = [line.text for section in explained.sections for line in section.lines]
    assert not [text for text in lines if "DA97.0" in text]


# ---------------------------------------------------------------------------------------------- 2. direction
def test_the_conversion_table_reads_from_the_previous_code_to_the_new_one(service: CodeService, full_db: Path) -> None:
    (link,) = [r for r in service.show("E11.9").relations if "E11.A" in (r.source_code, r.target_code)]
    assert (link.source_code, link.kind, link.target_code) == ("E11.9", RelationKind.PREVIOUS_CODE_OF, "E11.A")
    older, newer = _show_text(full_db, "E11.9"), _show_text(full_db, "E11.A")
    assert "previous code: this code was used for it before it existed; effective 2025-10-01" in older
    assert "\n      E11.A Type 2 diabetes mellitus without complications in remission" in older
    assert "previous code: it was used for this code before this code existed; effective 2025-10-01" in newer
    assert "\n      E11.9 Type 2 diabetes mellitus without complications" in newer
    assert {r.target_code for r in service.show("J44.1").relations if r.kind is RelationKind.PREVIOUS_CODE_OF} == {
        "J4A.0",
        "J4A.8",
        "J4A.9",
    }
    facts = service.explain_facts("E11.A", CM)
    lines = [(line.label, line.text) for s in facts.sections for line in s.lines]
    assert any(
        label.startswith("ICD-10-CM, previous code: it was used for this code")
        and text.startswith("E11.9 ")
        and "conversion table" in text
        for label, text in lines
    )


def test_the_api_and_the_page_give_the_direction_in_words(client: TestClient) -> None:
    body = client.get("/api/v1/codes/icd10cm/E11.A").json()
    (link,) = [r for r in body["relations"] if r["kind"] == "previous_code_of"]
    assert (link["source_code"], link["target_code"]) == ("E11.9", "E11.A")
    crosswalks = read(client.get("/code/icd10cm/E11.A", follow_redirects=True).text).text("crosswalks")
    assert "previous code: it was used for this code before this code existed" in crosswalks
    assert "E11.9 Type 2 diabetes mellitus without complications" in crosswalks


# ---------------------------------------------------------------------------------------------- 3. headers
def test_a_code_expanded_into_subcodes_is_not_called_deleted(service: CodeService, full_db: Path) -> None:
    history = service.show("M54.5").history
    assert [(e.kind, e.replaced_by) for e in history] == [(HistoryKind.EXPANDED, ("M54.50", "M54.51", "M54.59"))]
    text = _show_text(full_db, "M54.5")
    assert "expanded into subcodes on 2021-10-01: M54.50, M54.51, M54.59" in text
    assert "deleted" not in text
    (event,) = service.show("B88.0").history
    assert (event.kind, event.old_title) == (HistoryKind.EXPANDED, "Other acariasis")


def test_no_code_of_the_current_release_is_called_deleted(service: CodeService) -> None:
    rows = service.store.connection.execute(
        "SELECT count(*) FROM history h JOIN concepts c ON c.system = h.system AND c.code = h.code"
        " WHERE h.system = 'icd10cm' AND h.kind = 'deleted'"
    ).fetchone()
    assert rows[0] == 0


# ---------------------------------------------------------------------------------------------- 4. addenda
def test_the_fy2026_title_revisions_are_history(service: CodeService) -> None:
    (event,) = service.show("L02.212").history
    assert (event.kind, event.effective) == (HistoryKind.REVISED, dt.date(2025, 10, 1))
    assert event.old_title == "Cutaneous abscess of back [any part, except buttock]"
    assert event.new_title == "Cutaneous abscess of back [any part, except buttock and flank]"
    revised = service.store.connection.execute(
        "SELECT count(*) FROM history WHERE system = 'icd10cm' AND kind = 'revised' AND release = '2026'"
    ).fetchone()
    assert revised[0] == 45


# ---------------------------------------------------------------------------------------------- 5. GEM no map
def test_a_gem_no_map_row_says_what_the_gem_says(service: CodeService, full_db: Path, client: TestClient) -> None:
    _, mappings = service.map("R29.700", CM, SystemId.ICD9CM)
    (no_map,) = mappings
    assert no_map.relation.kind is RelationKind.NO_MAP
    assert no_map.relation.detail == "The 2018 GEM lists no ICD-9-CM equivalent for R29.700"
    result = CliRunner().invoke(main, ["map", "R29.700", "--to", "icd9cm", "--db", str(full_db)])
    assert "The 2018 GEM lists no ICD-9-CM equivalent for R29.700" in result.stdout
    assert "No mapping" not in result.stdout
    facts = service.explain_facts("R29.700", CM)
    lines = [(line.label, line.text) for section in facts.sections for line in section.lines]
    assert any(
        label == "ICD-9-CM, no match: the table says there is none"
        and text.startswith("The 2018 GEM lists no ICD-9-CM equivalent for R29.700 (from the CMS General")
        for label, text in lines
    )
    body = client.get("/api/v1/codes/icd10cm/R29.700").json()
    assert [r["detail"] for r in body["relations"] if r["kind"] == "no_map"] == [
        "The 2018 GEM lists no ICD-9-CM equivalent for R29.700"
    ]


# ---------------------------------------------------------------------------------------------- 6. as of a date
def test_as_of_a_date_before_its_expansion_a_header_was_billable(service: CodeService, full_db: Path) -> None:
    detail = service.show("M54.5", CM, as_of=dt.date(2021, 9, 30))
    assert detail.concept.billable
    assert detail.children == ()  # M54.50, M54.51, M54.59 came on 2021-10-01
    assert any("expanded into subcodes on 2021-10-01" in note for note in detail.as_of_notes)
    assert _show_json(full_db, "M54.5", "--as-of", "2021-09-30")["billable"] is True


def test_as_of_a_date_notes_naming_later_codes_are_left_out(service: CodeService) -> None:
    now = service.show("E11.9")
    then = service.show("E11.9", CM, as_of=dt.date(2020, 1, 1))
    assert any("E11.A" in n.text for n in now.notes)
    assert not [n for n in then.notes if "E11.A" in n.text]
    assert not [r for r in then.relations if "E11.A" in (r.source_code, r.target_code)]
    assert any("E11.A" in note for note in then.as_of_notes)
    assert any("current release" in note for note in then.as_of_notes)


def test_as_of_hcpcs_add_and_termination_dates(service: CodeService) -> None:
    with pytest.raises(CodeNoLongerValid, match="deleted on 2019-01-01"):
        service.show("C8904", HCPCS, as_of=dt.date(2019, 2, 1))
    assert service.show("C8904", HCPCS, as_of=dt.date(2018, 6, 1)).concept.billable
    assert service.show("A4466", HCPCS, as_of=dt.date(2016, 6, 1)).concept.billable
    assert not service.show("A4466", HCPCS).concept.billable


def test_as_of_a_deleted_code_shows_its_recorded_title(service: CodeService) -> None:
    detail = service.show("T78.07XA", CM, as_of=dt.date(2025, 6, 1))
    assert detail.concept.title == "Anaphylactic reaction due to milk and dairy products, initial encounter"
    assert detail.concept.billable
    assert detail.ancestors[-1].code == "T78.07"  # its parent, still in the release
    untitled = service.show("H35.054", CM, as_of=dt.date(2016, 10, 1))
    assert untitled.concept.title == "(title not in the loaded files)"
    assert any("without its title" in note for note in untitled.as_of_notes)


def test_search_as_of_a_date_keeps_to_the_systems_in_force_then(service: CodeService) -> None:
    with pytest.raises(AsOfOutOfRange, match="1999-01-01"):
        service.search("diabetes", [CM], as_of=dt.date(1999, 1, 1))  # HCPCS reaches back, ICD-10-CM does not
    hits = service.search("wheelchair", as_of=dt.date(2010, 1, 1)).hits
    assert hits
    assert {h.system for h in hits} == {HCPCS}


def test_as_of_in_the_api_and_on_the_page(client: TestClient, full_db: Path) -> None:
    body = client.get("/api/v1/codes/icd10cm/M54.5?as_of=2021-09-30").json()
    assert (body["as_of"], body["billable"], body["children"]) == ("2021-09-30", True, [])
    assert body["as_of_notes"]
    shown = read(client.get("/code/icd10cm/M54.5?as_of=2021-09-30").text)
    assert "As of 2021-09-30" in shown.text("as-of-h")
    assert client.get("/code/icd10cm/M54.5?as_of=soon").status_code == 400
    gone = client.get("/api/v1/codes/hcpcs/C8904?as_of=2019-02-01")
    assert gone.status_code == 410
    assert "as of" in _show_text(full_db, "M54.5", "--as-of", "2021-09-30")


# ---------------------------------------------------------------------------------------------- 7. PCS axes
@pytest.mark.parametrize(
    "case",
    [
        ("XW023W7", 6, "COVID-19 Vaccine Booster"),
        ("3E01340", 7, "Influenza Vaccine"),
        ("XNS4032", 6, "Magnetically Controlled Growth Rod(s)"),
    ],
)
def test_pcs_axis_labels_are_the_codes_own_everywhere(
    service: CodeService, client: TestClient, full_db: Path, case: tuple[str, int, str]
) -> None:
    code, position, label = case
    concept = service.resolve(code, PCS)
    assert service.axes(concept)[position - 1][1].label == label
    assert client.get(f"/api/v1/codes/icd10pcs/{code}").json()["axes"][position - 1]["label"] == label
    axes = read(client.get(f"/code/icd10pcs/{code}", follow_redirects=True).text).text("axes")
    assert label in axes
    assert _show_json(full_db, code)["properties"][position - 1]["label"] == label
    facts = service.explain_facts(code, PCS)
    (structure,) = [s for s in facts.sections if s.heading == "Character by character"]
    assert structure.lines[position - 1].text == label


# ---------------------------------------------------------------------------------------------- 13. provenance
def test_index_terms_of_the_reconstructed_index_say_so(service: CodeService, client: TestClient, full_db: Path) -> None:
    terms = [d for d in service.show("E11.9").designations if d.text == "Disease, diseased, Willis'"]
    assert terms and all(d.reconstructed for d in terms)
    release = service.store.release_of(CM)
    assert release is not None
    assert [f.name for f in release.files if f.reconstructed] == ["DERIVED_icd10cm_index_2025.reconstructed.xml.gz"]
    assert "Disease, diseased, Willis' (see Diabetes) (from a reconstructed index" in _show_text(full_db, "E11.9")
    body = client.get("/api/v1/codes/icd10cm/E11.9").json()
    assert all(d["reconstructed"] for d in body["designations"] if d["text"] == "Disease, diseased, Willis'")
    page = client.get("/code/icd10cm/E11.9", follow_redirects=True).text
    assert "from a reconstructed index, not the official file" in page
    facts = service.explain_facts("E11.9", CM)
    labels = {line.label for s in facts.sections for line in s.lines if "Willis" in line.text}
    assert labels == {"Index term (from a reconstructed index, not the official file)"}
