"""`townhall assistant ...`: train, evaluate, classify, promote, roll back, list versions, purge transcripts."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from townhall.cli_support import friendly_errors, migrated_database

if TYPE_CHECKING:
    from townhall.assistant.learning import Comparison

assistant_app = typer.Typer(no_args_is_help=True, help="The residents' assistant: its model versions and transcripts.")
console = Console(stderr=True)


def _operator() -> str:
    """Who ran the command, as recorded on a promotion or rollback."""
    return f"cli:{getpass.getuser()}"


def _percent(value: float) -> str:
    return f"{value:.1%}"


def _headline(metrics: dict[str, Any]) -> str:
    return (
        f"in-scope accuracy {_percent(metrics['in_scope_accuracy'])}, OOS recall {_percent(metrics['oos_recall'])}, "
        f"safeguarding recall {_percent(metrics['safeguarding_recall'])}, macro F1 {metrics['macro_f1']:.3f}"
    )


def _comparison_table(comparisons: list[Comparison], live_id: int, candidate_id: int) -> Table:
    table = Table("on eval.jsonl", f"live v{live_id}", f"candidate v{candidate_id}", "least allowed", "")
    for c in comparisons:
        verdict = "[green]ok[/]" if c.passed else "[red]worse[/]"
        table.add_row(c.label, _percent(c.live), _percent(c.candidate), _percent(c.minimum), verdict)
    return table


@assistant_app.command("train")
@friendly_errors
def train(
    method: str | None = typer.Option(
        None, help="tfidf+minilm-onnx+svm, tfidf+svm, tfidf+static+logreg or tfidf+minilm+svm; default: the setting."
    ),
) -> None:
    """Build a candidate version from the repository's training data plus the labelled messages."""
    from townhall.assistant.engine import METHODS
    from townhall.assistant.engine_store import product_engine
    from townhall.assistant.learning import train_candidate
    from townhall.db import session_scope
    from townhall.platform.errors import InvalidInput

    with migrated_database() as (current, factory), session_scope(factory) as session:
        chosen = method or current.assistant_method
        if chosen not in METHODS:
            raise InvalidInput(f"--method must be one of {', '.join(METHODS)}, not {chosen}")
        version = train_candidate(session, method=chosen, baseline=lambda: product_engine(chosen))
        summary = (
            f"Version {version.id} ({version.status}, {version.method}): trained on {version.base_examples:,} "
            f"repository examples + {version.labelled_examples:,} labelled messages.\n"
            f"On eval.jsonl: {_headline(version.metrics)}.\n"
            f"Make it live with: townhall assistant promote --version {version.id}"
        )
    print(summary)


@assistant_app.command("eval")
@friendly_errors
def evaluate_file(
    data: Path = typer.Option(..., "--data", help='A JSON Lines file of {"text", "intent"} lines.'),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Evaluate the live model on a labelled file."""
    from townhall.assistant.data_files import read_labelled_file
    from townhall.assistant.engine_store import live_engine
    from townhall.assistant.evaluation import evaluate

    examples = read_labelled_file(data)
    with migrated_database() as (current, factory), factory() as session:
        engine = live_engine(session, settings=current)
    result = evaluate(engine, examples)
    if as_json:
        print(json.dumps(result, indent=2))
        return
    print(f"{result['n']:,} examples from {data}")
    for key in ("accuracy", "in_scope_accuracy", "oos_recall", "oos_precision"):
        print(f"  {key:<18} {_percent(result[key])}")
    print(f"  {'macro_f1':<18} {result['macro_f1']:.3f}")


@assistant_app.command("classify")
@friendly_errors
def classify(text: str = typer.Argument(..., help="A resident's message.")) -> None:
    """Print the live model's intent and confidence for one message, as JSON."""
    from townhall.assistant.dialogue import check_message
    from townhall.assistant.engine_store import live_engine

    cleaned = check_message(text)
    with migrated_database() as (current, factory), factory() as session:
        prediction = live_engine(session, settings=current).predict([cleaned])[0]
    print(json.dumps({"intent": prediction.intent, "confidence": round(prediction.confidence, 4)}))


@assistant_app.command("promote")
@friendly_errors
def promote(
    version: int | None = typer.Option(None, "--version", help="Version to promote; default: newest candidate."),
    reason: str | None = typer.Option(None, help="Why, recorded with the version."),
) -> None:
    """Make a candidate live, only if it is not worse than the live version on eval.jsonl."""
    from townhall.assistant import learning
    from townhall.db import session_scope

    try:
        with migrated_database() as (_, factory), session_scope(factory) as session:
            promotion = learning.promote(session, version_id=version, by=_operator(), reason=reason)
            promoted, previous = promotion.version.id, promotion.previous.id if promotion.previous else None
    except learning.PromotionRefused as refused:
        live_id, candidate_id = refused.live_id, refused.version_id
        Console().print(_comparison_table(refused.comparisons, live_id, candidate_id))
        raise
    if promotion.comparisons and previous is not None:
        Console().print(_comparison_table(promotion.comparisons, previous, promoted))
    print(f"Version {promoted} is live" + (f" (version {previous} retired)." if previous else "."))


@assistant_app.command("rollback")
@friendly_errors
def rollback() -> None:
    """Make the version that was live before the current one live again."""
    from townhall.assistant import learning
    from townhall.db import session_scope

    with migrated_database() as (_, factory), session_scope(factory) as session:
        rolled_back, now_live = learning.rollback(session, by=_operator())
        message = f"Rolled back version {rolled_back.id}; version {now_live.id} is live again."
    print(message)


@assistant_app.command("versions")
@friendly_errors
def versions() -> None:
    """List the model versions with their figures on eval.jsonl, newest first."""
    from townhall.assistant.learning import list_versions

    table = Table("version", "status", "created", "method", "trained on", "in-scope acc.", "OOS recall",
                  "safeguarding", "macro F1", "promoted", "note")  # fmt: skip
    with migrated_database() as (_, factory), factory() as session:
        for v in list_versions(session):
            m = v.metrics
            table.add_row(
                str(v.id), v.status + (" (rolled back)" if v.rolled_back_at else ""), f"{v.created_at:%Y-%m-%d %H:%M}",
                v.method, f"{v.base_examples:,} + {v.labelled_examples:,}", _percent(m["in_scope_accuracy"]),
                _percent(m["oos_recall"]), _percent(m["safeguarding_recall"]), f"{m['macro_f1']:.3f}",
                f"{v.promoted_at:%Y-%m-%d %H:%M} by {v.promoted_by}" if v.promoted_at else "", v.reason or "",
            )  # fmt: skip
        if not table.rows:
            console.print("No versions yet: the assistant uses the model built from the repository's training data. "
                          "Build one with: townhall assistant train")  # fmt: skip
            return
    Console(width=200).print(table)


@assistant_app.command("purge")
@friendly_errors
def purge() -> None:
    """Delete conversations older than TOWNHALL_ASSISTANT_TRANSCRIPT_RETENTION_DAYS, with their messages, and
    call-back requests that are done or older than TOWNHALL_ASSISTANT_CALLBACK_RETENTION_DAYS."""
    from townhall.assistant.retention import purge_expired
    from townhall.db import session_scope
    from townhall.platform import clock

    with migrated_database() as (current, factory), session_scope(factory) as session:
        counts = purge_expired(session, now=clock.now(), settings=current)
    print(
        f"Deleted {counts['conversations']:,} conversations and {counts['messages']:,} messages quiet for more than "
        f"{current.assistant_transcript_retention_days} days, and {counts['callbacks']:,} call-back requests done or "
        f"older than {current.assistant_callback_retention_days} days."
    )
