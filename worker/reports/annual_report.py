"""The province's annual report drafted (issue 12, item 5): "Báo cáo kết quả xây dựng, nhân rộng
mô hình, điển hình năm Y", from the same tables as the consolidated workbook, so its totals are
the workbook's. Pure: the backend lays the `Document` out as a Word file."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from worker.core import rules
from worker.core.backend import Document, Part
from worker.core.evaluate import UnitResult
from worker.reports import tables
from worker.reports.audit import audit_rows, basis


def _named(r: UnitResult, item_id: str, name: str) -> str:
    return f"{r.unit.name} ({r.unit.unit_id}): {item_id} {name}"


def _model_lists(units: Sequence[UnitResult]) -> tuple[list[str], list[str]]:
    """The models to replicate (Tốt) and to end (Yếu), each with the basis of its rating."""
    listed = {
        level: [
            f"{_named(r, m.model.model_id, m.model.name)} — {basis(m)}"
            for r in units
            for m in r.models
            if m.final == level
        ]
        for level in (rules.TOT, rules.YEU)
    }
    return listed[rules.TOT], listed[rules.YEU]


def _exemplar_lines(units: Sequence[UnitResult]) -> list[str]:
    recognise, end = [], []
    for r in units:
        for e in r.exemplars:
            if e.result and e.result.flagged:
                percent = rules.format_percent(e.result.percent or Fraction(0))
                end.append(f"{_named(r, e.exemplar.exemplar_id, e.exemplar.name)} — đạt {percent}%")
            elif e.result and e.result.due:
                recognise.append(_named(r, e.exemplar.exemplar_id, e.exemplar.name))
    return [f"Đến hạn đánh giá để công nhận: {x}" for x in recognise] + [
        f"Đề xuất kết thúc xây dựng điển hình: {x}" for x in end
    ]


def _late(units: Sequence[UnitResult]) -> list[str]:
    late = [
        f"{r.unit.name} ({r.unit.unit_id}): không đọc được bảng tính"
        for r in units
        if not r.readable
    ]
    return late + [
        f"{r.unit.name} ({r.unit.unit_id}): {n} mô hình chưa có quyết định công nhận xếp loại"
        for r in units
        if (n := sum(1 for m in r.models if m.level != rules.UNRATED and not m.decision))
    ]


def _ratings(units: Sequence[UnitResult], year: int) -> Part:
    fields = tables.field_table(units)
    total = fields.iloc[-1].tolist()  # the "Tổng cộng" row: as in the tab Theo lĩnh vực
    levels = dict(zip(fields.columns[1:-1], total[1:-1], strict=True))
    models = sum(len(r.models) for r in units)
    decided = sum(1 for r in units for m in r.models if m.decision)
    counts = ", ".join(f"{level} {n}" for level, n in levels.items())
    return Part(
        "I. KẾT QUẢ XẾP LOẠI MÔ HÌNH",
        [
            f"Năm {year}, toàn tỉnh có {len(units)} đơn vị báo cáo với {models} mô hình "
            f"({total[-1]} mô hình trong bảng tổng hợp); {decided} mô hình đã có quyết định "
            "công nhận xếp loại, các mô hình còn lại tính theo xếp loại đề xuất.",
            f"Kết quả: {counts}.",
        ],
        [list(fields.columns), *fields.values.tolist()],
    )


def _audit(units: Sequence[UnitResult]) -> Part:
    audit = audit_rows(units)
    return Part(
        "VI. KIỂM TRA, THẨM ĐỊNH XẾP LOẠI (đối chiếu quyết định với tiêu chí)",
        [f"{len(audit)} mô hình được công nhận khác xếp loại đề xuất."],
        [["Đơn vị", "Mô hình", "Đề xuất", "Công nhận", "Đối chiếu"]]
        + [[row[1], f"{row[2]} {row[3]}", row[4], row[5], row[7]] for row in audit]
        if audit
        else (),
    )


def annual_report(units: Sequence[UnitResult], year: int, province: str) -> Document:
    replicate, terminate = _model_lists(units)
    parts = [
        _ratings(units, year),
        Part("II. ĐỀ XUẤT NHÂN RỘNG MÔ HÌNH", replicate or ["Không có."]),
        Part("III. ĐỀ XUẤT KẾT THÚC MÔ HÌNH", terminate or ["Không có."]),
        Part("IV. ĐIỂN HÌNH", _exemplar_lines(units) or ["Không có."]),
        Part("V. ĐƠN VỊ CHẬM BÁO CÁO HOẶC KHÔNG ĐỌC ĐƯỢC", _late(units) or ["Không có."]),
        _audit(units),
        Part(
            "VII. PHƯƠNG HƯỚNG, KIẾN NGHỊ",
            ["(Thường trực Ban Chỉ đạo bổ sung trước khi trình ký.)"],
        ),
    ]
    return Document(
        f"bao-cao-{year}",
        f"Kết quả xây dựng, nhân rộng mô hình, điển hình năm {year}",
        f"Ban Chỉ đạo {province}",
        f"{province}, ngày      tháng      năm {year}",
        parts,
    )
