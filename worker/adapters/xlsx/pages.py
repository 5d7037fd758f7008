"""Where the printed pages of the results tab end, so that each begins with its table's header.

A tab repeats one band of rows atop every printed page (its print titles): Kết quả's title and
stamp. Its three tables (models, exemplars, data errors) each have their own header row, which
no print setting repeats. So the pages are broken here, by hand: the rows' heights are known
(`results.row_heights`, and LINE_POINTS for a row of one line, the sheet's default), the scale
that fits the columns to the page's width is bounded, and a page that goes on with a table
starts with a copy of that table's header row. A table's title, header and first row are kept
together on one page.

The breaks come no later than Excel's or LibreOffice's own would: the scale assumed is at least
theirs (a unit of width is 7 pixels, 5.25 points, in Excel; in LibreOffice 4.84 points and 10.5
a column, measured), so a page holds at least the rows given to it and neither program breaks a
page before ours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from worker.core.results import DEFAULT_WIDTH, LINE_POINTS, Grid, row_heights

# A4 landscape less the margins of sheet.PRINT_SETUP (inches: 0.4 left and right, 0.5 top,
# 0.6 bottom), in points
PAGE_WIDTH = 842 - 0.8 * 72
PAGE_HEIGHT = 595 - 1.1 * 72
POINTS_PER_WIDTH = 5.25  # a unit of column width in points, as small as any program makes it
SLACK = 0.97  # rounding of row heights to whole pixels, a program's own spacing


@dataclass
class _Pages:
    """The rows laid out so far, with where each original row went."""

    grid: Grid
    room: float
    heights: dict[int, int]
    rows: list[list[object]] = field(default_factory=list)
    moved: dict[int, int] = field(default_factory=dict)  # old row -> new row
    breaks: list[int] = field(default_factory=list)  # 1-based rows that end a page
    used: float = 0.0
    header: int | None = None  # the table under way: its header row (old index)

    def height(self, r: int) -> float:
        return self.heights.get(r, LINE_POINTS)

    def put(self, r: int) -> None:
        self.moved[r] = len(self.rows)
        self.rows.append(self.grid.rows[r])
        self.used += self.height(r)
        if r in self.grid.headers:
            self.header = r

    def new_page(self, continuing: bool) -> None:
        self.breaks.append(len(self.rows))
        self.used = 0.0
        if continuing and self.header is not None:
            self.rows.append(list(self.grid.rows[self.header]))
            self.used += self.height(self.header)


def _blocks(grid: Grid) -> list[list[int]]:
    """The rows below the head in the groups a page break may not split: a table's blank row,
    title, header and first row; each other row alone."""
    blocks: list[list[int]] = []
    opening: list[int] = []
    for r in range(grid.head, len(grid.rows)):
        opening.append(r)
        if not (r in grid.titles or r in grid.headers or not any(grid.rows[r])):
            blocks.append(opening)
            opening = []
    if opening:
        blocks.append(opening)
    return blocks


def _room(grid: Grid, heights: dict[int, int]) -> float:
    """Points of rows a page holds below the repeated head, at the largest scale fit to width
    may take."""
    columns = max((len(row) for row in grid.rows), default=1)
    widths = [grid.widths[c] if c < len(grid.widths) else DEFAULT_WIDTH for c in range(columns)]
    scale = min(1.0, PAGE_WIDTH / (sum(widths) * POINTS_PER_WIDTH))
    head = sum(heights.get(r, LINE_POINTS) for r in range(grid.head))
    return PAGE_HEIGHT * SLACK / scale - head


def paginate(grid: Grid) -> tuple[Grid, list[int]]:
    """`grid` with its tables' header rows repeated atop the pages they go on to, and the rows
    (1-based) after which a page ends."""
    heights = row_heights(grid)
    pages = _Pages(grid, _room(grid, heights), heights)
    for r in range(grid.head):
        pages.put(r)
    pages.used = 0.0
    for block in _blocks(grid):
        size = sum(pages.height(r) for r in block)
        if pages.used and pages.used + size > pages.room:
            continuing = block[0] not in grid.titles and any(grid.rows[block[0]])
            pages.new_page(continuing)
        for r in block:
            pages.put(r)
    return _moved(grid, pages), pages.breaks


def _moved(grid: Grid, pages: _Pages) -> Grid:
    """The new grid: titles, headers (copies too), totals and links where their rows went."""
    put = set(pages.moved.values())
    repeated = {n for n in range(len(pages.rows)) if n not in put}  # the header copies
    return Grid(
        pages.rows,
        titles={pages.moved[r] for r in grid.titles if r in pages.moved},
        headers={pages.moved[r] for r in grid.headers if r in pages.moved} | repeated,
        widths=grid.widths,
        head=grid.head,
        totals={pages.moved[r] for r in grid.totals if r in pages.moved},
        links={(pages.moved[r], c): place for (r, c), place in grid.links.items()},
    )
