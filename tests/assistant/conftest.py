from typing import Any

import pytest

from townhall.assistant.engine import IntentEngine
from townhall.assistant.engine_store import product_engine as shared_product_engine
from townhall.assistant.evaluation import DATA_DIR, load_examples


@pytest.fixture(scope="session")
def product_engine() -> IntentEngine:
    """The default engine trained on the team's training set, once per process (a few seconds)."""
    return shared_product_engine()


@pytest.fixture(scope="session")
def data_sets() -> dict[str, list[dict[str, Any]]]:
    names = ("train", "eval", "eval_external", "eval_outside")
    return {name: load_examples(DATA_DIR / f"{name}.jsonl") for name in names}
