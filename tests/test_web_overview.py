"""What a code page says first (web/overview.py): names people use, short definitions, where the code sits."""

from __future__ import annotations

from medcodes.models import (
    Concept,
    ConceptDetail,
    ConceptKind,
    Definition,
    Designation,
    DesignationKind,
    NameScope,
    Property,
    Release,
)
from medcodes.systems import SystemId
from medcodes.web import overview

CM = SystemId.ICD10CM
I219 = Concept(CM, "I21.9", "Acute myocardial infarction, unspecified", ConceptKind.CODE, True, "I21")
I21 = Concept(CM, "I21", "Acute myocardial infarction", ConceptKind.CATEGORY, False, "I20-I25")
BLOCK = Concept(CM, "I20-I25", "Ischemic heart diseases", ConceptKind.BLOCK, False, "9")
VOCABULARIES = {"doid": "Human Disease Ontology", "ncit": "NCI Thesaurus"}


def _name(
    kind: DesignationKind, text: str, source: str, scope: NameScope | None = None, via: str | None = None
) -> Designation:
    return Designation(CM, "I21.9", kind, text, source, via, scope)


def _detail(*designations: Designation, definitions: tuple[Definition, ...] = ()) -> ConceptDetail:
    return ConceptDetail(I219, designations, (), (BLOCK, I21), (), Release(CM, "2026", None), definitions=definitions)


def test_names_people_use_each_say_where_they_come_from() -> None:
    detail = _detail(
        _name(DesignationKind.TITLE, I219.title, "tabular"),
        _name(DesignationKind.INDEX_TERM, "Cardiorrhexis", "index-reconstructed"),
        _name(DesignationKind.SYNONYM, "heart attack", "doid", NameScope.EXACT),
        _name(DesignationKind.INCLUSION_TERM, "Myocardial infarction (acute) NOS", "tabular"),
    )
    assert overview.names(detail, VOCABULARIES) == [
        overview.Name("Myocardial infarction (acute) NOS", "an inclusion term of the ICD-10-CM tabular list"),
        overview.Name("heart attack", "synonym from Human Disease Ontology"),
        overview.Name("Cardiorrhexis", "the ICD-10-CM index, as rebuilt by a third party (not the official file)"),
    ]


def test_names_leave_out_index_paths_see_references_other_scopes_and_repeats() -> None:
    detail = _detail(
        _name(DesignationKind.INDEX_TERM, "Attack, attacks, heart", "index"),
        _name(DesignationKind.INDEX_TERM, "Cardiorrhexis", "index", via="Infarct, myocardium"),
        _name(DesignationKind.SYNONYM, "coronary thrombosis", "ncit", NameScope.NARROW),
        _name(DesignationKind.SYNONYM, "cardiovascular disease", "doid", NameScope.BROAD),
        _name(DesignationKind.SYNONYM, "acute myocardial infarction, unspecified", "ncit", NameScope.EXACT),
        _name(DesignationKind.SHORT_TITLE, "Acute MI", "order"),
        _name(DesignationKind.INCLUSION_TERM, "Acute myocardial infarction, unspecified NOS", "tabular"),
    )
    assert overview.names(detail, VOCABULARIES) == []


def test_a_vocabulary_definition_names_its_term_and_source() -> None:
    detail = _detail(
        definitions=(
            Definition(
                CM,
                "I21.9",
                "Necrosis of the myocardium caused by an obstruction of the blood supply.",
                "ncit",
                "NCIT:C27996 acute myocardial infarction",
            ),
        )
    )
    assert overview.meanings(detail, (), VOCABULARIES) == [
        overview.Meaning(
            "Acute myocardial infarction",
            "Necrosis of the myocardium caused by an obstruction of the blood supply.",
            "NCIT:C27996, NCI Thesaurus",
        )
    ]


def test_pcs_definitions_say_they_are_the_official_ones_of_the_release() -> None:
    pcs = SystemId.ICD10PCS
    axes = [
        ("Operation", Property(pcs, "0UT70ZZ", "pcs.operation", "T", "Resection", "Cutting out or off")),
        ("Body Part", Property(pcs, "0UT70ZZ", "pcs.body_part", "7", "Fallopian Tubes, Bilateral", None)),
    ]
    detail = ConceptDetail(
        Concept(pcs, "0UT70ZZ", "Resection", ConceptKind.CODE, True), (), (), (), (), Release(pcs, "2026", None)
    )
    assert overview.meanings(detail, axes) == [
        overview.Meaning("Operation: Resection", "Cutting out or off", "ICD-10-PCS 2026 definitions")
    ]


def test_places_name_each_level_nearest_first() -> None:
    assert [(p.level, p.concept.code) for p in overview.places(_detail())] == [
        ("category I21", "I21"),
        ("block I20-I25", "I20-I25"),
    ]
