import numpy as np

from townhall.assistant.thresholds import (
    apply_threshold,
    best_threshold,
    f_beta,
    priority_bar,
    threshold_within_budget,
)

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


def test_the_budget_rule_takes_the_highest_threshold_that_costs_at_most_the_budget() -> None:
    # Ten in-scope messages right at confidences 0.95 .. 0.50 and one wrong at 0.40; two out of scope, at 0.45, 0.6.
    rows = [[c, (1 - c) / 2, (1 - c) / 2] for c in (0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5)]
    rows += [[0.3, 0.4, 0.3], [0.45, 0.3, 0.25], [0.6, 0.2, 0.2]]
    truth = ["a"] * 10 + ["a", "oos", "oos"]
    probabilities = np.array(rows)
    free = threshold_within_budget(probabilities, LABELS, truth, "oos", 0.0)
    assert free.threshold == 0.5  # rejects the 0.45 and 0.4 messages: no in-scope answer was right below 0.5
    assert (free.in_scope_accuracy, free.oos_recall) == (10 / 11, 0.5)
    one_message = threshold_within_budget(probabilities, LABELS, truth, "oos", 1 / 11)
    assert one_message.threshold == 0.55  # gives up the right answer at 0.5, not the one at 0.55 too
    assert one_message.in_scope_accuracy == 9 / 11


def test_priority_bar_is_low_enough_to_catch_every_held_out_example_when_that_is_cheap() -> None:
    probabilities = np.array([[0.3, 0.6, 0.1], [0.9, 0.05, 0.05], [0.02, 0.9, 0.08]])
    bar = priority_bar(probabilities, LABELS, ["a", "a", "b"], "a", ceiling=0.5)
    assert 0.05 <= bar <= 0.3


def test_f_beta_weights_recall() -> None:
    assert f_beta(1, 4, 1, beta=3.0) > f_beta(1, 1, 4, beta=3.0)
