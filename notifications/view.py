"""What a digest shows, worked out from the results before any template sees them: the things
to do and their counts, each error in words with a link to its cell, the models in order of
urgency with what would raise each one (from `rules.raises`), and the subject lines.

Templates only lay this out, so the text and HTML forms say the same thing in the same words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from worker.core import rules
from worker.core.cells import grouped
from worker.core.evaluate import ModelResult, UnitResult
from worker.core.layout import load
from worker.core.records import ENDED
from worker.core.tabs import CellError

# Models in order of urgency: the ones about to be proposed for termination first.
URGENCY = (rules.YEU, rules.UNRATED, rules.TRUNG_BINH, rules.KHA)
# A Google spreadsheet's ID in its URL, or the ID alone (as in the registry's Bảng tính).
_SHEET_ID = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]{20,})|^([A-Za-z0-9_-]{20,})$")


def quoted(text: str) -> str:
    return f"“{text}”"


def sheet_url(sheet: str) -> str | None:
    """The unit sheet's address when it is on Google Sheets; None for a local file."""
    match = _SHEET_ID.search(sheet.strip())
    if not match:
        return None
    return f"https://docs.google.com/spreadsheets/d/{match.group(1) or match.group(2)}/edit"


def cell_url(sheet: str, tab_ids: Mapping[str, int], tab: str, cell: str) -> str | None:
    """A link that opens the sheet on the cell when the tab's sheet ID is known, else the sheet."""
    url = sheet_url(sheet)
    if url and tab in tab_ids:
        return f"{url}#gid={tab_ids[tab]}&range={cell}"
    return url


def where_to_fix(sheet: str) -> str:
    """Where the unit fixes its data: the Google sheet's address, or the file's name."""
    return sheet_url(sheet) or f"tệp {PurePosixPath(sheet).name}"


@dataclass(frozen=True)
class ErrorLine:
    place: str  # "tab Mô hình, ô D4"
    what: str  # "cột Lĩnh vực của MH-003: “Kinh te” không có trong danh sách; chọn …"
    link: str | None

    def __str__(self) -> str:
        return f"{self.place} — {self.what}"


def error_line(error: CellError, sheet: str, tab_ids: Mapping[str, int]) -> ErrorLine:
    place = (
        f"tab {error.tab}" if error.code == "missing_tab" else f"tab {error.tab}, ô {error.cell}"
    )
    subject = " ".join(
        part
        for part in (
            f"cột {error.column}" if error.column else "",
            f"của {error.entity}" if error.entity else "",
        )
        if part
    )
    found = f"{error.found()} " if error.found() else ""  # as the message needs it shown
    what = f"{subject}: " if subject else ""
    what += f"{found}{error.message}; {error.fix}"
    return ErrorLine(place, what, cell_url(sheet, tab_ids, error.tab, error.cell))


def _condition_header(key: str) -> str:
    return load("unit").tab("assessments").column(key).header


def document_header(number: int) -> str:
    """A dossier document as the unit's sheet heads its column: "(11) Tài liệu chứng minh…"."""
    return load("unit").tab("dossiers").column(f"doc{number}").header


def numbers(documents: Sequence[int]) -> str:
    return ", ".join(f"({n})" for n in documents)


def describe_step(step: rules.Step) -> str:
    """ "bổ sung tài liệu (11), tích “Báo cáo kịp thời” → Khá"."""
    actions = []
    if step.documents:
        actions.append(f"bổ sung tài liệu {numbers(step.documents)}")
    if step.conditions:
        ticks = ", ".join(quoted(_condition_header(c)) for c in step.conditions)
        actions.append(f"tích {ticks}")
    return f"{', '.join(actions)} → {step.level}"


@dataclass(frozen=True)
class ModelLine:
    model_id: str
    name: str
    text: str  # its level and what would raise it, or why nothing can this year


def model_line(m: ModelResult) -> ModelLine:
    rating = m.rating
    percent = (
        "" if rating.percent is None else f", {rules.format_percent(rating.percent)}% chỉ tiêu"
    )
    level = f"{m.level} chỉ do hồ sơ chưa đầy đủ" if rating.dossier_only else m.level
    if rating.steps:
        text = f"{level}{percent}: " + "; ".join(describe_step(s) for s in rating.steps)
    elif m.level == rules.UNRATED:
        text = " ".join(rating.reasons)  # each reason starts by saying why it is not rated
        if rating.missing_documents:
            text += f"; hồ sơ còn thiếu tài liệu {numbers(rating.missing_documents)}"
    else:  # Yếu by a fact of the year: p under 50 % or a trigger the unit cannot undo
        text = " ".join(rating.reasons) + "; năm nay không nâng được xếp loại"
    return ModelLine(m.model.model_id, m.model.name, text)


