"""The product's intent engine: trained once per process from the repository's training set, then shared.

Training takes a few seconds, so a fresh installation needs no separate step; the first message a process
handles pays for it (or call `product_engine()` at start-up to pay early).
"""

from __future__ import annotations

import threading

from townhall.assistant.engine import IntentEngine, default_engine
from townhall.assistant.evaluation import DATA_DIR, load_examples

_lock = threading.Lock()
_engines: dict[str, IntentEngine] = {}


def train_product_engine(method: str = "tfidf+svm") -> IntentEngine:
    """A new engine of `method` trained on train.jsonl (the only set the engine learns from)."""
    train = load_examples(DATA_DIR / "train.jsonl")
    return default_engine(method).fit([row["text"] for row in train], [row["intent"] for row in train])


def product_engine(method: str = "tfidf+svm") -> IntentEngine:
    """The engine of `method`, trained on first use and then reused by every caller in this process."""
    with _lock:
        engine = _engines.get(method)
        if engine is None:
            engine = train_product_engine(method)
            _engines[method] = engine
        return engine
