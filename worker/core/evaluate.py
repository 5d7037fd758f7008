"""From rows to decisions: a unit's tabs into rated models (the registry is `registry`'s).

Pure: backends hand in rows, this returns results; nothing here reads or writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from worker.core import cells, decisions, rules
from worker.core.cells import grouped
from worker.core.decisions import DecisionCheck
from worker.core.fingerprint import fingerprint
from worker.core.layout import load
from worker.core.records import Decision, Exemplar, Model
from worker.core.registry import Unit
from worker.core.tabs import CellError, ParseCache, Rows
from worker.core.validation import UnitData, validate_unit

STATUS_OK, STATUS_ERRORS, STATUS_UNREADABLE = "Không có lỗi", "Có lỗi", "Không đọc được"
STATUS_REGISTRY = "Lỗi danh mục"  # its registry row makes it unknowable: the unit was not read
# The errors a unit is shown (Kết quả, its digest, the province's tables): past this a list is
# a wall nobody reads, and a sheet of a million wrong cells must not cost a million rows.
MAX_ERRORS = 200


@dataclass(frozen=True)
class ModelResult:
    """A model's computed rating (the proposal, đề xuất) and, when the unit recorded one, the
    rating the authority decided (the result, III.2.c) checked against the criteria."""

    model: Model
    eligibility: rules.Eligibility | None
    rating: rules.Rating
    decision: Decision | None = None
    check: DecisionCheck | None = None  # set with `decision`

    @property
    def level(self) -> str:
        """The proposal: what the criteria allow."""
        return self.rating.level

    @property
    def counted(self) -> bool:
        """A decision is recorded and counts (not for a model that cannot be rated)."""
        return self.decision is not None and self.check is not None and self.check.counted

    @property
    def final(self) -> str:
        """The result: the decided level where a decision counts, the proposal otherwise."""
        return self.decision.level if self.decision and self.counted else self.rating.level

    @property
    def differs(self) -> bool:
        """The decision departs from the proposal: above, below, or not valid."""
        return self.check is not None and self.check.kind != decisions.SAME

    @property
    def audited(self) -> bool:
        """The province's audit lists it: a decision that differs or has something noted."""
        return self.check is not None and (self.differs or bool(self.check.notes))

    @property
    def above(self) -> bool:
        """Decided above what the criteria allow: counted, and marked wherever it is shown."""
        return self.check is not None and self.check.kind == decisions.ABOVE

    @property
    def unrated(self) -> str:
        """Why the result is Chưa xếp loại (one of rules.UNRATED_KINDS), or ""."""
        return self.rating.unrated if self.final == rules.UNRATED else ""

    @property
    def to_terminate(self) -> bool:
        """III.3: Yếu by the criteria for its year's work, whatever was decided."""
        return self.level == rules.YEU and not self.rating.dossier_only

    @property
    def to_complete(self) -> bool:
        """Yếu by the criteria only for its dossier: listed to add the documents."""
        return self.rating.dossier_only

    @property
    def to_replicate(self) -> bool:
        """III.3: chosen among the Tốt models that are truly effective — Tốt as the result and
        by the criteria."""
        return self.final == rules.TOT and self.level == rules.TOT

    @property
    def to_review(self) -> bool:
        """Tốt as decided but not by the criteria: to be reviewed before any replication."""
        return self.final == rules.TOT and self.level != rules.TOT


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
    # What the Kết quả tab says as read (its fingerprint; None: no tab yet): the sync
    # compares it with what it would write. Not the rows: a province's would fill memory.
    results_seen: str | None = None
    # Unreadable for a reason on the province's side: the unit is not mailed until it is fixed
    province_side: bool = False

    @property
    def readable(self) -> bool:
        return self.status not in (STATUS_UNREADABLE, STATUS_REGISTRY)

    @property
    def dated(self) -> bool:
        """Whether the day of the read decided something: a date not yet come was refused (an
        error until that day). Errors beyond those listed are not known, so they count too."""
        return self.more_errors > 0 or any(e.code == cells.FUTURE_DATE for e in self.errors)

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.more_errors

    def more_errors_line(self) -> str:
        """ "… và 1.999.800 lỗi khác", or "" when every error is listed."""
        return f"… và {grouped(self.more_errors)} lỗi khác" if self.more_errors else ""

    def count(self, level: str) -> int:
        """Models at `level` as the result stands: decided where decided, proposed otherwise."""
        return sum(1 for m in self.models if m.final == level)

    def finals(self) -> list[str]:
        """Each model's level as the result stands (`ModelResult.final`)."""
        return [m.final for m in self.models]

    def unrated_kinds(self) -> list[str]:
        """Why each model whose result is Chưa xếp loại is (`ModelResult.unrated`)."""
        return [m.unrated for m in self.models if m.unrated]


