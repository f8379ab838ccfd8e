"""Bare references worn by other faces: does a reference without makeup give the source back?

    python benchmarks/bare_reference.py [--data DIR] [--sources 4] [--out docs/bare_reference.json] [--sheet docs/bare_reference_sheet.jpg]

References: the bare photos of the makeup sets (``makeup-photos/non-makeup``,
``makeup-photos-extra/bare``) and the first held-out (test-split) men of UTKFace and
SCUT-FBP5500, who are photographed in every light, with stubble, glasses and hands:
what a user's reference without makeup looks like. Sources: the first held-out
faces of the eval suites. Each reference is transferred (``--engine layer``, every
group) to each source; reported per reference are the mean CIEDE2000 between result
and source over the source's face box and the share of that box changed by more
than 5 (the issue's target: within 1 ΔE00). Worst references first in the sheet.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import cv2
import numpy as np

from fram.errors import FramError
from fram.eval.metrics import delta_e00, to_lab
from fram.eval.suites.common import SuiteOptions
from fram.eval.suites.synthetic import held_out_faces
from fram.face.image_io import read_image
from fram.face.landmarks import detect_face
from fram.pipelines.api import transfer

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
CHANGED = 5.0
MEN = 8
SHEET_ROWS = 8
CELL = 160


def references(data: Path) -> list[Path]:
    bare = sorted((data / "makeup-photos" / "non-makeup").glob("*.png")) + sorted((data / "makeup-photos-extra" / "bare").glob("*"))
    men = [p for p in held_out_faces(None, SuiteOptions().seed) if p.name[:2] in ("AM", "CM") or p.name.split("_")[1:2] == ["0"]]
    return bare + men[:MEN]


def _box(image: np.ndarray) -> tuple[slice, slice]:
    x0, y0, x1, y1 = (int(v) for v in detect_face(image).bbox)
    return slice(max(0, y0), y1), slice(max(0, x0), x1)


def measure(data: Path, sources: int) -> tuple[list[dict], list[np.ndarray]]:
    source_paths = held_out_faces(None, SuiteOptions().seed)[: sources * 2]
    photos = []
    for path in source_paths:
        image = read_image(path)
        try:
            photos.append((path.name, image, _box(image)))
        except FramError:
            continue
    photos = photos[:sources]
    rows, cells = [], []
    for ref in references(data):
        try:
            detect_face(read_image(ref))
        except FramError as error:
            rows.append({"reference": ref.name, "error": str(error)})
            continue
        gaps, shares, row = [], [], [cv2.resize(read_image(ref)[..., :3], (CELL, CELL))]
        for _, image, box in photos:
            result = np.asarray(transfer(image, str(ref), engine="layer").image)
            gap = delta_e00(to_lab(result[box]), to_lab(image[box]))
            gaps.append(float(gap.mean()))
            shares.append(100.0 * float((gap > CHANGED).mean()))
            shown = result[box].copy()
            shown[gap > CHANGED] = (0.5 * shown[gap > CHANGED] + [127, 0, 127]).astype(np.uint8)
            row.append(cv2.resize(shown, (CELL, CELL)))
        rows.append({"reference": ref.name, "de": round(statistics.mean(gaps), 3), "changed_pct": round(statistics.mean(shares), 2),
                     "per_source_de": [round(g, 3) for g in gaps]})
        cells.append(np.hstack(row))
    return rows, cells


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--sources", type=int, default=4)
    p.add_argument("--out", type=Path, default=Path("docs/bare_reference.json"))
    p.add_argument("--sheet", type=Path, default=None, help="contact sheet of the worst references (JPEG)")
    args = p.parse_args(argv)
    if not (args.data / "makeup-photos").is_dir():
        print(f"error: no makeup-photos/ under {args.data}", file=sys.stderr)
        return 2
    rows, cells = measure(args.data, args.sources)
    measured = [r for r in rows if "de" in r]
    summary = {
        "references": len(measured), "sources": args.sources,
        "mean_de": round(statistics.mean(r["de"] for r in measured), 3),
        "mean_changed_pct": round(statistics.mean(r["changed_pct"] for r in measured), 2),
        "within_1_de": f"{sum(r['de'] <= 1.0 for r in measured)}/{len(measured)}",
        "worst_de": max(r["de"] for r in measured),
    }
    args.out.write_text(json.dumps({"summary": summary, "references": rows}, indent=1), encoding="utf-8")
    for r in sorted(measured, key=lambda r: -r["de"])[:10]:
        print(f"{r['reference'][:48]:48s} ΔE00 {r['de']:.2f}  changed {r['changed_pct']:.1f} %")
    print(json.dumps(summary))
    if args.sheet:
        worst = sorted(range(len(measured)), key=lambda i: -measured[i]["de"])[:SHEET_ROWS]
        cv2.imwrite(str(args.sheet), cv2.cvtColor(np.vstack([cells[i] for i in worst]), cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return 0


if __name__ == "__main__":
    sys.exit(main())
