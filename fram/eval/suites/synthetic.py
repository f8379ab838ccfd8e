"""Suite ``synthetic``: ground-truth triplets from fram's own renderer.

A triplet is a reference (face A wearing style s), a source (face B bare) and the
ground truth (face B wearing s). fram's renderer makes both made-up photos, so the
ground truth is exact for any engine that recovers s from the reference. Faces A and
B come only from held-out identities (the ``test`` split of
:func:`fram.data.sources.split_of`, which data synthesis never trains on): by default
UTKFace (every skin tone) and the SCUT-FBP5500 men (mostly bare) in
``../shared/data/faces``, or the photos of ``--data``. ``recipe:<s>`` with the triplet's own preset is the
oracle (ground-truth ΔE00 0, PSNR ∞): a check of the suite itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from fram.eval.engines import Engine
from fram.eval.measure import FIDELITY_REGIONS, GROUPS, Photo, measure_transfer
from fram.eval.report import Figure, SuiteResult, Table, contact_sheet
from fram.eval.suites.common import (SHARED_DATA, Progress, SuiteDataError, SuiteOptions, aggregate, all_groups_refs, engine_infos, mean_over_regions, run_engine)

STYLES = ("natural", "red-carpet", "smoky-plum", "1980s-power", "goth", "k-beauty-gradient", "monochrome-terracotta", "cobalt-liner")
"""Presets the triplets cycle through (everyday to strong, warm and cool colours)."""
TRIPLETS = 16


def held_out_faces(data: Path | None, seed: int = 0, split: str = "test") -> list[Path]:
    """Bare-face photos of a held-out split (``test``, or ``val`` for choosing
    settings), in a seeded order.

    The split is :func:`fram.data.sources.split_of` of each photo's identity, the
    same rule data synthesis uses, so no face here is ever in a training set built
    from the same folders.
    """
    from fram.data.sources import list_faces, split_of

    if data is not None:
        specs = [str(data)]
    else:
        faces = SHARED_DATA / "faces"
        specs = [str(faces / "utkface")] if (faces / "utkface").is_dir() else []
        if (faces / "scut-fbp5500").is_dir():
            specs.append(str(faces / "scut-fbp5500" / "[AC]M*.jpg"))
        if not specs:
            raise SuiteDataError(f"no bare-face photos found under {faces}; give --data FOLDER")
    if split not in ("test", "val"):
        raise ValueError(f"held-out split must be test or val, got {split!r}")
    held = [f for f in list_faces(specs) if split_of(f.identity) == split]
    ordered = sorted(held, key=lambda f: hashlib.sha256(f"{seed}:{f.identity}".encode()).hexdigest())
    return [Path(f.path) for f in ordered]


def held_out_photos(options: SuiteOptions, count: int, notes: list[str]) -> list[Photo]:
    """Up to ``count`` held-out photos with a usable face (``options.extra["split"]``, default test)."""
    faces: list[Photo] = []
    skipped = 0
    for path in held_out_faces(options.data, options.seed, options.extra.get("split", "test")):
        if len(faces) >= count:
            break
        photo = Photo.load(path)
        if photo.face is None:
            skipped += 1
            continue
        faces.append(photo)
    if len(faces) < 2:
        raise SuiteDataError("fewer than two held-out photos with a usable face")
    if skipped:
        notes.append(f"{skipped} held-out photos without a usable face were skipped")
    return faces


def make_triplet(face_a: Photo, face_b: Photo, style: str) -> tuple[Photo, "object"]:
    """(reference = A wearing ``style``, ground truth = B wearing ``style``)."""
    from fram.makeup.compose import analyse, apply_style
    from fram.makeup.presets import get_preset

    look = get_preset(style)
    reference = apply_style(face_a.image, analyse(face_a.image, face_a.face), look, GROUPS)
    truth = apply_style(face_b.image, analyse(face_b.image, face_b.face), look, GROUPS)
    return Photo(reference, f"{face_a.name}+{style}"), truth


def summary_keys() -> list[str]:
    keys = ["gt_de/face", "gt_psnr/face"]
    keys += [f"gt_de/{r}" for r in FIDELITY_REGIONS]
    keys += [f"gt_psnr/{r}" for r in FIDELITY_REGIONS]
    keys += ["fid_de/mean", "identity", "leak_de", "hole_de", "bg_psnr", "lm_nme", "time_s", "n", "failed"]
    return keys


def run(engines: list[Engine], options: SuiteOptions) -> SuiteResult:
    notes: list[str] = []
    count = options.limit or TRIPLETS
    styles = tuple(options.extra.get("styles") or STYLES)
    split = options.extra.get("split", "test")
    faces = held_out_photos(options, 2 * count, notes)
    triplets = []
    for i in range(len(faces) // 2):
        reference, truth = make_triplet(faces[2 * i], faces[2 * i + 1], styles[i % len(styles)])
        if reference.face is None:
            notes.append(f"no face found again in reference {reference.name}; triplet dropped")
            continue
        triplets.append((styles[i % len(styles)], reference, faces[2 * i + 1], truth))

    records: list[dict] = []
    sheet: dict[tuple[str, int], object] = {}
    progress = Progress(options.progress, len(engines) * len(triplets), "synthetic")
    for engine in engines:
        for index, (style, reference, source, truth) in enumerate(triplets):
            refs = all_groups_refs(reference)
            image, seconds, error = run_engine(engine, source, refs, GROUPS)
            record = {"engine": engine.name, "style": style, "reference": reference.name, "source": source.name}
            if error:
                record["error"] = error
            else:
                record.update(measure_transfer(source, image, GROUPS, refs, ground_truth=truth), time_s=seconds)
                sheet[(engine.name, index)] = image
            records.append(record)
            progress.step(f"{engine.name} {style} {source.name}")

    summary = {}
    for engine in engines:
        s = aggregate([r for r in records if r["engine"] == engine.name])
        s["fid_de/mean"] = mean_over_regions(s, "fid_de", [r for r in FIDELITY_REGIONS if r != "skin"])
        summary[engine.name] = s

    headers, keys, rows = ["style"], [None], []
    for engine in engines:
        headers += [f"`{engine.name}` GT ΔE00 (face)", f"`{engine.name}` GT PSNR (face)"]
        keys += ["gt_de", "gt_psnr"]
    for style in dict.fromkeys(t[0] for t in triplets):
        row: list = [style]
        for engine in engines:
            part = aggregate([r for r in records if r["engine"] == engine.name and r["style"] == style])
            row += [part.get("gt_de/face"), part.get("gt_psnr/face")]
        rows.append(row)
    tables = [Table("Per style", headers, rows, keys)]

    sheet_rows = []
    for index, (style, reference, source, truth) in enumerate(triplets[:6]):
        row = [(f"ref {style}", reference.image), ("source", source.image), ("ground truth", truth)]
        row += [(e.name, sheet.get((e.name, index))) for e in engines]
        sheet_rows.append(row)
    figures = []
    if sheet_rows:
        figures.append(Figure("contact_sheet.png", "image", "reference, source, ground truth, each engine", {"image": contact_sheet(sheet_rows)}))
    figures.append(
        Figure("ground_truth_de.png", "bar", "ground-truth ΔE00 per region (lower is better)",
               {"groups": list(FIDELITY_REGIONS), "series": {e.name: [summary[e.name].get(f"gt_de/{r}") for r in FIDELITY_REGIONS] for e in engines}}, ylabel="ΔE00")
    )
    params = {"data": str(options.data or SHARED_DATA / "faces"), "triplets": len(triplets), "styles": ", ".join(styles), "seed": options.seed, "identities": f"{split} split of fram.data.sources.split_of"}
    return SuiteResult("synthetic", engine_infos(engines), params, summary, summary_keys(), tables, records, figures, notes)
