"""The intent engine the assistant answers with.

`live_engine` gives the database's live model version (see learning.py); a database with no version yet gets the
engine trained from the repository's training set, so a fresh installation works at once. Each worker keeps the
live engine in memory and asks the database which version is live at most once every
`assistant_model_check_seconds`, so a promotion or rollback reaches every worker within that time without a query
per message.

Training takes 5 to 20 seconds by method; `warm_up_in_background` (the web app's start-up) pays for it before the
first message does.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from townhall.assistant.engine import DEFAULT_METHOD, IntentEngine, default_engine
from townhall.assistant.evaluation import DATA_DIR, load_examples
from townhall.config import Settings
from townhall.platform.cache import ComputedOnce


@dataclass(slots=True)
class _LiveEngine:
    version_id: int | None  # None: no version stored yet, the repository-trained engine
    engine: IntentEngine
    checked_at: float


_live: dict[str, _LiveEngine] = {}
_live_lock = threading.Lock()


def train_product_engine(method: str = DEFAULT_METHOD) -> IntentEngine:
    """A new engine of `method` trained on train.jsonl (the repository's training set)."""
    train = load_examples(DATA_DIR / "train.jsonl")
    return default_engine(method).fit([row["text"] for row in train], [row["intent"] for row in train])


def product_engine(method: str = DEFAULT_METHOD) -> IntentEngine:
    """The repository-trained engine of `method`, trained on first use and then reused in this process."""
    return _product_engines.get(method)


_product_engines: ComputedOnce[str, IntentEngine] = ComputedOnce(train_product_engine)


def live_engine(session: Session, *, settings: Settings) -> IntentEngine:
    """The live version's engine of the session's database (cached per process), else the repository's engine."""
    from townhall.assistant.learning import live_version_id

    key = str(session.get_bind().engine.url)
    cached = _live.get(key)
    started = time.monotonic()
    if cached is not None and started - cached.checked_at < settings.assistant_model_check_seconds:
        return cached.engine
    with _live_lock:
        version_id = live_version_id(session)
        cached = _live.get(key)
        if cached is None or cached.version_id != version_id:
            cached = _LiveEngine(version_id, _load(session, version_id, settings.assistant_method), started)
            _live[key] = cached
        cached.checked_at = started
        return cached.engine


def _load(session: Session, version_id: int | None, method: str) -> IntentEngine:
    from townhall.assistant.versions import ModelVersion

    if version_id is None:
        return product_engine(method)
    version = session.get(ModelVersion, version_id)
    assert version is not None
    return IntentEngine.from_bytes(version.model)


def warm_up_in_background(session_factory: sessionmaker[Session], settings: Settings) -> threading.Thread:
    """Load the live engine (on a new installation: train it) in a background thread, so that the first message
    a worker handles does not wait for it. A message arriving meanwhile waits for the same work, not a second
    copy of it (``live_engine``'s lock)."""

    def prepare() -> None:
        try:
            with session_factory() as session:
                live_engine(session, settings=settings)
        except Exception:  # e.g. a database not migrated yet: the first message tries again and reports it
            logging.getLogger(__name__).exception("The assistant's engine could not be prepared at start-up")

    thread = threading.Thread(target=prepare, name="assistant-warm-up", daemon=True)
    thread.start()
    return thread


def forget_live_engines() -> None:
    """Drop every cached live engine (tests, and after changing versions in this process)."""
    with _live_lock:
        _live.clear()
