import pandas as pd
import pytest

from townhall.datahub.evaluation import bcubed_scores, explain_pairs, pairwise_scores, sample_error_pairs
from townhall.datahub.linkage import LinkageConfig, link_people, model_input

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def linked(linked_inputs):
    records, _ = linked_inputs
    return link_people(records)


def _as_series(clusters: pd.DataFrame) -> pd.Series:
    return clusters.set_index("unique_id")["cluster_id"]


def test_linkage_finds_people_across_sources(linked, linked_inputs):
    records, truth = linked_inputs
    predicted = _as_series(linked.clusters).loc[truth.index]
    assert len(linked.clusters) == len(records)
    assert pairwise_scores(predicted, truth).f1 > 0.95
    assert bcubed_scores(predicted, truth).f1 > 0.97


def test_model_parameters_are_estimated_not_defaults(linked):
    name = next(c for c in linked.model["comparisons"] if c["output_column_name"] == "name")
    exact = name["comparison_levels"][1]
    assert exact["m_probability"] > 0.5
    assert exact["u_probability"] < 0.01
    assert 0 < linked.model["probability_two_random_records_match"] < 0.01


def test_a_higher_threshold_never_joins_more(linked_inputs, linked):
    records, _ = linked_inputs
    stricter = link_people(records, model=linked.model, config=LinkageConfig(threshold=0.999))
    assert stricter.clusters["cluster_id"].nunique() >= linked.clusters["cluster_id"].nunique()


def test_reusing_a_trained_model_gives_the_same_clusters(linked_inputs, linked):
    records, _ = linked_inputs
    again = link_people(records, model=linked.model)
    pd.testing.assert_frame_equal(again.clusters, linked.clusters)


def test_explanations_mask_personal_values(linked_inputs, linked):
    records, truth = linked_inputs
    predicted = _as_series(linked.clusters).loc[truth.index]
    pairs = sample_error_pairs(predicted, truth, edges=linked.edges, n=2)
    text = explain_pairs(linked.linker, model_input(records), pairs)
    assert "Final score" in text and "Prior" in text
    first = records.set_index("unique_id").loc[pairs.iloc[0]["unique_id_l"]]
    assert first["last_name"] not in text
    assert pairs.iloc[0]["unique_id_l"] not in text  # a reference in its service is as telling as a name


@pytest.mark.parametrize("size", [1, 5, 40])
def test_too_few_records_to_train_on_is_a_clear_error(linked_inputs, size):
    from townhall.datahub.linkage import TrainingFailed

    records, _ = linked_inputs
    with pytest.raises(TrainingFailed):
        link_people(records.iloc[:size], config=LinkageConfig(u_max_pairs=1e4))
