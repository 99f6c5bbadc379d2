"""What the tests of the shipped embedding models share: sample messages, and the checksum a model's README names."""

import re
from pathlib import Path

SAMPLE_MESSAGES = [
    "when is my bin day",
    "Dear Sir or Madam, I am writing regarding the pothole outside number 12",
    "the rubbish car did not take my bin",
    "wen is bin day m8",
    "HMRC tax code",
    "café crème, naïve résumé",  # accents: the tokenizer strips them
    "",  # no word pieces
    "?!",
    "word " * 2000,  # longer than either model reads
]


def checksum_named_in_readme(directory: Path, file_name: str) -> str:
    """The SHA-256 the README beside a shipped model gives for `file_name`."""
    readme = (directory / "README.md").read_text(encoding="utf-8")
    named = re.search(re.escape(file_name) + r"[^\n]*?([0-9a-f]{64})", readme)
    assert named is not None, f"the README must give the SHA-256 of {file_name}"
    return named.group(1)
