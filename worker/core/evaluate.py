"""From rows to decisions: the registry into units, a unit's tabs into rated models.

Pure: backends hand in rows, this returns results; nothing here reads or writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from worker.core import rules
from worker.core.cells import grouped
from worker.core.layout import load
from worker.core.months import add_months
from worker.core.records import Decision, Exemplar, Model
from worker.core.tabs import CellError, ParseCache, Rows, find_tab, read_tab
from worker.core.validation import UnitData, validate_unit

STATUS_OK, STATUS_ERRORS, STATUS_UNREADABLE = "Không có lỗi", "Có lỗi", "Không đọc được"
STATUS_REGISTRY = "Lỗi danh mục"  # its registry row has a problem: the unit was not read
# The errors a unit is shown (Kết quả, its digest, the province's tables): past this a list is
# a wall nobody reads, and a sheet of a million wrong cells must not cost a million rows.
MAX_ERRORS = 200


@dataclass(frozen=True)
class Unit:
    unit_id: str
    name: str
    level: str
    parent: str
    emails: tuple[str, ...]
    sheet: str
    active: bool
    sheet_cell: str = ""  # the A1 address of its Bảng tính cell in the registry


@dataclass(frozen=True)
class Registry:
    """The registry read: the units to work on, every problem, and the rows set aside."""

    units: list[Unit]
    errors: list[CellError]
    rejected: list[tuple[Unit, tuple[CellError, ...]]]  # rows not read, with their problems


def load_registry(tabs: Mapping[str, Rows], cache: ParseCache | None = None) -> Registry:
    """Units of the registry (SPEC §5); a row with a problem is set aside, never dropped.

    `cache`: the run's (`ParseCache`); without one, the registry is read with its own."""
    tab = load("registry").tab("units")
    errors: list[CellError] = []
    found = find_tab(tabs, tab.name)
    if found is None:
        present = ", ".join(f"“{title}”" for title in tabs) or "không có tab nào"
        errors.append(
            CellError(
                tab.name,
                "",
                "missing_tab",
                "",
                f"không tìm thấy tab “{tab.name}” trong danh mục đơn vị (các tab hiện có: "
                f"{present})",
                f"đổi tên tab chứa danh sách đơn vị thành “{tab.name}”",
            )
        )
        return Registry([], errors, [])
    units, rejected, seen = [], [], dict[str, int]()
    for row in read_tab(tab, found, date.max, errors, cache):
        v = row.values
        problems = list(row.errors)
        if v["unit_id"] in seen:
            duplicate = CellError(
                tab.name,
                row.cells["unit_id"],
                "duplicate_id",
                v["unit_id"],
                f"mã đơn vị trùng với dòng {seen[v['unit_id']]}",
                "mỗi đơn vị dùng một mã riêng; đổi mã hoặc xóa dòng trùng",
            )
            errors.append(duplicate)
            problems.append(duplicate)
        unit = Unit(
            v["unit_id"] or "",
            v["name"] or "",
            v["level"] or "",
            v["parent"] or "",
            v["emails"] or (),
            v["sheet"] or "",
            v["active"] is not False,  # unreadable: counted as active, so that it is shown
            row.cells["sheet"],
        )
        if problems:
            rejected.append((unit, tuple(problems)))
        else:
            seen[unit.unit_id] = row.number
            units.append(unit)
    errors.sort(key=_reading_order)  # the duplicates were found after their rows' own errors
    return Registry(units, errors, rejected)


def _reading_order(error: CellError) -> tuple[int, int, str]:
    """Row by row, then column by column: the order in which staff read the tab."""
    letters = error.cell.rstrip("0123456789")
    return int(error.cell[len(letters) :] or 0), len(letters), letters


def read_registry(tabs: Mapping[str, Rows]) -> tuple[list[Unit], list[CellError]]:
    """Units of the registry (SPEC §5) with every problem of its rows."""
    registry = load_registry(tabs)
    return registry.units, registry.errors


@dataclass(frozen=True)
class ModelResult:
    """A model's computed rating (the proposal, đề xuất) and, when the unit recorded one, the
    rating the authority decided (the result, III.2.c) checked against the criteria."""

    model: Model
    eligibility: rules.Eligibility | None
    rating: rules.Rating
    decision: Decision | None = None
    check: rules.DecisionCheck | None = None  # set with `decision`

    @property
    def level(self) -> str:
        """The proposal: what the criteria allow."""
        return self.rating.level

    @property
    def final(self) -> str:
        """The result: the decided level where there is one, the proposal otherwise."""
        return self.decision.level if self.decision else self.rating.level

    @property
    def differs(self) -> bool:
        """The decision departs from the proposal (the province's audit lists it)."""
        return self.check is not None and self.check.kind != rules.SAME


@dataclass(frozen=True)
class ExemplarOutcome:
    exemplar: Exemplar
    result: rules.ExemplarResult | None  # None: its rows have errors
    reason: str = ""


@dataclass
class UnitResult:
    unit: Unit
    year: int
    status: str = STATUS_OK
    problem: str = ""  # why the sheet could not be read
    models: list[ModelResult] = field(default_factory=list)
    exemplars: list[ExemplarOutcome] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)  # the first MAX_ERRORS
    more_errors: int = 0  # the errors beyond those
    results_now: list[list[Any]] | None = None  # the Kết quả tab as read (None: none yet)

    @property
    def readable(self) -> bool:
        return self.status not in (STATUS_UNREADABLE, STATUS_REGISTRY)

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.more_errors

    def more_errors_line(self) -> str:
        """ "… và 1.999.800 lỗi khác", or "" when every error is listed."""
        return f"… và {grouped(self.more_errors)} lỗi khác" if self.more_errors else ""

    def count(self, level: str) -> int:
        """Models at `level` as the result stands: decided where decided, proposed otherwise."""
        return sum(1 for m in self.models if m.final == level)


