"""`townhall assistant ...` on both databases: output, exit codes, and plain messages for bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from townhall.assistant.engine_store import forget_live_engines
from townhall.assistant.evaluation import DATA_DIR, load_examples
from townhall.cli import app
from townhall.config import get_settings

runner = CliRunner()


@pytest.fixture
def database(empty_database, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The commands' database: a fresh migrated one (no model version yet) of the test's backend."""
    get_settings.cache_clear()
    forget_live_engines()
    monkeypatch.setenv("TOWNHALL_DATABASE_URL", empty_database.settings.database_url)
    monkeypatch.setenv("TOWNHALL_ENVIRONMENT", "test")
    yield empty_database.settings.database_url
    get_settings.cache_clear()
    forget_live_engines()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["assistant", *args])


def said(result) -> str:  # type: ignore[no-untyped-def]
    """Everything the command printed, with Rich's line wrapping undone."""
    return " ".join(str(result.output).split())


def _jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_eval_prints_the_figures_of_a_small_file(database: str, tmp_path: Path) -> None:
    data = _jsonl(tmp_path / "small.jsonl", [
        json.dumps({"text": "when is my bin collected", "intent": "bins.next_collection"}),
        json.dumps({"text": "my bin was not emptied today", "intent": "bins.missed"}),
        json.dumps({"text": "what's the capital of peru", "intent": "out_of_scope"}),
        json.dumps({"text": "when is my bin collected next week", "intent": "counciltax.pay"}),
    ])  # fmt: skip
    result = run("eval", "--data", str(data), "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert set(figures) == {"n", "accuracy", "in_scope_accuracy", "oos_recall", "oos_precision", "macro_f1",
                            "per_intent"}  # fmt: skip
    assert figures["n"] == 4 and figures["accuracy"] == 0.75 and figures["in_scope_accuracy"] == pytest.approx(2 / 3)
    assert (figures["oos_recall"], figures["oos_precision"]) == (1.0, 1.0)
    assert figures["per_intent"]["counciltax.pay"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    readable = run("eval", "--data", str(data))
    assert readable.exit_code == 0 and "in_scope_accuracy  66.7%" in readable.stdout


def test_classify_prints_intent_and_confidence(database: str) -> None:
    result = run("classify", "my bin wasn't collected this morning")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer) == {"intent", "confidence"} and answer["intent"] == "bins.missed"
    assert 0.0 < answer["confidence"] <= 1.0


def test_train_promote_list_and_roll_back(database: str) -> None:
    trained = run("train")
    assert trained.exit_code == 0, trained.output
    repository_examples = len(load_examples(DATA_DIR / "train.jsonl"))
    assert "Version 2 (candidate" in trained.stdout
    assert f"{repository_examples:,} repository examples + 0 labelled" in trained.stdout
    assert "safeguarding recall 100.0%" in trained.stdout
    listed = run("versions")
    assert listed.exit_code == 0 and "candidate" in listed.stdout and "live" in listed.stdout
    promoted = run("promote")
    assert promoted.exit_code == 0, promoted.output
    assert "Version 2 is live (version 1 retired)." in promoted.stdout and "safeguarding recall" in promoted.stdout
    again = run("promote")
    assert again.exit_code == 1 and "no candidate to promote" in said(again)
    rolled = run("rollback")
    assert rolled.exit_code == 0 and "version 1 is live again" in rolled.stdout
    nothing = run("rollback")
    assert nothing.exit_code == 1 and "nothing to roll back to" in said(nothing)
    assert "Traceback" not in said(nothing)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (['{"text": "hello", "intent": "greeting"}', "{not json", '["a list"]'], "line 2: not JSON"),
        (['{"text": "hello", "intent": "greeting"}', '{"text": "", "intent": "greeting"}'], 'line 2: no "text"'),
        (['{"text": "hello"}'], 'line 1: no "intent"'),
        (['{"text": "hello", "intent": "greeting"}', '{"text": "x", "intent": "bins.stolen"}'],
         "intents the assistant does not know: 'bins.stolen' (line 2)"),
        ([""], "has no labelled examples"),
    ],
)  # fmt: skip
def test_eval_names_what_is_wrong_with_a_file(database: str, tmp_path: Path, lines: list[str], expected: str) -> None:
    result = run("eval", "--data", str(_jsonl(tmp_path / "bad.jsonl", lines)))
    assert result.exit_code == 1
    assert expected in said(result) and "Traceback" not in result.output


def test_bad_input_gets_a_message_and_exit_code_1(database: str, tmp_path: Path) -> None:
    missing = run("eval", "--data", str(tmp_path / "nowhere.jsonl"))
    assert missing.exit_code == 1 and "There is no file at" in said(missing)
    empty = run("classify", "   ")
    assert empty.exit_code == 1 and "Type a message" in said(empty)
    assert run("promote").exit_code == 1 and "no candidate" in said(run("promote"))
    nothing = run("rollback")
    assert nothing.exit_code == 1 and "nothing to roll back" in said(nothing)
    unknown = run("train", "--method", "bag-of-words")
    assert unknown.exit_code == 1 and "--method must be one of" in said(unknown)


def test_purge_reports_what_it_deleted(database: str) -> None:
    result = run("purge")
    assert result.exit_code == 0, result.output
    assert "Deleted 0 conversations and 0 messages quiet for more than 90 days" in result.stdout
