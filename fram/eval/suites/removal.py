"""Suite ``removal``: does :func:`fram.remove_makeup` give back the bare face?

Three checks, each per skin-tone (ITA) class:

- **synthetic ground truth**: a held-out bare face B, B wearing a preset look or a
  pattern look (:mod:`fram.makeup.patterns`), removal, then per-pixel ΔE00 to B per
  region (skin = foundation zone, eyes = lids, lips) next to the makeup's own ΔE00;
- **bare faces unchanged**: removal run on B itself should move nothing;
- **real before/after pairs** (``../shared/data/makeup-pairs-128``: ``NNN_k_y`` ↔
  ``NNN_k_n`` and ``NNN_A_k`` ↔ ``NNN_B_k`` are one person with and without
  makeup): how much of the lip and lid colour gap between the made-up and the bare
  photo (robust region means in CIELAB) removal closes. The crops are 128 px, so
  they are upscaled ×:data:`UPSCALE` before the face is looked for; the pairs also
  differ in pose and light, which no removal can undo.

Removal is not a transfer engine: the suite ignores the ``engines`` argument.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import cv2
import numpy as np

from fram.eval.measure import Photo
from fram.eval.metrics import ITA_BINS, delta_e00, ita_group, robust_color, to_lab
from fram.eval.report import Figure, SuiteResult, Table, contact_sheet, label
from fram.eval.suites.common import SHARED_DATA, Progress, SuiteOptions, aggregate, list_images
from fram.eval.suites.real import MIN_GAP
from fram.eval.suites.synthetic import STYLES, held_out_photos

FACES = 12
PAIRS = 60
UPSCALE = 3
REGIONS = ("skin", "eyes", "lips")
REAL_REGIONS = ("eyes", "lips")
ENGINE = "remove"
ITA_NAMES = [name for name, _, _ in ITA_BINS]
SYNTH_KEYS = [f"{m}/{r}" for m in ("mu_de", "rm_de") for r in REGIONS] + ["bare_de/face"] + [f"bare_de/{r}" for r in REGIONS]
REAL_KEYS = [f"gap_closed/{r}" for r in REAL_REGIONS]
GROUP_KEYS = ["mu_de/lips", "rm_de/lips", "rm_de/eyes", "rm_de/skin", "bare_de/face"] + REAL_KEYS


def _remove(image: np.ndarray, name: str) -> np.ndarray | None:
    from fram.errors import FramError
    from fram.pipelines import remove_makeup

    try:
        return remove_makeup(image, source_name=name).image
    except FramError:
        return None


def _region_de(bare: Photo, other: np.ndarray, prefix: str) -> dict[str, float]:
    """Mean per-pixel ΔE00 between ``other`` and the bare photo, per region and over the face."""
    lab = to_lab(other[bare.box])
    de = delta_e00(lab, bare.lab)
    weights = bare.fidelity_weights
    out = {f"{prefix}/{r}": float(de[weights[r] >= 0.5].mean()) if (weights[r] >= 0.5).any() else math.nan for r in REGIONS}
    face = np.maximum.reduce([w for w in weights.values()]) >= 0.5
    out[f"{prefix}/face"] = float(de[face].mean())
    return out


def _synthetic(options: SuiteOptions, notes: list[str], sheet: list) -> list[dict]:
    from fram.makeup.compose import analyse, apply_style
    from fram.makeup.patterns import PRODUCTS, sample_pattern, wear_pattern
    from fram.makeup.presets import get_preset

    count = options.limit or FACES
    rng = np.random.default_rng(options.seed)
    records: list[dict] = []
    faces = held_out_photos(options, count, notes)
    progress = Progress(options.progress, len(faces), "removal synthetic")
    for index, bare in enumerate(faces):
        base = {"kind": "bare", "photo": bare.name, "ita": bare.ita, "ita_group": ita_group(bare.ita)}
        cleaned = _remove(bare.image, bare.name)
        records.append(dict(base, **_region_de(bare, cleaned, "bare_de")) if cleaned is not None else dict(base, error="no face"))
        if index % 2 == 0:
            look = STYLES[(index // 2) % len(STYLES)]
            made = apply_style(bare.image, analyse(bare.image, bare.face), get_preset(look), REGIONS)
        else:
            pattern = sample_pattern(rng, product=list(PRODUCTS)[(index // 2) % len(PRODUCTS)])
            look, made = pattern.name, wear_pattern(bare.image, bare.face, pattern.layer)
        removed = _remove(made, f"{bare.name}+{look}")
        record = dict(base, kind="synthetic", look=look, **_region_de(bare, made, "mu_de"))
        if removed is None:
            record["error"] = "no face found on the made-up photo"
        else:
            record.update(_region_de(bare, removed, "rm_de"))
            if len(sheet) < 6:
                sheet.append([(f"bare {bare.name[:16]}", bare.image), (f"+ {look}", made), ("removed", removed), ("remove(bare)", cleaned)])
        records.append(record)
        progress.step(f"{bare.name} {look}")
    return records


def real_pairs(folder: Path) -> list[tuple[Path, Path]]:
    """(made-up, bare) photos of one person: ``NNN_k_y`` ↔ ``NNN_k_n``, ``NNN_A_k`` ↔ ``NNN_B_k``."""
    bare = {p.stem: p for p in list_images(folder / "bare")}
    pairs = []
    for made in list_images(folder / "made-up"):
        if re.fullmatch(r"\d+_\d+_y", made.stem):
            partner = made.stem[:-1] + "n"
        elif re.fullmatch(r"\d+_A_\d+", made.stem):
            partner = made.stem.replace("_A_", "_B_")
        else:
            continue
        if partner in bare:
            pairs.append((made, bare[partner]))
    return pairs


def _upscaled(path: Path) -> Photo:
    photo = Photo.load(path)
    big = cv2.resize(photo.image, None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_CUBIC)
    return Photo(big, path.name)


def _real(options: SuiteOptions, notes: list[str], sheet: list) -> list[dict]:
    folder = Path(options.extra.get("pairs") or SHARED_DATA / "makeup-pairs-128")
    if not (folder / "made-up").is_dir():
        notes.append(f"no real before/after pairs at {folder}: real-pair check skipped")
        return []
    pairs = real_pairs(folder)
    total = len(pairs)
    order = np.random.default_rng(options.seed).permutation(total)
    pairs = [pairs[i] for i in order[: options.limit or PAIRS]]
    records: list[dict] = []
    progress = Progress(options.progress, len(pairs), "removal real pairs")
    for made_path, bare_path in pairs:
        made, bare = _upscaled(made_path), _upscaled(bare_path)
        record = {"kind": "real", "photo": made.name, "bare": bare.name}
        removed = _remove(made.image, made.name) if made.face is not None and bare.face is not None else None
        if removed is None:
            record["error"] = made.error or bare.error or "no face found"
        else:
            record.update(ita=bare.ita, ita_group=ita_group(bare.ita))
            removed_lab = to_lab(removed[made.box])
            for region in REAL_REGIONS:
                target = bare.region_color(region)
                before = float(delta_e00(made.region_color(region), target))
                after = float(delta_e00(robust_color(removed_lab, made.fidelity_weights[region]), target))
                record.update({f"gap_before/{region}": before, f"gap_after/{region}": after,
                               f"gap_closed/{region}": 1 - after / before if before >= MIN_GAP else math.nan})
            if len(sheet) < 12:
                sheet.append([(f"bare {bare.name}", bare.image), (f"made-up {made.name}", made.image), ("removed", removed)])
        records.append(record)
        progress.step(made.name)
    usable = sum(1 for r in records if not r.get("error"))
    notes.append(f"real pairs: {total} in {folder.name}, {len(pairs)} tried, {usable} with a face found in both photos "
                 f"after ×{UPSCALE} upscaling; gap closure counts pairs whose made-up and bare region colours differ by "
                 f"≥ {MIN_GAP:g} ΔE00 (lips: {sum(1 for r in records if math.isfinite(r.get('gap_closed/lips', math.nan)))}, "
                 f"lids: {sum(1 for r in records if math.isfinite(r.get('gap_closed/eyes', math.nan)))})")
    return records


def run(engines: list, options: SuiteOptions) -> SuiteResult:
    notes: list[str] = []
    sheet_synth: list = []
    sheet_real: list = []
    records = _synthetic(options, notes, sheet_synth)
    records += _real(options, notes, sheet_real)
    synth = [r for r in records if r["kind"] in ("synthetic", "bare")]
    real = [r for r in records if r["kind"] == "real"]
    summary = {ENGINE: {**aggregate(synth, SYNTH_KEYS), **aggregate(real, REAL_KEYS + [f"gap_{w}/{r}" for w in ("before", "after") for r in REAL_REGIONS])}}
    summary[ENGINE]["n"] = sum(1 for r in synth if r["kind"] == "synthetic" and not r.get("error"))
    summary[ENGINE]["n_real"] = sum(1 for r in real if not r.get("error"))
    rows = []
    for group in ITA_NAMES:
        mine = [r for r in records if r.get("ita_group") == group]
        if mine:
            part = {**aggregate([r for r in mine if r["kind"] != "real"], GROUP_KEYS[:5]), **aggregate([r for r in mine if r["kind"] == "real"], REAL_KEYS)}
            rows.append([group, sum(1 for r in mine if r["kind"] == "synthetic"), sum(1 for r in mine if r["kind"] == "real")] + [part[k] for k in GROUP_KEYS])
    tables = [Table("Per skin tone (ITA class of the bare face)", ["group", "synthetic n", "real n"] + [label(k) for k in GROUP_KEYS], rows, [None, None, None] + GROUP_KEYS)]
    looks = list(dict.fromkeys(r["look"] for r in synth if r["kind"] == "synthetic"))
    look_rows = []
    for look in looks:
        part = aggregate([r for r in synth if r.get("look") == look], SYNTH_KEYS[:6])
        look_rows.append([look] + [part[k] for k in SYNTH_KEYS[:6]])
    tables.append(Table("Per synthetic look", ["look"] + [label(k) for k in SYNTH_KEYS[:6]], look_rows, [None] + SYNTH_KEYS[:6]))
    figures = []
    if sheet_synth:
        figures.append(Figure("contact_sheet.png", "image", "bare face, made up, removed, removal of the bare face", {"image": contact_sheet(sheet_synth)}))
    if sheet_real:
        figures.append(Figure("contact_sheet_real.png", "image", "real pairs: bare photo, made-up photo, removed (×3 upscaled crops)", {"image": contact_sheet(sheet_real, cell=144)}))
    params = {"faces": str(SHARED_DATA / "faces") if options.data is None else str(options.data), "seed": options.seed,
              "identities": "test split of fram.data.sources.split_of", "presets": ", ".join(STYLES), "min gap ΔE00": MIN_GAP}
    keys = SYNTH_KEYS + ["n"] + REAL_KEYS + [f"gap_{w}/{r}" for w in ("before", "after") for r in REAL_REGIONS] + ["n_real"]
    return SuiteResult("removal", {ENGINE: "fram.remove_makeup (makeup-layer decomposition, bare estimate kept)"}, params, summary, keys, tables, records, figures, notes)