def unreadable(unit: Unit, year: int, problem: str) -> UnitResult:
    return UnitResult(unit, year, STATUS_UNREADABLE, problem)


def registry_problem(unit: Unit, year: int, errors: tuple[CellError, ...]) -> UnitResult:
    """A registry row set aside: shown in the unit summary with its problems, never read."""
    return UnitResult(
        unit, year, STATUS_REGISTRY, "; ".join(str(e) for e in errors), errors=list(errors)
    )


def _blocked_reason(errors: list[CellError]) -> str:
    places = list(dict.fromkeys(f"tab {e.tab}, ô {e.cell}" for e in errors))
    return (
        f"Chưa xếp loại được vì dữ liệu có lỗi ({'; '.join(places)}): sửa các lỗi này, "
        "lần chạy sau phần mềm xếp loại lại"
    )


def evaluate_unit(
    unit: Unit,
    tabs: Mapping[str, Rows],
    year: int,
    today: date,
    reference: date,
    rated_before: set[str],
    method: str,
    previous_reference: date | None = None,
    cache: ParseCache | None = None,
) -> UnitResult:
    """Validate a unit's tabs and rate every model and exemplar of `year`.

    `rated_before`: the models the history holds a rating of before `year`. A model is also in
    its second rated year when it was eligible in Y−1 (its decision date + 10 months reaches
    `previous_reference`, R of Y−1): rated on paper before the workspace existed (SPEC §3.4).
    `cache`: the run's (`ParseCache`); without one, the unit is read with a cache of its own.
    """
    data = validate_unit(tabs, year, today, cache)
    status = STATUS_ERRORS if data.errors else STATUS_OK
    result = UnitResult(unit, year, status, errors=data.errors[:MAX_ERRORS])
    result.more_errors = max(0, len(data.errors) - MAX_ERRORS)
    # By its exact name: a tab the unit renamed ("KẾT QUẢ") is written, and so renamed back
    existing = tabs.get(load("unit").results_tab or "")
    result.results_now = [list(row) for row in existing] if existing is not None else None
    for model in data.models:
        before = model.model_id in rated_before or (
            previous_reference is not None and _eligible_by_then(model, previous_reference)
        )
        result.models.append(_rate_model(model, data, reference, before, method))
    for (kind, entity), errors in data.blocking.items():
        v = data.read_values.get((kind, entity))
        if v is None:
            continue  # rows pointing to an ID the unit does not have: reported as errors only
        if kind == "models":
            rating = rules.Rating(rules.UNRATED, (_blocked_reason(errors),))
            result.models.append(ModelResult(Model.from_values(v), None, rating))
        else:
            result.exemplars.append(
                ExemplarOutcome(Exemplar.from_values(v), None, _blocked_reason(errors))
            )
    for exemplar in data.exemplars:
        criteria = data.criteria.get(exemplar.exemplar_id, [])
        result.exemplars.append(
            ExemplarOutcome(exemplar, rules.assess_exemplar(exemplar, criteria, reference))
        )
    result.models.sort(key=lambda m: m.model.model_id)
    result.exemplars.sort(key=lambda e: e.exemplar.exemplar_id)
    return result


def _eligible_by_then(model: Model, previous_reference: date) -> bool:
    """Seed 002 III.2.a in Y−1: 10 full months from the decision date by R of Y−1."""
    start = model.decision_date
    return start is not None and add_months(start, rules.MIN_MONTHS) <= previous_reference


def _rate_model(
    model: Model, data: UnitData, reference: date, rated_before: bool, method: str
) -> ModelResult:
    assessment = data.assessments.get(model.model_id)
    dossier = data.dossiers.get(model.model_id)
    proposal = _propose(model, data, reference, rated_before, method)
    decision = assessment.decision if assessment else None
    if decision is None:
        return proposal
    check = rules.check_decision(decision.level, proposal.rating, assessment, dossier)
    return ModelResult(model, proposal.eligibility, proposal.rating, decision, check)


def _propose(
    model: Model, data: UnitData, reference: date, rated_before: bool, method: str
) -> ModelResult:
    eligibility = rules.eligibility(model, reference)
    dossier = data.dossiers.get(model.model_id)
    missing = rules.missing_documents(dossier, rated_before) if dossier else ()
    if not eligibility.eligible:
        reason = "Chưa đủ điều kiện xếp loại: " + "; ".join(eligibility.reasons)
        return ModelResult(
            model, eligibility, rules.Rating(rules.UNRATED, (reason,), None, missing)
        )
    assessment = data.assessments.get(model.model_id)
    gaps = []
    if assessment is None:
        gaps.append(f"chưa có dòng đánh giá năm {data.year} trong tab Đánh giá")
    if dossier is None:
        gaps.append("chưa có dòng của mô hình trong tab Hồ sơ")
    if gaps or assessment is None or dossier is None:
        percent = rules.completion(data.targets.get(model.model_id, []), method)
        return ModelResult(
            model,
            eligibility,
            rules.Rating(rules.UNRATED, ("Thiếu dữ liệu: " + "; ".join(gaps),), percent, missing),
        )
    rating = rules.rate(
        data.targets.get(model.model_id, []), assessment, dossier, rated_before, method
    )
    return ModelResult(model, eligibility, rating)