def unreadable(unit: Unit, year: int, problem: str, province_side: bool = False) -> UnitResult:
    return UnitResult(unit, year, STATUS_UNREADABLE, problem, province_side=province_side)


def registry_problem(unit: Unit, year: int) -> UnitResult:
    """A registry row set aside: shown in the unit summary with its problems, never read."""
    return UnitResult(
        unit,
        year,
        STATUS_REGISTRY,
        "; ".join(str(e) for e in unit.problems),
        errors=list(unit.problems),
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
    cache: ParseCache | None = None,
    decision_day: date | None = None,
) -> UnitResult:
    """Validate a unit's tabs and rate every model and exemplar of `year`.

    `rated_before`: the models the history holds a rating of for Y−1. A model whose Đánh giá
    tab has a row for Y−1 was rated then too: either way document (13), the decision on that
    rating, is required (SPEC §3.4). `cache`: the run's (`ParseCache`); without one, the unit is
    read with a cache of its own. `decision_day`: the calendar's deadline for decisions
    (10/11/Y by default); a decision dated after it is noted.
    """
    data = validate_unit(tabs, year, today, cache)
    status = STATUS_ERRORS if data.errors else STATUS_OK
    result = UnitResult(unit, year, status, errors=data.errors[:MAX_ERRORS])
    result.more_errors = max(0, len(data.errors) - MAX_ERRORS)
    # By its exact name: a tab the unit renamed ("KẾT QUẢ") is written, and so renamed back
    existing = tabs.get(load("unit").results_tab or "")
    result.results_seen = fingerprint(existing) if existing is not None else None
    for model in data.models:
        before = model.model_id in rated_before or model.model_id in data.assessed_before
        proposal = _propose(model, data, reference, before, method)
        result.models.append(_decide(proposal, data, decision_day))
    for (kind, entity), errors in data.blocking.items():
        v = data.read_values.get((kind, entity))
        if v is None:
            continue  # rows pointing to an ID the unit does not have: reported as errors only
        if kind == "models":
            reasons = (_blocked_reason(errors),)
            rating = rules.Rating(rules.UNRATED, reasons, unrated=rules.UNRATED_DATA)
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


def _decide(proposal: ModelResult, data: UnitData, decision_day: date | None) -> ModelResult:
    """The proposal with the decision the unit recorded, checked (SPEC §3.3)."""
    model = proposal.model
    assessment = data.assessments.get(model.model_id)
    decision = assessment.decision if assessment else None
    if decision is None:
        return proposal
    dossier = data.dossiers.get(model.model_id)
    check = decisions.check_decision(decision.level, proposal.rating, assessment, dossier)
    if check.counted:
        notes = decisions.decision_notes(decision, model.authority, data.year, decision_day)
        check = replace(check, notes=notes)
    return replace(proposal, decision=decision, check=check)


def _propose(
    model: Model, data: UnitData, reference: date, rated_before: bool, method: str
) -> ModelResult:
    eligibility = rules.eligibility(model, reference)
    dossier = data.dossiers.get(model.model_id)
    missing = rules.missing_documents(dossier, rated_before) if dossier else ()
    if not eligibility.eligible:
        reason = "Chưa đủ điều kiện xếp loại: " + "; ".join(eligibility.reasons)
        rating = rules.Rating(rules.UNRATED, (reason,), None, missing, unrated=eligibility.kind)
        return ModelResult(model, eligibility, rating)
    assessment = data.assessments.get(model.model_id)
    gaps = []
    if assessment is None:
        gaps.append(f"chưa có dòng đánh giá năm {data.year} trong tab Đánh giá")
    if dossier is None:
        gaps.append("chưa có dòng của mô hình trong tab Hồ sơ")
    if gaps or assessment is None or dossier is None:
        percent = rules.completion(data.targets.get(model.model_id, []), method)
        reasons = ("Thiếu dữ liệu: " + "; ".join(gaps),)
        rating = rules.Rating(rules.UNRATED, reasons, percent, missing, unrated=rules.UNRATED_DATA)
        return ModelResult(model, eligibility, rating)
    rating = rules.rate(
        data.targets.get(model.model_id, []), assessment, dossier, rated_before, method
    )
    return ModelResult(model, eligibility, rating)
