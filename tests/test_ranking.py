"""The ranking's arithmetic: one typed object holds every weight, and each formula lives in one method."""

from __future__ import annotations

import numpy as np
import pytest

from medcodes.models import DesignationKind
from medcodes.search.ranking import DEFAULT, Bm25, Priors, Ranking
from medcodes.systems import SystemId


def test_every_designation_kind_and_system_has_a_weight() -> None:
    assert all(DEFAULT.kinds.of(kind) > 0 for kind in DesignationKind)
    assert all(DEFAULT.systems.of(system) > 0 for system in SystemId)


def test_the_title_counts_most_and_the_retired_system_least() -> None:
    assert DEFAULT.kinds.of(DesignationKind.TITLE) == max(DEFAULT.kinds.of(k) for k in DesignationKind)
    assert DEFAULT.systems.of(SystemId.ICD9CM) == min(DEFAULT.systems.of(s) for s in SystemId)


def test_coverage_is_the_share_matched_to_its_power() -> None:
    ranking = Ranking(coverage_power=2.0)
    assert ranking.coverage(np.array([1.0, 0.5, 0.0])).tolist() == [1.0, 0.25, 0.0]


def test_a_completion_counts_more_the_more_of_it_was_typed() -> None:
    ranking = Ranking(completion_floor=0.5, completion_span=0.4)
    assert ranking.completion(np.array([0.5, 1.0, 2.0])).tolist() == pytest.approx([0.7, 0.9, 0.9])


def test_alternatives_count_less_than_the_words_typed_and_later_ones_less_again() -> None:
    ranking = Ranking(alternative=0.9, later_alternative=0.5)
    assert ranking.alternative_factor(0, literal=True) == 1.0
    assert ranking.alternative_factor(1, literal=True) == pytest.approx(0.9)
    assert ranking.alternative_factor(2, literal=True) == pytest.approx(0.45)
    # With no literal reading (the words typed match nothing), the first alternative counts in full.
    assert ranking.alternative_factor(0, literal=False) == 1.0
    assert ranking.alternative_factor(1, literal=False) == pytest.approx(0.5)


def test_a_header_and_another_system_weigh_less() -> None:
    ranking = Ranking(header=0.5)
    assert ranking.concept_worth(SystemId.ICD10CM, billable=True) == 1.0
    assert ranking.concept_worth(SystemId.ICD10CM, billable=False) == 0.5
    assert ranking.concept_worth(SystemId.ICD9CM, billable=True) == pytest.approx(0.6)
    assert ranking.concept_worth(SystemId.ICD10CM, billable=True, prior=1.5) == 1.5


def test_a_header_that_lists_alternatives_weighs_its_own_factor() -> None:
    ranking = Ranking(header=0.7, listing_header=0.3)
    assert ranking.concept_worth(SystemId.ICD10PCS, billable=False) == pytest.approx(0.3)  # a PCS table
    assert ranking.concept_worth(SystemId.ICD10PCS, billable=True) == 1.0
    assert ranking.concept_worth(SystemId.ICD10CM, billable=False) == pytest.approx(0.7)  # narrowed instead


def test_the_exact_bonus_multiplies_a_designation_of_nothing_but_the_query() -> None:
    ranking = Ranking(exact_bonus=1.25)
    plain = ranking.designation_worth(DesignationKind.INDEX_TERM, SystemId.ICD10CM, billable=True, exact=False)
    exact = ranking.designation_worth(DesignationKind.INDEX_TERM, SystemId.ICD10CM, billable=True, exact=True)
    assert plain == pytest.approx(0.9)
    assert exact == pytest.approx(0.9 * 1.25)


def test_priors_raise_the_worth_of_what_the_index_names() -> None:
    priors = Priors(main_term=0.5, index_terms=0.2, index_terms_cap=3, residual=0.1)
    factor = priors.factor(main_term=[0, 1, 0, 0], index_terms=[0, 0, 3, 1000], residual=[0, 0, 0, 1])
    # log2(1 + 3) / log2(1 + 3) = 1: the cap; a count beyond it counts as the cap.
    assert factor.tolist() == pytest.approx([1.0, 1.5, 1.2, 1.3])
    # The category's own unspecified code is a residual code twice over.
    both = Priors(residual=0.1, category_default=0.05).factor(
        main_term=[0], index_terms=[0], residual=[1], category_default=[1]
    )
    assert both.tolist() == pytest.approx([1.15])


def test_a_query_that_names_the_residual_case_reads_no_residual_prior() -> None:
    said = Ranking(priors=Priors(main_term=0.5, residual=0.1, category_default=0.2)).said_residual()
    assert (said.priors.residual, said.priors.category_default) == (0.0, 0.0)
    assert said.priors.main_term == 0.5  # the other priors stay
    assert said.priors.factor(main_term=[0], index_terms=[0], residual=[1], category_default=[1]).tolist() == [1.0]
    plain = Ranking(priors=Priors(residual=0.0, category_default=0.0))
    assert plain.said_residual() is plain


def test_a_name_given_to_many_codes_weighs_less_on_each() -> None:
    bm25 = Bm25(spread=0.5)
    assert bm25.spread_factor([1, 4, 100, 0]).tolist() == pytest.approx([1.0, 0.5, 0.1, 1.0])
    assert Bm25(spread=0.0).spread_factor([30]).tolist() == [1.0]


def test_fields_change_by_dotted_name_and_keep_their_type() -> None:
    changed = DEFAULT.replace({"systems.icd9cm": 0.5, "exact_bonus": 1.5, "fusion.rrf_k": 30})
    assert changed.systems.icd9cm == 0.5
    assert changed.exact_bonus == 1.5
    assert changed.fusion.rrf_k == 30 and isinstance(changed.fusion.rrf_k, int)
    assert DEFAULT.systems.icd9cm == 0.6  # the default is untouched
    assert dict(changed.values())["systems.icd9cm"] == 0.5


@pytest.mark.parametrize("name", ["nothing", "systems.nothing", "nothing.icd9cm"])
def test_an_unknown_field_is_an_error(name: str) -> None:
    with pytest.raises(KeyError, match="no ranking field"):
        DEFAULT.replace({name: 1.0})


def test_a_ranking_is_a_value() -> None:
    assert Ranking() == DEFAULT and hash(Ranking()) == hash(DEFAULT)
    assert DEFAULT.replace({"header": 0.5}) != DEFAULT
