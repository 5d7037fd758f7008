"""Typed rows, as the validator produces them and the rules consume them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

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

    @classmethod
    def from_values(cls, v: Mapping[str, Any]) -> Model:
        """From a row of the tab Mô hình as read (column key -> value, None when empty)."""
        return cls(
            v["model_id"],
            v["name"] or "",
            v["field"] or "",
            v["status"] or "",
            v["decision_no"] or "",
            v["decision_date"],
            v["authority"] or "",
            v["end_date"],
            v["area"] or "",
        )


@dataclass(frozen=True)
class Target:
    model_id: str
    year: int
    target: str
    planned: Fraction
    achieved: Fraction


@dataclass(frozen=True)
class Decision:
    """The rating the establishing authority decided (seed 002, III.2.c: before 10/11)."""

    level: str  # Tốt | Khá | Trung bình | Yếu
    number: str = ""
    on: date | None = None
    authority: str = ""

    def describe(self) -> str:
        """ "45/QĐ-UBND ngày 08/11/2026 của UBND huyện", the parts recorded."""
        parts = [self.number]
        if self.on:
            parts.append(f"ngày {self.on:%d/%m/%Y}")
        if self.authority:
            parts.append(f"của {self.authority}")
        return " ".join(p for p in parts if p)


DECISION_KEYS = ("decided_level", "decided_no", "decided_date", "decided_by")


@dataclass(frozen=True)
class Assessment:
    """One model's checklist for one year: column key -> ticked (see unit.toml, tab Đánh giá),
    and the decided rating when the unit recorded one."""

    model_id: str
    year: int
    ticks: dict[str, bool] = field(default_factory=dict)
    decision: Decision | None = None


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

    @classmethod
    def from_values(cls, v: Mapping[str, Any]) -> Exemplar:
        """From a row of the tab Điển hình as read; a missing plan date reads as date.min."""
        return cls(
            v["exemplar_id"],
            v["name"] or "",
            v["kind"] or "",
            v["status"] or "",
            v["plan_date"] or date.min,
            v["field"] or "",
            bool(v["disciplined"]),
            v["title"] or "",
        )


@dataclass(frozen=True)
class Criterion:
    exemplar_id: str
    year: int
    criterion: str
    met: bool
