"""Click's own texts in Vietnamese: help headings, usage line, metavars and every usage error.

Click has no Vietnamese catalogue, and a gettext `.mo` for its "messages" domain would follow
Click's English strings silently from release to release. So the framework's words are set
here explicitly: a formatter with Vietnamese headings, commands that lay out their help with
it, a date type that fails in Vietnamese, and a `main` that turns every `UsageError` into a
Vietnamese message (never Click's own, whatever the error's class).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NoReturn

import click

from worker.core.errors import Status

USAGE = "Cách dùng: "
OPTIONS_METAVAR = "[TÙY_CHỌN]"
HELP_TEXT = "Hiện hướng dẫn này rồi thoát."
USAGE_ERROR = Status.BAD_CONFIG  # a wrong command line, like Click's own exit status


class Formatter(click.HelpFormatter):
    """Click's formatter with a Vietnamese usage prefix."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE)


class Context(click.Context):
    formatter_class = Formatter


class Day(click.ParamType):
    """A day as Vietnamese write it (dd/mm/yyyy, d/m/yyyy) or as ISO (yyyy-mm-dd); a wrong one is
    refused in Vietnamese."""

    name = "ngày"
    FORMATS = ("%d/%m/%Y", "%Y-%m-%d")

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "NGÀY"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        for form in self.FORMATS:
            try:
                return datetime.strptime(str(value).strip(), form).date()
            except ValueError:
                continue
        self.fail(
            f"“{value}” không phải một ngày có thật; nhập theo dạng ngày/tháng/năm, ví dụ "
            "29/10/2026 (hoặc 2026-10-29)",
            param,
            ctx,
        )


class Command(click.Command):
    """A command whose help and usage read in Vietnamese."""

    context_class = Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_TEXT
        return option

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [
            record
            for param in self.get_params(ctx)
            if not isinstance(param, click.Argument)
            and (record := param.get_help_record(ctx)) is not None
        ]
        if rows:
            with formatter.section("Tùy chọn"):
                formatter.write_dl(rows)


class Group(Command, click.Group):
    """The `mohinh` group: Vietnamese help, commands made Vietnamese, errors said in Vietnamese."""

    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "LỆNH [THAM_SỐ]...")
        super().__init__(*args, **kwargs)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        rows = [
            (name, command.get_short_help_str(formatter.width - 6 - len(name)))
            for name in self.list_commands(ctx)
            if (command := self.get_command(ctx, name)) is not None and not command.hidden
        ]
        if rows:
            with formatter.section("Lệnh"):
                formatter.write_dl(rows)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        if self.get_command(ctx, name) is None and not name.startswith("-"):
            known = ", ".join(self.list_commands(ctx))
            raise click.UsageError(f"không có lệnh “{name}”; các lệnh: {known}", ctx)
        return super().resolve_command(ctx, args)

    def main(  # type: ignore[override]
        self, args: Sequence[str] | None = None, prog_name: str | None = None, **extra: Any
    ) -> NoReturn:
        extra.pop("standalone_mode", None)
        try:
            status = super().main(args, prog_name, standalone_mode=False, **extra)
        except click.UsageError as exc:
            report(exc)
            sys.exit(USAGE_ERROR)
        except click.Abort:
            click.echo("Đã dừng.", err=True)
            sys.exit(Status.SOME_FAILED)
        except click.ClickException as exc:  # e.g. a file Click itself could not open
            click.echo(f"Lỗi: {vietnamese(exc)}", err=True)
            sys.exit(exc.exit_code)
        sys.exit(status if isinstance(status, int) else 0)


def vietnamese(exc: click.ClickException) -> str:
    """The error in Vietnamese; Click's English message is never shown."""
    param = getattr(exc, "param", None)
    name = _param_name(param, exc) if param is not None else ""
    if isinstance(exc, click.MissingParameter):
        kind = "tham số" if isinstance(param, click.Argument) else "tùy chọn"
        return f"thiếu {kind} {name}".rstrip()
    if isinstance(exc, click.NoSuchOption):
        close = ", ".join(exc.possibilities or ())
        return f"không có tùy chọn {exc.option_name}" + (f"; có thể là: {close}" if close else "")
    if isinstance(exc, click.BadOptionUsage):
        return f"tùy chọn {exc.option_name} cần một giá trị"
    if isinstance(exc, click.BadParameter):
        ours = isinstance(param, click.Parameter) and isinstance(param.type, Day)
        detail = exc.message if ours else "giá trị không hợp lệ"
        return f"{name}: {detail}" if name else detail
    if type(exc) is click.UsageError and exc.message.isascii() is False:
        return exc.message  # raised by this module, already Vietnamese
    return "dòng lệnh không hợp lệ"


def _param_name(param: click.Parameter, exc: click.ClickException) -> str:
    ctx = getattr(exc, "ctx", None)
    if isinstance(param, click.Argument):
        return param.make_metavar(ctx) if ctx is not None else (param.name or "").upper()
    return param.opts[0] if param.opts else ""


def report(exc: click.UsageError) -> None:
    """Usage line, where to find help, and the error, all in Vietnamese."""
    ctx = exc.ctx
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):  # bare `mohinh`: the help is enough
        click.echo(exc.ctx.get_help(), err=True)
        return
    if ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        click.echo(f"Xem hướng dẫn: {ctx.command_path} --help\n", err=True)
    click.echo(f"Lỗi: {vietnamese(exc)}", err=True)
