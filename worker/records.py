"""Typed rows, as the validator produces them and the rules consume them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

ACTIVE = "Đang hoạt động"
ENDED = "Đã kết thúc"
BUILDING = "Đang xây dựng"
INDIVIDUAL = "Cá nhân"


@dataclass(frozen=True)
class Model:
    model_id: str
    name: str
    field: str
    status: str
    decision_no: str = ""
    decision_date: date | None = None
    authority: str = ""
    end_date: date | None = None
    area: str = ""


@dataclass(frozen=True)
class Target:
    model_id: str
    year: int
    target: str
    planned: Fraction
    achieved: Fraction


@dataclass(frozen=True)
class Assessment:
    """One model's checklist for one year: column key -> ticked (see unit.toml, tab Đánh giá)."""

    model_id: str
    year: int
    ticks: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Dossier:
    model_id: str
    present: frozenset[int] = frozenset()  # document numbers (1..16) marked present


@dataclass(frozen=True)
class Exemplar:
    exemplar_id: str
    name: str
    kind: str
    status: str
    plan_date: date
    field: str = ""
    disciplined: bool = False
    title: str = ""


@dataclass(frozen=True)
class Criterion:
    exemplar_id: str
    year: int
    criterion: str
    met: bool
