"""Issue 18 in the outputs: the consolidated tabs, the audit, the drafted report and the digests
list and count each model as SPEC §3.3 says — built from evaluated units, no file involved."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from notifications.province_view import province_view
from notifications.view import unit_view
from tests.conftest import as_tabs, good_unit
from tests.test_same_results import variants
from worker.core import rules, tally
from worker.core.evaluate import (
    STATUS_UNREADABLE,
    Unit,
    UnitResult,
    evaluate_unit,
    registry_problem,
    unreadable,
)
from worker.core.layout import load
from worker.core.settings import ReportSettings
from worker.core.tabs import CellError
from worker.reports import tables
from worker.reports.annual_report import annual_report
from worker.reports.audit import audit_rows, years_table
from worker.run.workspace import Evaluation

R = date(2026, 10, 31)
AFTER = date(2026, 11, 16)
Rows = dict[str, list[dict[str, Any]]]


def unit(unit_id: str = "U1") -> Unit:
    return Unit(unit_id, f"Công an xã {unit_id}", "Xã", "", ("a@example.gov.vn",), "u.xlsx", True)


def decide(rows: Rows, index: int, level: str, **kw: object) -> None:
    rows["assessments"][index].update(
        decided_level=level,
        decided_no=f"{index + 1}/QĐ-UBND",
        decided_date=kw.pop("on", date(2026, 11, 6)),
        decided_by=kw.pop("by", "UBND xã"),
    )


def evaluated(rows: Rows, unit_id: str = "U1") -> UnitResult:
    return evaluate_unit(unit(unit_id), as_tabs(rows), 2026, AFTER, R, set(), "mean_ratio")


@pytest.fixture
def province() -> list[UnitResult]:
    """U1, six models: MH-001 Tốt decided Tốt; MH-002 Khá decided Tốt (above); MH-003 Yếu
    (formalistic) decided Khá; MH-004 Yếu only for (11); MH-005 young, decided Tốt (not
    valid); MH-006 Tốt decided on 14/11 by UBND huyện (noted)."""
    rows = good_unit(6)
    decide(rows, 0, "Tốt")
    rows["assessments"][1]["socialised"] = ""
    decide(rows, 1, "Tốt")
    rows["assessments"][2]["formalistic"] = "Có"
    decide(rows, 2, "Khá")
    rows["dossiers"][3]["doc11"] = ""
    rows["models"][4]["decision_date"] = date(2026, 3, 1)
    decide(rows, 4, "Tốt")
    decide(rows, 5, "Tốt", on=date(2026, 11, 14), by="UBND huyện")
    return [evaluated(rows)]


def ids(rows: list[list[object]], at: int = 3) -> list[object]:
    return [row[at] for row in rows]


def test_replication_lists_only_models_tot_by_decision_and_criteria(
    province: list[UnitResult],
) -> None:
    assert ids(tables.replicate_rows(province), 2) == ["MH-001", "MH-006"]


def test_termination_lists_yeu_by_performance_with_the_decision_beside(
    province: list[UnitResult],
) -> None:
    row, exemplar = tables.terminate_rows(province)  # good_unit's exemplar meets 2 of 3
    assert exemplar[2:4] == [rules.EXEMPLAR_FLAG, "ĐH-01"]
    assert row[2:5] == ["Đề xuất kết thúc mô hình", "MH-003", "Tổ tự quản thôn 3"]
    assert row[5] == "Yếu vì hoạt động mang tính hình thức"
    assert row[6] == (
        "Công nhận Khá (Quyết định 3/QĐ-UBND ngày 06/11/2026 của UBND xã) — Công nhận cao hơn "
        "mức tiêu chí: hoạt động mang tính hình thức"
    )


def test_review_lists_the_dossier_only_yeu_and_the_tot_above_the_criteria(
    province: list[UnitResult],
) -> None:
    review = {row[2]: row[4:7] for row in tables.review_rows(province)}
    assert review == {
        "MH-002": [
            "Khá",
            "Tốt",
            "Xem xét lại trước khi nhân rộng: Công nhận cao hơn mức tiêu chí: chưa thu hút được "
            "các nguồn lực xã hội hóa",
        ],
        "MH-004": [
            "Yếu",
            "",
            "Bổ sung hồ sơ, không đề xuất kết thúc (Yếu chỉ do hồ sơ): thiếu (11) Tài liệu chứng "
            "minh hiệu quả; đủ hồ sơ thì đạt Tốt",
        ],
    }


def test_the_audit_lists_what_differs_what_is_not_valid_and_what_is_noted(
    province: list[UnitResult],
) -> None:
    audit = {row[2]: (row[4], row[5], row[7], row[8]) for row in audit_rows(province)}
    assert set(audit) == {"MH-002", "MH-003", "MH-005", "MH-006"}
    assert audit["MH-005"][:2] == ("Chưa xếp loại", "Tốt")
    assert str(audit["MH-005"][2]).startswith(
        "Quyết định không hợp lệ, không được tính: Chưa đủ điều kiện xếp loại: mới hoạt động 7 "
        "tháng"
    )
    assert audit["MH-006"] == (
        "Tốt",
        "Tốt",
        "",
        "quyết định ngày 14/11/2026, sau hạn 10/11/2026; cấp quyết định “UBND huyện” khác cấp "
        "thành lập mô hình “UBND xã”",
    )


def test_counts_take_counted_decisions_and_break_down_chua_xep_loai(
    province: list[UnitResult],
) -> None:
    (r,) = province
    assert {lv: r.count(lv) for lv in (*rules.LEVELS, rules.UNRATED)} == {
        "Tốt": 3,  # MH-001, MH-002 (above, counted), MH-006 (noted, counted)
        "Khá": 1,  # MH-003 as decided
        "Trung bình": 0,
        "Yếu": 1,  # MH-004
        "Chưa xếp loại": 1,  # MH-005: its decision is not counted
    }
    units = tables.unit_table(province)
    head = load("consolidated").section("units").headers
    row = dict(zip(head, units[0], strict=True))
    assert (row["Chưa xếp loại"], row["Chưa đủ 10 tháng"], row["Có quyết định công nhận"]) == (
        1,
        1,
        4,
    )
    assert row["Công nhận khác đề xuất"] == 3
    fields = tables.field_table(province).values.tolist()
    assert fields[-1] == ["Tổng cộng", 3, 1, 0, 1, 1, 1, 0, 0, 0, 6]


def test_this_years_decision_above_the_criteria_is_marked_among_the_years(
    province: list[UnitResult],
) -> None:
    _, rows = years_table(province, {}, 2026)
    remarks = {row[2]: row[-1] for row in rows}
    assert remarks["MH-002"] == "năm 2026: công nhận cao hơn mức tiêu chí"
    assert remarks["MH-001"] == ""


def test_units_read_not_read_and_withheld_are_counted_apart() -> None:
    read = evaluated(good_unit(1))
    lost = unreadable(unit("U2"), 2026, "không tìm thấy tệp u2.xlsx")
    error = CellError("Danh mục đơn vị", "A4", "duplicate_id", "U3", "trùng", "sửa")
    withheld = registry_problem(replace(unit("U3"), problems=(error,)), 2026)
    idle = registry_problem(Unit("U4", "U4", "Xã", "", (), "", False, problems=(error,)), 2026)
    counts = tally.unit_counts([read, lost], [withheld, idle])
    assert (counts.read, counts.unreadable, counts.withheld, counts.total) == (1, 1, 1, 3)
    assert lost.status == STATUS_UNREADABLE
    *rows, totals = tables.unit_table([read, lost], [withheld, idle])
    # a unit not read has no count: blanks, not zeros that would read as "no model"
    headers = load("consolidated").section("units").headers
    for row in rows[1:]:
        shown = dict(zip(headers, row, strict=True))
        known = {h: v for h, v in shown.items() if v != ""}
        assert set(known) <= {
            "Mã đơn vị",
            "Tên đơn vị",
            "Cấp",
            "Tình trạng bảng tính",
            "Lỗi dữ liệu",
        }
    assert rows[0][headers.index("Số mô hình")] == 1
    assert totals[:2] == ["Tổng cộng", "3 đơn vị"]
    assert totals[headers.index("Số mô hình")] == 1  # the blanks add nothing
    assert "1 đọc được; 1 không đọc được; 1 lỗi danh mục" in totals
    document = annual_report([read, lost], 2026, ReportSettings(), [withheld, idle])
    (reporting,) = [p for p in document.parts if p.heading == "4. Tình hình tổng hợp số liệu"]
    assert reporting.lines[:3] == [
        "Số liệu được tổng hợp từ 1/3 đơn vị theo dõi trên bảng tính.",
        "1 đơn vị chưa tổng hợp được số liệu: Công an xã U2.",
        "1 đơn vị chưa tổng hợp do thông tin trong danh mục đơn vị cần bổ sung, chỉnh sửa: "
        "Công an xã U3.",
    ]
    view = province_view(Evaluation(2026, R, [read, lost], [], [withheld, idle]))
    assert view.counts == counts


def test_the_province_digest_lists_and_counts_as_the_workbook_does(
    province: list[UnitResult],
) -> None:
    view = province_view(Evaluation(2026, R, province))
    assert [x.item[:6] for x in view.replicate] == ["MH-001", "MH-006"]
    assert [x.item[:6] for x in view.terminate] == ["MH-003", "ĐH-01 "]
    assert [x.item[:6] for x in view.review] == ["MH-002", "MH-004"]
    assert [x.item[:6] for x in view.audit] == ["MH-002", "MH-003", "MH-005", "MH-006"]
    assert view.results == (
        "Tốt 3, Khá 1, Trung bình 0, Yếu 1, Chưa xếp loại 1 (chưa đủ 10 tháng: 1)"
    )
    assert [(u.name, u.text) for u in view.stacked] == [
        ("U1 Công an xã U1", "1 mô hình Yếu, 1 điển hình dưới 70%")
    ]


def test_the_unit_digest_tells_a_dossier_only_yeu_what_lifts_it_and_notes_its_decisions(
    province: list[UnitResult],
) -> None:
    view = unit_view(province[0])
    (line,) = [m for m in view.models if m.model_id == "MH-004"]
    assert line.text == ("Yếu chỉ do hồ sơ chưa đầy đủ, 100% chỉ tiêu: bổ sung tài liệu (11) → Tốt")
    assert "1 mô hình Yếu — sẽ bị đề xuất kết thúc" in view.todo  # MH-003, not MH-004
    noted = next(d for d in view.decisions if d.startswith("MH-006"))
    assert noted.endswith(
        "đề xuất Tốt, công nhận Tốt — lưu ý: quyết định ngày 14/11/2026, sau hạn 10/11/2026; "
        "lưu ý: cấp quyết định “UBND huyện” khác cấp thành lập mô hình “UBND xã”"
    )


def test_every_model_not_rated_has_exactly_one_kind_whatever_the_damage() -> None:
    for name, tabs, rated_before, method in variants():
        result = evaluate_unit(unit(), tabs, 2026, date(2026, 10, 29), R, rated_before, method)
        kinds = tally.unrated(result.models)
        assert sum(kinds.values()) == result.count(rules.UNRATED), name
