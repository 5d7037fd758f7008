"""What the province digest and the consolidation email show, worked out before the templates:
a row per unit (names beside IDs), the units to chase, the lists to decide on (kết thúc,
nhân rộng), the messages that did not arrive, and the counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from notifications.view import days_left
from worker.core import decisions, rules, tally
from worker.core.evaluate import ModelResult, UnitResult
from worker.core.follow_up import decided, review
from worker.core.layout import load

LEVELS = (*rules.LEVELS, rules.UNRATED)
UNIT_HEADERS = (
    "Mã đơn vị",
    "Tên đơn vị",
    *LEVELS,
    "Điển hình dưới 70%",
    "Lỗi dữ liệu",
    "Bảng tính",
    "Email đầu mối",
)


@dataclass(frozen=True)
class Named:
    """A model or exemplar with its unit, for the lists to decide on."""

    unit: str  # "U1 Công an xã Hàm Liêm"
    item: str  # "MH-006 Tổ tự quản thôn 6"
    why: str = ""


@dataclass
class ProvinceView:
    units: int = 0
    counts: tally.UnitCounts = field(default_factory=lambda: tally.UnitCounts(0, 0, 0))
    models: int = 0
    rows: list[list[object]] = field(default_factory=list)  # one per unit, UNIT_HEADERS
    levels: list[tuple[str, int]] = field(default_factory=list)
    results: str = ""  # "Tốt 3, Khá 2, …, Chưa xếp loại 4 (chưa đủ 10 tháng: 3; …)"
    unreadable: list[str] = field(default_factory=list)  # "U3 Công an xã …: why"
    without_email: list[str] = field(default_factory=list)  # "U4 Công an xã …"
    # every registry problem: its cell, its unit, what it withholds and the fix
    registry: list[str] = field(default_factory=list)
    with_errors: int = 0  # units whose sheet has data errors
    errors: int = 0  # data errors in every sheet
    # Yếu models by their year's work, exemplars below 70 %
    terminate: list[Named] = field(default_factory=list)
    replicate: list[Named] = field(default_factory=list)  # Tốt as the result and by the criteria
    review: list[Named] = field(default_factory=list)  # Yếu only for the dossier, Tốt above it
    flagged: int = 0  # exemplars below 70 %
    undelivered: list[str] = field(default_factory=list)
    decided: int = 0  # models whose rating the authority decided (counted by the decision)
    # decisions that differ from the proposal or are not valid, or whose date or body is noted
    audit: list[Named] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)  # after the decision day: "U1 …: MH-001"
    undecided_models: int = 0


def _who(r: UnitResult) -> str:
    return f"{r.unit.unit_id} {r.unit.name}"


def _urgency(r: UnitResult) -> tuple[int, int, str]:
    """Sheets that cannot be read first, then the most errors, then by ID."""
    return (r.readable, -r.error_count, r.unit.unit_id)


def undecided(r: UnitResult) -> list[str]:
    """The unit's rated models with no recorded decision (III.2.c: decided before 10/11)."""
    return [m.model.model_id for m in r.models if m.level != rules.UNRATED and not m.decision]


def _marked(m: ModelResult, note: str) -> str:
    """A listed model's note, saying whether its level is decided or only proposed."""
    basis = "theo quyết định công nhận" if m.decision else "theo đề xuất, chưa có quyết định"
    return f"{note}; {basis}" if note else basis


