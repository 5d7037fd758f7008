"""The sheet layouts of `sheet_templates/`, loaded once into frozen objects.

Every reader and writer (validator, .xlsx backend, Google backend) takes tab names, headers,
types and hints from here, so a header is spelled in exactly one place.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

TEMPLATE_ROWS = 1000  # rows that get dropdowns and formats in a new sheet
# The widths of a tab's columns add up to at most this: A4 landscape (784 pt between margins)
# fitted to the page's width then prints 11-point Times New Roman (5.5 pt a unit of width, as
# LibreOffice counts it; Excel 5.25) at 9 points or more.
MAX_PRINT_WIDTH = 170
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


def normalize_header(text: object) -> str:
    """Headers compare in this form: NFC, no zero-width characters, single spaces, case-folded."""
    s = unicodedata.normalize("NFC", str(text or ""))
    s = "".join(" " if ch.isspace() else ch for ch in s if ch not in _INVISIBLE)
    return " ".join(s.split()).casefold()


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: str
    hint: str
    width: int = 14
    required: bool = False  # every row must fill it; without the column no row is read
    optional: bool = False  # the column itself may be absent: nothing decided depends on it
    unique: bool = False
    past: bool = False
    positive: bool = False
    refers: str | None = None
    values: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other headers that name this column (the guide's titles)


@dataclass(frozen=True)
class Tab:
    key: str
    name: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Section:
    """A table the worker writes: a title, headers and (optional) column widths."""

    key: str
    title: str
    headers: tuple[str, ...]
    widths: tuple[int, ...] = ()


@dataclass(frozen=True)
class Layout:
    name: str
    tabs: tuple[Tab, ...]
    sections: tuple[Section, ...] = ()
    results_tab: str | None = None
    stamp_label: str | None = None

    def tab(self, key: str) -> Tab:
        return self._tabs_by_key[key]

    @cached_property
    def _tabs_by_key(self) -> dict[str, Tab]:  # validation asks a dozen times per unit
        return {t.key: t for t in self.tabs}

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def _section(raw: dict) -> Section:
    return Section(
        raw["key"],
        raw.get("title", raw.get("name", "")),
        tuple(raw["headers"]),
        tuple(raw.get("widths", ())),
    )


@cache
def load(name: str) -> Layout:
    """Load `sheet_templates/<name>.toml` ("unit", "registry" or "consolidated")."""
    text = resources.files("sheet_templates").joinpath(f"{name}.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    tabs = tuple(
        Tab(
            t["key"],
            t["name"],
            tuple(
                Column(
                    **{
                        **c,
                        "values": tuple(c.get("values", ())),
                        "aliases": tuple(c.get("aliases", ())),
                    }
                )
                for c in t["columns"]
            ),
        )
        for t in raw.get("tabs", [])
        if "columns" in t
    )
    results = raw.get("results", {})
    sections = tuple(_section(s) for s in results.get("sections", []))
    if name == "consolidated":
        sections = tuple(_section({**t, "title": t["name"]}) for t in raw["tabs"])
    return Layout(raw["name"], tabs, sections, results.get("name"), results.get("stamp"))
