"""The GEMs and the WHO ICD-10/ICD-11 tables: every row, with its flags (no-map rows included), as stored."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

from . import parse
from .conftest import checked

Row = tuple[str, str, str, str, str, tuple[str, ...]]  # (source system, code, kind, target system, code, flags)


def _stored(db: sqlite3.Connection, source: str) -> Counter[Row]:
    rows = db.execute(
        "SELECT source_system, source_code, kind, target_system, target_code, flags FROM relations WHERE source = ?",
        (source,),
    )
    return Counter((ss, sc, k, ts, tc, tuple(f.split("|")) if f else ()) for ss, sc, k, ts, tc, f in rows)


def _gem_code(system: str, raw: str) -> str:
    return parse.dot(raw.upper()) if system == "icd10cm" else parse.icd9_dx(raw)


def test_every_gem_row_with_its_flags(db: sqlite3.Connection, data: Path) -> None:
    """CDC Dxgem_guide_2018: flags approximate, no map, combination, scenario, choice list."""
    compared = 0
    for name, (source, target) in parse.GEMS.items():
        expected: Counter[Row] = Counter()
        for raw_source, raw_target, flags in parse.gem_rows(data / "gems" / name):
            code = _gem_code(source, raw_source)
            if flags[1] == "1":
                expected[(source, code, "no_map", target, "", ("no map",))] += 1
                continue
            words = ["approximate" if flags[0] == "1" else "identical"]
            if flags[2] == "1":
                words += ["combination", f"scenario {flags[3]}", f"choice list {flags[4]}"]
            expected[(source, code, "maps_to", target, _gem_code(target, raw_target), tuple(words))] += 1
        direction = "i9-i10" if source == "icd9cm" else "i10-i9"
        assert _stored(db, f"gem-2018-dx-{direction}") == expected
        compared += sum(expected.values())
    checked("GEM rows (both directions, no-map rows included): codes and flags", compared)


def _stems(cluster: str) -> list[str]:
    return [part.split("&")[0] for part in cluster.split("/") if part]


def test_every_who_mapping_row(db: sqlite3.Connection, data: Path) -> None:
    """WHO's tables: ICD-10 -> ICD-11 (one and multiple categories) and ICD-11 -> ICD-10; "No Mapping" kept."""
    compared = 0
    for name, source in zip(parse.WHO_TABLES, ("who-10to11-one", "who-10to11-multiple", "who-11to10-one"), strict=True):
        expected: set[tuple[str, str, str]] = set()
        rows = parse.who_rows(data / "icd11" / name)
        for row in rows:
            if source == "who-11to10-one":
                icd11, icd10 = row[1].strip(), row[4].strip()
                if icd11 and icd10 in ("", "No Mapping"):
                    expected.add((icd11, "no_map", ""))
                elif icd11:
                    expected.add((icd11, "maps_to", icd10))
            elif row[8].strip() == "No Mapping":
                expected.add((row[2].strip(), "no_map", ""))
            else:
                expected.update((row[2].strip(), "maps_to", stem) for stem in _stems(row[9].strip()))
        stored = {(code, kind, target) for _, code, kind, _, target, _ in _stored(db, source)}
        assert stored == expected
        compared += len(rows)
    checked("WHO ICD-10/ICD-11 mapping table rows (three tables, No Mapping included)", compared)


def test_every_bridged_icd10cm_link_goes_through_a_who_row_and_says_so(db: sqlite3.Connection, data: Path) -> None:
    """An ICD-10-CM -> ICD-11 link exists only through a WHO ICD-10 row of the code, its 4 characters or its
    category; it is indirect, says which WHO code, is narrower below it, and is never "equivalent"."""
    targets: dict[str, set[str]] = {}
    for row in parse.who_rows(data / "icd11" / parse.WHO_TABLES[0]):
        if row[8].strip() != "No Mapping":
            targets.setdefault(row[2].strip(), set()).update(_stems(row[9].strip()))
    linked = _stored(db, "who-10to11-one-via-icd10")
    for _, code, kind, target_system, target, flags in linked:
        who = flags[1].removeprefix("via WHO ICD-10 ")
        assert (kind, target_system, flags[0]) == ("maps_to", "icd11", "indirect"), code
        assert who in (code, code[:5], code[:3]), code
        assert target in targets[who], code
        assert ("narrower" in flags) == (who != code), code
        assert "equivalent" not in flags, code
    checked("ICD-10-CM -> ICD-11 links through WHO ICD-10 (each against its WHO row)", sum(linked.values()))