def province_view(
    evaluation: Any, undelivered: Sequence[str] = (), decisions_due: bool = False
) -> ProvinceView:
    """`decisions_due`: the decision day has passed, rated models without a decision are told."""
    units: list[UnitResult] = list(evaluation.units)
    v = ProvinceView(units=len(units), undelivered=list(undelivered))
    v.registry = [str(p) for p in evaluation.registry_problems]
    v.counts = tally.unit_counts(units, evaluation.rejected)
    models = [m for r in units for m in r.models]
    v.models = len(models)
    v.levels = [(lv, sum(r.count(lv) for r in units)) for lv in LEVELS]
    v.results = ", ".join(
        f"{lv} {tally.unrated_text(tally.unrated(models)) if lv == rules.UNRATED else n}"
        for lv, n in v.levels
    )
    v.rows = [_unit_row(r) for r in sorted(units, key=_urgency)]
    for r in units:
        if not r.readable:
            v.unreadable.append(f"{_who(r)}: {r.problem}")
        if not r.unit.emails and not r.unit.mail_withheld:  # a bad address is in `registry`
            v.without_email.append(_who(r))
        v.errors += r.error_count
        v.with_errors += bool(r.readable and r.errors)
        if decisions_due and (missing := undecided(r)):
            v.undecided.append(f"{_who(r)}: {', '.join(missing)}")
            v.undecided_models += len(missing)
        for m in r.models:
            _list_model(v, r, m)
        for e in r.exemplars:
            if e.result and e.result.flagged and e.result.percent is not None:
                v.flagged += 1
                v.terminate.append(
                    Named(
                        _who(r),
                        f"{e.exemplar.exemplar_id} {e.exemplar.name} (điển hình)",
                        f"đạt {rules.format_percent(e.result.percent)}% tiêu chí, dưới "
                        f"{rules.format_percent(rules.EXEMPLAR_THRESHOLD)}% — "
                        + rules.EXEMPLAR_FLAG.lower(),
                    )
                )
    return v


def _unit_row(r: UnitResult) -> list[object]:
    flagged = sum(1 for e in r.exemplars if e.result and e.result.flagged)
    emails = len(r.unit.emails) if r.unit.emails else "chưa có"
    return [
        r.unit.unit_id,
        r.unit.name,
        *(r.count(lv) for lv in rules.LEVELS),
        tally.unrated_text(tally.unrated(r.models)),
        flagged,
        r.error_count,
        r.status,
        emails,
    ]


def _list_model(v: ProvinceView, r: UnitResult, m: ModelResult) -> None:
    """The model in the view's lists where it belongs (SPEC §3.3): the audit, kết thúc, nhân
    rộng, and what both proposals leave out to review."""
    item = f"{m.model.model_id} {m.model.name}"
    v.decided += m.counted
    if m.audited and m.decision and m.check:
        shown = m.check.kind in (decisions.ABOVE, decisions.INVALID)
        why = f"đề xuất {m.level}, công nhận {m.decision.level}"
        why += f" — {m.check.text}" if shown else ""
        why += "".join(f"; lưu ý: {note}" for note in m.check.notes)
        v.audit.append(Named(_who(r), item, why))
    if m.to_terminate:
        v.terminate.append(Named(_who(r), item, f"{' '.join(m.rating.reasons)}; {decided(m)}"))
    if m.to_replicate:
        percent = m.rating.percent
        note = f"{rules.format_percent(percent)}% chỉ tiêu" if percent is not None else ""
        v.replicate.append(Named(_who(r), item, _marked(m, note)))
    if m.to_complete or m.to_review:
        v.review.append(Named(_who(r), item, "; ".join(review(m))))


def province_subject(v: ProvinceView, days: int, province: str) -> str:
    """ "[Còn 7 ngày] 1 đơn vị không đọc được, 5 đơn vị có lỗi, 8 mô hình Yếu — tổng hợp …"."""
    counts = [
        (len(v.unreadable), "đơn vị không đọc được"),
        (v.with_errors, "đơn vị có lỗi"),
        (len(v.without_email), "đơn vị chưa có đầu mối"),
        (len(v.undelivered), "thư chưa đến"),
        (dict(v.levels)[rules.YEU], "mô hình Yếu"),
        (
            sum(1 for a in v.audit if decisions.ABOVE_FLAG in a.why),
            "công nhận cao hơn mức tiêu chí",
        ),
        (v.undecided_models, "mô hình chưa có quyết định công nhận"),
    ]
    what = ", ".join(f"{n} {label}" for n, label in counts if n) or "Không có lỗi"
    return f"[{days_left(days)}] {what} — tổng hợp {province}"


def tab_names() -> dict[str, str]:
    """The consolidated workbook's tabs by key, as the workbook names them."""
    layout = load("consolidated")
    keys = (
        "units",
        "fields",
        "models",
        "exemplars",
        "terminate",
        "replicate",
        "review",
        "audit",
        "years",
        "errors",
    )
    return {key: layout.section(key).title for key in keys}
