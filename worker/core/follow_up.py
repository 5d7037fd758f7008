"""The follow-ups of seed 002 III.3 in words, as every list says them (the consolidated workbook,
the annual report, the province's digests): what a listed model's level rests on, the decision
beside a model listed by its criteria, and what to do with a model both proposals leave out.
Pure: a model's result in, text out."""

from __future__ import annotations

from worker.core import rules
from worker.core.evaluate import ModelResult

PROPOSED = "Đề xuất (chưa có quyết định công nhận)"
NOT_DECIDED = "Chưa có quyết định công nhận"


def basis(m: ModelResult) -> str:
    """What a listed level rests on: the decision that counts, or the proposal."""
    if m.decision is None or not m.counted:
        return PROPOSED
    described = m.decision.describe()
    return f"Quyết định {described}" if described else "Quyết định công nhận"


def decided(m: ModelResult) -> str:
    """The decision beside a model listed by its criteria: "Công nhận Tốt (Quyết định 101/QĐ-…
    ngày 06/11/2026 của UBND xã) — Công nhận cao hơn mức tiêu chí: …", or that there is none."""
    if m.decision is None or m.check is None:
        return NOT_DECIDED
    described = m.decision.describe()
    text = f"Công nhận {m.decision.level}" + (f" (Quyết định {described})" if described else "")
    return f"{text} — {m.check.text}" if m.check.text else text


def review(m: ModelResult) -> list[str]:
    """What to do with a model kept out of both proposals (SPEC §3.3)."""
    todo = []
    if m.to_complete:
        lifted = f"; đủ hồ sơ thì đạt {m.rating.steps[0].level}" if m.rating.steps else ""
        todo.append(
            "Bổ sung hồ sơ, không đề xuất kết thúc (Yếu chỉ do hồ sơ): thiếu "
            + rules.describe_documents(m.rating.missing_documents)
            + lifted
        )
    if m.to_review and m.check is not None:
        todo.append(f"Xem xét lại trước khi nhân rộng: {m.check.text}")
    return todo
