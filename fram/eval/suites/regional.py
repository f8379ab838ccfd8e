"""Suite ``regional``: partial and mixed-reference transfers.

Data: as ``real`` (``non-makeup/`` sources, ``makeup/`` references). For each
source, ``refs_per_source`` references are taken in rotation; each is used for a
lips-only, an eyes-only and a skin-only transfer, and one mixed transfer takes skin
from the first, eyes and brows from the second and lips from the third. Leakage is
measured outside the selected groups; fidelity per selected region against that
region's own reference.
"""

from __future__ import annotations

from fram.eval.engines import Engine
from fram.eval.measure import FIDELITY_REGIONS, GROUP_OF_REGION, GROUPS, measure_transfer
from fram.eval.report import Figure, SuiteResult, Table, contact_sheet
from fram.eval.suites.common import (
    Progress,
    SuiteOptions,
    aggregate,
    engine_infos,
    load_photos,
    makeup_folders,
    mean_over_regions,
    run_engine,
)

MODES: dict[str, tuple[str, ...]] = {
    "lips-only": ("lips",),
    "eyes-only": ("eyes",),
    "skin-only": ("skin",),
    "mixed": GROUPS,
}
"""Transfer modes: the region groups each one selects."""

REFS_PER_SOURCE = 3


def _plan(sources, references, per_source: int) -> list[tuple]:
    """(mode, source, {group: reference}) jobs, references in rotation."""
    jobs = []
    n = len(references)
    for i, source in enumerate(sources):
        picked = [references[(i * per_source + j) % n] for j in range(per_source)]
        for mode in ("lips-only", "eyes-only", "skin-only"):
            for reference in picked:
                jobs.append((mode, source, {g: reference for g in MODES[mode]}))
        a, b, c = picked[0], picked[1 % len(picked)], picked[2 % len(picked)]
        jobs.append(("mixed", source, {"skin": a, "eyes": b, "brows": b, "lips": c}))
    return jobs


def summary_keys() -> list[str]:
    keys = []
    for mode in MODES:
        keys += [f"leak_de/{mode}", f"leak_frac/{mode}"]
    keys += [f"fid_de/{mode}" for mode in MODES]
    keys += ["fid_de_raw/skin-only", "hole_de", "bg_psnr", "identity", "time_s", "n", "failed"]
    return keys


def run(engines: list[Engine], options: SuiteOptions) -> SuiteResult:
    notes: list[str] = []
    root, source_paths, reference_paths = makeup_folders(options.data)
    if options.limit:
        source_paths = source_paths[: options.limit]
    per_source = int(options.extra.get("refs_per_source", REFS_PER_SOURCE))
    sources = load_photos(source_paths, notes, "sources")
    references = load_photos(reference_paths, notes, "references")
    if not references:
        notes.append("no usable reference photo: nothing was transferred")
    jobs = _plan(sources, references, per_source) if references else []
    records: list[dict] = []
    sheet: dict[tuple, object] = {}
    progress = Progress(options.progress, len(engines) * len(jobs), "regional")
    for engine in engines:
        for index, (mode, source, refs) in enumerate(jobs):
            regions = MODES[mode]
            image, seconds, error = run_engine(engine, source, refs, regions)
            record = {"engine": engine.name, "mode": mode, "source": source.name, **{f"ref_{g}": p.name for g, p in refs.items()}}
            if error:
                record["error"] = error
            else:
                record.update(measure_transfer(source, image, regions, refs, structure=False), time_s=seconds)
                if source is sources[0]:
                    sheet[(engine.name, mode)] = (image, refs)
            records.append(record)
            progress.step(f"{engine.name} {mode} {source.name}")

    summary = {}
    for engine in engines:
        mine = [r for r in records if r["engine"] == engine.name]
        s = aggregate(mine, ["hole_de", "bg_psnr", "identity", "time_s"])
        for mode, regions in MODES.items():
            part = aggregate([r for r in mine if r["mode"] == mode])
            s[f"leak_de/{mode}"] = part.get("leak_de")
            s[f"leak_frac/{mode}"] = part.get("leak_frac")
            selected = [r for r in FIDELITY_REGIONS if GROUP_OF_REGION[r] in regions and r != "skin"]
            s[f"fid_de/{mode}"] = mean_over_regions(part, "fid_de", selected)
            if mode == "skin-only":
                s["fid_de_raw/skin-only"] = part.get("fid_de_raw/skin")
        summary[engine.name] = s

    tables = [_region_table(records, engines)]
    figures = []
    if sources and sheet:
        rows = []
        for engine in engines:
            row = [(f"source {sources[0].name}", sources[0].image)]
            for mode in MODES:
                image, refs = sheet.get((engine.name, mode), (None, {}))
                row.append((f"{engine.name}: {mode}", image))
            rows.append(row)
        figures.append(Figure("contact_sheet.png", "image", "first source, each mode, one row per engine", {"image": contact_sheet(rows)}))
    figures.append(
        Figure("leakage.png", "bar", "leakage outside the selected regions (mean ΔE00, lower is better)",
               {"groups": list(MODES), "series": {e.name: [summary[e.name][f"leak_de/{m}"] for m in MODES] for e in engines}}, ylabel="ΔE00")
    )
    params = {"data": str(root), "sources": len(sources), "references": len(references), "refs_per_source": per_source, "transfers_per_engine": len(jobs)}
    return SuiteResult("regional", engine_infos(engines), params, summary, summary_keys(), tables, records, figures, notes)


def _region_table(records: list[dict], engines: list[Engine]) -> Table:
    headers = ["mode", "region"]
    keys: list[str | None] = [None, None]
    for engine in engines:
        headers += [f"`{engine.name}` fidelity ΔE00", f"`{engine.name}` histogram", f"`{engine.name}` strength ΔE00"]
        keys += ["fid_de", "fid_hist", "change"]
    rows = []
    for mode, regions in MODES.items():
        for region in FIDELITY_REGIONS:
            if GROUP_OF_REGION[region] not in regions:
                continue
            row: list = [mode, region]
            for engine in engines:
                part = aggregate([r for r in records if r["engine"] == engine.name and r["mode"] == mode])
                fid = part.get(f"fid_de/{region}") if region != "skin" else part.get(f"fid_de_raw/{region}")
                row += [fid, part.get(f"fid_hist/{region}"), part.get(f"change/{region}")]
            rows.append(row)
    return Table("Fidelity per selected region", headers, rows, keys,
                 note="Each region against its own reference; skin rows give the raw ΔE00 (skin is the normalisation anchor).")
