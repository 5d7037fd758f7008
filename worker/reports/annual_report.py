"""The province's annual report drafted (issue 12, item 5): "Báo cáo kết quả xây dựng, nhân rộng
mô hình, điển hình năm Y", from the same tables and rules as the consolidated workbook, so its
numbers and lists are the workbook's. Pure: the backend lays the `Document` out as a Word file."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from worker.core import rules, tally
from worker.core.backend import Document, Part
from worker.core.evaluate import UnitResult
from worker.core.follow_up import basis, decided, review
from worker.reports import tables
from worker.reports.audit import audit_rows


def _named(r: UnitResult, item_id: str, name: str) -> str:
    return f"{r.unit.name} ({r.unit.unit_id}): {item_id} {name}"


def _replicate(units: Sequence[UnitResult]) -> Part:
    """III.3: Tốt as the result and by the criteria; then the Tốt decided above the criteria."""
    chosen = [
        f"{_named(r, m.model.model_id, m.model.name)} — {basis(m)}"
        for r in units
        for m in r.models
        if m.to_replicate
    ]
    reviewed = [
        f"{_named(r, m.model.model_id, m.model.name)} — {decided(m)}"
        for r in units
        for m in r.models
        if m.to_review
    ]
    lines = chosen or ["Không có."]
    if reviewed:
        lines += [
            f"Công nhận Tốt nhưng chưa đạt tiêu chí Tốt, cần xem xét lại trước khi nhân rộng "
            f"({len(reviewed)}):",
            *reviewed,
        ]
    return Part("II. ĐỀ XUẤT NHÂN RỘNG MÔ HÌNH", lines)


def _terminate(units: Sequence[UnitResult]) -> Part:
    """III.3: Yếu by the criteria for the year's work, the decision beside; then the models Yếu
    only for their dossier, to complete it."""
    ended = [
        f"{_named(r, m.model.model_id, m.model.name)} — {' '.join(m.rating.reasons)}; {decided(m)}"
        for r in units
        for m in r.models
        if m.to_terminate
    ]
    completed = [
        f"{_named(r, m.model.model_id, m.model.name)} — {'; '.join(review(m))}"
        for r in units
        for m in r.models
        if m.to_complete
    ]
    lines = ended or ["Không có."]
    if completed:
        lines += [
            f"Xếp loại Yếu chỉ do hồ sơ chưa đầy đủ, không đề xuất kết thúc, cần bổ sung hồ sơ "
            f"({len(completed)}):",
            *completed,
        ]
    return Part("III. ĐỀ XUẤT KẾT THÚC MÔ HÌNH", lines)


def _exemplar_lines(units: Sequence[UnitResult]) -> list[str]:
    """Seed 002 IV: those due for evaluation with what blocks their recognition (seed 000,
    III.2), then those below 70 % to end."""
    recognise, end = [], []
    for r in units:
        for e in r.exemplars:
            named = _named(r, e.exemplar.exemplar_id, e.exemplar.name)
            if e.result and e.result.flagged:
                percent = rules.format_percent(e.result.percent or Fraction(0))
                end.append(f"{named} — đạt {percent}%")
            elif e.result and e.result.due:
                blockers = "; ".join(e.result.blockers)
                recognise.append(
                    f"{named} — lưu ý khi công nhận: {blockers}" if blockers else named
                )
    return [f"Đến hạn đánh giá để công nhận: {x}" for x in recognise] + [
        f"Đề xuất kết thúc xây dựng điển hình: {x}" for x in end
    ]


def _late(units: Sequence[UnitResult], rejected: Sequence[UnitResult]) -> list[str]:
    late = [
        f"{r.unit.name} ({r.unit.unit_id}): không đọc được bảng tính"
        for r in units
        if not r.readable
    ]
    late += [
        f"{r.unit.name} ({r.unit.unit_id}): chưa đọc bảng tính do lỗi trong danh mục đơn vị"
        for r in rejected
        if r.unit.active
    ]
    return late + [
        f"{r.unit.name} ({r.unit.unit_id}): {n} mô hình chưa có quyết định công nhận xếp loại"
        for r in units
        if (n := sum(1 for m in r.models if m.level != rules.UNRATED and not m.decision))
    ]


def _ratings(units: Sequence[UnitResult], rejected: Sequence[UnitResult], year: int) -> Part:
    fields = tables.field_table(units)
    total = fields.iloc[-1].tolist()  # the "Tổng cộng" row: as in the tab Theo lĩnh vực
    levels = dict(zip(fields.columns[1:6], total[1:6], strict=True))
    models = [m for r in units for m in r.models]
    counted = sum(1 for m in models if m.counted)
    counts = ", ".join(f"{level} {n}" for level, n in levels.items() if level != rules.UNRATED)
    return Part(
        "I. KẾT QUẢ XẾP LOẠI MÔ HÌNH",
        [
            f"Năm {year}, toàn tỉnh có {tally.unit_counts(units, rejected).text()}.",
            f"Các đơn vị báo cáo có {len(models)} mô hình ({total[-1]} mô hình trong bảng tổng "
            f"hợp); {counted} mô hình được tính theo quyết định công nhận xếp loại, các mô hình "
            "còn lại tính theo xếp loại đề xuất.",
            f"Kết quả: {counts}, {rules.UNRATED} {tally.unrated_text(tally.unrated(models))}.",
        ],
        [list(fields.columns), *fields.values.tolist()],
    )


def _audit(units: Sequence[UnitResult]) -> Part:
    audit = audit_rows(units)
    differs = sum(1 for r in units for m in r.models if m.differs)
    noted = sum(1 for row in audit if row[8])
    return Part(
        "VI. KIỂM TRA, THẨM ĐỊNH XẾP LOẠI (đối chiếu quyết định với tiêu chí)",
        [
            f"{differs} mô hình được công nhận khác xếp loại đề xuất hoặc có quyết định không "
            f"hợp lệ; {noted} quyết định có lưu ý về ngày hoặc cấp quyết định."
        ],
        [["Đơn vị", "Mô hình", "Đề xuất", "Công nhận", "Đối chiếu", "Lưu ý"]]
        + [[row[1], f"{row[2]} {row[3]}", row[4], row[5], row[7], row[8]] for row in audit]
        if audit
        else (),
    )


def annual_report(
    units: Sequence[UnitResult],
    year: int,
    province: str,
    rejected: Sequence[UnitResult] = (),
) -> Document:
    """`units`: the active units the run went through; `rejected`: the registry rows set aside."""
    parts = [
        _ratings(units, rejected, year),
        _replicate(units),
        _terminate(units),
        Part("IV. ĐIỂN HÌNH", _exemplar_lines(units) or ["Không có."]),
        Part("V. ĐƠN VỊ CHẬM BÁO CÁO HOẶC KHÔNG ĐỌC ĐƯỢC", _late(units, rejected) or ["Không có."]),
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
