"""An iterator run ahead in a thread of its own: the consumer works on item i while item i+1 is
being made. Sync uses it to write one unit while the next is read, so that Sheets' read and
write quotas (separate buckets) are used at once rather than one after the other."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()
_POLL = 0.1  # seconds between looks at whether the consumer has gone, while the queue is full


def ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """`items` in their order, made by a thread of their own at most `depth` ahead of the
    consumer. A failure while making them is raised to the consumer (after the items made
    before it); a consumer that stops early (break, an exception) ends the making."""
    handoff: queue.Queue[object] = queue.Queue(maxsize=depth)
    gone = threading.Event()

    def put(item: object) -> bool:
        while not gone.is_set():
            try:
                handoff.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def make() -> None:
        try:
            for item in items:
                if not put(item):
                    break
            else:
                put(_END)
        except BaseException as exc:  # handed to the consumer, raised there
            put(_Failure(exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:  # a generator is closed in the thread that runs it
                close()

    maker = threading.Thread(target=make, name="mohinh-reader", daemon=True)
    maker.start()
    try:
        while True:
            item = handoff.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        gone.set()
        maker.join()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
