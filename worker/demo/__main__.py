"""`python -m worker.demo THƯ_MỤC --today NGÀY`: the demo's units record in their workbooks the
rating decisions their establishing bodies took by that day (01–10/11), as unit staff do between
two runs. `make demo` runs it between the run of 29/10 and the consolidation of 16/11."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from worker.demo.province import record_decisions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m worker.demo",
        description="Ghi quyết định công nhận xếp loại vào bảng tính của các đơn vị mẫu.",
    )
    parser.add_argument("workspace", type=Path, metavar="THƯ_MỤC")
    parser.add_argument("--today", type=date.fromisoformat, required=True, metavar="YYYY-MM-DD")
    args = parser.parse_args(argv)
    if not (args.workspace / "units").is_dir():
        print(f"Không thấy thư mục {args.workspace / 'units'}: tạo bằng mohinh init --demo trước")
        return 2
    written = record_decisions(args.workspace, args.today)
    print(
        f"Đã ghi quyết định công nhận xếp loại (đến ngày {args.today:%d/%m/%Y}) vào bảng tính của "
        + (", ".join(written) if written else "không đơn vị nào (chưa có quyết định)")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
