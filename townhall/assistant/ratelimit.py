"""Rate limits on the assistant, so one client cannot flood it: messages a minute to a conversation and from an
address, new conversations an hour from an address (`TOWNHALL_ASSISTANT_*` settings; 0 turns a limit off).

Counted with a sliding window in this worker's memory, which is exact for one worker. With N workers behind a
load balancer a client may get up to N times the limit; a deployment that needs exact limits across workers
puts them in front (the reverse proxy's own limiter) or in a shared store. A limit exceeded is HTTP 429 with
`Retry-After` and a sentence saying how long to wait.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from townhall.config import Settings

MOST_KEYS = 100_000  # past this, keys with nothing in their window are swept out, so memory stays bounded


class SlidingWindow:
    """At most `limit` hits per key in any `seconds`-long window."""

    def __init__(self, limit: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.seconds, self._clock = limit, seconds, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Count a hit and return None, or, when the key is at its limit, the seconds until it may try again."""
        if self.limit <= 0:
            return None
        now = self._clock()
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                if len(self._hits) >= MOST_KEYS:
                    self._sweep(now)
                hits = self._hits[key] = deque()
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if len(hits) >= self.limit:
                return hits[0] + self.seconds - now
            hits.append(now)
            return None

    def _sweep(self, now: float) -> None:
        for key in [k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.seconds]:
            del self._hits[key]


class AssistantLimits:
    """The assistant's three limits, built from settings; one per app (so per worker)."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_conversation = SlidingWindow(settings.assistant_messages_per_minute, 60, clock)
        self.per_client = SlidingWindow(settings.assistant_client_messages_per_minute, 60, clock)
        self.conversations = SlidingWindow(settings.assistant_conversations_per_hour, 3600, clock)

    def message_wait(self, *, conversation_id: str, client: str) -> float | None:
        """Seconds to wait before this message may be sent, or None (and it is counted) when it may."""
        wait = self.per_client.hit(client)
        return wait if wait is not None else self.per_conversation.hit(conversation_id)

    def conversation_wait(self, *, client: str) -> float | None:
        return self.conversations.hit(client)


_creating = threading.Lock()


def limits_of(request: Request) -> AssistantLimits:
    state = request.app.state
    limits: AssistantLimits | None = getattr(state, "assistant_limits", None)
    if limits is None:
        with _creating:
            limits = getattr(state, "assistant_limits", None) or AssistantLimits(state.settings)
            state.assistant_limits = limits
    return limits


def client_address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy, run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "unknown"


def too_many(wait: float, what: str) -> HTTPException:
    seconds = max(1, math.ceil(wait))
    when = f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"
    return HTTPException(429, f"{what} Wait {when} and try again.", headers={"Retry-After": str(seconds)})


def limit_messages(request: Request, conversation_id: str) -> None:
    """A route dependency: 429 when this conversation or this client is sending messages too quickly."""
    wait = limits_of(request).message_wait(conversation_id=conversation_id, client=client_address(request))
    if wait is not None:
        raise too_many(wait, "You are sending messages too quickly.")


def limit_conversations(request: Request) -> None:
    """A route dependency: 429 when this client has started too many conversations lately."""
    wait = limits_of(request).conversation_wait(client=client_address(request))
    if wait is not None:
        raise too_many(wait, "Too many conversations have been started from your connection.")


MessageLimit = Annotated[None, Depends(limit_messages)]
ConversationLimit = Annotated[None, Depends(limit_conversations)]
