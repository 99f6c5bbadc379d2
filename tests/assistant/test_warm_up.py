"""The web worker prepares the assistant's engine at start-up, so the first resident does not wait for training."""

import threading
from typing import Any

from fastapi.testclient import TestClient

from townhall.assistant import engine_store
from townhall.db import make_session_factory
from townhall.web.app import create_app


def _warm_up_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "assistant-warm-up"]


def test_warm_up_leaves_the_live_engine_ready(empty_database: Any) -> None:
    engine_store.forget_live_engines()
    settings = empty_database.settings
    thread = engine_store.warm_up_in_background(make_session_factory(empty_database.engine), settings)
    thread.join(timeout=300)
    assert not thread.is_alive()
    key = str(empty_database.engine.url)
    assert key in engine_store._live  # what the first message would otherwise have had to load or train
    with make_session_factory(empty_database.engine)() as session:
        assert engine_store.live_engine(session, settings=settings) is engine_store._live[key].engine


def test_a_worker_warms_up_at_start_but_not_in_the_test_environment(empty_database: Any) -> None:
    engine_store.forget_live_engines()
    started_before = len(_warm_up_threads())
    with TestClient(create_app(empty_database.settings)):  # environment "test": no warm-up
        assert len(_warm_up_threads()) == started_before
    production_like = empty_database.settings.model_copy(update={"environment": "development"})
    with TestClient(create_app(production_like)):
        for thread in _warm_up_threads():
            thread.join(timeout=300)
    assert str(empty_database.engine.url) in engine_store._live
