"""A verb typed for an ICD-10-PCS root operation, read as the operation (search/operation_verbs.py): `liver
transplant` is "Transplantation of Liver", `resect appendix` "Resection of Appendix"."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcodes.search import abbreviations, index, operation_verbs
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.sources import icd10pcs
from medcodes.sources.kinds import FileKind, FoundFile
from medcodes.store.sqlite import SQLiteStore

PCS = Path(__file__).parent / "data" / "icd10pcs"


@pytest.mark.parametrize(
    ("operation", "verbs"),
    [
        ("Transplantation", ["transplant"]),
        ("Irrigation", ["irrigate"]),
        ("Alteration", ["alterate"]),  # a form no one types is read by no one
        ("Replacement", ["replace"]),
        ("Insertion", ["insert"]),
        ("Excision", ["excise"]),
        ("Dilation", ["dilate"]),
        ("Removal", ["remove"]),
        ("Drainage", []),  # "drain", and "tract" of "Traction", are shorter than a verb read so
        ("Traction", []),
        ("Repair", []),  # the noun is the verb
        ("Other Procedures", []),
    ],
)
def test_the_verbs_of_an_operation(operation: str, verbs: list[str]) -> None:
    assert operation_verbs.verbs(operation) == verbs


def test_the_build_reads_the_operations_of_the_tables(tmp_path: Path) -> None:
    content = icd10pcs.load([FoundFile(FileKind.PCS_TABLES, PCS / "appendix_tables_sample.xml", "2026")])
    assert content is not None
    store = SQLiteStore.create(tmp_path / "p.db")
    store.add_release(content)
    assert store.operations() == ["Excision", "Resection"]
    for step in (index.write, operation_verbs.save):
        step(store)
    assert operation_verbs.load(store) == {"excise": ["excision"], "resect": ["resection"]}
    assert "resection" in abbreviations.load(store)["resect"]
    engine = SearchEngine(store)
    # Before, "resect" matched "Resection" by its stem only, at half the weight of a word.
    found = engine.search(parse("resect appendix")).hits
    assert found[0].display.startswith("Resection of Appendix")
    assert "RESECT = resection" in [reason.text for reason in found[0].reasons]
