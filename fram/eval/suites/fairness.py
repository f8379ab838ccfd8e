"""Suite ``fairness``: the same metrics per skin-tone group.

Data: UTKFace-named photos (``AGE_GENDER_RACE_DATE.jpg``; race 0 White, 1 Black,
2 Asian, 3 Indian, 4 Others); default ``../shared/data/faces/utkface``.

Pass 1, every photo (``--limit`` = at most that many per race label): does the
face mesh find a face, and the photo's individual typology angle (ITA) measured on
fram's skin mask (on a central patch of the aligned crop when no face is found).
Pass 2, ``per_group`` photos per race label with a face (held-out identities of the
data layer's ``test`` split first, then the others, each in a seeded order): every engine makes them up and identity, makeup strength per region,
leakage, background, structure (and fidelity for reference-based engines, against
``../shared/data/makeup-photos/makeup`` in rotation) are measured. Results are
grouped by race label and by ITA class; the worst group stands next to the best.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np

from fram.errors import FramError
from fram.eval.engines import Engine
from fram.eval.measure import FIDELITY_REGIONS, GROUPS, Photo, measure_transfer
from fram.eval.metrics import ITA_BINS, ita, ita_group, to_lab
from fram.eval.report import Figure, SuiteResult, Table, contact_sheet, label
from fram.eval.suites.common import (SHARED_DATA, Progress, SuiteDataError, SuiteOptions, aggregate, all_groups_refs, engine_infos, list_images, load_photos, mean_over_regions, run_engine)

RACES = {0: "White", 1: "Black", 2: "Asian", 3: "Indian", 4: "Others"}
PER_GROUP = 20
ITA_NAMES = [name for name, _, _ in ITA_BINS]
METRIC_KEYS = ["identity", "change/skin", "change/cheeks", "change/eyes", "change/lips", "fid_de/mean", "leak_de", "leak_frac", "bg_psnr", "lm_nme", "time_s"]
# Which direction is worse, per metric, for the worst/best table ("change" has none).
_WORSE_IS_HIGHER = {"identity": True, "fid_de": True, "leak_de": True, "leak_frac": True, "lm_nme": True, "time_s": True, "bg_psnr": False, "mesh_ok": False}


def parse_utkface(name: str) -> dict | None:
    """``{"age", "gender", "race"}`` from a UTKFace file name, or None."""
    parts = Path(name).stem.split("_")
    if len(parts) < 4:
        return None
    try:
        age, gender, race = int(parts[0]), int(parts[1]), int(parts[2])
    except ValueError:
        return None
    if race not in RACES or gender not in (0, 1):
        return None
    return {"age": age, "gender": gender, "race": RACES[race]}


def central_ita(image: np.ndarray) -> float:
    """ITA of an aligned face crop's central patch (for photos the mesh misses)."""
    h, w = image.shape[:2]
    patch = image[int(0.42 * h) : int(0.62 * h), int(0.3 * w) : int(0.7 * w)]
    return ita(to_lab(patch).reshape(-1, 3))


MIN_SKIN_CHROMA = 6.0
"""Photos whose skin has less CIELAB chroma than this are near-greyscale (sepia, faded):
their ITA says nothing about the skin, so they are left out of the ITA classes."""


def skin_chroma(photo: Photo) -> float:
    """Median CIELAB chroma of the skin (central patch when no face is found)."""
    weights = photo.fidelity_weights.get("skin")
    if weights is not None and (weights >= 0.5).sum() >= 20:
        pixels = photo.lab[weights >= 0.5]
    else:
        h, w = photo.image.shape[:2]
        pixels = to_lab(photo.image[int(0.42 * h) : int(0.62 * h), int(0.3 * w) : int(0.7 * w)]).reshape(-1, 3)
    return float(np.median(np.hypot(pixels[:, 1], pixels[:, 2])))


