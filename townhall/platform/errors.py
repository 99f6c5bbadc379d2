"""Errors that service functions raise and every interface turns into a clear answer for a person.

Service code raises these instead of web exceptions: the API answers with a JSON `detail`, pages with a
GOV.UK-style error page, the CLI with a message and a non-zero exit.
"""

from __future__ import annotations


class TownhallError(Exception):
    """Base of the errors a person can act on. `message` is written for them, not for a developer."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(TownhallError):
    status_code = 404


class InvalidInput(TownhallError):
    status_code = 422


class Forbidden(TownhallError):
    status_code = 403


class Conflict(TownhallError):
    status_code = 409


class DatabaseNotReady(TownhallError):
    """The database has not been migrated to the version this code needs."""

    status_code = 503
