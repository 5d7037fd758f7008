"""One SQLite transaction, whether or not one is already open on the connection."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def atomic(db: sqlite3.Connection) -> Iterator[None]:
    """All of the block's writes, or none. Inside an open transaction it joins that one: a job
    wraps its many small writes in one transaction and commits once (autocommit connections
    otherwise commit, and sync to disk, at every statement)."""
    if db.in_transaction:
        yield
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.in_transaction:  # SQLite itself rolls back on some errors (a full disk)
            db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
