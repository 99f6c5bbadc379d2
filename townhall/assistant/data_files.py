"""Labelled data files given by a person (`townhall assistant eval --data FILE.jsonl`), checked line by line.

The repository's own files are read with `evaluation.load_examples`; a file from outside is read here, so that a
missing file, a line that is not JSON, a line without text or intent, or an intent the assistant does not know
is reported with its line number instead of a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

from townhall.assistant.intents import INTENTS
from townhall.platform.errors import InvalidInput

SHOWN_PROBLEMS = 5


def read_labelled_file(path: Path) -> list[dict[str, str]]:
    """Every {"text", "intent"} line of a JSON Lines file; InvalidInput naming the lines that are wrong."""
    lines = _lines(path)
    examples: list[dict[str, str]] = []
    problems: list[str] = []
    unknown: dict[str, list[int]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        example, problem = _parse(line)
        if problem is not None:
            problems.append(f"line {number}: {problem}")
        elif example["intent"] not in INTENTS:
            unknown.setdefault(example["intent"], []).append(number)
        else:
            examples.append(example)
    if problems:
        raise InvalidInput(f"{path} has malformed lines: " + _first(problems))
    if unknown:
        named = [f"{intent!r} (line {', '.join(map(str, numbers[:3]))})" for intent, numbers in unknown.items()]
        raise InvalidInput(f"{path} has intents the assistant does not know: {_first(named)}")
    if not examples:
        raise InvalidInput(f"{path} has no labelled examples")
    return examples


def _lines(path: Path) -> list[str]:
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder: give the file of labelled messages inside it")
    if not path.is_file():
        raise InvalidInput(f"There is no file at {path}")
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text") from None
    except OSError as error:
        raise InvalidInput(f"{path} cannot be read: {error.strerror}") from None


def _parse(line: str) -> tuple[dict[str, str], str | None]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        return {}, f"not JSON ({error.msg})"
    if not isinstance(value, dict):
        return {}, 'not a JSON object like {"text": "...", "intent": "..."}'
    text, intent = value.get("text"), value.get("intent")
    if not isinstance(text, str) or not text.strip():
        return {}, 'no "text" (a non-empty string)'
    if not isinstance(intent, str) or not intent:
        return {}, 'no "intent" (a string)'
    return {"text": text, "intent": intent}, None


def _first(items: list[str]) -> str:
    more = len(items) - SHOWN_PROBLEMS
    return "; ".join(items[:SHOWN_PROBLEMS]) + (f"; and {more} more" if more > 0 else "")
