import numpy as np

from townhall.assistant.thresholds import apply_threshold, best_threshold, f_beta, priority_bar

LABELS = ["a", "b", "oos"]


def test_apply_threshold_turns_unsure_tops_into_out_of_scope() -> None:
    probabilities = np.array([[0.9, 0.05, 0.05], [0.4, 0.35, 0.25]])
    assert apply_threshold(probabilities, LABELS, "oos", 0.5) == ["a", "oos"]


def test_best_threshold_separates_confident_in_scope_from_unsure_out_of_scope() -> None:
    probabilities = np.array([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.5, 0.3, 0.2], [0.45, 0.4, 0.15]])
    choice = best_threshold(probabilities, LABELS, ["a", "b", "oos", "oos"], "oos")
    assert 0.5 < choice.threshold <= 0.8
    assert choice.in_scope_accuracy == 1.0
    assert choice.oos_recall == 1.0


def test_priority_bar_is_low_enough_to_catch_every_held_out_example_when_that_is_cheap() -> None:
    probabilities = np.array([[0.3, 0.6, 0.1], [0.9, 0.05, 0.05], [0.02, 0.9, 0.08]])
    bar = priority_bar(probabilities, LABELS, ["a", "a", "b"], "a", ceiling=0.5)
    assert 0.05 <= bar <= 0.3


def test_f_beta_weights_recall() -> None:
    assert f_beta(1, 4, 1, beta=3.0) > f_beta(1, 1, 4, beta=3.0)
