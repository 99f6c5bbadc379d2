"""The model registry: every intent engine the learning loop built, with its metrics and its bytes.

At most one version is `live` (the one the assistant answers with); a new one starts as a `candidate` and becomes
live only through `learning.promote`, which refuses a model worse than the live one. A version that stops being
live is `retired`; `rolled_back_at` marks one taken out of service by a rollback, so a second rollback goes
further back instead of returning to it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from townhall.db import Base
from townhall.service_requests.models import UtcDateTime

CANDIDATE, LIVE, RETIRED = "candidate", "live", "retired"
STATUSES = (CANDIDATE, LIVE, RETIRED)


class ModelVersion(Base):
    __tablename__ = "assistant_model_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    method: Mapped[str] = mapped_column(String(40))
    base_examples: Mapped[int] = mapped_column(Integer)  # from the repository's train.jsonl
    labelled_examples: Mapped[int] = mapped_column(Integer)  # labelled by officers on the review page
    data_sha256: Mapped[str] = mapped_column(String(64))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)  # evaluation on eval.jsonl when it was trained
    # Several megabytes: loaded only when the engine itself is needed, never by a listing.
    model: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # one of STATUSES
    promoted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    promoted_by: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)  # why it was promoted, or rolled back to
    rolled_back_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
