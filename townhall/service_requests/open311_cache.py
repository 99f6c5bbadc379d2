"""Open311 `GET requests` answers kept in memory, per worker process, for a few seconds at most.

Open311 clients (FixMyStreet, council dashboards) poll the same few queries over and over; an answer of several
hundred requests costs tens of milliseconds to query and serialise, and the bytes are the same for every poller.
An answer is served again while both hold:

* nothing about requests has changed in this process since it was read (`changes.generation()`, noted before the
  query ran, so a change committed during the read also makes it stale), and
* it is younger than READ_CACHE_SECONDS by the council's clock: the bound on how long a change made through
  ANOTHER worker process can take to show in a list here.

Reads by id (`requests/{id}`, `service_request_id=`) are never cached: a resident looking up the report they
have just made always sees it. Concurrent misses for the same query wait for one read rather than each doing it.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from starlette.datastructures import QueryParams

from townhall.platform import clock
from townhall.service_requests import changes
from townhall.service_requests.open311_queries import RequestFilters
from townhall.service_requests.statuses import statuses_for_open311

READ_CACHE_SECONDS = 5.0
MAX_ANSWERS = 64  # distinct queries kept per process; answers are at most MAX_RESULTS requests (~0.4 MB)
MAX_QUERIES = 1024  # query strings whose parsed filters are kept

AnswerKey = tuple[str, tuple[str, ...], str | None, str | None, tuple[str, ...] | None]


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    body: bytes
    etag: str
    generation: int
    read_at: datetime

    def is_fresh(self, now: datetime) -> bool:
        age = (now - self.read_at).total_seconds()
        return self.generation == changes.generation() and 0 <= age <= READ_CACHE_SECONDS


def etag_for(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def answer_key(fmt: str, filters: RequestFilters) -> AnswerKey | None:
    """The same key for queries that must give the same answer (codes in any order, `Open` or `open`), or None
    for a read by id, which is never cached."""
    if filters.ids:
        return None
    return (
        fmt,
        tuple(sorted(set(filters.service_codes))),
        filters.start.isoformat() if filters.start else None,
        filters.end.isoformat() if filters.end else None,
        # None for no status filter; a filter naming no status we know (status=foo) matches nothing: ()
        tuple(sorted(statuses_for_open311(filters.status))) if filters.status else None,
    )


class AnswerCache:
    """Least recently used answers out first. Used from the event loop only, so it needs no lock."""

    def __init__(self, max_answers: int = MAX_ANSWERS) -> None:
        self.max_answers = max_answers
        self._answers: OrderedDict[AnswerKey, CachedAnswer] = OrderedDict()
        self._reading: dict[AnswerKey, asyncio.Future[CachedAnswer]] = {}
        self._parsed: dict[bytes, RequestFilters] = {}

    def filters(self, raw_query: bytes, parse: Callable[[QueryParams], RequestFilters]) -> RequestFilters:
        """`parse` of a query string, remembered (the filters do not depend on the time); an error is raised and
        not remembered. At most MAX_QUERIES are kept, then the memory starts again."""
        found = self._parsed.get(raw_query)
        if found is None:
            found = parse(QueryParams(raw_query))
            if len(self._parsed) >= MAX_QUERIES:
                self._parsed.clear()
            self._parsed[raw_query] = found
        return found

    def fresh(self, key: AnswerKey) -> CachedAnswer | None:
        found = self._answers.get(key)
        if found is None:
            return None
        if not found.is_fresh(clock.now()):
            del self._answers[key]
            return None
        self._answers.move_to_end(key)
        return found

    async def get(self, key: AnswerKey, read: Callable[[], Awaitable[bytes]]) -> CachedAnswer:
        """The cached answer, or `read()`'s (shared with every caller asking for `key` meanwhile).

        An error from `read` reaches every waiting caller and nothing is cached.
        """
        found = self.fresh(key)
        if found is not None:
            return found
        pending = self._reading.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        pending = asyncio.get_running_loop().create_future()
        self._reading[key] = pending
        try:
            generation, read_at = changes.generation(), clock.now()
            body = await read()
            answer = CachedAnswer(body, etag_for(body), generation, read_at)
            self._put(key, answer)
            pending.set_result(answer)
            return answer
        except asyncio.CancelledError:
            pending.cancel()
            raise
        except Exception as error:
            pending.set_exception(error)
            pending.exception()  # marked as retrieved: a miss with no other waiter must not log "never retrieved"
            raise
        finally:
            del self._reading[key]

    def _put(self, key: AnswerKey, answer: CachedAnswer) -> None:
        self._answers[key] = answer
        self._answers.move_to_end(key)
        while len(self._answers) > self.max_answers:
            self._answers.popitem(last=False)

    def __len__(self) -> int:
        return len(self._answers)
