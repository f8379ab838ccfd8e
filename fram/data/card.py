"""The dataset card written beside the shards: numbers, histograms, a contact sheet.

``card.json`` holds every number, ``card.md`` says it in words with the figures
(``card_styles.png``, ``card_categories.png``, ``card_ita.png``) and the contact sheet
(``card_contact_sheet.png``): random pairs drawn evenly across skin-tone categories,
each shown as the photo before and after (the stored recipe re-applied at the photo's
own resolution through the stored landmarks), the stored UV textures before and after,
and the texts that annotate the pair.
"""

from __future__ import annotations

import io
import json
import os
import random
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from fram.data.shards import PAIRS_DIR, load_sidecars, write_atomic, write_json_atomic
from fram.data.skin import ITA_CATEGORIES
from fram.data.sources import SPLITS
from fram.data.styles import CATEGORIES, STYLE_CATEGORIES, list_styles

ITA_BINS = list(range(-90, 91, 10))
CELL = 176


def card_numbers(root: str | os.PathLike[str]) -> dict[str, Any]:
    """Every number of the card, from the shard sidecars alone."""
    root = Path(root)
    pairs_sides = load_sidecars(root, "pairs")
    unpaired_sides = load_sidecars(root, "unpaired")
    styles: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    ita_cat: Counter[str] = Counter()
    ita_values: list[float] = []
    identities: dict[str, set[str]] = {s: set() for s in SPLITS}
    per_split = {s: {"faces": 0, "pairs": 0} for s in SPLITS}
    rejected: Counter[str] = Counter()
    words: list[int] = []
    texts: set[str] = set()
    for side in pairs_sides:
        per_split[side["split"]]["faces"] += side["faces"]
        per_split[side["split"]]["pairs"] += side["pairs"]
        rejected.update(r["reason"] for r in side["rejected"])
        for rec in side["records"]:
            identities[side["split"]].add(rec["identity"])
            styles.update(rec["styles"])
            categories.update(STYLE_CATEGORIES.get(s, "?") for s in rec["styles"])
            ita_values.append(rec["ita"])
            ita_cat[rec["ita_category"]] += 1
            for text in rec["texts"]:
                words.append(len(text.split()))
                texts.add(text)
    unpaired_ita: list[float] = []
    unpaired_rejected: Counter[str] = Counter()
    unpaired_split = {s: 0 for s in SPLITS}
    unpaired_ids: dict[str, set[str]] = {s: set() for s in SPLITS}
    for side in unpaired_sides:
        unpaired_split[side["split"]] += side["faces"]
        unpaired_rejected.update(r["reason"] for r in side["rejected"])
        for rec in side["records"]:
            unpaired_ita.append(rec["ita"])
            unpaired_ids[side["split"]].add(rec["identity"])
    disjoint = all(
        not (ids[a] & ids[b]) for ids in (identities, unpaired_ids) for i, a in enumerate(SPLITS) for b in SPLITS[i + 1 :]
    )
    hist, _ = np.histogram(ita_values, bins=ITA_BINS)
    runs = []
    runs_path = root / "runs.jsonl"
    if runs_path.is_file():
        runs = [json.loads(line) for line in runs_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    faces = sum(v["faces"] for v in per_split.values())
    return {
        "pairs": sum(v["pairs"] for v in per_split.values()),
        "faces": faces,
        "identities": sum(len(v) for v in identities.values()),
        "faces_seen": faces + sum(rejected.values()),
        "rejected": dict(rejected.most_common()),
        "splits": per_split,
        "splits_identity_disjoint": disjoint,
        "styles_used": len(styles),
        "styles_defined": len(list_styles()),
        "categories_defined": len(CATEGORIES),
        "style_histogram": {s: styles.get(s, 0) for s in list_styles()},
        "category_histogram": {c: categories.get(c, 0) for c in CATEGORIES},
        "ita_histogram": {"bins": ITA_BINS, "counts": hist.tolist()},
        "ita_categories": {name: ita_cat.get(name, 0) for name, _ in ITA_CATEGORIES},
        "ita_median": float(np.median(ita_values)) if ita_values else None,
        "text": {"distinct": len(texts), "mean_words": float(np.mean(words)) if words else 0.0, "max_words": max(words, default=0)},
        "unpaired": {
            "faces": len(unpaired_ita),
            "splits": unpaired_split,
            "rejected": dict(unpaired_rejected.most_common()),
            "ita_histogram": {"bins": ITA_BINS, "counts": np.histogram(unpaired_ita, bins=ITA_BINS)[0].tolist()},
        },
        "runs": runs,
    }


def _plots(root: Path, numbers: dict[str, Any]) -> None:
    from fram.errors import require_extra

    matplotlib = require_extra("matplotlib", "train", "the dataset card (or use --no-card)")

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def save(fig, name: str) -> None:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        write_atomic(root / name, buffer.getvalue())

    hist = numbers["style_histogram"]
    fig, ax = plt.subplots(figsize=(14, 4))
    ax.bar(range(len(hist)), list(hist.values()), color="#b0506a")
    ax.set_xticks(range(len(hist)), list(hist), rotation=90, fontsize=7)
    ax.set_ylabel("pairs")
    ax.set_title(f"pairs per style ({numbers['styles_used']} of {numbers['styles_defined']} styles used)")
    save(fig, "card_styles.png")

    hist = numbers["category_histogram"]
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.bar(range(len(hist)), list(hist.values()), color="#8a6a9a")
    ax.set_xticks(range(len(hist)), list(hist), rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("pairs")
    ax.set_title("pairs per style category")
    save(fig, "card_categories.png")

    fig, ax = plt.subplots(figsize=(8, 3.5))
    centres = np.array(ITA_BINS[:-1]) + 5
    ax.bar(centres - 2, numbers["ita_histogram"]["counts"], width=4, label="bare faces (pairs)", color="#c08060")
    ax.bar(centres + 2, numbers["unpaired"]["ita_histogram"]["counts"], width=4, label="real makeup (unpaired)", color="#6080c0")
    for name, lower in ITA_CATEGORIES[:-1]:
        ax.axvline(lower, color="#999999", lw=0.6, ls="--")
    ax.set_xlabel("individual typology angle (degrees; lower = darker skin)")
    ax.set_ylabel("faces")
    ax.legend(fontsize=8)
    ax.set_title("skin tone of the faces")
    save(fig, "card_ita.png")


def _pick_samples(root: Path, count: int, seed: int) -> list[tuple[str, dict[str, Any], int]]:
    """(shard file, record summary, look index), spread evenly over skin-tone categories."""
    rng = random.Random(seed)
    by_cat: dict[str, list[tuple[str, dict[str, Any]]]] = {name: [] for name, _ in ITA_CATEGORIES}
    for side in load_sidecars(root, "pairs"):
        for rec in side["records"]:
            if rec["styles"]:
                by_cat[rec["ita_category"]].append((f"{PAIRS_DIR}/{side['name']}.tar", rec))
    picked: list[tuple[str, dict[str, Any], int]] = []
    pools = [rng.sample(v, len(v)) for v in by_cat.values() if v]
    while len(picked) < count and any(pools):
        for pool in pools:
            if pool and len(picked) < count:
                shard, rec = pool.pop()
                picked.append((shard, rec, rng.randrange(len(rec["styles"]))))
    picked.sort(key=lambda p: -p[1]["ita"])
    return picked


def _photo_views(meta: dict[str, Any], fields: dict[str, bytes], look: dict[str, Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """The source photo cropped to the face, bare and with the stored recipe applied."""
    import cv2

    from fram.data.pairs import face_from_meta
    from fram.face.image_io import read_image
    from fram.makeup.compose import analyse, apply_style
    from fram.makeup.recipe import MakeupStyle

    try:
        image = read_image(meta["source"])
    except Exception:  # noqa: BLE001 - the photo may live on another machine
        return None
    if list(image.shape[:2]) != list(meta["image_size"]):
        return None
    landmarks = np.load(io.BytesIO(fields["landmarks.npy"]))
    face = face_from_meta(meta, landmarks)
    after = apply_style(image, analyse(image, face), MakeupStyle.from_dict(look["recipe"]), adapt_to_skin=False)
    x0, y0, x1, y1 = face.bbox
    side = 1.3 * max(x1 - x0, y1 - y0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    box = [int(round(v)) for v in (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)]

    def crop(img: np.ndarray) -> np.ndarray:
        pad = max(0, -box[0], -box[1], box[2] - img.shape[1], box[3] - img.shape[0])
        padded = cv2.copyMakeBorder(img, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(255, 255, 255))
        part = padded[box[1] + pad : box[3] + pad, box[0] + pad : box[2] + pad]
        return cv2.resize(part, (CELL, CELL), interpolation=cv2.INTER_AREA)

    return crop(image), crop(after)


def contact_sheet(root: str | os.PathLike[str], count: int = 12, seed: int = 0) -> np.ndarray:
    """A (H, W, 3) uint8 sheet of random pairs with their texts, light to dark skin."""
    import cv2
    from PIL import Image, ImageDraw, ImageFont

    from fram.data.dataset import read_record
    from fram.data.pairs import decode_png

    root = Path(root)
    rows = []
    text_width = 620
    font = ImageFont.load_default(size=13)
    bold = ImageFont.load_default(size=14)
    for shard, rec, k in _pick_samples(root, count, seed):
        meta, fields = read_record(root, shard, rec["key"])
        look = meta["looks"][k]
        before = cv2.resize(decode_png(fields["before.png"]), (CELL, CELL), interpolation=cv2.INTER_AREA)
        after = cv2.resize(decode_png(fields[f"after_{k}.png"]), (CELL, CELL), interpolation=cv2.INTER_AREA)
        photos = _photo_views(meta, fields, look)
        blank = np.full((CELL, CELL, 3), 235, np.uint8)
        photo_before, photo_after = photos if photos is not None else (blank, blank)
        panel = Image.new("RGB", (text_width, CELL), (255, 255, 255))
        draw = ImageDraw.Draw(panel)
        head = f"{look['style']} ({look['category']})  ·  ITA {meta['ita']:.0f}° {meta['ita_category']}  ·  {meta['identity']}"
        draw.text((8, 6), head, fill=(20, 20, 20), font=bold)
        lines = textwrap.wrap(look["text"], 84)
        for region in ("eyes", "lips", "cheeks"):
            lines += textwrap.wrap(f"{region}: {look['region_text'][region]}", 84)
        for i, line in enumerate(lines[:10]):
            draw.text((8, 28 + 15 * i), line, fill=(60, 60, 60), font=font)
        rows.append(np.hstack([photo_before, photo_after, before, after, np.asarray(panel)]))
    if not rows:
        return np.full((CELL, 4 * CELL + text_width, 3), 255, np.uint8)
    header = Image.new("RGB", (rows[0].shape[1], 22), (255, 255, 255))
    draw = ImageDraw.Draw(header)
    for i, label in enumerate(("photo before", "photo after (recipe)", "UV before", "UV after", "annotation")):
        draw.text((8 + i * CELL, 4), label, fill=(20, 20, 20), font=bold)
    return np.vstack([np.asarray(header), *rows])


def write_card(root: str | os.PathLike[str], *, sheet_count: int = 12, seed: int = 0) -> dict[str, Any]:
    """Write ``card.json``, ``card.md``, the histograms and the contact sheet into ``root``."""
    from fram.data.pairs import encode_png

    root = Path(root)
    numbers = card_numbers(root)
    write_json_atomic(root / "card.json", numbers)
    _plots(root, numbers)
    write_atomic(root / "card_contact_sheet.png", encode_png(contact_sheet(root, sheet_count, seed)))
    write_atomic(root / "card.md", _markdown(root, numbers).encode("utf-8"))
    return numbers


def _markdown(root: Path, n: dict[str, Any]) -> str:
    config = json.loads((root / "config.json").read_text(encoding="utf-8"))["config"]
    lines = [
        "# fram synthetic makeup pairs — dataset card",
        "",
        "Before/after UV textures made by fram's recipe renderer (`fram synth`), each pair",
        "annotated with its style, recipe, description and per-region descriptions.",
        "Built from research face datasets: **non-commercial research use only**.",
        "",
        "## Counts",
        "",
        "| | value |",
        "|---|---|",
        f"| pairs | {n['pairs']} |",
        f"| identities (bare faces) | {n['identities']} |",
        f"| looks per identity | {config['per_face']} |",
        f"| UV size | {config['uv_size']} px |",
        f"| photos examined | {n['faces_seen']} |",
        f"| styles used / defined | {n['styles_used']} / {n['styles_defined']} in {n['categories_defined']} categories |",
        f"| distinct descriptions | {n['text']['distinct']} (mean {n['text']['mean_words']:.1f} words, max {n['text']['max_words']}) |",
        f"| unpaired real-makeup faces | {n['unpaired']['faces']} |",
        f"| splits share no identity | {'yes' if n['splits_identity_disjoint'] else '**NO**'} |",
        "",
        "| split | identities | pairs | unpaired faces |",
        "|---|---|---|---|",
    ]
    for split in SPLITS:
        lines.append(f"| {split} | {n['splits'][split]['faces']} | {n['splits'][split]['pairs']} | {n['unpaired']['splits'][split]} |")
    lines += ["", "## Rejected photos", "", "| reason | bare faces | real makeup |", "|---|---|---|"]
    reasons = sorted(set(n["rejected"]) | set(n["unpaired"]["rejected"]))
    for reason in reasons:
        lines.append(f"| {reason} | {n['rejected'].get(reason, 0)} | {n['unpaired']['rejected'].get(reason, 0)} |")
    if not reasons:
        lines.append("| (none) | 0 | 0 |")
    lines += [
        "",
        "## Skin tone (individual typology angle of the bare faces)",
        "",
        "| ITA category | faces |",
        "|---|---|",
        *[f"| {name} | {count} |" for name, count in n["ita_categories"].items()],
        "",
        "![skin tone](card_ita.png)",
        "",
        "## Styles",
        "",
        "![categories](card_categories.png)",
        "",
        "![styles](card_styles.png)",
        "",
        "## Contact sheet",
        "",
        "Random pairs, drawn evenly over skin-tone categories (lightest first).",
        "",
        "![contact sheet](card_contact_sheet.png)",
        "",
        "## Build runs",
        "",
        "| started | code | pairs | faces | seconds | pairs/s | workers |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in n["runs"]:
        rate = run["pairs"] / run["seconds"] if run["seconds"] else 0.0
        workers = "ray" if run.get("ray") else run["workers"]
        lines.append(f"| {run['time']} | {run.get('commit') or '?'} | {run['pairs']} | {run['faces']} | {run['seconds']} | {rate:.1f} | {workers} |")
    lines += ["", "## Config", "", "```json", json.dumps(config, indent=1), "```", ""]
    return "\n".join(lines)
