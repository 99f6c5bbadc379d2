"""Whether a missed bin may be reported: a small port, so reports do not depend on how bins are scheduled.

`MissedCollectionRules.window(...)` answers (allowed, explanation). The rules in force are chosen in one place,
`install_missed_collection_rules` (the app factory and the CLI use the default); tests install their own.
The default asks the bins module's database-backed `missed_collection_window`, imported lazily; where that
does not exist yet, every missed-bin report is refused with a clear message, never accepted unchecked.
"""

from __future__ import annotations

import importlib
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

MISSED_BIN_SERVICE = "missed_bin"
STREAM_ATTRIBUTE = "bin_stream"
DATE_ATTRIBUTE = "collection_date"
# Where the bins module's database-backed check lives: "module:function".
BINS_WINDOW_FUNCTION = "townhall.bins.service:missed_collection_window"
CANNOT_CHECK_YET = (
    "Missed collections cannot be checked yet, so we cannot take this report online. "
    "Please call us and we will arrange a collection."
)


class MissedCollectionRules(Protocol):
    def window(self, session: Session, *, uprn: int, stream: str, on: date, now: datetime) -> tuple[bool, str]:
        """Whether a missed `stream` collection on `on` at `uprn` may be reported at `now`, and why in words."""
        ...


class BinsModuleRules:
    """The bins module's own rules (due that day at that address; reported within two working days)."""

    def __init__(self, function_path: str = BINS_WINDOW_FUNCTION) -> None:
        self.function_path = function_path

    def _function(self) -> Any | None:
        module_name, name = self.function_path.split(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            return None
        return getattr(module, name, None)

    def window(self, session: Session, *, uprn: int, stream: str, on: date, now: datetime) -> tuple[bool, str]:
        function = self._function()
        if function is None:
            return False, CANNOT_CHECK_YET
        result = function(session, uprn=uprn, stream=stream, on=on, now=now)
        if isinstance(result, tuple):
            allowed, explanation = result[0], result[1]
        else:  # the bins module's MissedCollectionWindow
            allowed, explanation = result.allowed, result.explanation
        return bool(allowed), str(explanation)


def default_missed_collection_rules() -> MissedCollectionRules:
    """The rules Townhall runs with: the bins module's (refusing every report until that module exists)."""
    return BinsModuleRules()


_installed: MissedCollectionRules = default_missed_collection_rules()


def install_missed_collection_rules(rules: MissedCollectionRules) -> MissedCollectionRules:
    """Put `rules` in force for every missed-bin report; returns the rules they replace."""
    global _installed
    previous, _installed = _installed, rules
    return previous


def missed_collection_rules() -> MissedCollectionRules:
    return _installed
