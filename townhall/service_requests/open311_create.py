"""Open311 `POST requests` by group commit: the creates that arrive together are written in one transaction.

Every create appends to the hash-chained audit log (the API key's use), whose head is one row that each writer
locks until it commits: one commit at a time, each a flush to disk. So a worker process gathers the creates that
arrive while the previous batch is being written and writes them together: the same checks for each, one INSERT,
one audit append of one entry per create (`record_accesses`), one commit. Nobody waits for a batch to fill: a
lone create is a batch of one, written at once.

Nothing is lost and nothing is answered early: a client's answer is sent only after the transaction holding its
row has committed. A submission that fails its checks gets its own error list and does not affect the others;
if the batch's transaction itself fails (the database went away), each submission is tried again on its own.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Generic, TypeVar

from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from townhall.identity.apikeys import Unauthenticated, api_key_use, note_api_key_used, verify_api_key
from townhall.identity.models import ApiKey
from townhall.platform import clock
from townhall.platform.audit import record_accesses
from townhall.platform.errors import NotFound, TownhallError
from townhall.service_requests.open311_form import new_request_from_form
from townhall.service_requests.open311_format import w3c
from townhall.service_requests.service import CreatedRequest, NewRequest, RequestProblems, create_requests

SCOPE = "open311:write"
MAX_BATCH = 64  # creates per transaction: enough to keep up with 50+ clients, small enough to keep latency even
# When fewer creates are waiting than the last batch held, wait this long for the rest (never for a lone
# client: its last batch was one, so it never waits).
GATHER_SECONDS = 0.002
# Batches written at once. Two: while one waits for PostgreSQL or for a core, the other's checks and rows are built.
# Measured beside two busy processes: 32-34% of the bench's reference against 24-25% with one writer; on an idle
# machine the two were level (each batch half the size, so ~25% more CPU per create).
WRITERS = 2
Answer = list[dict[str, str | None]]
Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True, slots=True)
class Submission:
    form: FormData
    client: str  # the caller's address, for the audit entry


def idempotency_key_for(api_key_id: int, form: FormData) -> tuple[str, str | None]:
    """The client's token when it sends one; otherwise its device_id with a hash of everything it sent, within
    the hour (UTC). A resend of the same form (a retry after a lost answer) comes within moments and finds its
    first request; the same words from the same device on another day are a problem that came back, and a new
    report, not the old one, closed long ago."""
    token = str(form.get("token") or "").strip()[:100] or None
    if token:
        return f"open311:{api_key_id}:token:{token}", token
    content = sorted((k, str(v)) for k, v in form.multi_items() if k != "api_key")
    digest = hashlib.sha256(repr(content).encode()).hexdigest()
    hour = clock.now().astimezone(UTC).strftime("%Y%m%dT%H")
    return f"open311:{api_key_id}:{str(form.get('device_id') or '')[:60]}:{digest}:{hour}", None


class _Keys:
    """API keys verified once per batch (a batch is usually one client's creates, all with the same key)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._verified: dict[str, ApiKey | TownhallError] = {}

    def verify(self, raw: str) -> ApiKey:
        if not raw:
            raise Unauthenticated("api_key is required to submit a request")
        if raw not in self._verified:
            try:
                self._verified[raw] = verify_api_key(self.session, raw, SCOPE)
            except TownhallError as error:
                self._verified[raw] = error
        found = self._verified[raw]
        if isinstance(found, TownhallError):
            raise found
        return found


def _answer(created: CreatedRequest, token: str | None) -> Answer:
    answer: dict[str, str | None] = {"service_request_id": created.reference}
    if token:
        answer["token"] = token
    answer |= {"service_notice": f"We aim to respond by {w3c(created.expected_at)}", "account_id": None}
    return [answer]


def create_batch(session: Session, submissions: Sequence[Submission]) -> list[Answer | TownhallError]:
    """Each submission's answer or error, in order; in the caller's transaction (which must commit before any
    answer is sent). The API keys' use is audited last, because that locks the audit chain's head until the
    commit: it is held for the commit and nothing else."""
    keys = _Keys(session)
    outcomes: list[Answer | TownhallError | None] = [None] * len(submissions)
    accepted: list[tuple[int, ApiKey, NewRequest, str | None]] = []
    for position, submission in enumerate(submissions):
        try:
            key = keys.verify(str(submission.form.get("api_key") or "").strip())
            idempotency_key, token = idempotency_key_for(key.id, submission.form)
            new = new_request_from_form(submission.form, idempotency_key=idempotency_key, token=token)
        except TownhallError as error:
            outcomes[position] = error
            continue
        accepted.append((position, key, new, token))
    created = create_requests(session, [new for _, _, new, _ in accepted])
    used: list[tuple[ApiKey, str]] = []
    for (position, key, _, token), made in zip(accepted, created, strict=True):
        if isinstance(made, NotFound):  # an unknown service on a create is a bad request, not a missing page
            outcomes[position] = RequestProblems([("service_code", made.message)])
        elif isinstance(made, TownhallError):
            outcomes[position] = made
        else:
            outcomes[position] = _answer(made, token)
            used.append((key, submissions[position].client))
    for key in {key.id: key for key, _ in used}.values():
        note_api_key_used(session, key)
    record_accesses(session, [api_key_use(key, SCOPE, client=client) for key, client in used])
    return [outcome for outcome in outcomes if outcome is not None]


class GroupCommit(Generic[Item, Result]):
    """Gathers items submitted concurrently (on one event loop) and hands them to `write` in batches.

    `write` gets up to `max_batch` items and returns one result (or exception) for each, in order. Up to
    `writers` batches are written at once; whatever arrives meanwhile forms the next (after at most
    `gather_seconds` more when fewer are waiting than last time). `submit` returns once its item's batch is
    done.
    """

    def __init__(
        self,
        write: Callable[[list[Item]], Awaitable[list[Result | Exception]]],
        max_batch: int,
        gather_seconds: float = GATHER_SECONDS,
        writers: int = 1,
    ) -> None:
        self.write = write
        self.max_batch = max_batch
        self.gather_seconds = gather_seconds
        self.writers = writers
        self._last_batch = 0
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._writing: set[asyncio.Task[None]] = set()

    async def submit(self, item: Item) -> Result:
        done: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if len(self._writing) < self.writers:
            self._writing.add(asyncio.create_task(self._write_all()))
        # A caller that stops waiting (its client went away) does not stop the batch: its row is still written.
        return await asyncio.shield(done)

    async def _write_all(self) -> None:
        try:
            while self._waiting:
                if len(self._waiting) < self._last_batch:
                    # The last batch's clients are about to send their next creates: give them a moment (as
                    # PostgreSQL's commit_delay does) rather than spend a batch's fixed cost (a transaction, five
                    # statements) on a few. Measured with 50 clients: batches of ~24 instead of ~17 when this
                    # waited only for fewer than half, and ~20% less CPU per create.
                    await asyncio.sleep(self.gather_seconds)
                batch, self._waiting = self._waiting[: self.max_batch], self._waiting[self.max_batch :]
                self._last_batch = len(batch)
                try:
                    results = await self.write([item for item, _ in batch])
                except asyncio.CancelledError:
                    self._waiting = batch + self._waiting
                    raise
                except Exception as error:
                    results = [error] * len(batch)
                for (_, done), result in zip(batch, results, strict=True):
                    if done.done():
                        continue
                    if isinstance(result, Exception):
                        done.set_exception(result)
                    else:
                        done.set_result(result)
        finally:
            # Out of the set before anything else can run, so a create arriving now starts a writer of its own.
            self._writing.discard(asyncio.current_task())
            if not self._writing:
                for _, done in self._waiting:  # only when cancelled (the loop is closing): nobody is left to write
                    done.cancel()
                self._waiting = []