def is_greyscale(image: np.ndarray, tolerance: int = 8) -> bool:
    """True for photos stored in colour but grey (no skin tone can be measured)."""
    pixels = image.astype(np.int16)
    return bool(np.abs(pixels[..., 0] - pixels[..., 1]).max() < tolerance and np.abs(pixels[..., 1] - pixels[..., 2]).max() < tolerance)


def _order(paths: list[Path], seed: int) -> list[Path]:
    """Held-out identities (the data layer's ``test`` split) first, each part in a seeded order."""
    from fram.data.sources import split_of

    def key(path: Path) -> tuple[bool, str]:
        held_out = split_of(f"{path.parent.name}/{path.name}") == "test"
        return (not held_out, hashlib.sha256(f"{seed}:{path.name}".encode()).hexdigest())

    return sorted(paths, key=key)


def run(engines: list[Engine], options: SuiteOptions) -> SuiteResult:
    notes: list[str] = []
    folder = Path(options.data) if options.data is not None else SHARED_DATA / "faces" / "utkface"
    per_group = int(options.extra.get("per_group", PER_GROUP))
    by_race: dict[str, list[Path]] = {name: [] for name in RACES.values()}
    unlabelled = 0
    for path in _order(list_images(folder), options.seed):
        info = parse_utkface(path.name)
        if info is None:
            unlabelled += 1
            continue
        if options.limit is None or len(by_race[info["race"]]) < options.limit:
            by_race[info["race"]].append(path)
    if unlabelled:
        notes.append(f"{unlabelled} photos without a UTKFace name were left out")
    total = sum(len(v) for v in by_race.values())
    if not total:
        raise SuiteDataError(f"no UTKFace-named photos in {folder}")

    # Pass 1: face-mesh success and skin tone of every photo.
    survey: list[dict] = []
    chosen: dict[str, list[Photo]] = {name: [] for name in RACES.values()}
    progress = Progress(options.progress, total, "fairness survey")
    for race, paths in by_race.items():
        for path in paths:
            try:
                photo = Photo.load(path)
            except FramError as exc:
                survey.append({"photo": path.name, "race": race, "mesh_ok": False, "ita": math.nan, "ita_source": "unreadable", "error": str(exc)})
                progress.step(path.name)
                continue
            ok = photo.face is not None
            grey = is_greyscale(photo.image) or skin_chroma(photo) < MIN_SKIN_CHROMA
            angle = math.nan if grey else (photo.ita if ok else central_ita(photo.image))
            measured_on = "greyscale photo" if grey else ("skin mask" if ok else "central patch")
            survey.append({"photo": path.name, **parse_utkface(path.name), "mesh_ok": ok, "ita": angle,
                           "ita_source": measured_on, "ita_group": ita_group(angle)})
            if ok and not grey and len(chosen[race]) < per_group:
                chosen[race].append(photo)
            progress.step(path.name)

    # Pass 2: every engine on per_group photos per race label.
    references: list[Photo] = []
    if any(e.uses_references for e in engines):
        ref_folder = Path(options.extra.get("references") or SHARED_DATA / "makeup-photos" / "makeup")
        references = load_photos(list_images(ref_folder)[: int(options.extra.get("n_references", 4))], notes, "references")
        if not references:
            raise SuiteDataError(f"reference-based engines need makeup photos in {ref_folder}")
    sources = [p for race in chosen.values() for p in race]
    records: list[dict] = []
    sheet: dict[tuple[str, str], object] = {}
    progress = Progress(options.progress, len(engines) * len(sources), "fairness transfers")
    for engine in engines:
        for index, source in enumerate(sources):
            info = parse_utkface(source.name)
            reference = references[index % len(references)] if engine.uses_references else None
            refs = all_groups_refs(reference) if reference is not None else {}
            image, seconds, error = run_engine(engine, source, refs, GROUPS)
            record = {"engine": engine.name, "photo": source.name, "race": info["race"], "ita": source.ita, "ita_group": ita_group(source.ita)}
            if reference is not None:
                record["reference"] = reference.name
            if error:
                record["error"] = error
            else:
                metrics = measure_transfer(source, image, GROUPS, refs)
                metrics["fid_de/mean"] = mean_over_regions(metrics, "fid_de", [r for r in FIDELITY_REGIONS if r != "skin"])
                record.update(metrics, time_s=seconds)
                key = (engine.name, ita_group(source.ita))
                if key not in sheet:
                    sheet[key] = (source, image)
            records.append(record)
            progress.step(f"{engine.name} {source.name}")

    grey = sum(1 for s in survey if s.get("ita_source") == "greyscale photo")
    if grey:
        notes.append(f"{grey} greyscale or near-greyscale photos (skin chroma below {MIN_SKIN_CHROMA:g}) have no measurable "
                     "skin tone: they count in the race-label mesh success rates only and are not made up")
    notes.append("ITA is measured on uncalibrated photos: exposure and white balance move it as much as skin does, "
                 "so an ITA class mixes skin tone with lighting; the race label is a coarse, independent proxy.")
    return _result(engines, options, folder, per_group, survey, records, sheet, notes)


