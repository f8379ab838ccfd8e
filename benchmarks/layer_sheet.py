"""Contact sheet of the default (``layer``) transfer on real photos: strong eye looks,
graphic liner, face paint, colour blocks over the whole face and glitter, worn by a man with stubble, a brown-skinned
woman with curls, a dark-skinned man with glasses, a woman with glasses, a turned head with an
open smile and a dark photo (35 % of the light).

    python benchmarks/layer_sheet.py [--out docs/layer_transfer_sheet.jpg] [--size 220] [--rows 0,1,2]
    python benchmarks/layer_sheet.py --set peers --out docs/peer_pairs_sheet.jpg

``--set peers``: the example pairs that GAN peers (BeautyGAN, PSGAN, SCGAN, CPM) publish in
their repositories, references and sources both theirs, to put beside their own results.
Each row: the reference, then the results. Needs ../shared/data.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from fram.face.colour import SRGB_TO_LINEAR_8BIT
from fram.face.image_io import read_image
from fram.pipelines import transfer

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
MADE_UP = DATA / "makeup-photos-extra" / "made-up"
REFERENCES = (
    ("black smoky eye", MADE_UP / "Digital-Makeup-Trans__images_exampe1.jpg"),
    ("green lids", MADE_UP / "Digital-Makeup-Trans__images_example.jpg"),
    ("purple smoky", MADE_UP / "gorgeous__makeup_assets_purple_0000.png"),
    ("graphic liner", MADE_UP / "SCGAN__MT-Dataset_images_makeup_licEnH3rBjSA.png"),
    ("teal graphic eyes", MADE_UP / "Adv-Makeup__Datasets_Makeup_after_aligned_600_00005.jpg"),
    ("rainbow liner", MADE_UP / "gorgeous__makeup_assets_merdeka2_24.png"),
    ("glitter, gems", MADE_UP / "gorgeous__makeup_assets_colourful_0002.png"),
    ("face paint", MADE_UP / "CPM__imgs_style-1.png"),
    ("colour blocks all over", MADE_UP / "gorgeous__makeup_assets_art_0002.jpeg"),
    ("pastel blocks all over", MADE_UP / "gorgeous__makeup_assets_art_0001.jpeg"),
    ("flag liner, red headscarf", MADE_UP / "gorgeous__makeup_assets_merdeka7_34.png"),
    ("everyday", DATA / "makeup-photos" / "makeup" / "XMY-112.png"),
)
CELEBA = DATA / "faces" / "celebamask-hq" / "images"
BARE = DATA / "makeup-photos-extra" / "bare"
SOURCES = (
    ("man, stubble", BARE / "makeup_transfer__Code_Final_Images_target_02.jpg", 1.0),
    ("brown skin, curls", BARE / "makeup_transfer__Code_Final_Images_target_04.jpg", 1.0),
    ("glasses, dark skin", CELEBA / "21f48e24530f4ff49041701b1b20b0c8.jpg", 1.0),
    ("glasses", CELEBA / "802bc5609206479caaadded02173908e.jpg", 1.0),
    ("turned, open smile", BARE / "SpMT__MT-Dataset_images_non-makeup_8.jpg", 1.0),
    ("dark photo (35 %)", BARE / "Digital-Makeup-Trans__images_base.jpg", 0.35),
)

PEER_REFERENCES = (
    ("BeautyGAN XMY-074", MADE_UP / "BeautyGAN__imgs_makeup_XMY-074.png"),
    ("BeautyGAN XMY-136", MADE_UP / "BeautyGAN__imgs_makeup_XMY-136.png"),
    ("BeautyGAN vFG56", MADE_UP / "BeautyGAN__imgs_makeup_vFG56.png"),
    ("BeautyGAN vRX916", MADE_UP / "BeautyGAN__imgs_makeup_vRX916.png"),
    ("PSGAN vFG586", MADE_UP / "PSGAN__assets_images_makeup_vFG586.png"),
    ("SCGAN XMY-078", MADE_UP / "SCGAN__MT-Dataset_images_makeup_XMY-078.png"),
    ("CPM style-4", MADE_UP / "CPM__imgs_style-4.png"),
)
PEER_SOURCES = (
    ("BeautyGAN vSYYZ306", BARE / "BeautyGAN__imgs_no_makeup_vSYYZ306.png", 1.0),
    ("BeautyGAN xfsy_0055", BARE / "BeautyGAN__imgs_no_makeup_xfsy_0055.png", 1.0),
    ("BeautyGAN xfsy_0226", BARE / "BeautyGAN__imgs_no_makeup_xfsy_0226.png", 1.0),
    ("BeautyGAN vSYYZ639", BARE / "BeautyGAN__imgs_no_makeup_vSYYZ639.png", 1.0),
    ("SCGAN xfsy_0444", BARE / "SCGAN__MT-Dataset_images_non-makeup_xfsy_0444.png", 1.0),
    ("CPM non-makeup", BARE / "CPM__imgs_non-makeup.png", 1.0),
)
SETS = {"looks": (REFERENCES, SOURCES), "peers": (PEER_REFERENCES, PEER_SOURCES)}


def darken(rgb: np.ndarray, light: float) -> np.ndarray:
    if light == 1.0:
        return rgb
    linear = SRGB_TO_LINEAR_8BIT[rgb] * light
    srgb = np.where(linear <= 0.0031308, linear * 12.92, 1.055 * np.power(np.maximum(linear, 1e-12), 1 / 2.4) - 0.055)
    return (np.clip(srgb, 0, 1) * 255 + 0.5).astype(np.uint8)


def cell(image: np.ndarray, size: int) -> Image.Image:
    im = Image.fromarray(image)
    im.thumbnail((size, size), Image.LANCZOS)
    return im


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/layer_transfer_sheet.jpg")
    parser.add_argument("--size", type=int, default=220)
    parser.add_argument("--rows", default="", help="comma-separated reference indices (default: all)")
    parser.add_argument("--engine", default="layer")
    parser.add_argument("--set", choices=sorted(SETS), default="looks", help="strong looks on our sources, or peers' own pairs")
    args = parser.parse_args()
    references, source_list = SETS[args.set]
    refs = [references[int(i)] for i in args.rows.split(",")] if args.rows else list(references)
    sources = [(label, darken(read_image(path), light)) for label, path, light in source_list]
    size, label_h = args.size, 14
    sheet = Image.new("RGB", (size * (1 + len(sources)), (size + label_h) * (len(refs) + 1)), "white")
    draw = ImageDraw.Draw(sheet)
    for c, (label, image) in enumerate(sources):
        sheet.paste(cell(image, size), ((c + 1) * size, 0))
        draw.text(((c + 1) * size + 2, size + 1), label, fill="black")
    for r, (name, path) in enumerate(refs, start=1):
        y = r * (size + label_h)
        reference = read_image(path)
        sheet.paste(cell(reference, size), (0, y))
        draw.text((2, y + size + 1), name, fill="black")
        for c, (_, image) in enumerate(sources):
            made = transfer(image, reference, engine=args.engine).image
            sheet.paste(cell(made, size), ((c + 1) * size, y))
        print("row", r, name, flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, quality=90)


if __name__ == "__main__":
    main()
