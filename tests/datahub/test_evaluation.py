from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from townhall.datahub.evaluation import bcubed_scores, mask_value, pair_title, pairwise_scores


def _brute_force_pairs(predicted: pd.Series, truth: pd.Series) -> tuple[float, float]:
    keys = list(predicted.index)
    pred_pairs = {(a, b) for a, b in combinations(keys, 2) if predicted[a] == predicted[b]}
    true_pairs = {(a, b) for a, b in combinations(keys, 2) if truth[a] == truth[b]}
    both = len(pred_pairs & true_pairs)
    return (both / len(pred_pairs) if pred_pairs else 1.0, both / len(true_pairs) if true_pairs else 1.0)


def _brute_force_bcubed(predicted: pd.Series, truth: pd.Series) -> tuple[float, float]:
    p = np.mean(
        [
            ((predicted == predicted[k]) & (truth == truth[k])).sum() / (predicted == predicted[k]).sum()
            for k in predicted.index
        ]
    )
    r = np.mean(
        [((predicted == predicted[k]) & (truth == truth[k])).sum() / (truth == truth[k]).sum() for k in predicted.index]
    )
    return float(p), float(r)


@pytest.mark.parametrize("seed", range(20))
def test_group_size_counting_agrees_with_enumerating_pairs(seed):
    rng = np.random.default_rng(seed)
    keys = [f"r{i}" for i in range(int(rng.integers(2, 40)))]
    predicted = pd.Series(rng.integers(0, 8, len(keys)), index=keys)
    truth = pd.Series(rng.integers(0, 8, len(keys)), index=keys)
    scores = pairwise_scores(predicted, truth)
    assert (scores.precision, scores.recall) == pytest.approx(_brute_force_pairs(predicted, truth))
    b = bcubed_scores(predicted, truth)
    assert (b.precision, b.recall) == pytest.approx(_brute_force_bcubed(predicted, truth))


def test_perfect_clustering_scores_one_and_all_in_one_cluster_has_low_precision():
    truth = pd.Series(["a", "a", "b", "b", "c"], index=list("vwxyz"))
    assert pairwise_scores(truth, truth).f1 == 1.0
    lumped = pd.Series(["x"] * 5, index=list("vwxyz"))
    assert pairwise_scores(lumped, truth).precision == pytest.approx(2 / 10)
    assert pairwise_scores(lumped, truth).recall == 1.0


def test_labels_must_cover_the_same_records():
    with pytest.raises(ValueError, match="same records"):
        pairwise_scores(pd.Series([1, 1], index=["a", "b"]), pd.Series([1, 1], index=["a", "c"]))


def test_mask_value_hides_the_middle_of_personal_data():
    assert mask_value("SMITH") == "S***H"
    assert mask_value(None) == "∅"
    assert mask_value("AB") == "**"


def test_an_explained_pair_names_its_sources_not_the_records_references_in_them():
    title = pair_title("wrong", "childrens_social_care:P0001234", "council_tax:CT0000056")
    assert title == "wrong: childrens_social_care:P******4 vs council_tax:C*******6"
