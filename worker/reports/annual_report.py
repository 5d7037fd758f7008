"""The province's annual report drafted (issue 19): "Báo cáo kết quả xây dựng, nhân rộng mô hình,
điển hình tiên tiến năm Y", the sections the guide and the calendars ask a province to report
(seed 002 III.3 and IV; seed 004 III.1: the year assessed, strengths, weaknesses and lessons,
next year's tasks, commendations, proposals to Cục V05), its numbers from the same tables and
rules as the consolidated workbook, its narrative left as marked paragraphs for the clerk, its
lists as appendices grouped by unit. Pure: the backend lays the `Document` out as a Word file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from fractions import Fraction

from worker.core import rules, tally
from worker.core.backend import Document, Part, Signature, ToWrite
from worker.core.evaluate import UnitResult
from worker.core.records import BUILDING, ENDED, INDIVIDUAL
from worker.core.settings import ReportSettings
from worker.reports import report_lists as lists
from worker.reports import tables

GAP = "      "  # the number and the day are the office's to fill when it registers the report
STAFF = "Thường trực Ban Chỉ đạo"
# the appendices in order: key, heading, the table's columns in proportion (STT first)
APPENDICES = (
    ("units", "KẾT QUẢ XẾP LOẠI MÔ HÌNH THEO ĐƠN VỊ", (3, 22, 7, 5, 5, 6, 5, 7, 7)),
    ("replicate", "DANH SÁCH MÔ HÌNH ĐỀ XUẤT NHÂN RỘNG", (3, 24, 12, 9, 16)),
    ("terminate", "DANH SÁCH MÔ HÌNH ĐỀ XUẤT KẾT THÚC", (3, 18, 24, 18)),
    ("review", "DANH SÁCH MÔ HÌNH CẦN BỔ SUNG HỒ SƠ, XEM XÉT LẠI", (3, 18, 8, 8, 26)),
    ("changes", "DANH SÁCH MÔ HÌNH THÀNH LẬP MỚI, KẾT THÚC TRONG NĂM", (3, 22, 12, 15, 11)),
    ("exemplars", "DANH SÁCH ĐIỂN HÌNH ĐẾN HẠN ĐÁNH GIÁ, ĐỀ XUẤT KẾT THÚC", (3, 18, 7, 7, 16, 16)),
    ("audit", "ĐỐI CHIẾU QUYẾT ĐỊNH CÔNG NHẬN XẾP LOẠI VỚI TIÊU CHÍ", (3, 16, 7, 7, 14, 20)),
    ("commend", "MÔ HÌNH, ĐIỂN HÌNH LÀM CƠ SỞ XÉT BIỂU DƯƠNG, KHEN THƯỞNG", (3, 10, 26, 18)),
    (
        "v05",
        "MÔ HÌNH ĐỀ XUẤT CỤC V05 - BỘ CÔNG AN THẨM ĐỊNH, NHÂN RỘNG TOÀN QUỐC",
        (3, 22, 12, 12, 8),
    ),
)


def _write(what: str) -> ToWrite:
    """A paragraph for the staff to write, saying what."""
    return ToWrite(f"[{STAFF} viết: {what}]")


def _share(n: int, total: int) -> str:
    return f" ({rules.format_percent(Fraction(100 * n, total))}%)" if total else ""


def _names(results: Sequence[UnitResult]) -> str:
    return ", ".join(r.unit.name for r in results)


class _Appendices:
    """The appendices that have rows, numbered in order; a reference to one that has none says
    nothing."""

    def __init__(self, tables_by_key: dict[str, list[lists.Row]]):
        self.parts: list[Part] = []
        self.numbers: dict[str, int] = {}
        for key, heading, widths in APPENDICES:
            if tables_by_key[key]:
                self.numbers[key] = len(self.parts) + 1
                heading = f"Phụ lục {self.numbers[key]}\n{heading}"
                self.parts.append(Part(heading, (), tables_by_key[key], 1, widths))

    def see(self, key: str) -> str:
        return f" (Phụ lục {self.numbers[key]})" if key in self.numbers else ""


def _period(reference: date) -> lists.Period:
    """The year that ends on `reference` (31/10/Y): from the day after a year before."""
    try:
        before = reference.replace(year=reference.year - 1)
    except ValueError:  # 29/02
        before = reference.replace(year=reference.year - 1, day=28)
    return lists.Period(date.fromordinal(before.toordinal() + 1), reference)


def _models(units: Sequence[UnitResult], period: lists.Period, see: Callable[[str], str]) -> Part:
    models = [m for r in units for m in r.models]
    new = sum(1 for m in models if lists.new_in(m, period))
    ended = sum(1 for m in models if lists.ended_in(m, period))
    fields = tables.field_table(units)
    by_field = "; ".join(f"{row[0]} {row[-1]}" for row in fields.values.tolist()[:-1] if row[-1])
    return Part(
        "a) Số lượng mô hình",
        [
            f"Các đơn vị đang theo dõi {len(models)} mô hình; trong năm có {new} mô hình thành lập "
            f"mới và {ended} mô hình kết thúc hoạt động{see('changes')}. Theo lĩnh vực: "
            f"{by_field}."
        ],
        level=3,
    )


def _ratings(units: Sequence[UnitResult], year: int, see: Callable[[str], str]) -> Part:
    models = [m for r in units for m in r.models]
    fields = tables.field_table(units)
    total = len(models)
    levels = {level: sum(r.count(level) for r in units) for level in rules.LEVELS}
    counts = "; ".join(f"{level} {n}{_share(n, total)}" for level, n in levels.items())
    counted = sum(1 for m in models if m.counted)
    return Part(
        "b) Kết quả đánh giá, xếp loại",
        [
            f"Kết quả xếp loại {total} mô hình năm {year}: {counts}; {rules.UNRATED} "
            f"{tally.unrated_text(tally.unrated(models))}{see('units')}.",
            f"Trong đó, {counted} mô hình đã có quyết định công nhận xếp loại của cấp có thẩm "
            f"quyền; {total - counted} mô hình được tổng hợp theo kết quả đánh giá, đề xuất xếp "
            "loại của đơn vị. Kết quả theo lĩnh vực:",
        ],
        [list(fields.columns), *fields.values.tolist()],
        level=3,
        widths=(30, *([13.5] * (len(fields.columns) - 1))),
    )


def _audit(units: Sequence[UnitResult], see: Callable[[str], str]) -> Part:
    models = [m for r in units for m in r.models]
    differs = sum(1 for m in models if m.differs)
    above = sum(1 for m in models if m.above)
    noted = sum(1 for m in models if m.check and m.check.notes)
    if not (differs or noted):
        text = "Các quyết định công nhận xếp loại đã tổng hợp đều phù hợp với tiêu chí."
    else:
        text = (
            f"Đối chiếu quyết định công nhận xếp loại với tiêu chí: {differs} mô hình được công "
            f"nhận khác kết quả đánh giá theo tiêu chí hoặc có quyết định không hợp lệ (trong đó "
            f"{above} mô hình được công nhận cao hơn mức tiêu chí); {noted} quyết định có lưu ý "
            f"về ngày hoặc cấp quyết định{see('audit')}."
        )
    return Part("c) Kiểm tra, thẩm định kết quả xếp loại", [text], level=3)


def _follow_ups(units: Sequence[UnitResult], see: Callable[[str], str]) -> list[Part]:
    """III.3: nhân rộng and kết thúc, and what both leave out."""
    models = [m for r in units for m in r.models]
    chosen = sum(1 for m in models if m.to_replicate)
    reviewed = sum(1 for m in models if m.to_review)
    ended = sum(1 for m in models if m.to_terminate)
    completed = sum(1 for m in models if m.to_complete)
    replicate = [
        f"{chosen} mô hình xếp loại Tốt và đạt tiêu chí Tốt, đề xuất lựa chọn nhân rộng trên "
        f"địa bàn, lĩnh vực có tính tương đồng{see('replicate')}."
    ]
    if reviewed:
        replicate.append(
            f"{reviewed} mô hình được công nhận Tốt nhưng chưa đạt tiêu chí Tốt: cần xem xét lại "
            f"trước khi nhân rộng{see('review')}."
        )
    terminate = [
        f"{ended} mô hình xếp loại Yếu theo tiêu chí về kết quả hoạt động, đề xuất kết thúc theo "
        f"trình tự: báo cáo đánh giá toàn diện, lấy ý kiến thành viên, trình cấp có thẩm quyền "
        f"quyết định, thông báo công khai{see('terminate')}."
    ]
    if completed:
        terminate.append(
            f"{completed} mô hình xếp loại Yếu chỉ do hồ sơ chưa đầy đủ: không đề xuất kết thúc, "
            f"đề nghị đơn vị bổ sung hồ sơ{see('review')}."
        )
    return [
        Part("d) Nhân rộng mô hình", replicate, level=3),
        Part("đ) Kết thúc mô hình", terminate, level=3),
    ]


def _exemplars(units: Sequence[UnitResult], see: Callable[[str], str]) -> Part:
    """Seed 002 IV: the exemplars by status and kind; those due for evaluation, those below 70 %."""
    outcomes = [e for r in units for e in r.exemplars]
    statuses = [BUILDING, lists.RECOGNISED, ENDED]
    table: list[lists.Row] = [["Trạng thái", "Tập thể", "Cá nhân", "Tổng"]]
    for status in statuses:
        of = [e for e in outcomes if e.exemplar.status == status]
        people = sum(1 for e in of if e.exemplar.kind == INDIVIDUAL)
        table.append([status, len(of) - people, people, len(of)])
    people = sum(1 for e in outcomes if e.exemplar.kind == INDIVIDUAL)
    table.append([tables.TOTAL, len(outcomes) - people, people, len(outcomes)])
    due = [e for e in outcomes if e.result and e.result.due and not e.result.flagged]
    blocked = sum(1 for e in due if e.result and e.result.blockers)
    flagged = sum(1 for e in outcomes if e.result and e.result.flagged)
    lines = [
        f"Các đơn vị đang theo dõi {len(outcomes)} điển hình ({len(outcomes) - people} tập thể, "
        f"{people} cá nhân). {len(due)} điển hình đã đủ 01 năm từ ngày ban hành kế hoạch, đến "
        f"hạn đánh giá để công nhận hoặc kết thúc xây dựng, trong đó {blocked} điển hình có điểm "
        f"cần lưu ý khi công nhận; {flagged} điển hình đạt dưới "
        f"{rules.format_percent(rules.EXEMPLAR_THRESHOLD)}% tiêu chí, đề xuất kết thúc xây dựng "
        f"điển hình{see('exemplars')}. Điển hình theo trạng thái:"
    ]
    return Part("3. Kết quả xây dựng điển hình", lines, table, level=2, widths=(60, 35, 35, 35))


def _reporting(units: Sequence[UnitResult], rejected: Sequence[UnitResult]) -> Part:
    """Which units the numbers come from, and what is still missing from them — in the words
    of an official text: nothing about files or spreadsheets, no decision called late."""
    counts = tally.unit_counts(units, rejected)
    lines = [
        f"Số liệu được tổng hợp từ {counts.read}/{counts.total} đơn vị theo dõi trên bảng tính."
    ]
    unread = [r for r in units if not r.readable]
    if unread:
        lines.append(f"{len(unread)} đơn vị chưa tổng hợp được số liệu: {_names(unread)}.")
    withheld = [r for r in rejected if r.unit.active]
    if withheld:
        lines.append(
            f"{len(withheld)} đơn vị chưa tổng hợp do thông tin trong danh mục đơn vị cần bổ "
            f"sung, chỉnh sửa: {_names(withheld)}."
        )
    waiting = [
        (r, n)
        for r in units
        if (n := sum(1 for m in r.models if m.level != rules.UNRATED and not m.decision))
    ]
    if waiting:
        lines.append(
            f"{sum(n for _, n in waiting)} mô hình đã được đánh giá nhưng chưa có quyết định công "
            "nhận xếp loại của cấp có thẩm quyền, được tổng hợp theo kết quả đề xuất: "
            + "; ".join(f"{r.unit.name} {n} mô hình" for r, n in waiting)
            + "."
        )
    return Part("4. Tình hình tổng hợp số liệu", lines, level=2)


def _assessment(units: Sequence[UnitResult]) -> list[Part]:
    """Seed 004 III.1 and 002 IV.1: what the province says of its year, written by its staff;
    the numbers that bear on it given as a hint."""
    models = [m for r in units for m in r.models]
    hint = (
        f"số liệu liên quan: {sum(r.count(rules.YEU) for r in units)} mô hình xếp loại Yếu; "
        f"{sum(1 for m in models if m.rating.missing_documents)} mô hình hồ sơ chưa đầy đủ; "
        f"{tally.unrated(models)[rules.UNRATED_DATA]} mô hình chưa xếp loại do lỗi hoặc thiếu "
        f"dữ liệu; {sum(len(r.errors) for r in units)} lỗi dữ liệu trong bảng tính các đơn vị"
    )
    return [
        Part("II. ĐÁNH GIÁ CHUNG"),
        Part(
            "1. Ưu điểm",
            [_write("kết quả nổi bật, mô hình hoạt động hiệu quả, cách làm hay.")],
            level=2,
        ),
        Part(
            "2. Hạn chế, tồn tại và nguyên nhân",
            [_write(f"hạn chế, tồn tại; nguyên nhân chủ quan, khách quan. Gợi ý {hint}.")],
            level=2,
        ),
        Part("3. Bài học kinh nghiệm", [_write("bài học kinh nghiệm.")], level=2),
    ]


def _proposals(appendices: _Appendices, units: Sequence[UnitResult], year: int) -> list[Part]:
    models = [m for r in units for m in r.models]
    commended = sum(1 for m in models if lists.commended(m))
    exemplars = sum(1 for r in units for e in r.exemplars if lists.recognisable(e))
    v05 = appendices.see("v05")
    national = (
        f"Các mô hình xếp loại Tốt hai năm liền ({year - 1}, {year}) và đạt tiêu chí Tốt là cơ "
        f"sở đề xuất gửi hồ sơ, tờ trình đề nghị Cục V05 - Bộ Công an thẩm định, thông báo kinh "
        f"nghiệm, nhân rộng toàn quốc{v05}."
        if v05
        else f"Năm {year} chưa có mô hình xếp loại Tốt hai năm liền để đề xuất Cục V05 - Bộ Công "
        "an thẩm định, nhân rộng toàn quốc."
    )
    return [
        Part("IV. ĐỀ XUẤT, KIẾN NGHỊ"),
        Part(
            "1. Đề xuất biểu dương, khen thưởng",
            [
                f"{commended} mô hình được công nhận Tốt và đạt tiêu chí Tốt, {exemplars} điển "
                "hình đã công nhận hoặc đến hạn công nhận không có điểm cần lưu ý, là cơ sở xét "
                f"biểu dương, khen thưởng{appendices.see('commend')}.",
                _write("tập thể, cá nhân đề nghị khen thưởng và hình thức khen thưởng."),
            ],
            level=2,
        ),
        Part(
            "2. Đề xuất nhân rộng toàn quốc",
            [national, _write("mô hình lựa chọn đề xuất, nếu có.")],
            level=2,
        ),
        Part("3. Kiến nghị khác", [_write("kiến nghị với cấp trên.")], level=2),
    ]


def _opening(report: ReportSettings, year: int, period: lists.Period) -> str:
    basis = f"Thực hiện {report.basis}, " if report.basis else ""
    return (
        f"{basis}Ban Chỉ đạo tỉnh báo cáo kết quả xây dựng, nhân rộng mô hình, "
        f"điển hình tiên tiến năm {year} (từ ngày {period.start:%d/%m/%Y} đến ngày "
        f"{period.end:%d/%m/%Y}) như sau:"
    )


def annual_report(
    units: Sequence[UnitResult],
    year: int,
    report: ReportSettings,
    rejected: Sequence[UnitResult] = (),
    history: lists.History | None = None,
    reference: date | None = None,
    drafted: datetime | None = None,
) -> Document:
    """`units`: the active units the run went through; `rejected`: the registry rows set aside;
    `history` (unit -> model -> year -> level) the years before; `reference` the period's end
    (31/10/Y when None); `drafted` when (the date line's year, the file's dates)."""
    period = _period(reference or date(year, 10, 31))
    appendices = _Appendices(
        {
            "units": lists.by_unit(units, rejected),
            "replicate": lists.replicate(units),
            "terminate": lists.terminate(units),
            "review": lists.to_review(units),
            "changes": lists.new_and_ended(units, period),
            "exemplars": lists.exemplars(units),
            "audit": lists.audit(units),
            "commend": lists.commendation(units),
            "v05": lists.to_v05(units, history or {}, year),
        }
    )
    opening = Part("", [_opening(report, year, period)])
    body = _body(units, rejected, year, period, appendices)
    return _document(year, report, [opening, *body], appendices, drafted)


def _body(
    units: Sequence[UnitResult],
    rejected: Sequence[UnitResult],
    year: int,
    period: lists.Period,
    appendices: _Appendices,
) -> list[Part]:
    see = appendices.see
    return [
        Part("I. TÌNH HÌNH VÀ KẾT QUẢ THỰC HIỆN"),
        Part(
            "1. Công tác lãnh đạo, chỉ đạo, triển khai",
            [
                _write(
                    "quán triệt, triển khai hướng dẫn; kiểm tra, hướng dẫn các đơn vị; tuyên "
                    "truyền về mô hình, điển hình."
                )
            ],
            level=2,
        ),
        Part("2. Kết quả xây dựng, nhân rộng mô hình", level=2),
        _models(units, period, see),
        _ratings(units, year, see),
        _audit(units, see),
        *_follow_ups(units, see),
        _exemplars(units, see),
        _reporting(units, rejected),
        *_assessment(units),
        Part(
            f"III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM {year + 1}",
            [_write("nhiệm vụ trọng tâm; chỉ tiêu xây dựng mới, củng cố, nhân rộng mô hình.")],
        ),
        *_proposals(appendices, units, year),
    ]


def _document(
    year: int,
    report: ReportSettings,
    parts: list[Part],
    appendices: _Appendices,
    drafted: datetime | None,
) -> Document:
    """The body with its letterhead, signature and appendices, as `[report]` has them."""
    issued = drafted.year if drafted else year
    number = f"Số:{GAP}/{report.symbol}"
    return Document(
        f"bao-cao-{year}",
        f"Kết quả xây dựng, nhân rộng mô hình, điển hình tiên tiến năm {year}",
        report.issuer,
        f"{report.place}, ngày{GAP}tháng{GAP}năm {issued}",
        parts,
        parent=report.parent,
        number=number,
        signature=Signature(report.authority, report.title, report.signer),
        recipients=[*(f"- {r};" for r in report.recipients), f"- Lưu: {report.archive}."],
        appendix=appendices.parts,
        appendix_note=f"(Kèm theo Báo cáo số{GAP}/{report.symbol} ngày{GAP}tháng{GAP}năm {issued})",
        drafted=drafted,
    )
