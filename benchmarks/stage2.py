"""Benchmark the fram diffusion engine (stage 2): regional control, leakage, steps, speed.

    python benchmarks/stage2.py [--weights fram/weights/fram_generator] [--data ../shared/data]
        [--synth data/synth/default] [--out /tmp/stage2-bench] [--sheet docs/fram_regional_sheet.jpg]

* Regional contact sheet: sources of several skin tones (and a man, glasses) × rows
  lips-only, eyes-only, skin-only (each from a different real made-up reference) and
  the three-reference mix, beside the classic engine's mix.
* Attention leakage in UV: the generated delta with only the lips tokens from a
  reference against the same seed with no reference at all: mean change inside the
  lips vs outside them (the photo outside the selected regions is bit-identical by
  construction; this measures what the tokens themselves do).
* Steps vs quality on held-out synthetic pairs (texture error against the ground-truth
  made-up texture, references of other identities) and end-to-end time for a
  512×512 photo per step count.
* Makeup strength on held-out pairs (``val``): mean |delta| the generator paints in each
  token group's UV region against the true one, with a reference of another identity
  wearing the same style, the target's exact look moved onto another face, and the
  target's own look (does the generator transfer the whole makeup, or regress toward
  the mean?).

Writes ``results.json`` in ``--out`` and prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))


def regional_sheet(pipe, data: Path, path: Path) -> None:
    from contact_sheet import pick_faces
    from PIL import Image, ImageDraw

    from fram.errors import FramError
    from fram.face.image_io import read_image, write_image
    from fram.pipelines import transfer

    faces = [f for f in pick_faces(data) if f[0] in ("dark skin, woman", "dark skin, man", "Asian, woman", "white, man", "glasses")]
    refs = sorted((data / "makeup-photos" / "makeup").glob("*.png"))[:3]
    a, b, c = (read_image(r) for r in refs)
    columns = [("source", None), ("reference lips", "ref_a"), ("lips only", {"lips": a}), ("reference eyes", "ref_b"),
               ("eyes only", {"eyes": b}), ("reference skin", "ref_c"), ("skin only", {"skin": c}),
               ("mix (fram)", {"lips": a, "eyes": b, "skin": c}), ("mix (classic)", "classic")]
    cell = 200
    sheet = Image.new("RGB", (cell * len(columns), 24 + cell * len(faces)), "white")
    draw = ImageDraw.Draw(sheet)
    for j, (title, _) in enumerate(columns):
        draw.text((j * cell + 4, 6), title, fill="black")

    def crop(img: np.ndarray, face) -> Image.Image:
        x0, y0, x1, y1 = face.bbox
        m = 0.35 * max(x1 - x0, y1 - y0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        side = max(x1 - x0, y1 - y0) + 2 * m
        box = (int(max(0, cx - side / 2)), int(max(0, cy - side / 2)), int(min(img.shape[1], cx + side / 2)), int(min(img.shape[0], cy + side / 2)))
        return Image.fromarray(img).crop(box).resize((cell, cell))

    ref_faces = {}
    for key, img in (("ref_a", a), ("ref_b", b), ("ref_c", c)):
        from fram.face.landmarks import detect_face

        ref_faces[key] = crop(img, detect_face(img))
    for i, (label, src_path) in enumerate(faces):
        src = read_image(src_path)
        try:
            base = pipe(src, references={"lips": a}, regions="lips")
        except FramError as exc:
            print(f"skip {label}: {exc}", file=sys.stderr)
            continue
        face = base.face
        for j, (title, spec) in enumerate(columns):
            if spec is None:
                tile = crop(src, face)
            elif isinstance(spec, str) and spec.startswith("ref_"):
                tile = ref_faces[spec]
            elif spec == "classic":
                tile = crop(transfer(src, references={"lips": a, "eyes": b, "skin": c}, engine="classic").image, face)
            else:
                tile = crop(pipe(src, references=spec).image, face)
            sheet.paste(tile, (j * cell, 24 + i * cell))
        width = draw.textlength(label) + 6
        draw.rectangle((0, 24 + i * cell, width, 24 + i * cell + 14), fill="black")
        draw.text((3, 24 + i * cell + 2), label, fill="white")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_image(path, np.asarray(sheet))


def leakage(pipe, data: Path, n: int = 12) -> dict:
    """UV change outside the lips when only the lips tokens read a reference."""
    from fram.pipelines import MakeupOptions, resolve_reference
    from fram.face.image_io import read_image
    from fram.face.landmarks import detect_face
    from fram.makeup.compose import analyse
    from fram.models.region_tokens import TOKEN_GROUPS, token_group_masks

    photos = sorted((data / "makeup-photos" / "makeup").glob("*.png"))[: n + 1]
    bare = sorted((data / "makeup-photos" / "non-makeup").glob("*.png"))[:n]
    size = pipe.generator.config.sample_size
    lips = token_group_masks(size)[TOKEN_GROUPS.index("lips")] > 0.5
    face = torch.from_numpy(__import__("fram.face.regions", fromlist=["uv_templates"]).uv_templates(size)["face"]) > 0.5
    inside, outside = [], []
    for src_path, ref_path in zip(bare, photos[1:]):
        src, ref = read_image(src_path), read_image(ref_path)
        analysis = analyse(src, detect_face(src))
        options = MakeupOptions.create(regions="lips")
        with_ref = pipe.generate_delta(pipe.request(analysis, {"lips": resolve_reference(ref)}, ("lips",), {}), options)
        without = pipe.generate_delta(pipe.request(analysis, {}, ("lips",), {}), options)
        diff = (with_ref - without).abs().mean(1)[0]
        inside.append(float(diff[lips].mean()))
        outside.append(float(diff[face & ~lips].mean()))
    return {"pairs": len(inside), "mean_change_inside_lips": float(np.mean(inside)),
            "mean_change_outside_lips": float(np.mean(outside)), "ratio_outside_to_inside": float(np.mean(outside) / max(np.mean(inside), 1e-9))}


def steps_table(pipe, synth: str, cache: str, steps_list: list[int], data: Path) -> list[dict]:
    from fram.face.image_io import read_image
    from fram.face.templates import uv_templates
    from fram.train.data import cached_split
    from fram.train.stage2_data import prepare
    from fram.train.stage2_eval import quick_eval
    from fram.train.stage2_params import Stage2Params

    test = prepare(cached_split(synth, "test", pipe.encoder.config.vision_cfg.image_size, cache, include_real=False),
                   pipe.generator.config.sample_size)
    size = pipe.generator.config.sample_size
    face = torch.nn.functional.adaptive_avg_pool2d(torch.from_numpy(uv_templates(256)["face"])[None, None], size)[0, 0]
    from fram.models.region_tokens import token_group_partition

    partition = token_group_partition(size)
    src = read_image(sorted((data / "makeup-photos" / "non-makeup").glob("*.png"))[0])
    ref = read_image(sorted((data / "makeup-photos" / "makeup").glob("*.png"))[0])
    import cv2

    src = cv2.resize(src, (512, 512), interpolation=cv2.INTER_AREA)
    rows = []
    for steps in steps_list:
        params = Stage2Params(data=synth, out="", eval_pairs=96, eval_steps=steps)
        q = quick_eval(pipe.generator, pipe.encoder, test, params, face, partition)
        pipe(src, ref, steps=steps)  # warm
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            pipe(src, ref, steps=steps)
            times.append(time.perf_counter() - t0)
        rows.append({"steps": steps, "texture_error": round(q["texture_error"], 3), "noop_error": round(q["noop_error"], 3),
                     "seconds_512": round(float(np.median(times)), 3)})
        print(rows[-1], flush=True)
    return rows


def strength(pipe, synth: str, cache: str, steps: int = 2, pairs: int = 48) -> dict:
    """Predicted vs true mean |delta| (linear RGB) per token group on ``val``."""
    from fram.face.templates import uv_templates
    from fram.models.region_tokens import TOKEN_GROUPS, token_group_masks, token_group_partition
    from fram.train.augment import AugmentOptions
    from fram.train.data import cached_split
    from fram.train.stage2_batches import batch_tokens, encode_references, make_batch
    from fram.train.stage2_data import prepare
    from fram.train.stage2_params import Stage2Params

    size = pipe.generator.config.sample_size
    val = prepare(cached_split(synth, "val", pipe.encoder.config.vision_cfg.image_size, cache, include_real=False), size)
    face = torch.nn.functional.adaptive_avg_pool2d(torch.from_numpy(uv_templates(256)["face"])[None, None], size)[0, 0]
    masks = token_group_masks(size)
    partition = token_group_partition(size)
    still = AugmentOptions.none()
    out: dict = {}
    for name, other, swap in (("other identity, same style", 1.0, 0.0), ("this look on another face", 0.0, 1.0), ("own look", 0.0, 0.0)):
        params = Stage2Params(data=synth, out="", mix_prob=0.0, cond_dropout=0.0, same_style_prob=other, swap_prob=swap, group_drop_prob=0.0,
                              scale_prob=0.0, real_prob=0.0, augment=still)
        g = torch.Generator().manual_seed(1234)
        chosen = torch.randperm(len(val), generator=g)[:pairs]
        batch = make_batch(val, params, pipe.generator.config, g, face, partition, pairs=chosen)
        with torch.no_grad():
            tokens = batch_tokens(pipe.generator, encode_references(pipe.encoder, batch.refs), batch.assign, batch.present)
            pred = pipe.denoise(batch.condition, tokens, None, steps=steps, guidance=1.0, seed=0)
        true = batch.target / pipe.generator.config.delta_scale
        row = {}
        for k, group in enumerate(TOKEN_GROUPS):
            core = masks[k] > 0.5
            row[group] = {"predicted": round(float(pred.abs().mean(1)[:, core].mean()), 4),
                          "true": round(float(true.abs().mean(1)[:, core].mean()), 4),
                          "error": round(float((pred - true).abs().mean(1)[:, core].mean()), 4)}
        out[name] = row
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weights", help="generator folder (default: the shipped one)")
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--synth", default="data/synth/default")
    ap.add_argument("--cache", default="out/bench-cache")
    ap.add_argument("--out", default="/tmp/stage2-bench")
    ap.add_argument("--sheet", default="docs/fram_regional_sheet.jpg")
    ap.add_argument("--steps", default="1,2,4,8,16")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--parts", default="leakage,strength,steps,sheet", help="which parts to run")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    from fram.pipelines import FramTransferPipeline

    pipe = FramTransferPipeline.from_pretrained(args.weights)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = Path(args.data)
    parts = set(args.parts.split(","))
    res: dict = {}
    if "leakage" in parts:
        res["leakage"] = leakage(pipe, data)
        print(res["leakage"], flush=True)
    if "strength" in parts:
        res["strength"] = strength(pipe, args.synth, args.cache)
        print("\n| reference | group | predicted mean abs delta | true | error |\n|---|---|---|---|---|")
        for name, row in res["strength"].items():
            for group, r in row.items():
                print(f"| {name} | {group} | {r['predicted']} | {r['true']} | {r['error']} |")
    if "steps" in parts:
        res["steps"] = steps_table(pipe, args.synth, args.cache, [int(s) for s in args.steps.split(",")], data)
        print("\n| steps | texture error (0-255) | no-op error | s / 512² photo |\n|---|---|---|---|")
        for r in res["steps"]:
            print(f"| {r['steps']} | {r['texture_error']} | {r['noop_error']} | {r['seconds_512']} |")
    (out / "results.json").write_text(json.dumps(res, indent=1))
    if "sheet" in parts:
        regional_sheet(pipe, data, Path(args.sheet))
    return 0


if __name__ == "__main__":
    sys.exit(main())