def _waiting(m: ModelResult) -> str | None:
    """Why an unrated model waits, when many share the reason and one line names them all."""
    if m.level != rules.UNRATED or m.rating.missing_documents:
        return None
    if m.eligibility is None:  # its rows have errors, listed in the errors' section
        return "Chưa xếp loại vì dữ liệu có lỗi (sửa theo mục Lỗi dữ liệu)"
    if m.eligibility.eligible:
        return None  # it lacks data the unit can add: its own line says which
    if not (m.model.decision_no and m.model.decision_date and m.model.authority):
        return (
            "Chưa đủ điều kiện vì thiếu quyết định thành lập (điền số, ngày, cấp quyết định "
            "ở tab Mô hình)"
        )
    if m.model.status == ENDED:
        return "Đã kết thúc, không xếp loại"
    return f"Chưa đủ {rules.MIN_MONTHS} tháng hoạt động, xếp loại từ năm sau"


@dataclass(frozen=True)
class Stuck:
    """Models of one level that nothing the unit adds can raise: only their p keeps them there."""

    level: str
    upper: str
    threshold: str  # the completion the level above needs, "90"
    models: tuple[tuple[str, str], ...]  # (ID, p)


# What befalls a Yếu model or an exemplar below 70 %: a promise before the proposals' cutoff,
# a fact once it has passed (the proposals are made; nothing is promised for a passed cutoff).
AHEAD, PASSED = "sẽ bị đề xuất kết thúc", "thuộc diện đề xuất kết thúc"


@dataclass
class UnitView:
    """Everything a unit digest says, in the order it says it."""

    errors: list[ErrorLine] = field(default_factory=list)  # the first of them (MAX_ERRORS)
    error_count: str = "0"  # of them all, as Vietnamese write it: "1.000"
    more_errors: str = ""  # "… và 800 lỗi khác"
    todo: list[str] = field(default_factory=list)  # the box at the top: one line per task
    models: list[ModelLine] = field(default_factory=list)  # in order of urgency
    stuck: list[Stuck] = field(default_factory=list)
    waiting: list[str] = field(
        default_factory=list
    )  # unrated models, grouped by why: one line each
    good: list[str] = field(default_factory=list)  # the IDs of the Tốt models
    documents: list[str] = field(default_factory=list)  # every document named, with its title
    flagged: list[str] = field(default_factory=list)  # exemplars below 70 %
    due: list[str] = field(default_factory=list)  # exemplars due for evaluation
    ticks: bool = False  # some step asks for a tick: say to tick only what is true
    terminate: str = AHEAD  # what befalls a Yếu model or an exemplar below 70 %, as of today
    # decided levels that differ or are not valid, and why; dates and bodies noted
    decisions: list[str] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)  # after the decision day: rated, no decision


def unit_view(
    result: UnitResult,
    tab_ids: Mapping[str, int] | None = None,
    decisions_due: bool = False,
    proposed: bool = False,
) -> UnitView:
    """`decisions_due`: the decision day has passed; rated models without a decision are told.
    `proposed`: the cutoff for the proposals has passed; what they hold is told as done."""
    view = UnitView()
    view.terminate = PASSED if proposed else AHEAD
    sheet = result.unit.sheet
    view.errors = [error_line(e, sheet, tab_ids or {}) for e in result.errors]
    view.error_count, view.more_errors = grouped(result.error_count), result.more_errors_line()
    order = {level: index for index, level in enumerate(URGENCY)}
    acting = [m for m in result.models if m.level in order]
    acting.sort(key=lambda m: (order[m.level], not m.rating.steps, m.model.model_id))
    next_level = {rules.TRUNG_BINH: rules.KHA, rules.KHA: rules.TOT}
    stuck: dict[str, list[tuple[str, str]]] = {}
    waiting: dict[str, list[str]] = {}
    for m in acting:
        percent = m.rating.percent
        if m.level in next_level and not m.rating.steps and percent is not None:
            stuck.setdefault(m.level, []).append((m.model.model_id, rules.format_percent(percent)))
        elif group := _waiting(m):
            waiting.setdefault(group, []).append(m.model.model_id)
        else:
            view.models.append(model_line(m))
    view.waiting = [f"{why}: {', '.join(ids)}" for why, ids in waiting.items()]
    for level in (rules.TRUNG_BINH, rules.KHA):
        if level in stuck:
            upper = next_level[level]
            threshold = rules.format_percent(rules.THRESHOLDS[upper])
            view.stuck.append(Stuck(level, upper, threshold, tuple(stuck[level])))
    view.good = [m.model.model_id for m in result.models if m.level == rules.TOT]
    named = sorted(
        {n for m in result.models for s in m.rating.steps for n in s.documents}
        | {n for m in result.models if m.level == rules.UNRATED for n in m.rating.missing_documents}
    )
    view.documents = [document_header(n) for n in named]
    view.ticks = any(s.conditions for m in result.models for s in m.rating.steps)
    _exemplars(view, result)
    for m in result.models:
        if m.audited and m.decision and m.check:
            said = [m.check.text] if m.check.text else []
            said += [f"lưu ý: {note}" for note in m.check.notes]
            view.decisions.append(
                f"{m.model.model_id} {m.model.name}: đề xuất {m.level}, công nhận "
                f"{m.decision.level} — {'; '.join(said)}"
            )
        elif decisions_due and m.level != rules.UNRATED and not m.decision:
            view.undecided.append(m.model.model_id)
    view.todo = _todo(result, view)
    return view


