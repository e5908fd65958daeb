"""A header whose own name the query says gives way to its billable code, which ranks as a code (engine.py)."""

from __future__ import annotations

import pytest

from medcodes.models import Concept, ConceptKind, Designation, DesignationKind
from medcodes.search import index
from medcodes.search.engine import SearchEngine
from medcodes.search.query import parse
from medcodes.search.ranking import DEFAULT
from medcodes.store.sqlite import SQLiteStore
from medcodes.systems import SystemId

from .helpers import concept_store

CM = SystemId.ICD10CM
# (code, title, billable, parent, inclusion terms): M21.06 and Q74.1 as ICD-10-CM writes them.
CODES = [
    ("M21", "Other acquired deformities of limbs", False, None, ()),
    ("M21.0", "Valgus deformity, not elsewhere classified", False, "M21", ()),
    ("M21.06", "Valgus deformity, not elsewhere classified, knee", False, "M21.0", ("Genu valgum", "Knock knee")),
    ("M21.061", "Valgus deformity, not elsewhere classified, right knee", True, "M21.06", ()),
    ("M21.062", "Valgus deformity, not elsewhere classified, left knee", True, "M21.06", ()),
    ("M21.069", "Valgus deformity, not elsewhere classified, unspecified knee", True, "M21.06", ()),
    ("Q74", "Other congenital malformations of limb(s)", False, None, ()),
    ("Q74.1", "Congenital malformation of knee", True, "Q74", ("Congenital genu valgum", "Congenital genu varum")),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    concepts = [
        Concept(
            CM,
            code,
            title,
            ConceptKind.CODE if billable else ConceptKind.CATEGORY,
            billable,
            parent=parent,
            depth=code.count(".") + len(code.split(".")[-1]) if parent else 0,
            seq=i,
        )
        for i, (code, title, billable, parent, _) in enumerate(CODES)
    ]
    names = [
        Designation(CM, code, DesignationKind.INCLUSION_TERM, term, "tabular")
        for code, _, _, _, terms in CODES
        for term in terms
    ]
    built = concept_store(tmp_path_factory.mktemp("gives") / "g.db", concepts, names)
    index.write(built)
    return built


def test_the_code_below_a_header_the_query_names_comes_before_a_code_it_names_less_well(store: SQLiteStore) -> None:
    before = SearchEngine(store, DEFAULT.replace({"narrowing.gives_way": 1.0}))
    after = SearchEngine(store)
    # As a header, M21.06 "Genu valgum" ranked after the billable Q74.1 "Congenital genu valgum", its code with it.
    assert [h.code for h in before.search(parse("genu valgum")).hits][:2] == ["Q74.1", "M21.069"]
    hits = after.search(parse("genu valgum")).hits
    assert [h.code for h in hits][:2] == ["M21.069", "Q74.1"]
    assert hits[0].reasons[0].field == "narrower" and "Genu valgum" in hits[0].reasons[0].text
    # Saying "congenital" still finds the congenital code first.
    assert [h.code for h in after.search(parse("congenital genu valgum")).hits][:1] == ["Q74.1"]


def test_a_header_that_gives_way_moves_up_past_lower_scores_only() -> None:
    from medcodes.search.lexical import ConceptScore

    engine = SearchEngine.__new__(SearchEngine)
    engine.ranking = DEFAULT.replace({"narrowing.gives_way": 1.5})
    found = [ConceptScore(1, 10.0, 0, 1.0), ConceptScore(2, 8.0, 0, 1.0), ConceptScore(3, 6.0, 0, 1.0)]
    found.append(ConceptScore(4, 9.0, 0, 1.0))  # a 7th-character sibling after the first of each family
    below = {3: Concept(CM, "X", "x", ConceptKind.CODE, True)}
    moved = engine._as_billable(found, below)
    assert [(h.concept, h.score) for h in moved] == [(1, 10.0), (3, 9.0), (2, 8.0), (4, 9.0)]


def test_subtrees_scored_together_read_as_each_alone(store: SQLiteStore) -> None:
    """Narrowing scores the subtrees of every header among the hits at once (``lexical.Subtrees``); each level's
    runs read from those scores are what scoring that level alone gives (a designation's score does not depend on
    which others are scored with it)."""
    from medcodes.search import lexical

    engine = SearchEngine(store)
    lexical_index = engine.index
    assert lexical_index is not None
    groups = engine._words(lexical_index, ("valgus", "knee"), ()).groups
    ids = {code: cid for code, *_ in CODES if (cid := store.concept_id(CM, code)) is not None}
    m21_0 = [ids["M21.06"], ids["M21.069"] + 1]  # M21.0's one child and the end of its subtree
    m21_06 = [ids["M21.061"], ids["M21.062"], ids["M21.069"], ids["M21.069"] + 1]
    q74 = [ids["Q74.1"], ids["Q74.1"] + 1]
    together = lexical.Subtrees(lexical_index, groups, DEFAULT)
    together.prepare([(m21_0[0], m21_0[-1]), (q74[0], q74[-1])])
    for bounds in (m21_0, m21_06, q74):
        alone = lexical.Subtrees(lexical_index, groups, DEFAULT).best(bounds)
        read = together.best(bounds)
        assert alone is not None and read is not None
        assert read.scores.tolist() == alone.scores.tolist()
        assert read.beyond.tolist() == alone.beyond.tolist()
    # The knee codes say both words; the unspecified one no more than the sides do.
    best = together.best(m21_06)
    assert best is not None and min(best.scores.tolist()) > 0
    # Too many designations below a header: nothing is read.
    tight = lexical.Subtrees(lexical_index, groups, DEFAULT.replace({"limits.narrower": 1}))
    assert tight.best(m21_06) is None
