"""Dependencies shared by every route: the settings, a database session per request, the page templates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from townhall.config import Settings
from townhall.db import session_scope

T = TypeVar("T")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    """One session and one transaction per request: committed if the route succeeds, rolled back if not."""
    with session_scope(request.app.state.session_factory) as session:
        yield session


def transaction(request: Request) -> AbstractContextManager[Session]:
    """`get_session` as a `with` block, for async routes that do their database work in one worker-thread call
    (see `run_database_work`) and must commit there, before the answer is sent. It honours an override of
    `get_session` (a zero-argument generator, as the tests install to share their rolled-back session).
    """
    override = request.app.dependency_overrides.get(get_session)
    if override is not None:
        return contextmanager(override)()
    return contextmanager(get_session)(request)


async def run_database_work(request: Request, work: Callable[..., T], *args: Any) -> T:
    """Run blocking database work from an async route.

    On SQLite the work is CPU-bound in this process (an index lookup takes a fraction of a millisecond), so a
    thread would only add a hop and fight for the GIL: it runs inline. On PostgreSQL it waits on the network, so it
    goes to the thread pool and the event loop serves other requests meanwhile.
    """
    if request.app.state.settings.is_sqlite:
        return work(*args)
    return await run_in_threadpool(work, *args)


SettingsDep = Annotated[Settings, Depends(get_settings)]
# scope="function": commit when the route returns, BEFORE the response is sent. With the default scope the commit
# ran after the response had gone, so a failed commit (and with it a failed audit entry) still showed the data.
# So a streaming response must read what it needs inside the route: the session is closed before it is sent.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
