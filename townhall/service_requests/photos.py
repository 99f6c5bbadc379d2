"""Photos attached to reports: checked by their content (not their name) and size, stored under a random name."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from townhall.platform.errors import InvalidInput

SIGNATURES: tuple[tuple[str, bytes, int], ...] = (("jpg", b"\xff\xd8\xff", 0), ("png", b"\x89PNG\r\n\x1a\n", 0))
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


def image_type(head: bytes) -> str | None:
    """jpg, png or webp from the first bytes of a file, or None if it is none of them."""
    for kind, signature, offset in SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def store_photo(content: bytes, *, folder: Path, max_bytes: int) -> str:
    """Save a photo and return its stored name; InvalidInput (with a message for the person) if it is refused."""
    if len(content) > max_bytes:
        raise InvalidInput(f"The photo must be smaller than {max_bytes // (1024 * 1024)} MB")
    kind = image_type(content[:16])
    if kind is None:
        raise InvalidInput("The photo must be a JPEG, PNG or WebP image")
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{kind}"
    (folder / name).write_bytes(content)
    return name


def is_stored_photo(name: str, folder: Path) -> bool:
    """Whether `name` is one of ours (the form carries it between steps, so it is checked, never trusted)."""
    return bool(STORED_NAME.match(name)) and (folder / name).is_file()
