"""The default engine, trained on the team's training set, meets its targets on the evaluation set."""

from typing import Any

import pytest

from townhall.assistant.engine import default_engine
from townhall.assistant.evaluation import DATA_DIR, evaluate, load_examples
from townhall.assistant.intents import INTENTS, OUT_OF_SCOPE, SAFEGUARDING


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    train = load_examples(DATA_DIR / "train.jsonl")
    engine = default_engine().fit([row["text"] for row in train], [row["intent"] for row in train])
    return evaluate(engine, load_examples(DATA_DIR / "eval.jsonl"), oos_label=OUT_OF_SCOPE)


def test_data_sets_cover_exactly_the_intents_and_do_not_overlap() -> None:
    train = load_examples(DATA_DIR / "train.jsonl")
    held_out = load_examples(DATA_DIR / "eval.jsonl")
    assert {row["intent"] for row in train} == set(INTENTS)
    assert {row["intent"] for row in held_out} == set(INTENTS)
    assert not {row["text"].lower() for row in train} & {row["text"].lower() for row in held_out}


@pytest.mark.slow
def test_in_scope_accuracy_is_at_least_95_percent(figures: dict[str, Any]) -> None:
    assert figures["in_scope_accuracy"] >= 0.95


@pytest.mark.slow
def test_out_of_scope_recall_is_at_least_90_percent(figures: dict[str, Any]) -> None:
    assert figures["oos_recall"] >= 0.90


@pytest.mark.slow
def test_every_safeguarding_concern_is_recognised(figures: dict[str, Any]) -> None:
    assert figures["per_intent"][SAFEGUARDING]["recall"] == 1.0
