"""Local delivery: one .eml file per message in the workspace's outbox/ folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

from notifications.compose import safe_name
from worker.adapters.files import write_atomically


def eml_name(unit: str, key: str) -> str:
    """`<unit>-<hash of the message's key>.eml`: one file per message, the same every time."""
    return f"{safe_name(unit)}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.eml"


def deliver(outbox: Path, name: str, message: bytes) -> Path:
    """Write the message as `outbox/<name>`, atomically; returns the file."""
    return write_atomically(outbox / name, message)
