"""Suite ``patterns``: do shapes come across, not only colours?

A triplet is a reference (face A wearing a pattern look: liner wings, stencils,
face paint, glitter, freckles, two-tone lips, contour shapes; see
:mod:`fram.makeup.patterns`), a source (face B bare) and the ground truth (B wearing
the same layer). Faces are held-out identities, as in the ``synthetic`` suite.

The truth's paint is where it differs from the bare source by more than
:data:`PAINT_DE`. A painted pixel is *reproduced* when the result, within
:data:`TOLERANCE` of the face width of it, is changed from the source by as much
and within :data:`COLOUR_DE` of the true colour: a star drawn a pixel off still
counts, a star in the wrong colour or a mere tint does not. Paint the result adds
away from any true paint is counted as a share of the true paint's area.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from fram.eval.engines import Engine
from fram.eval.measure import Photo, measure_transfer
from fram.eval.metrics import ITA_BINS, delta_e00, ita_group, to_lab
from fram.eval.report import Figure, SuiteResult, Table, contact_sheet, label
from fram.eval.suites.common import SHARED_DATA, Progress, SuiteOptions, aggregate, all_groups_refs, engine_infos, run_engine
from fram.eval.suites.synthetic import held_out_photos

TRIPLETS = 16
REGIONS = ("skin", "eyes", "lips")
"""Groups a pattern look paints (a makeup layer never paints brows)."""
PAINT_DE = 5.0
"""ΔE00 from the bare source above which a pixel counts as painted."""
COLOUR_DE = 10.0
"""ΔE00 within which a reproduced pixel's colour must match the truth's."""
TOLERANCE = 0.02
"""How far (fraction of the face width) a reproduced pixel may sit from the true one."""
MIN_PAINT = 30
"""Triplets whose truth shows fewer painted pixels than this are left out of the pattern scores."""
SHEET_ROWS = 8
KEYS = ["pat_hit", "pat_de", "pat_extra", "gt_de/face", "identity", "leak_de", "time_s"]
ITA_NAMES = [name for name, _, _ in ITA_BINS]


def _offsets(radius: float) -> list[tuple[int, int]]:
    r = max(1, int(math.ceil(radius)))
    return [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1) if dy * dy + dx * dx <= radius * radius + 0.5]


def pattern_scores(source_lab: np.ndarray, truth_lab: np.ndarray, result_lab: np.ndarray, radius: float) -> dict[str, float]:
    """``pat_hit`` (% of true paint reproduced), ``pat_de`` (ΔE00 result vs truth where
    painted) and ``pat_extra`` (paint added away from the truth's, % of its area).

    Args:
        source_lab, truth_lab, result_lab: (H, W, 3) CIELAB of the same crop.
        radius: positional tolerance in pixels.
    """
    painted = delta_e00(truth_lab, source_lab) > PAINT_DE
    changed = delta_e00(result_lab, source_lab) > PAINT_DE
    count = int(painted.sum())
    if count < MIN_PAINT:
        return {"pat_hit": math.nan, "pat_de": math.nan, "pat_extra": math.nan, "pat_area": float(count)}
    ys, xs = np.nonzero(painted)
    height, width = painted.shape
    best = np.full(count, np.inf)
    for dy, dx in _offsets(radius):
        y2, x2 = np.clip(ys + dy, 0, height - 1), np.clip(xs + dx, 0, width - 1)
        near = changed[y2, x2]
        if near.any():
            d = np.full(count, np.inf)
            d[near] = delta_e00(result_lab[y2[near], x2[near]], truth_lab[ys[near], xs[near]])
            best = np.minimum(best, d)
    r = max(1, int(math.ceil(radius)))
    around = cv2.dilate(painted.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))) > 0
    return {
        "pat_hit": 100.0 * float((best < COLOUR_DE).mean()),
        "pat_de": float(delta_e00(result_lab[painted], truth_lab[painted]).mean()),
        "pat_extra": 100.0 * float((changed & ~around).sum()) / count,
        "pat_area": float(count),
    }


def make_triplets(options: SuiteOptions, count: int, notes: list[str]) -> list[tuple[str, Photo, Photo, np.ndarray]]:
    """(pattern name, reference = A wearing it, source = B bare, truth = B wearing it);
    the triplets cycle through every pattern product."""
    from fram.makeup.patterns import PRODUCTS, sample_pattern, wear_pattern

    faces = held_out_photos(options, 2 * count, notes)
    rng = np.random.default_rng(options.seed)
    triplets = []
    for index, (a, b) in enumerate(zip(faces[0::2], faces[1::2])):
        look = sample_pattern(rng, product=list(PRODUCTS)[index % len(PRODUCTS)])
        reference = Photo(wear_pattern(a.image, a.face, look.layer), f"{a.name}+{look.name}")
        if reference.face is None:
            notes.append(f"no face found again in reference {reference.name}; triplet dropped")
            continue
        triplets.append((look.name, reference, b, wear_pattern(b.image, b.face, look.layer)))
    return triplets


def run(engines: list[Engine], options: SuiteOptions) -> SuiteResult:
    notes: list[str] = []
    triplets = make_triplets(options, options.limit or TRIPLETS, notes)
    records: list[dict] = []
    sheet: dict[tuple[str, int], np.ndarray] = {}
    progress = Progress(options.progress, len(engines) * len(triplets), "patterns")
    for engine in engines:
        for index, (pattern, reference, source, truth) in enumerate(triplets):
            refs = all_groups_refs(reference)
            image, seconds, error = run_engine(engine, source, refs, REGIONS)
            record = {"engine": engine.name, "pattern": pattern, "reference": reference.name, "source": source.name,
                      "ita": source.ita, "ita_group": ita_group(source.ita)}
            if error:
                record["error"] = error
            else:
                record.update(measure_transfer(source, image, REGIONS, refs, ground_truth=truth, structure=False), time_s=seconds)
                box = source.box
                record.update(pattern_scores(source.lab, to_lab(truth[box]), to_lab(image[box]), TOLERANCE * source.face.width))
                sheet[(engine.name, index)] = image
            records.append(record)
            progress.step(f"{engine.name} {pattern} {source.name}")
    small = sum(1 for r in records if engines and r["engine"] == engines[0].name and math.isnan(r.get("pat_hit", 0.0)))
    if small:
        notes.append(f"{small} triplets whose truth shows under {MIN_PAINT} painted pixels have no pattern scores")

    summary = {e.name: aggregate([r for r in records if r["engine"] == e.name], KEYS) for e in engines}
    tables = [_table(records, engines, "pattern", list(dict.fromkeys(t[0].split("+")[0] for t in triplets)), "Per pattern product", first=True),
              _table(records, engines, "ita_group", ITA_NAMES, "Per skin tone (ITA class of the source)")]
    rows = []
    for index, (pattern, reference, source, truth) in enumerate(triplets[:SHEET_ROWS]):
        row = [(f"ref {pattern}", reference.image), (f"source {source.name[:16]}", source.image)]
        row += [(e.name, sheet.get((e.name, index))) for e in engines]
        rows.append(row + [("ground truth", truth)])
    figures = []
    if rows:
        figures.append(Figure("contact_sheet.png", "image", "reference, source, each engine, ground truth", {"image": contact_sheet(rows)}))
    by_ita = {e.name: [aggregate([r for r in records if r["engine"] == e.name and r["ita_group"] == g], ["pat_hit"])["pat_hit"] for g in ITA_NAMES] for e in engines}
    figures.append(Figure("pattern_reproduced.png", "bar", "true paint reproduced per ITA class (%, higher is better)",
                          {"groups": ITA_NAMES, "series": by_ita}, ylabel="%"))
    params = {"data": str(options.data or SHARED_DATA / "faces"), "triplets": len(triplets), "seed": options.seed,
              "paint threshold ΔE00": PAINT_DE, "colour tolerance ΔE00": COLOUR_DE, "position tolerance": f"{TOLERANCE:.0%} of face width",
              "identities": f"{options.extra.get('split', 'test')} split of fram.data.sources.split_of"}
    return SuiteResult("patterns", engine_infos(engines), params, summary, KEYS + ["n", "failed"], tables, records, figures, notes)


def _table(records: list[dict], engines: list[Engine], field: str, groups: list[str], title: str, first: bool = False) -> Table:
    shown = ["pat_hit", "pat_de", "pat_extra", "gt_de/face"]
    headers, keys = ["group"], [None]
    for engine in engines:
        headers.append(f"`{engine.name}` n")
        keys.append(None)
        headers += [f"`{engine.name}` {label(k)}" for k in shown]
        keys += shown
    rows = []
    for group in groups:
        row: list = [group]
        for engine in engines:
            mine = [r for r in records if r["engine"] == engine.name and (r[field].split("+")[0] if first else r[field]) == group]
            part = aggregate(mine, shown)
            row += [part["n"]] + [part[k] for k in shown]
        if any(row[1 + i * (len(shown) + 1)] for i in range(len(engines))):
            rows.append(row)
    return Table(title, headers, rows, keys)
