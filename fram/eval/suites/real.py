"""Suite ``real``: every source × reference pair of real photos, no ground truth.

Data: a folder with ``non-makeup/`` (sources) and ``makeup/`` (references);
default ``../shared/data/makeup-photos``. Every engine makes up every source with
every reference on all four region groups; fidelity (per region), identity,
leakage, background and structure are measured, plus a contact sheet.
"""

from __future__ import annotations

import math

from fram.eval.engines import Engine
from fram.eval.measure import FIDELITY_REGIONS, GROUPS, Photo, measure_transfer
from fram.eval.metrics import adapt_to_anchor, delta_e00
from fram.eval.report import Figure, SuiteResult, Table, contact_sheet
from fram.eval.suites.common import (
    Progress,
    SuiteOptions,
    aggregate,
    all_groups_refs,
    engine_infos,
    identity_scale,
    load_photos,
    makeup_folders,
    mean_over_regions,
    run_engine,
)

SHEET_ROWS = 8
_REUSED = ("identity", "leak_de", "leak_frac", "hole_de", "bg_psnr", "lm_nme", "lips_nme")
GAP_REGIONS = ("lips", "eyes")
MIN_GAP = 5.0
"""ΔE00: colour gaps smaller than this have no meaningful share closed (nothing to close)."""


def gap_closed(source: Photo, reference: Photo, metrics: dict[str, float]) -> dict[str, float]:
    """Share of the source → reference gap in each region's skin-normalised mean colour
    that the result closes: ``1 - fid_de(result) / fid_de(source)``."""
    out = {}
    for region in GAP_REGIONS:
        after = metrics.get(f"fid_de/{region}")
        if after is None or reference.face is None:
            continue
        before = float(delta_e00(adapt_to_anchor(source.region_color(region), source.skin_color, reference.skin_color), reference.region_color(region)))
        out[f"gap_closed/{region}"] = 1 - after / before if before >= MIN_GAP else math.nan
    return out


def summary_keys() -> list[str]:
    keys = ["identity", "fid_de/mean"]
    keys += [f"fid_de/{r}" for r in FIDELITY_REGIONS if r != "skin"]
    keys += ["fid_de_raw/skin", "fid_hist/mean"]
    keys += [f"gap_closed/{r}" for r in GAP_REGIONS]
    keys += [f"change/{r}" for r in FIDELITY_REGIONS]
    keys += ["leak_de", "leak_frac", "hole_de", "bg_psnr", "lm_nme", "lips_nme", "time_s", "n", "failed"]
    return keys


def finish_summary(summary: dict[str, float]) -> dict[str, float]:
    summary["fid_de/mean"] = mean_over_regions(summary, "fid_de", [r for r in FIDELITY_REGIONS if r != "skin"])
    summary["fid_hist/mean"] = mean_over_regions(summary, "fid_hist", FIDELITY_REGIONS)
    return summary


def run(engines: list[Engine], options: SuiteOptions) -> SuiteResult:
    notes: list[str] = []
    root, source_paths, reference_paths = makeup_folders(options.data)
    if options.limit:
        source_paths, reference_paths = source_paths[: options.limit], reference_paths[: options.limit]
    sources = load_photos(source_paths, notes, "sources")
    references = load_photos(reference_paths, notes, "references")
    records: list[dict] = []
    sheet_pairs = {(s.name, references[i % len(references)].name) for i, s in enumerate(sources[:SHEET_ROWS])} if references else set()
    sheet_results: dict[tuple[str, str, str], object] = {}
    progress = Progress(options.progress, len(engines) * len(sources) * len(references), "real")
    for engine in engines:
        for source in sources:
            cached = None  # engines that ignore the reference run once per source
            for reference in references:
                if cached is None or engine.uses_references:
                    image, seconds, error = run_engine(engine, source, all_groups_refs(reference), GROUPS)
                    full = True
                else:
                    image, seconds, error, first = cached
                    full = False
                record = {"engine": engine.name, "source": source.name, "reference": reference.name}
                if error:
                    record["error"] = error
                else:
                    metrics = measure_transfer(source, image, GROUPS, all_groups_refs(reference), structure=full, identity=full)
                    if not full:
                        metrics.update({k: first[k] for k in _REUSED if k in first})
                    metrics.update(gap_closed(source, reference, metrics))
                    record.update(metrics, time_s=seconds)
                if cached is None:
                    cached = (image, seconds, error, record)
                records.append(record)
                if (source.name, reference.name) in sheet_pairs:
                    sheet_results[(engine.name, source.name, reference.name)] = image
                progress.step(f"{engine.name} {source.name} × {reference.name}")

    summary = {e.name: finish_summary(aggregate([r for r in records if r["engine"] == e.name])) for e in engines}
    tables = [_per_source_table(records, engines, sources)]
    figures = _figures(records, engines, sources, references, sheet_pairs, sheet_results)
    params = {"data": str(root), "sources": len(sources), "references": len(references), "pairs": len(sources) * len(references)}
    return SuiteResult("real", engine_infos(engines), params, summary, summary_keys(), tables, records, figures, notes, calibration=identity_scale(sources + references))


def _per_source_table(records: list[dict], engines: list[Engine], sources) -> Table:
    headers = ["source"]
    keys: list[str | None] = [None]
    for engine in engines:
        headers += [f"`{engine.name}` identity", f"`{engine.name}` fidelity ΔE00", f"`{engine.name}` leakage ΔE00"]
        keys += ["identity", "fid_de", "leak_de"]
    rows = []
    for source in sources:
        row: list = [source.name]
        for engine in engines:
            mine = finish_summary(aggregate([r for r in records if r["engine"] == engine.name and r["source"] == source.name]))
            row += [mine.get("identity"), mine.get("fid_de/mean"), mine.get("leak_de")]
        rows.append(row)
    return Table("Per source (mean over references)", headers, rows, keys,
                 note="Fidelity is the skin-normalised ΔE00 averaged over cheeks, eyes, brows and lips.")


def _figures(records, engines, sources, references, sheet_pairs, sheet_results) -> list[Figure]:
    figures = []
    rows = []
    for source in sources:
        for reference in references:
            if (source.name, reference.name) not in sheet_pairs:
                continue
            row = [(f"source {source.name}", source.image), (f"ref {reference.name}", reference.image)]
            row += [(e.name, sheet_results.get((e.name, source.name, reference.name))) for e in engines]
            rows.append(row)
    if rows:
        figures.append(Figure("contact_sheet.png", "image", "source, reference and each engine's result", {"image": contact_sheet(rows)}))
    series = {}
    for engine in engines:
        values = [r.get("fid_de/lips") for r in records if r["engine"] == engine.name and not r.get("error")]
        series[engine.name] = [v for v in values if v is not None and not math.isnan(v)]
    figures.append(Figure("fidelity_lips.png", "box", "lip colour fidelity per pair (skin-normalised ΔE00, lower is better)", {"series": series}, ylabel="ΔE00"))
    ident = {e.name: [r.get("identity") for r in records if r["engine"] == e.name and not r.get("error")] for e in engines}
    figures.append(Figure("identity.png", "hist", "identity distance source → result", {"series": ident, "vlines": [{"x": 0.6, "label": "same-person threshold"}]}, xlabel="dlib distance", ylabel="pairs"))
    return figures
