"""The styles the results tab needs, added to a workbook's stylesheet (ECMA-376 part 1, §18.8)
once: a later write finds them again, so existing style indexes never move. The stylesheet keeps
its namespace (Transitional or Strict): what is added is in the same one."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DATE_FORMAT = "DD/MM/YYYY"
HEADER_RGB = "FFDDEBF7"
TITLE_SIZE = "12"
PERCENT_ID = "10"  # the built-in number format 0.00% (ECMA-376 §18.8.30): results.PERCENT_FORMAT
# The order CT_Stylesheet gives its children: a new one goes where the schema wants it.
_STYLE_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles")


@dataclass(frozen=True)
class Styles:
    """Indexes into cellXfs of the tab's styles."""

    date: int
    title: int
    header: int
    text: int  # a body cell: top-aligned, wrapped
    percent: int  # a Percent: PERCENT_FORMAT, top-aligned


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _shape(el: etree._Element) -> tuple[object, ...]:
    """An element's content, prefixes aside: two equal shapes are the same style."""
    return (el.tag, sorted(el.attrib.items()), [_shape(c) for c in el if isinstance(c.tag, str)])


def _section(sheet: etree._Element, tag: str) -> etree._Element:
    """The child `tag` of styleSheet, created in its schema place when missing."""
    ns = etree.QName(sheet).namespace or MAIN
    found = sheet.find(_q(ns, tag))
    if found is not None:
        return found
    new = etree.Element(_q(ns, tag))
    later = _STYLE_ORDER[_STYLE_ORDER.index(tag) + 1 :]
    following = next((c for c in sheet if etree.QName(c).localname in later), None)
    if following is None and tag != "cellStyles":
        following = next((c for c in sheet if etree.QName(c).localname not in _STYLE_ORDER), None)
    if following is not None:
        following.addprevious(new)
    else:
        sheet.append(new)
    return new


def _index(sheet: etree._Element, tag: str, item: etree._Element) -> int:
    """The index of `item` in the list `tag`, appended (and counted) when not there yet."""
    section = _section(sheet, tag)
    items = [c for c in section if isinstance(c.tag, str)]
    shape = _shape(item)
    for n, existing in enumerate(items):
        if _shape(existing) == shape:
            return n
    section.append(item)
    section.set("count", str(len(items) + 1))
    return len(items)


def _el(ns: str, tag: str, *children: etree._Element, **attrs: str) -> etree._Element:
    el = etree.Element(_q(ns, tag), **attrs)
    el.extend(children)
    return el


def _font(sheet: etree._Element, size: str | None) -> etree._Element:
    """The workbook's default font (its first), bold, at `size` when given."""
    ns = etree.QName(sheet).namespace or MAIN
    fonts = _section(sheet, "fonts")
    base = next((c for c in fonts if isinstance(c.tag, str)), None)
    font = _el(ns, "font")
    for child in base if base is not None else ():
        if isinstance(child.tag, str) and etree.QName(child).localname not in ("b", "sz"):
            font.append(_el(ns, etree.QName(child).localname, **dict(child.attrib)))
    base_size = base.find(_q(ns, "sz")) if base is not None else None
    font.insert(
        0,
        _el(ns, "sz", val=size or (base_size.get("val", "11") if base_size is not None else "11")),
    )
    font.insert(0, _el(ns, "b"))
    return font


def _defaults(sheet: etree._Element) -> None:
    """What index 0 of each list (and fill 1) must be before ours, in a stylesheet made from
    nothing (a package some program wrote without one)."""
    ns = etree.QName(sheet).namespace or MAIN
    if not len(_section(sheet, "fonts")):
        _index(
            sheet, "fonts", _el(ns, "font", _el(ns, "sz", val="11"), _el(ns, "name", val="Calibri"))
        )
    if not len(_section(sheet, "fills")):
        for pattern in ("none", "gray125"):
            _section(sheet, "fills").append(
                _el(ns, "fill", _el(ns, "patternFill", patternType=pattern))
            )
        _section(sheet, "fills").set("count", "2")
    if not len(_section(sheet, "borders")):
        _index(sheet, "borders", _el(ns, "border"))
    plain = {"numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0"}
    if not len(_section(sheet, "cellStyleXfs")):
        _index(sheet, "cellStyleXfs", _el(ns, "xf", **plain))
    _index(sheet, "cellXfs", _el(ns, "xf", **plain, xfId="0"))
    if not len(_section(sheet, "cellStyles")):
        _index(sheet, "cellStyles", _el(ns, "cellStyle", name="Normal", xfId="0", builtinId="0"))


def _date_format(sheet: etree._Element, ns: str) -> str:
    """The id of the dd/mm/yyyy number format in `sheet`, added if the stylesheet lacks it."""
    numfmts = _section(sheet, "numFmts")
    fmt = next((f for f in numfmts if f.get("formatCode") == DATE_FORMAT), None)
    if fmt is None:
        ids = [int(f.get("numFmtId", "0")) for f in numfmts if isinstance(f.tag, str)]
        fmt = _el(ns, "numFmt", numFmtId=str(max([163, *ids]) + 1), formatCode=DATE_FORMAT)
        numfmts.append(fmt)
        numfmts.set("count", str(len(ids) + 1))
    return fmt.get("numFmtId", "14")


def add_styles(sheet: etree._Element) -> Styles:
    """The tab's three styles in the stylesheet `sheet` (found, or appended at the end)."""
    ns = etree.QName(sheet).namespace or MAIN
    if sheet.find(_q(ns, "cellXfs")) is None:
        _defaults(sheet)
    fmt_id = _date_format(sheet, ns)
    bold = _index(sheet, "fonts", _font(sheet, None))
    big = _index(sheet, "fonts", _font(sheet, TITLE_SIZE))
    fill = _index(
        sheet,
        "fills",
        _el(
            ns,
            "fill",
            _el(ns, "patternFill", _el(ns, "fgColor", rgb=HEADER_RGB), patternType="solid"),
        ),
    )
    base = {"numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0"}
    style_xfs = sheet.find(_q(ns, "cellStyleXfs"))
    if style_xfs is not None and len(style_xfs):
        base["xfId"] = "0"  # the Normal cell style, as Excel's own cells refer to it
    xfs = "cellXfs"
    top = {"vertical": "top", "wrapText": "1"}
    return Styles(
        text=_index(
            sheet, xfs, _el(ns, "xf", _el(ns, "alignment", **top), **base, applyAlignment="1")
        ),
        percent=_index(
            sheet,
            xfs,
            _el(
                ns,
                "xf",
                _el(ns, "alignment", vertical="top"),
                **{**base, "numFmtId": PERCENT_ID},
                applyNumberFormat="1",
                applyAlignment="1",
            ),
        ),
        date=_index(
            sheet, xfs, _el(ns, "xf", **{**base, "numFmtId": fmt_id}, applyNumberFormat="1")
        ),
        title=_index(sheet, xfs, _el(ns, "xf", **{**base, "fontId": str(big)}, applyFont="1")),
        header=_index(
            sheet,
            xfs,
            _el(
                ns,
                "xf",
                _el(ns, "alignment", vertical="top", wrapText="1"),
                **{**base, "fontId": str(bold), "fillId": str(fill)},
                applyFont="1",
                applyFill="1",
                applyAlignment="1",
            ),
        ),
    )