def _exemplars(view: UnitView, result: UnitResult) -> None:
    """The exemplars below the threshold, and those due for recognition with their blockers."""
    for e in result.exemplars:
        x, r = e.exemplar, e.result
        if r and r.flagged and r.percent is not None:  # listed once, even when also due
            view.flagged.append(
                f"{x.exemplar_id} {x.name}: đạt {rules.format_percent(r.percent)}% tiêu chí "
                f"(dưới {rules.format_percent(rules.EXEMPLAR_THRESHOLD)}%) — {view.terminate} "
                "xây dựng điển hình"
            )
        elif r and r.due:
            note = f"; lưu ý: {'; '.join(r.blockers)}" if r.blockers else ""
            view.due.append(
                f"{x.exemplar_id} {x.name}: đã đủ 1 năm từ ngày ban hành kế hoạch "
                f"({x.plan_date:%d/%m/%Y}), đến hạn đánh giá để công nhận hoặc kết thúc{note}"
            )


def _todo(result: UnitResult, view: UnitView) -> list[str]:
    """The box at the top; each model counted once, where it asks the most."""
    weak = [m for m in result.models if m.to_terminate]  # Yếu only for its dossier: not ended
    raisable = [m for m in result.models if m.rating.steps and not m.to_terminate]
    counted = {id(m) for m in (*weak, *raisable)}
    missing = sum(1 for m in result.models if m.rating.missing_documents and id(m) not in counted)
    lines = []
    if view.errors:
        lines.append(f"sửa {view.error_count} lỗi dữ liệu")
    if weak:
        # Each line of the box fits one 42-character phone line where it can (bench/digest_size)
        lines.append(f"{len(weak)} mô hình Yếu — {view.terminate}")
    if raisable:
        lines.append(f"{len(raisable)} mô hình nâng được xếp loại: xem dưới")
    if missing:
        lines.append(f"bổ sung hồ sơ cho {missing} mô hình{' khác' if counted else ''}")
    if view.flagged:
        lines.append(
            f"{len(view.flagged)} điển hình dưới "
            f"{rules.format_percent(rules.EXEMPLAR_THRESHOLD)}% — {view.terminate} xây dựng"
        )
    if view.due:
        lines.append(f"{len(view.due)} điển hình đến hạn đánh giá")
    if view.undecided:
        lines.append(
            f"ghi quyết định công nhận xếp loại cho {len(view.undecided)} mô hình "
            "(tab Đánh giá, cột Xếp loại được công nhận, Số, Ngày, Cấp quyết định)"
        )
    return lines


def unit_subject(result: UnitResult, days: int) -> str:
    """ "[Còn 7 ngày] 2 lỗi, 2 mô hình Yếu — Công an phường Đức Long": what matters first."""
    if not result.readable:
        what = "Không đọc được bảng tính"
    else:
        flagged = sum(1 for e in result.exemplars if e.result and e.result.flagged)
        missing = sum(1 for m in result.models if m.rating.missing_documents)
        counts = [
            (result.error_count, "lỗi"),
            (result.count(rules.YEU), "mô hình Yếu"),
            (missing, "mô hình thiếu hồ sơ"),
            (flagged, "điển hình dưới 70%"),
        ]
        what = ", ".join(f"{n} {label}" for n, label in counts if n) or "Không có lỗi"
    return f"[{days_left(days)}] {what} — {result.unit.name}"


def days_left(days: int) -> str:
    return "Hạn hôm nay" if days <= 0 else f"Còn {days} ngày"
