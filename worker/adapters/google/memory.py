"""What the Google backend remembers between runs, as it needs it: the store
(`worker.adapters.store.google_cache.GoogleCache`) keeps it; wiring hands it over. The adapters
know nothing of each other: this protocol is the Google side of that handshake."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class Memory(Protocol):
    def cached_sheet(self, unit: str, version: str) -> dict[str, list[list[Any]]] | None:
        """What the unit's sheet held at `version` (its ID and Drive version), if kept."""
        ...

    def cache_sheet(
        self,
        unit: str,
        version: str,
        tabs: dict[str, list[list[Any]]],
        ids: Mapping[str, int] | None = None,
    ) -> None: ...

    def cached_ids(self, unit: str) -> dict[str, int]: ...

    def results_tab(self, unit: str) -> int | None: ...

    def set_results_tab(self, unit: str, sheet_id: int) -> None: ...

    def published(self, name: str) -> str | None: ...

    def set_published(self, name: str, key: str) -> None: ...
