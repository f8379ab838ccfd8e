import json
import math

import numpy as np

from fram.eval.report import Figure, SuiteResult, Table, _jsonable, contact_sheet, fmt, label, markdown_table, write_report


def test_formatting():
    assert fmt(math.inf) == "∞" and fmt(math.nan) == "—" and fmt(None) == "—"
    assert fmt(0.12345) == "0.12" and fmt(12.345) == "12.3" and fmt(1234.5) == "1234" and fmt(3) == "3"
    assert fmt(0.01234, "time_s") == "0.012"
    assert label("fid_de/lips").endswith("↓") and "lips" in label("fid_de/lips")
    assert label("bg_psnr").endswith("↑") and label("unknown-key") == "unknown-key"
    assert _jsonable({"a": math.inf, "b": math.nan, "c": np.float32(1.5), "d": [np.int64(2)]}) == {"a": "inf", "b": None, "c": 1.5, "d": [2]}


def test_write_report(tmp_path, astronaut):
    table = Table("t", ["x", "leakage"], [["a", 0.5], ["b", math.inf]], [None, "leak_de"])
    assert "| b | ∞ |" in markdown_table(table)
    result = SuiteResult(
        suite="demo", engines={"e1": "one", "e2": "two"}, params={"p": 1},
        summary={"e1": {"identity": 0.1, "bg_psnr": math.inf}, "e2": {"identity": 0.3, "bg_psnr": 40.0}},
        summary_keys=["identity", "bg_psnr"], tables=[table], records=[{"engine": "e1", "identity": 0.1}],
        figures=[Figure("sheet.png", "image", "sheet", {"image": contact_sheet([[("a", astronaut), ("missing", None)]])}),
                 Figure("bars.png", "bar", "bars", {"groups": ["g1", "g2"], "series": {"e1": [1, 2], "e2": [2, None]}})],
        notes=["a note"], calibration={"same photo": 0.0},
    )
    write_report(result, tmp_path)
    text = (tmp_path / "report.md").read_text()
    assert "| metric | `e1` | `e2` |" in text and "| identity distance ↓ | 0.10 | 0.30 |" in text
    assert "> a note" in text and "How to read these numbers" in text
    doc = json.loads((tmp_path / "metrics.json").read_text())
    assert doc["summary"]["e1"]["bg_psnr"] == "inf" and doc["records"][0]["engine"] == "e1"
    assert (tmp_path / "sheet.png").is_file() and (tmp_path / "bars.png").is_file()