def _group_rows(survey: list[dict], records: list[dict], engines: list[Engine], field: str, groups: list[str]):
    """Per group: survey numbers and each engine's aggregated metrics."""
    out = {}
    for group in groups:
        photos = [s for s in survey if s.get(field) == group]
        entry = {
            "photos": len(photos),
            "mesh_ok": 100.0 * float(np.mean([s["mesh_ok"] for s in photos])) if photos else math.nan,
            "ita_median": float(np.nanmedian([s["ita"] for s in photos])) if photos and any(math.isfinite(s["ita"]) for s in photos) else math.nan,
        }
        for engine in engines:
            entry[engine.name] = aggregate([r for r in records if r["engine"] == engine.name and r.get(field) == group], METRIC_KEYS)
        out[group] = entry
    return out


def _worst_best(grouped: dict, engines: list[Engine], grouping: str) -> list[list]:
    rows = []
    usable = {g: v for g, v in grouped.items() if v["photos"] > 0}
    mesh = {g: v["mesh_ok"] for g, v in usable.items() if math.isfinite(v["mesh_ok"])}
    if mesh:
        worst, best = min(mesh, key=mesh.get), max(mesh, key=mesh.get)
        rows.append([grouping, "—", label("mesh_ok"), f"{worst}: {mesh[worst]:.1f}", f"{best}: {mesh[best]:.1f}", mesh[best] - mesh[worst]])
    for engine in engines:
        for key in METRIC_KEYS:
            values = {g: v[engine.name].get(key) for g, v in usable.items() if v[engine.name].get("n", 0) > 0}
            values = {g: x for g, x in values.items() if x is not None and math.isfinite(x)}
            if len(values) < 2 or max(values.values()) == min(values.values()):
                continue
            base = key.split("/")[0]
            if base in _WORSE_IS_HIGHER:
                higher_worse = _WORSE_IS_HIGHER[base]
                worst = (max if higher_worse else min)(values, key=values.get)
                best = (min if higher_worse else max)(values, key=values.get)
            else:  # descriptive: lowest next to highest
                worst, best = min(values, key=values.get), max(values, key=values.get)
            rows.append([grouping, f"`{engine.name}`", label(key), f"{worst}: {values[worst]:.2f}", f"{best}: {values[best]:.2f}", abs(values[best] - values[worst])])
    return rows


