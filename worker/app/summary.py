"""What a command prints when its job is done: one summary per job, in Vietnamese."""

from __future__ import annotations

import click

from jobs import consolidate as consolidate_job
from jobs import deliver as deliver_job
from jobs import remind as remind_job
from jobs import sync as sync_job
from worker.core import rules, tally
from worker.run.workspace import Workspace


def sync(report: sync_job.SyncReport) -> None:
    outcomes = list(report.outcomes.values())
    click.echo(
        f"Đơn vị: {len(outcomes)} đang hoạt động, {outcomes.count(sync_job.WRITTEN)} "
        f"cập nhật tab Kết quả, {outcomes.count(sync_job.UNCHANGED)} không đổi, "
        f"{report.failed} không đọc được"
        + (
            f", {outcomes.count(sync_job.SKIPPED)} cần cập nhật (chạy thử: không ghi)"
            if sync_job.SKIPPED in outcomes
            else ""
        )
    )
    for unit, why in report.problems.items():
        click.echo(f"  ! {unit} {why}")
    for notice in dict.fromkeys(report.notices):
        click.echo(f"  ! {notice}")
    if report.registry:
        withheld = [
            f"{report.rejected} dòng chưa được đọc" if report.rejected else "",
            f"{report.withheld} đơn vị đã đọc, xếp loại nhưng chưa được gửi thư"
            if report.withheld
            else "",
        ]
        told = "; ".join(w for w in withheld if w)
        click.echo(
            f"Danh mục đơn vị: {len(report.registry)} lỗi"
            + (f"; {told}" if told else "")
            + " (sửa danh mục rồi chạy lại)"
        )
    for problem in report.registry:
        click.echo(f"  ! {problem}")
    click.echo(f"Lỗi dữ liệu: {report.errors} (chi tiết trong tab Kết quả của từng đơn vị)")
    levels = [f"{lv} {report.ratings[lv]}" for lv in rules.LEVELS]
    levels.append(f"{rules.UNRATED} {tally.unrated_text(report.unrated)}")
    click.echo("Xếp loại: " + " · ".join(levels))


def remind(report: remind_job.RemindReport) -> None:
    if not report.due:
        click.echo("Nhắc hạn: chưa đến lịch nhắc nào")
        return
    # `n` is the reminder's offset, not the days left (a late run still sends the 7-day one)
    due = ", ".join(f"{d} (lượt nhắc trước {n} ngày)" for d, n in report.due)
    missing = [
        f"chưa có email đầu mối: {', '.join(report.without_email)}" if report.without_email else "",
        f"chưa gửi vì email trong danh mục có lỗi: {', '.join(report.withheld)}"
        if report.withheld
        else "",
        f"chờ tỉnh tìm tệp bảng tính: {', '.join(report.not_found)}" if report.not_found else "",
    ]
    click.echo(
        f"Nhắc hạn {due}: {len(report.queued)} thư mới" + "".join(f"; {m}" for m in missing if m)
    )


def deliver(report: deliver_job.DeliverReport, ws: Workspace) -> None:
    where = f"máy chủ {ws.settings.smtp.host}" if ws.settings.smtp else str(ws.outbox)
    if ws.dry_run:
        click.echo(f"Thư: {report.due} thư chờ gửi (chạy thử: không gửi)")
    elif not report.due:
        click.echo("Thư: không có thư mới")
    else:
        names = {
            "sent": "đã gửi" if ws.settings.smtp else "đã ghi ra tệp .eml (chưa gửi đi)",
            "retry": "sẽ thử lại",
            "failed": "lỗi, không gửi được",
            "uncertain": "chưa chắc đã đến",
        }
        parts = [f"{n} {names[s]}" for s, n in report.outcomes.items() if s in names]
        click.echo(f"Thư ({where}): " + (", ".join(parts) or "chưa gửi được thư nào"))
    if report.unavailable:
        click.echo(
            f"  ! {report.unavailable}: {report.waiting} thư chưa gửi được, sẽ thử lại "
            "ở lần chạy sau"
        )
    for line in report.undelivered:
        click.echo(f"  ! {line}")


def consolidate(report: consolidate_job.ConsolidateReport | None) -> None:
    if report is None:
        return
    kind = "bản xem trước" if report.preview else "bảng tổng hợp"
    click.echo(
        f"Tổng hợp năm {report.year}: {kind} " + (report.location or "(chạy thử: không ghi)")
    )
    if report.published:
        click.echo(f"  trên Google Sheets: {report.published}")
    if report.document:
        click.echo(f"  dự thảo báo cáo năm (Word): {report.document}")
    if report.problem:
        click.echo(f"  ! {report.problem}")
