from typing import Any

import pytest

from townhall.assistant.engine import IntentEngine, default_engine
from townhall.assistant.evaluation import DATA_DIR, load_examples


@pytest.fixture(scope="session")
def product_engine() -> IntentEngine:
    """The default engine trained on the team's training set, once per test session (a few seconds)."""
    train = load_examples(DATA_DIR / "train.jsonl")
    return default_engine().fit([row["text"] for row in train], [row["intent"] for row in train])


@pytest.fixture(scope="session")
def data_sets() -> dict[str, list[dict[str, Any]]]:
    return {name: load_examples(DATA_DIR / f"{name}.jsonl") for name in ("train", "eval", "eval_external")}