def _result(engines, options, folder, per_group, survey, records, sheet, notes) -> SuiteResult:
    race_names = list(RACES.values())
    by_race = _group_rows(survey, records, engines, "race", race_names)
    by_ita = _group_rows(survey, records, engines, "ita_group", ITA_NAMES)
    mesh_overall = 100.0 * float(np.mean([s["mesh_ok"] for s in survey])) if survey else math.nan

    summary = {}
    for engine in engines:
        s = aggregate([r for r in records if r["engine"] == engine.name], METRIC_KEYS)
        s["mesh_ok"] = mesh_overall
        summary[engine.name] = s

    tables = []
    survey_rows = []
    for grouping, grouped in (("race label", by_race), ("ITA class", by_ita)):
        for group, v in grouped.items():
            survey_rows.append([grouping, group, v["photos"], v["mesh_ok"], v["ita_median"]])
    tables.append(Table("Face-mesh success rate and skin tone per group", ["grouping", "group", "photos", label("mesh_ok"), "median ITA (°)"],
                        survey_rows, [None, None, None, "mesh_ok", None],
                        note=f"All {len(survey)} surveyed photos. ITA classes: very light > 55°, light 41–55°, intermediate 28–41°, tan 10–28°, brown −30–10°, dark < −30°."))
    shown = ["identity", "change/skin", "change/lips", "fid_de/mean", "leak_de", "lm_nme"]
    for grouping, grouped in (("race label", by_race), ("ITA class", by_ita)):
        headers = ["group"]
        keys: list[str | None] = [None]
        for engine in engines:
            headers.append(f"`{engine.name}` n")
            keys.append(None)
            for key in shown:
                headers.append(f"`{engine.name}` {label(key)}")
                keys.append(key)
        rows = []
        for group, v in grouped.items():
            row: list = [group]
            for engine in engines:
                row.append(v[engine.name].get("n", 0))
                row += [v[engine.name].get(k) for k in shown]
            rows.append(row)
        tables.append(Table(f"Metrics per {grouping}", headers, rows, keys))
    worst_rows = _worst_best(by_race, engines, "race label") + _worst_best(by_ita, engines, "ITA class")
    tables.append(Table("Worst group next to best", ["grouping", "engine", "metric", "worst group", "best group", "gap"], worst_rows,
                        note="For makeup strength (no better direction) the weakest group stands next to the strongest."))

    figures = [
        Figure("mesh_success.png", "bar", "face-mesh success rate per group (%)",
               {"groups": race_names + ITA_NAMES, "series": {"success %": [by_race[g]["mesh_ok"] for g in race_names] + [by_ita[g]["mesh_ok"] for g in ITA_NAMES]}}, ylabel="%"),
        Figure("strength_by_ita.png", "bar", "makeup strength on skin and lips per ITA class (ΔE00)",
               {"groups": ITA_NAMES, "series": {f"{e.name} {k.split('/')[1]}": [by_ita[g][e.name].get(k) for g in ITA_NAMES] for e in engines for k in ("change/skin", "change/lips")}}, ylabel="ΔE00"),
        Figure("ita_by_race.png", "box", "measured ITA per UTKFace race label (°)",
               {"series": {g: [s["ita"] for s in survey if s.get("race") == g] for g in race_names}}, ylabel="ITA (°)"),
    ]
    rows = []
    for group in ITA_NAMES:
        first = next(((src, img) for (e, g), (src, img) in sheet.items() if g == group), None)
        if first is None:
            continue
        source = first[0]
        row = [(f"{group} {source.name[:18]}", source.image)]
        for engine in engines:
            item = sheet.get((engine.name, group))
            row.append((engine.name, item[1] if item and item[0] is source else None))
        rows.append(row)
    if rows:
        figures.append(Figure("contact_sheet.png", "image", "one photo per ITA class, each engine", {"image": contact_sheet(rows)}))
    survey_records = [{"kind": "survey", **s} for s in survey]
    return SuiteResult(
        suite="fairness",
        engines=engine_infos(engines),
        params={"data": str(folder), "photos_surveyed": len(survey), "per_group": per_group, "seed": options.seed, "limit_per_race": options.limit},
        summary=summary,
        summary_keys=["mesh_ok"] + METRIC_KEYS + ["n", "failed"],
        tables=tables,
        records=survey_records + records,
        figures=figures,
        notes=notes,
    )
