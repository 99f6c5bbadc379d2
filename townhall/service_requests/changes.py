"""A per-process change counter for service requests, so cached Open311 answers are dropped the moment they change.

Every committed session that added, changed or deleted a request, an update or a catalogue entry moves the
counter on (an ORM event, so every interface is covered: Open311, pages, the officer workflow, the JSON API), and
so does Open311's batched insert, which writes through Core. A reader notes the counter BEFORE it queries and
files its answer under that number: a change committed while it was reading makes the answer stale at once.

Another worker process cannot move this process's counter: there the answer's short lifetime bounds how stale it
can be (`open311_cache.READ_CACHE_SECONDS`, stated in docs/open311.md).
"""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from townhall.service_requests.models import RequestUpdate, Service, ServiceAttribute, ServiceRequest

WATCHED = (ServiceRequest, RequestUpdate, Service, ServiceAttribute)
CATALOGUE = (Service, ServiceAttribute)
_TOUCHED = "service_requests_touched"
_CATALOGUE_TOUCHED = "service_catalogue_touched"
_counter = itertools.count(1)
_generation = 0
_catalogue_generation = 0


def generation() -> int:
    """The current change number: compare the one noted before a read with the one now."""
    return _generation


def note_change() -> None:
    """Move the counter on (itertools.count is atomic under the GIL, so concurrent threads never lose a step)."""
    global _generation
    _generation = next(_counter)


def catalogue_generation() -> int:
    """The change number of the service catalogue alone (services and their questions), which moves far less often
    than `generation`: every create moves that one."""
    return _catalogue_generation


def catalogue_changing(session: Session) -> bool:
    """Whether this session has flushed catalogue changes it has not yet committed or rolled back."""
    return bool(session.info.get(_CATALOGUE_TOUCHED))


def note_catalogue_change() -> None:
    global _catalogue_generation
    _catalogue_generation = next(_counter)


def _touched(session: Session, kinds: tuple[type, ...]) -> bool:
    return any(isinstance(o, kinds) for group in (session.new, session.dirty, session.deleted) for o in group)


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    if _touched(session, WATCHED):
        session.info[_TOUCHED] = True
        note_change()  # the flushed rows are visible to this session's own reads straight away
    if _touched(session, CATALOGUE):
        session.info[_CATALOGUE_TOUCHED] = True
        note_catalogue_change()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_TOUCHED, False):
        note_change()  # and to everyone else's from now on
    if session.info.pop(_CATALOGUE_TOUCHED, False):
        note_catalogue_change()


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    if session.info.pop(_TOUCHED, False):
        note_change()  # whatever was read meanwhile may have included rows that are now gone
    if session.info.pop(_CATALOGUE_TOUCHED, False):
        note_catalogue_change()
