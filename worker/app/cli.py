"""The `mohinh` command (also `python -m worker`). Only this module and the scheduler read the
clock; every job gets `today` and `now` from here.

Exit status: 0 all well; 1 some unit failed (the others done), a registry row has a problem,
or a message failed or waits (each named); 2 bad configuration; 3 another worker holds
the workspace (this one did nothing); 4 the environment (disk full, state store busy,
unwritable or corrupt beyond repair, network unreachable: nothing is left half-written, and the
next run goes on).
"""

from __future__ import annotations

import functools
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import click

from jobs import consolidate, deliver, remind, sync
from worker.adapters.files import write_atomically
from worker.app import cli_vi, halt, monitor, summary
from worker.app.entry import EARLY
from worker.app.scaffold import init_workspace
from worker.app.wiring import back_up, environment_errors, open_workspace
from worker.core.checks import FAIL, exit_status
from worker.core.errors import Problem, SheetError, Status
from worker.core.registry import Unit, read_registry
from worker.run.workspace import RunOptions, Workspace

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OK, SOME_FAILED, BAD_CONFIG = Status.OK, Status.SOME_FAILED, Status.BAD_CONFIG


def fail(problem: Problem, mark: str = "") -> NoReturn:
    """The one place where a problem becomes an exit status: its class says which. `mark`: the
    checklist's ✗ when the problem ends `kiem-tra`."""
    click.echo(f"{mark}{problem.heading}{problem}", err=True)
    sys.exit(problem.status)


def progress(units: list[Unit]) -> Iterator[Unit]:
    with click.progressbar(
        units,
        label="Đọc bảng tính các đơn vị",
        file=sys.stderr,
        item_show_func=lambda u: u.unit_id if u else None,
    ) as bar:
        yield from bar


OFFERED = {
    "today": click.option(
        "--today",
        type=cli_vi.Day(),
        help="Giả định hôm nay là NGÀY, viết như 05/11/2026 (hoặc 2026-11-05), để thử lịch nhắc.",
    ),
    "dry_run": click.option(
        "--dry-run", is_flag=True, help="Tính và in ra, không ghi tệp, không gửi thư."
    ),
    "force": click.option(
        "--force",
        is_flag=True,
        help="Đọc lại mọi bảng tính, kể cả bảng tính chưa thay đổi từ lần trước.",
    ),
}
Command = Callable[..., int]


def common(*offered: str, read_only: bool = False) -> Callable[[Command], Callable[..., None]]:
    """--workspace, and of --today, --dry-run and --force those that do something for this
    command (`offered`); opens the workspace and ends with the command's exit status.
    `read_only`: the workspace is opened as for a dry run (no lock, the state in memory), and
    a problem opening it is the checklist's first ✗."""

    def decorate(command: Command) -> Callable[..., None]:
        @functools.wraps(command)
        def wrapper(
            workspace: Path,
            today: date | None = None,
            dry_run: bool = False,
            force: bool = False,
            **kw: Any,
        ) -> None:
            # what the process was started with (a test's routes to its servers), then the flags
            started = click.get_current_context().find_object(RunOptions) or RunOptions()
            options = replace(
                started,
                dry_run=dry_run or read_only,
                force=force,
                today=today,
                progress=progress,
            )
            _refuse_today_for_the_daemon(options, kw)
            try:
                with environment_errors(workspace), open_workspace(workspace, options) as ws:
                    sys.exit(_run_command(command, ws, options, kw, read_only))
            except Problem as problem:
                fail(problem, FAIL + " " if read_only else "")

        for name in reversed(offered):
            wrapper = OFFERED[name](wrapper)
        return click.option(
            "--workspace",
            "-w",
            type=click.Path(file_okay=False, path_type=Path),
            default=Path("."),
            metavar="THƯ_MỤC",
            help="Thư mục làm việc (mặc định: thư mục hiện tại).",
        )(wrapper)

    return decorate


def _refuse_today_for_the_daemon(options: RunOptions, kw: dict[str, Any]) -> None:
    if kw.get("once") is False and options.today is not None:  # the daemon keeps real time
        day, _ = options.clock(TZ)
        click.echo(
            "Lỗi: --today chỉ dùng với --once. Chạy nền luôn theo ngày giờ thật; để chạy "
            f"như thể hôm nay là {day:%d/%m/%Y}, dùng: mohinh run --once --today "
            f"{day:%d/%m/%Y}",
            err=True,
        )
        sys.exit(BAD_CONFIG)


def _run_command(
    command: Command, ws: Workspace, options: RunOptions, kw: dict[str, Any], read_only: bool
) -> int:
    day, now = options.clock(TZ)
    mode = (
        " — KIỂM TRA, chỉ đọc, không ghi gì"
        if read_only
        else " — CHẠY THỬ, không ghi gì"
        if options.dry_run
        else ""
    )
    click.echo(
        f"mohinh — {ws.settings.province} — năm đánh giá "
        f"{ws.settings.year(day)} — ngày {day:%d/%m/%Y}{mode}"
    )
    for notice in ws.notices:
        click.echo(f"Lưu ý: {notice}", err=True)
    status = command(ws, day, now, **kw)
    if status in (OK, SOME_FAILED):  # a backup of the state the run left
        back_up(ws, datetime.now(TZ))  # named by the real time, not --today
    return status


