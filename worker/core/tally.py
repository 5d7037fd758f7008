"""The counts the official outputs share (the consolidated workbook, the annual report, the
province's digests and the command line), so that each says the same number the same way.
Pure: results in, numbers and their words out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from worker.core import rules
from worker.core.evaluate import ModelResult, UnitResult


@dataclass(frozen=True)
class UnitCounts:
    """The province's units as the year's numbers stand on them: each its own number."""

    read: int  # reported: the sheet was read (with or without data errors)
    unreadable: int  # the sheet could not be read (missing, not shared, damaged)
    withheld: int  # set aside for a problem of its registry row

    @property
    def total(self) -> int:
        return self.read + self.unreadable + self.withheld

    def text(self) -> str:
        """ "12 đơn vị: 10 đơn vị báo cáo (đọc được bảng tính), 1 không đọc được bảng tính,
        1 chưa đọc do lỗi danh mục"."""
        return (
            f"{self.total} đơn vị: {self.read} đơn vị báo cáo (đọc được bảng tính), "
            f"{self.unreadable} không đọc được bảng tính, {self.withheld} chưa đọc do lỗi danh mục"
        )


def unit_counts(units: Sequence[UnitResult], rejected: Sequence[UnitResult] = ()) -> UnitCounts:
    """`units`: the active units the run went through; `rejected`: the registry rows set aside.

    Withheld are the active units whose registry row is set aside, never read
    (`evaluate.registry_problem`: no code, a code or a sheet two rows share, one of the
    workspace's own files). A unit whose registry problem withholds only its mail
    (`Unit.mail_withheld`) is read, and counted as read."""
    read = sum(1 for r in units if r.readable)
    return UnitCounts(read, len(units) - read, sum(1 for r in rejected if r.unit.active))


def unrated(models: Iterable[ModelResult]) -> dict[str, int]:
    """Chưa xếp loại broken down: kind -> count, every kind of `rules.UNRATED_KINDS` in order."""
    kinds = Counter(m.unrated for m in models if m.unrated)
    return {kind: kinds[kind] for kind in rules.UNRATED_KINDS}


def unrated_text(kinds: Mapping[str, int]) -> str:
    """ "12 (chưa đủ 10 tháng: 5; đã kết thúc: 3; lỗi hoặc thiếu dữ liệu: 4)" from the counts by
    kind (`unrated`), the kinds that count nothing left out; "0" when none."""
    total = sum(kinds.values())
    shown = "; ".join(
        f"{words}: {kinds[kind]}" for kind, words in rules.UNRATED_KINDS.items() if kinds.get(kind)
    )
    return f"{total} ({shown})" if total else "0"
