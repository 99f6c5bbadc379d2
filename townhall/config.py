"""All of Townhall's configuration, in one place, from TOWNHALL_* environment variables.

The demo needs none of it: an embedded SQLite file and a development secret. Production refuses to start
until a real secret is set.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PLACEHOLDER_SECRET = "development-only-not-secret"  # noqa: S105 - a known placeholder that production refuses


class ConfigurationError(RuntimeError):
    """The configuration cannot be used; the message says what to change."""


class Settings(BaseSettings):
    """Every setting Townhall reads. Each field is documented in docs/configuration.md (a test checks it)."""

    model_config = SettingsConfigDict(env_prefix="TOWNHALL_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = Field(default="sqlite:///var/townhall.db")
    secret_key: str = PLACEHOLDER_SECRET
    council_name: str = "Wexmoor Borough Council"
    council_short_name: str = "Wexmoor"
    council_phone: str = "01632 960000"  # Ofcom's range reserved for drama: never a real line
    council_email: str = "customer.services@wexmoor.example"
    timezone: str = "Europe/London"
    # Where residents reach this service, for links in emails (never taken from a request's Host header, which a
    # client chooses: a password reset link built from it could point anywhere).
    public_url: str = "http://127.0.0.1:8000"
    # Emails sent (or given up on) are deleted this many days after they were queued: `townhall notifications purge`
    outbox_retention_days: int = Field(default=30, ge=1)
    log_sql: bool = False
    # FastAPI's own OpenTelemetry spans, metrics and logs per request. Off unless the deployment runs an
    # OpenTelemetry SDK: while on, every request asks OpenTelemetry whether a provider is configured (~30 µs).
    opentelemetry: bool = False
    # Addresses at a postcode are reference data: each worker keeps recent lookups this long (0 turns it off).
    address_cache_seconds: float = 60.0
    # Bin schedules and calendar feeds: each worker keeps recent answers this long (0 turns it off).
    bin_cache_seconds: float = 60.0
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_redirect_url: str = ""
    oidc_roles_claim: str = "groups"
    oidc_role_map: dict[str, str] = Field(default_factory=dict)
    demo_users: bool = True
    # Photos residents attach to reports: kept on disk (never in the database) under random names.
    photo_folder: str = "var/photos"
    photo_max_bytes: int = 10 * 1024 * 1024
    # Notifications to reporters: "outbox" keeps them in the database (demo, tests); "smtp" sends them by email.
    notifier: Literal["outbox", "smtp"] = "outbox"
    smtp_host: str = "localhost"
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "no-reply@wexmoor.example"
    smtp_starttls: bool = True
    # The assistant's intent engine (docs/assistant-engine.md); tfidf+minilm+svm needs the assistant-embeddings extra.
    assistant_method: Literal["tfidf+minilm-onnx+svm", "tfidf+svm", "tfidf+static+logreg", "tfidf+minilm+svm"] = (
        "tfidf+minilm-onnx+svm"
    )
    # Prepare the assistant's engine in the background when a worker starts (training it, 5-20 s by method, on a
    # database with no model version yet), so the first resident does not wait. Never in the test environment.
    assistant_warm_up: bool = True
    # How long assistant conversations are kept (redacted) before `townhall assistant purge` deletes them.
    assistant_transcript_retention_days: int = Field(default=90, ge=1)
    # How often each worker checks whether a new assistant model version has been made live.
    assistant_model_check_seconds: float = Field(default=5.0, ge=0)
    # Who the assistant tells a resident to call about a person at risk (in office hours, and out of hours).
    safeguarding_phone: str = "01632 960999"
    safeguarding_out_of_hours: str = "01632 960998"
    safeguarding_hours: str = "Monday to Friday, 9am to 5pm"
    # When a person can take over an assistant conversation (in `timezone`, closed on England and Wales bank
    # holidays): days as ISO weekday numbers (1 = Monday), and the opening and closing times.
    assistant_office_days: list[int] = Field(default_factory=lambda: [1, 2, 3, 4, 5])
    assistant_office_opens: time = time(9, 0)
    assistant_office_closes: time = time(17, 0)
    # Call-back requests keep a phone number unredacted: `purge_callbacks` deletes done ones, and any older than this.
    assistant_callback_retention_days: int = Field(default=30, ge=1)
    # --- the assistant's answers and rate limits (docs/assistant-dialogue.md) ---
    # Knowledge articles: each worker keeps the answers this long; an edit through a worker clears its copy at once.
    knowledge_cache_seconds: float = 60.0
    # Messages a minute to one conversation, and from one client address; new conversations an hour from one
    # address (0 turns a limit off). Counted in each worker's memory: see the docs for several workers.
    assistant_messages_per_minute: int = 20
    assistant_client_messages_per_minute: int = 60
    assistant_conversations_per_hour: int = 30
    # The data hub's source contracts (*.toml); empty means the contracts shipped in townhall/datahub/sources
    datahub_sources: Path | None = None
    # Where `townhall synth` writes the synthetic silo extracts; empty means an `extracts` folder next to the
    # SQLite database (or var/extracts for PostgreSQL)
    datahub_extracts: Path | None = None
    # Quarantined extract rows are kept as they arrived (names, dates of birth) so the service can fix its export;
    # `townhall datahub expire` deletes them this many days after their extract was ingested
    datahub_quarantine_retention_days: int = Field(default=30, ge=1)

    @field_validator("database_url")
    @classmethod
    def _a_database_townhall_runs_on(cls, url: str) -> str:
        try:
            backend = make_url(url).get_backend_name()
        except ArgumentError:
            backend = ""
        if backend not in ("sqlite", "postgresql", "postgres"):
            raise ValueError(
                "must be a SQLite URL, like sqlite:///var/townhall.db, "
                "or a PostgreSQL one, like postgresql://user:password@host:5432/townhall"
            )
        return url

    @field_validator("public_url")
    @classmethod
    def _a_web_address(cls, url: str) -> str:
        scheme, separator, rest = url.strip().partition("://")
        if scheme not in ("http", "https") or not separator or not rest.strip("/") or any(c in rest for c in "?# "):
            raise ValueError("must be the web address residents use, like https://townhall.example.gov.uk")
        return f"{scheme}://{rest.rstrip('/')}"

    @field_validator("assistant_office_days")
    @classmethod
    def _weekdays(cls, days: list[int]) -> list[int]:
        # a day outside 1-7 would never match, so a person would silently never be offered
        if any(day not in range(1, 8) for day in days):
            raise ValueError("must list days as ISO weekday numbers from 1 (Monday) to 7 (Sunday), like [1,2,3,4,5]")
        return days

    def check_for_production(self) -> None:
        """Refuse settings that are fine for a laptop demo but dangerous in production."""
        if self.environment != "production":
            return
        if self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < 32:
            raise ConfigurationError(
                "TOWNHALL_SECRET_KEY must be set to a random value of at least 32 characters in production "
                '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )

        address = urlsplit(self.public_url)
        if address.scheme != "https" or _is_loopback(address.hostname or ""):
            raise ConfigurationError(
                f"TOWNHALL_PUBLIC_URL is {self.public_url}: in production it must be the https address residents use, "
                "like https://townhall.example.gov.uk, or the links in emails (password resets, report updates) "
                "would not reach the site."
            )

    def check_for_listening(self, host: str) -> None:
        """Refuse to serve other machines with the public development secret, whatever the environment: anyone
        who can reach the server could forge its signed cookies (the chat page's conversation, sign-in state)."""
        if self.secret_key != PLACEHOLDER_SECRET or _is_loopback(host):
            return
        raise ConfigurationError(
            f"Townhall would listen on {host}, where other machines can reach it, with the development secret key "
            "that anyone can read in its source. Set TOWNHALL_SECRET_KEY to a random value of at least 32 characters "
            '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))"), or listen on 127.0.0.1.'
        )

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def datahub_extracts_folder(self) -> Path:
        """The folder holding the synthetic silo extracts and their ground truth."""
        if self.datahub_extracts is not None:
            return self.datahub_extracts
        database = self.sqlite_path()
        if database is not None:
            return database.parent / "extracts"
        # One folder per PostgreSQL database (and schema, as in tests), so two councils never share files
        url = make_url(self.database_url)
        schema = re.search(r"search_path(?:%3D|=)([A-Za-z0-9_]+)", self.database_url)
        return Path("var/extracts") / "_".join(filter(None, [url.database, schema and schema.group(1)]))

    def sqlite_path(self) -> Path | None:
        """The database file of a SQLite URL, or None for PostgreSQL and in-memory SQLite."""
        if not self.is_sqlite:
            return None
        path = self.database_url.split(":///", 1)[-1]
        return None if path in ("", ":memory:") else Path(path)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment; ConfigurationError naming each variable
    that cannot be used."""
    try:
        return Settings()
    except ValidationError as error:
        raise ConfigurationError(_settings_problems(error)) from None
    except SettingsError as error:  # a list or mapping setting whose value is not JSON
        field = re.search(r'field "(\w+)"', str(error))
        variable = f"TOWNHALL_{field.group(1).upper()}" if field else "A TOWNHALL_* setting"
        raise ConfigurationError(
            f'{variable}: must be written as JSON, like [1, 2, 3] or {{"group": "officer"}}'
        ) from None


def _settings_problems(error: ValidationError) -> str:
    # The variable and what is wrong, never the value: it may be a secret or a password inside a database URL
    problems = []
    for problem in error.errors(include_input=False, include_url=False):
        variable = f"TOWNHALL_{str(problem['loc'][0]).upper()}" if problem["loc"] else "A setting"
        problems.append(f"{variable}: {problem['msg'].removeprefix('Value error, ')}")
    return "; ".join(problems)


def _is_loopback(host: str) -> bool:
    """Whether only this machine can connect to ``host`` ("localhost", 127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve to any address
        return False