@click.group(
    cls=cli_vi.Group,
    help="Theo dõi mô hình, điển hình: đọc bảng tính các đơn vị, xếp loại, nhắc hạn và tổng hợp.",
)
@click.version_option(
    package_name="mohinh",
    prog_name="mohinh",
    message="%(prog)s, phiên bản %(version)s",
    help="Hiện phiên bản rồi thoát.",
)
def main() -> None:
    """The `mohinh` command group; each job is a subcommand."""
    halt.install_from_environment()  # the kill test's hook; nothing without its variable
    if click.get_current_context().invoked_subcommand != "run":
        EARLY.release()  # only the daemon waits for SIGTERM: the others end by it as ever


@main.command(help="Tạo thư mục làm việc mới (THƯ_MỤC); --demo điền một tỉnh mẫu.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), metavar="THƯ_MỤC")
@click.option("--demo", is_flag=True, help="Điền dữ liệu mẫu: 12 đơn vị, hơn 100 mô hình.")
@click.option("--today", type=cli_vi.Day(), help="Ngày làm mốc cho dữ liệu mẫu.")
def init(directory: Path, demo: bool, today: date | None) -> None:
    day, _ = RunOptions(today=today).clock(TZ)
    try:
        with environment_errors(directory):
            written = init_workspace(directory, demo, day)
    except Problem as problem:
        fail(problem)
    click.echo(f"Đã tạo thư mục làm việc {directory} ({len(written)} tệp):")
    for path in written:
        click.echo(f"  {path}")
    click.echo(f"Chạy tiếp: {invoked_as()} run --once --workspace {directory}")


def invoked_as() -> str:
    """How to call mohinh again from here: `mohinh` when it is on the PATH, else the path this
    process was started by (`.venv/bin/mohinh` after `make demo`)."""
    started = Path(sys.argv[0])
    on_path = shutil.which("mohinh")
    if started.name != "mohinh" or (on_path and Path(on_path).resolve() == started.resolve()):
        return "mohinh"
    try:
        return str(started.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(started)


@main.command(help="Chạy định kỳ theo lịch; --once chạy mọi việc đến hạn một lần rồi thoát.")
@click.option("--once", is_flag=True, help="Chạy một lần mọi việc đến hạn hôm nay rồi thoát.")
@common("today", "dry_run", "force")
def run(ws: Workspace, today: date, now: datetime, once: bool) -> int:
    # The daemon and --once both keep logs/mohinh.log (a dry run writes nothing, not even that)
    handler = None if ws.dry_run else monitor.log_to_file(ws.root, ws.options.log)
    try:
        return _run(ws, today, now, once)
    finally:
        if handler is not None:
            monitor.stop_logging(ws.options.log, handler)


def _run(ws: Workspace, today: date, now: datetime, once: bool) -> int:
    from worker.app.scheduler import run_cycle, serve

    if not once:
        return serve(ws, TZ)
    EARLY.release()
    report = run_cycle(ws, today, now)
    summary.sync(report.sync)
    summary.remind(report.remind)
    summary.consolidate(report.consolidate)
    summary.deliver(report.deliver, ws)
    click.echo(f"Thư mục làm việc: {ws.root.resolve()}")
    # Mail that failed or waits (an unreachable server too) is exit 1, not 4: the run's own work
    # is done and the messages wait in the ledger for the next delivery (README, "Exit status").
    return OK if report.ok else SOME_FAILED


@main.command(name="jobs", help="Liệt kê các việc chạy nền và lần chạy tiếp theo của mỗi việc.")
@common("today")
def jobs_command(ws: Workspace, today: date, now: datetime) -> int:
    from worker.app.scheduler import next_runs

    click.echo(f"Lịch: {ws.calendar.name}")
    for name, when in next_runs(ws, TZ, now):
        click.echo(f"  {when:%d/%m/%Y %H:%M}  {name}")
    year = ws.settings.year(today)
    for cutoff in ws.calendar.cutoffs:
        days = ", ".join(str(d) for d in ws.calendar.reminder_days)
        click.echo(f"  hạn {cutoff.on(year):%d/%m/%Y}: {cutoff.what} (nhắc trước {days} ngày)")
    click.echo(f"  tổng hợp từ {ws.calendar.consolidation_day(year):%d/%m/%Y}")
    return OK


@main.command(help="Xem trước thư nhắc của một đơn vị (MÃ_ĐƠN_VỊ): in ra và ghi tệp HTML.")
@click.argument("unit", metavar="MÃ_ĐƠN_VỊ")
@common("today", "dry_run", "force")
def preview(ws: Workspace, today: date, now: datetime, unit: str) -> int:
    from notifications import compose

    units = ws.active_units()  # the registry alone: a wrong code is refused before any sheet
    found = next((u for u in units if u.unit_id.casefold() == unit.strip().casefold()), None)
    if found is None:
        known = ", ".join(u.unit_id for u in units)
        click.echo(
            f"Không có đơn vị “{unit}” đang hoạt động trong danh mục; các mã: {known}", err=True
        )
        return BAD_CONFIG
    result = ws.evaluate_alone(found, today)
    year = result.year
    due = (
        ws.calendar.due_reminders(year, today)
        or [(c, (c.on(year) - today).days) for c in ws.calendar.cutoffs if c.on(year) > today][:1]
    )
    if not due:
        click.echo("Không còn hạn nào phía trước trong năm đánh giá này.", err=True)
        return OK
    draft = remind.unit_draft(ws, "xem-truoc", result, due, today, now)
    text, html = compose.render_parts(draft)
    click.echo(f"Tiêu đề: {draft.subject}\nGửi tới: {', '.join(draft.recipients)}\n\n{text}")
    path = ws.outbox / f"xem-truoc-{compose.safe_name(found.unit_id)}.html"
    if not ws.dry_run:
        write_atomically(path, html.encode("utf-8"))
        click.echo(f"Bản HTML: {path}")
    return OK


@main.command(
    help="Tạo bảng tính mới theo mẫu cho các đơn vị chưa có (hoặc cho các mã đơn vị được nêu), "
    "chia sẻ cho cán bộ đầu mối và ghi địa chỉ vào danh mục đơn vị."
)
@click.argument("units", nargs=-1, metavar="[MÃ_ĐƠN_VỊ]...")
@common("dry_run")
def provision(ws: Workspace, today: date, now: datetime, units: tuple[str, ...]) -> int:
    registry, _ = read_registry(ws.backend.read_registry())
    unknown = sorted(set(units) - {u.unit_id for u in registry})
    if unknown:
        click.echo(f"Không có mã đơn vị {', '.join(unknown)} trong danh mục", err=True)
        return BAD_CONFIG
    targets = (
        [u for u in registry if u.unit_id in units]
        if units
        else [u for u in registry if not u.sheet and u.active]
    )
    failed = False
    for unit in targets:
        if unit.sheet:
            click.echo(f"  ! {unit.unit_id}: đã có bảng tính {unit.sheet}, không tạo lại")
            failed = True
        elif ws.dry_run:
            click.echo(f"  {unit.unit_id} {unit.name}: sẽ tạo bảng tính (chạy thử: không tạo)")
        else:
            try:
                click.echo(f"  {unit.unit_id} {unit.name}: {ws.backend.provision(unit)}")
            except SheetError as exc:
                click.echo(f"  ! {unit.unit_id} {unit.name}: {exc}")
                failed = True
    if not targets:
        click.echo("Mọi đơn vị đang hoạt động đều đã có bảng tính.")
    return SOME_FAILED if failed else OK


@main.command(name="sync", help="Đọc, kiểm tra, xếp loại và ghi tab Kết quả cho mọi đơn vị.")
@common("today", "dry_run", "force")
def sync_command(ws: Workspace, today: date, now: datetime) -> int:
    report = sync.run(ws, today, now)
    summary.sync(report)
    return SOME_FAILED if report.trouble else OK


@main.command(name="remind", help="Soạn thư nhắc hạn đến lịch (đưa vào hàng chờ gửi).")
@common("today", "dry_run", "force")
def remind_command(ws: Workspace, today: date, now: datetime) -> int:
    summary.remind(remind.run(ws, today, now))
    return OK


@main.command(
    name="consolidate", help="Lập bảng tổng hợp của tỉnh; trước ngày tổng hợp là bản xem trước."
)
@common("today", "dry_run", "force")
def consolidate_command(ws: Workspace, today: date, now: datetime) -> int:
    summary.consolidate(consolidate.run(ws, today, now))
    return OK


@main.command(
    name="deliver",
    help="Gửi các thư đang chờ qua máy chủ thư đã cấu hình; chưa cấu hình thì ghi tệp .eml "
    "vào thư mục outbox/.",
)
@common("today", "dry_run")
def deliver_command(ws: Workspace, today: date, now: datetime) -> int:
    report = deliver.run(ws, today, now)
    summary.deliver(report, ws)
    return SOME_FAILED if report.trouble else OK  # a message failed or waits


@main.command(
    name="kiem-tra",
    help="Kiểm tra trước khi chạy: cấu hình, khóa Google, danh mục, bảng tính các đơn vị, thư "
    "mục Drive, máy chủ thư và máy theo dõi. Chỉ đọc, không ghi và không gửi gì.",
)
@common(read_only=True)
def check_command(ws: Workspace, today: date, now: datetime) -> int:
    from worker.app.checkup import checklist

    found = []
    for check in checklist(ws):
        click.echo(check.line())
        found.append(check)
    bad = sum(not c.ok for c in found)
    click.echo(f"Kết quả: {len(found) - bad} mục đạt, {bad} mục cần sửa")
    return exit_status(found)
