"""The mode a file the worker writes gets: `tempfile.mkstemp` makes files only their owner may
read (0600), and a rename would carry that over to a workbook, report or message other staff
must open. A file replaced keeps its own mode; a new one gets what the umask allows."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

_UMASK = threading.Lock()  # os.umask can only be read by setting it


def umask() -> int:
    with _UMASK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def share_like(temp: Path | str, target: Path) -> None:
    """Give `temp` (about to be renamed onto `target`) the mode `target` has or should have."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~umask()
    os.chmod(temp, mode)
