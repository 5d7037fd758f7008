"""What the province digest and the consolidation email show, worked out before the templates:
the province's to-do with counts, the units to chase (names beside IDs), the lists to decide on
(kết thúc, nhân rộng), the messages that did not arrive, and the counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from notifications.view import days_left
from worker.core import decisions, rules, tally
from worker.core.cells import grouped
from worker.core.evaluate import ModelResult, UnitResult
from worker.core.follow_up import decided, review
from worker.core.layout import load
from worker.core.registry import Unit

LEVELS = (*rules.LEVELS, rules.UNRATED)
# The units a digest stacks before its details (a phone's first screens); the rest are counted,
# and every unit is a row of the attached workbook's Tổng hợp đơn vị.
STACKED = 12


@dataclass(frozen=True)
class Named:
    """A model or exemplar with its unit, for the lists to decide on."""

    unit: str  # "U1 Công an xã Hàm Liêm"
    item: str  # "MH-006 Tổ tự quản thôn 6"
    why: str = ""


@dataclass(frozen=True)
class UnitLine:
    """A unit in the stacked list: its name and what stands out, in a few words."""

    name: str  # "CA-DL Công an phường Đức Long"
    text: str  # "2 lỗi dữ liệu, 2 điển hình dưới 70%"
    alarm: bool = False  # its sheet was not read: shown in red


@dataclass
class ProvinceView:
    units: int = 0
    counts: tally.UnitCounts = field(default_factory=lambda: tally.UnitCounts(0, 0, 0))
    models: int = 0
    actions: list[str] = field(default_factory=list)  # what the province's staff do, by count
    stacked: list[UnitLine] = field(default_factory=list)  # the units that need something
    quiet: list[str] = field(default_factory=list)  # the units that need nothing
    more: int = 0  # units needing something beyond the STACKED shown
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


def _urgency(r: UnitResult) -> tuple[int, bool, int, str]:
    """Sheets that cannot be read first, then no address, then the most errors, then by ID."""
    return (r.readable, bool(r.unit.emails), -r.error_count, r.unit.unit_id)


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
    _stack(v, sorted(units, key=_urgency))
    v.actions = _actions(v)
    return v


def _unit_line(r: UnitResult) -> UnitLine | None:
    """What stands out of a unit, or None when nothing does (read, no error, an address)."""
    if not r.readable:
        return UnitLine(_who(r), f"không đọc được bảng tính ({r.problem})", alarm=True)
    flagged = sum(1 for e in r.exemplars if e.result and e.result.flagged)
    said = [
        f"{grouped(r.error_count)} lỗi dữ liệu" if r.error_count else "",
        _mail(r.unit),
        f"{r.count(rules.YEU)} mô hình Yếu" if r.count(rules.YEU) else "",
        f"{flagged} điển hình dưới {rules.format_percent(rules.EXEMPLAR_THRESHOLD)}%"
        if flagged
        else "",
    ]
    shown = [s for s in said if s]
    return UnitLine(_who(r), ", ".join(shown)) if shown else None


def _mail(unit: Unit) -> str:
    """What keeps the unit's mail from its coordinators, if anything."""
    if unit.mail_withheld:  # the registry's problem, told with its cell and fix in the details
        return "thư bị giữ lại do lỗi email đầu mối trong danh mục"
    return "" if unit.emails else "chưa có email đầu mối"


def _stack(v: ProvinceView, units: list[UnitResult]) -> None:
    """The units that need something, most urgent first, at most STACKED; the others by name."""
    lines = [(r, _unit_line(r)) for r in units]
    needing = [line for _, line in lines if line]
    v.stacked, v.more = needing[:STACKED], max(0, len(needing) - STACKED)
    v.quiet = [r.unit.name for r, line in lines if line is None]


def _actions(v: ProvinceView) -> list[str]:
    """What the province's staff do before the cutoff, each with its count (the lists below
    name who)."""
    above = sum(1 for a in v.audit if decisions.ABOVE_FLAG in a.why)
    said = [
        (len(v.unreadable), "liên hệ {} đơn vị chưa đọc được bảng tính"),
        (len(v.registry), "sửa {} lỗi trong danh mục đơn vị"),
        (len(v.without_email), "bổ sung email đầu mối của {} đơn vị vào danh mục"),
        (len(v.undelivered), "kiểm tra {} thư chưa đến người nhận"),
        (v.undecided_models, "đôn đốc quyết định công nhận xếp loại của {} mô hình"),
        (above, "xem xét {} quyết định công nhận cao hơn mức tiêu chí"),
    ]
    return [text.format(n) for n, text in said if n]


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


SUBJECT_ROOM = 72  # characters a phone's inbox shows of a subject, about: what matters fits


def province_subject(v: ProvinceView, days: int, place: str) -> str:
    """ "[Còn 7 ngày] Bình Thuận: 1 đơn vị không đọc được, 1 đơn vị chưa có đầu mối, …": the
    days left and the province first, then the counts that ask the most of its staff, as many
    as fit in SUBJECT_ROOM (the digest says the rest)."""
    counts = [
        (len(v.unreadable), "đơn vị không đọc được"),
        (len(v.without_email), "đơn vị chưa có đầu mối"),
        (len(v.undelivered), "thư chưa đến"),
        (v.undecided_models, "mô hình chưa có quyết định công nhận"),
        (
            sum(1 for a in v.audit if decisions.ABOVE_FLAG in a.why),
            "công nhận cao hơn mức tiêu chí",
        ),
        (v.with_errors, "đơn vị có lỗi"),
        (dict(v.levels)[rules.YEU], "mô hình Yếu"),
    ]
    subject = f"[{days_left(days)}] {place}: "
    said = [f"{n} {label}" for n, label in counts if n]
    if not said:
        return subject + "Không có lỗi"
    shown = said[0]
    for more in said[1:]:
        if len(subject + shown + ", " + more) > SUBJECT_ROOM:
            return f"{subject}{shown}, …"
        shown += ", " + more
    return subject + shown


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
