"""Benchmark the makeup CLIP (stage 1) against its baselines on held-out identities.

    python benchmarks/stage1_retrieval.py --data DATASET [--weights fram/weights/makeup_clip]
        [--real ../shared/data] [--out /tmp/stage1-bench] [--sheet docs/stage1_neighbours.png]

Synthetic test split (identities never seen in training):
* style retrieval across identities (top-1, top-5, mAP) for the makeup CLIP, the same
  architecture untrained (seed 0), and per-region CIELAB colour histograms;
* text↔image retrieval with one prompt per style (image→text = naming the style,
  text→image = finding images of it) and with each image's own description as query.
Real photos (``--real``, the shared data folder): every real made-up face against
geometric augmentations of itself (R@1, R@5, mAP; gallery = all the real photos), and a
contact sheet of nearest neighbours for real queries.

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


def _table(rows: list[tuple[str, dict]], keys: list[str]) -> str:
    lines = ["| method | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for name, r in rows:
        lines.append(f"| {name} | " + " | ".join(f"{r[k]:.3f}" if isinstance(r.get(k), float) else str(r.get(k, "–")) for k in keys) + " |")
    return "\n".join(lines)


def synthetic_part(args, model, untrained) -> dict:
    from fram.eval.retrieval import lab_histogram_features
    from fram.train.retrieval_metrics import cross_modal_retrieval, style_retrieval
    from fram.train.data import cached_split
    from fram.train.stage1 import encode_set

    data = cached_split(args.data, "test", model.image_size, args.cache, include_real=False)
    vis = data.vis[data.pair_face]
    ident = [data.identities[i] for i in data.pair_face.tolist()]
    labels = data.styles.numpy()
    bank = json.loads((Path(args.weights) / "styles.json").read_text())
    index = {name: i for i, name in enumerate(data.style_names)}
    bank_labels = [index.get(b["style"], -1) for b in bank]
    res: dict = {"test_pairs": len(data), "test_identities": len(data.identities), "styles_in_test": int(len(np.unique(labels)))}

    from fram.data.styles import STYLE_CATEGORIES

    cats = np.array([STYLE_CATEGORIES[data.style_names[s]] for s in labels])
    t0 = time.perf_counter()
    hist = lab_histogram_features(data.afters.permute(0, 2, 3, 1).numpy(), vis[:, 0].numpy())
    res["histogram"] = style_retrieval(hist, labels, ident)
    res["histogram"]["seconds"] = round(time.perf_counter() - t0, 1)
    res["histogram"]["category_top1"] = style_retrieval(hist, cats, ident)["top1"]
    for name, m in (("makeup_clip", model), ("untrained", untrained)):
        emb = encode_set(m, data.afters, vis)
        r = style_retrieval(emb, labels, ident)
        with torch.no_grad():
            prompts = m.encode_texts([b["prompt"] for b in bank])
            descriptions = m.encode_texts(data.texts)
        r.update(cross_modal_retrieval(emb, labels, prompts, bank_labels))
        d = cross_modal_retrieval(emb, labels, descriptions, labels)
        r["desc_t2i_R@1"], r["desc_t2i_R@5"] = d["t2i_R@1"], d["t2i_R@5"]
        # category-level top-1 (is the nearest other-identity image of the same category?)
        r["category_top1"] = style_retrieval(emb, cats, ident)["top1"]
        res[name] = r
    return res


def real_photos(root: Path) -> tuple[list[Path], list[Path]]:
    """Real made-up faces: the makeup-photos set and the CelebAMask-HQ test identities."""
    from fram.data.sources import list_faces, split_of

    makeup = sorted((root / "makeup-photos" / "makeup").glob("*.png"))
    celeb = [Path(f.path) for f in list_faces([root / "faces" / "celebamask-hq" / "images"]) if split_of(f.identity) == "test"]
    return makeup, celeb


def real_part(args, model, untrained) -> dict:
    from fram.errors import FramError
    from fram.eval.retrieval import lab_histogram_features, photo_augmentations
    from fram.train.retrieval_metrics import owner_retrieval
    from fram.face.image_io import read_image, write_image
    from fram.models.makeup_clip import prepare_uv
    from fram.face.contact_sheet import contact_sheet
    from fram.pipelines.search import SearchPipeline, face_crop, face_uv

    def encode(m, f):
        return SearchPipeline(m, []).encode(f)

    makeup, celeb = real_photos(Path(args.real))
    paths = makeup + celeb
    faces, names = [], []
    for p in paths:
        try:
            faces.append(face_uv(read_image(p), uv_size=model.config.uv_size))
            names.append(p.name)
        except FramError:
            pass
    # every original's augmentations, analysed once and shared by all methods
    t0 = time.perf_counter()
    queries, owners, lost = [], [], 0
    for j, f in enumerate(faces):
        for k, variant in enumerate(photo_augmentations(f.image, args.n_aug, seed=j)):
            try:
                queries.append(face_uv(variant, uv_size=model.config.uv_size))
                owners.append(j)
            except FramError:
                lost += 1
    analyse_s = (time.perf_counter() - t0) / max(1, len(queries) + lost)

    def hist(fs):
        tex, vis = [], []
        for f in fs:
            t, v = prepare_uv(f.texture, f.visibility, model.image_size)
            tex.append((t[0].permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8))
            vis.append(v[0, 0].numpy())
        return lab_histogram_features(np.stack(tex), np.stack(vis))

    t0 = time.perf_counter()
    gallery = encode(model, faces)
    encode_s = (time.perf_counter() - t0) / len(faces)
    res: dict = {"photos": len(paths), "with_face": len(faces), "queries_lost": lost,
                 "seconds_face_analysis": round(analyse_s, 3), "seconds_encode": round(encode_s, 4)}
    res["makeup_clip"] = owner_retrieval(gallery, encode(model, queries), owners)
    res["untrained"] = owner_retrieval(encode(untrained, faces), encode(untrained, queries), owners)
    res["histogram"] = owner_retrieval(hist(faces), hist(queries), owners)

    if args.sheet:
        crops = [face_crop(f.image, f.box, size=128) for f in faces]
        sims = gallery @ gallery.T
        n_query = min(len(makeup), 12)
        cells, k = [], 5
        for q in range(n_query):
            order = [j for j in np.argsort(-sims[q]) if j != q][:k]
            cells.append((crops[q], f"query {names[q][:12]}"))
            cells += [(crops[j], f"{sims[q, j]:.2f} {names[j][:12]}") for j in order]
        write_image(Path(args.sheet), contact_sheet(cells, columns=k + 1, cell=128))
        res["sheet"] = str(args.sheet)
    return res


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="a `fram synth` dataset folder (its test split is used)")
    p.add_argument("--weights", default=str(Path(__file__).resolve().parents[1] / "fram" / "weights" / "makeup_clip"))
    p.add_argument("--cache", default=None, help="folder for the test split's in-memory cache")
    p.add_argument("--real", help="the shared data folder (real photos); skipped when absent")
    p.add_argument("--n-aug", type=int, default=4)
    p.add_argument("--sheet", help="write the real-photo nearest-neighbour contact sheet here")
    p.add_argument("--out", default="/tmp/stage1-bench")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    from fram.models import MakeupCLIP

    model = MakeupCLIP.from_pretrained(args.weights)
    torch.manual_seed(0)
    untrained = MakeupCLIP(model.config).eval()
    untrained.tokenizer = model.tokenizer
    results = {"weights": args.weights, "synthetic": synthetic_part(args, model, untrained)}
    s = results["synthetic"]
    print(f"\n### Synthetic test split: {s['test_pairs']} pairs, {s['test_identities']} identities, {s['styles_in_test']} styles\n")
    print(_table([("makeup CLIP", s["makeup_clip"]), ("untrained encoder", s["untrained"]), ("Lab histograms", s["histogram"])],
                 ["top1", "top5", "mAP", "category_top1"]))
    print()
    print(_table([("makeup CLIP", s["makeup_clip"]), ("untrained encoder", s["untrained"])],
                 ["i2t_R@1", "i2t_R@5", "t2i_R@1", "t2i_R@5", "desc_t2i_R@1", "desc_t2i_R@5"]))
    if args.real and Path(args.real).is_dir():
        results["real"] = real_part(args, model, untrained)
        r = results["real"]
        print(f"\n### Real made-up photos vs {args.n_aug} geometric augmentations each ({r['photos']} photos)\n")
        print(_table([("makeup CLIP", r["makeup_clip"]), ("untrained encoder", r["untrained"]), ("Lab histograms", r["histogram"])],
                     ["R@1", "R@5", "mAP", "queries", "gallery"]))
        print(f"\nface analysis {r['seconds_face_analysis'] * 1000:.0f} ms/photo, encoder {r['seconds_encode'] * 1000:.1f} ms/photo")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1))
    print(f"\nwrote {out / 'results.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
