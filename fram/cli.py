"""The ``fram`` command: a thin shell over :mod:`fram.pipeline` and the face layer.

It parses arguments, calls the Python API and writes results atomically. User
errors print one line and exit with status 2; nothing is half-written.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from fram.errors import FramError

EXIT_USER_ERROR = 2


def _atomic_bytes(path: Path, payload: bytes) -> None:
    directory = path.resolve().parent
    if not directory.is_dir():
        raise FramError(f"output folder does not exist: {directory}")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _face(args: argparse.Namespace):
    from fram.face.image_io import read_image
    from fram.face.landmarks import default_landmarker, select_face

    image = read_image(args.image)
    landmarker = default_landmarker()
    face = select_face(landmarker.detect(image), args.face, min_face_size=landmarker.options.min_face_size, source=Path(args.image).name)
    return image, face


def cmd_landmarks(args: argparse.Namespace) -> None:
    from fram.face.image_io import read_image
    from fram.face.landmarks import default_landmarker

    image = read_image(args.image)
    result = default_landmarker().detect(image)
    height, width = result.image_size
    doc = {"image": {"width": width, "height": height}, "faces": [f.to_dict() for f in result.faces]}
    text = json.dumps(doc)
    if args.output:
        _atomic_bytes(Path(args.output), text.encode())
    else:
        print(text)


def cmd_regions(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.face.regions import REGION_NAMES, region_masks

    image, face = _face(args)
    masks = region_masks(image, face)
    out = Path(args.output)
    if out.suffix.lower() == ".npz":
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **{name: masks.full(name) for name in REGION_NAMES})
        _atomic_bytes(out, buffer.getvalue())
    else:
        write_image(out, region_overlay(image, masks))


OVERLAY_COLORS = {
    "skin": (255, 214, 102), "lips": (230, 30, 70), "eyes": (40, 120, 255), "brows": (120, 70, 30),
    "eyeshadow": (170, 80, 220), "eyeliner": (20, 20, 20), "cheeks": (255, 120, 150),
    "nose": (80, 220, 160), "under_eye": (90, 230, 240),
}


def region_overlay(image: np.ndarray, masks) -> np.ndarray:
    """The photo with each region tinted in its own colour (later ones on top)."""
    out = image.astype(np.float32)
    for name, color in OVERLAY_COLORS.items():
        alpha = 0.45 * masks.full(name)[..., None]
        out = out * (1 - alpha) + alpha * np.array(color, np.float32)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def cmd_uv(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.face.uv import unwrap

    image, face = _face(args)
    texture = unwrap(image, face, size=args.size)
    if args.visibility:
        write_image(Path(args.visibility), (texture.visibility * 255 + 0.5).astype(np.uint8))
    write_image(Path(args.output), texture.texture)


def cmd_apply(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.pipeline import apply_makeup

    if (args.style is None) == (args.text is None):
        raise FramError("give exactly one of --style NAME|FILE.json or --text \"...\"")
    style = args.style if args.style is not None else f"text:{args.text}"
    result = apply_makeup(args.image, style, intensity=args.intensity, regions=args.regions, face_index=args.face, source=Path(args.image).name)
    write_image(Path(args.output), result.image)
    if args.recipe:
        _atomic_bytes(Path(args.recipe), result.style.to_json().encode())


def cmd_presets(args: argparse.Namespace) -> None:
    from fram.makeup.presets import PRESET_CATEGORIES, PRESETS
    from fram.makeup.description import describe

    if args.json:
        print(json.dumps({k: v.to_dict() for k, v in PRESETS.items()}, indent=2))
        return
    for slug, style in PRESETS.items():
        print(f"{slug:24s} {PRESET_CATEGORIES[slug]:14s} {describe(style).overall}")


def cmd_eval(args: argparse.Namespace) -> None:
    from fram.eval.suites import SuiteOptions, run_suite

    engines = [name for value in args.engine for name in value.split(",") if name.strip()]
    options = SuiteOptions(
        data=Path(args.data) if args.data else None, limit=args.limit, repeat=args.repeat, seed=args.seed,
        sizes=tuple(int(s) for s in args.sizes.split(",")) if args.sizes else SuiteOptions.sizes,
        progress=not args.quiet, extra={"split": args.split, **({"per_group": args.per_group} if args.per_group else {})}, threads=args.threads,
    )
    out = Path(args.out)
    run_suite(args.suite, engines, out, options)
    print(out / "report.md")


def cmd_synth(args: argparse.Namespace) -> None:
    from fram.data.synth import SynthConfig, synthesize

    config = SynthConfig(
        faces=args.faces, n=args.n, per_face=args.per_face, unpaired=args.unpaired or [],
        uv_size=args.size, seed=args.seed, faces_per_shard=args.shard_faces,
        val_fraction=args.val_fraction, test_fraction=args.test_fraction,
    )
    synthesize(config, args.out, workers=args.workers, ray_address=args.ray, progress=not args.quiet, card=not args.no_card)


def cmd_transfer(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.pipeline import transfer

    per_region = {g: getattr(args, g) for g in ("skin", "eyes", "brows", "lips") if getattr(args, g)}
    result = transfer(
        args.source, args.reference, references=per_region, engine=args.engine, regions=args.regions,
        intensity=args.intensity, steps=args.steps, seed=args.seed, colour_match=args.colour_match, face_index=args.face, source_name=Path(args.source).name,
    )
    write_image(Path(args.output), result.image)
    if args.recipe:
        if result.style is None:
            print("fram: --recipe: the fram engine paints no recipe; use --engine classic for one", file=sys.stderr)
        else:
            _atomic_bytes(Path(args.recipe), result.style.to_json().encode())


def cmd_embed(args: argparse.Namespace) -> None:
    from fram.search import embed

    result = embed(args.images, face_index=args.face)
    for name, reason in result.failures:
        print(f"fram: skipped {name}: {reason}", file=sys.stderr)
    if not len(result.sources):
        raise FramError("no image gave a face; nothing written")
    buffer = io.BytesIO()
    np.save(buffer, result.vectors.astype(np.float32), allow_pickle=False)
    _atomic_bytes(Path(args.output), buffer.getvalue())
    for i, name in enumerate(result.sources):
        print(f"{i}\t{name}")


def cmd_similar(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.search import similar

    result = similar(args.query, args.gallery, k=args.k, index_path=args.index, cache=not args.no_cache,
                     sheet=args.output is not None, progress=not args.quiet)
    if args.json:
        print(json.dumps({"query": result.query, "matches": [m.__dict__ for m in result.matches], "skipped": result.failures}, indent=1))
    else:
        for m in result.matches:
            print(f"{m.rank}\t{m.score:.4f}\t{m.path}")
        if result.failures and not args.quiet:
            print(f"fram: {len(result.failures)} gallery photo(s) without a usable face were skipped", file=sys.stderr)
    if args.output:
        write_image(Path(args.output), result.sheet)


def cmd_describe(args: argparse.Namespace) -> None:
    from fram.search import describe_makeup

    matches = describe_makeup(args.image, top=args.top, face_index=args.face)
    if args.json:
        print(json.dumps([m.__dict__ for m in matches], indent=1))
        return
    for m in matches:
        print(f"{m.title} ({m.category}) {m.score:.3f}: {m.description}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fram", description="Facial region-aware makeup on your own photos, offline.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("landmarks", help="478 landmarks and head pose of every face, as JSON")
    p.add_argument("image")
    p.add_argument("-o", "--output", help="write JSON here instead of printing it")
    p.set_defaults(run=cmd_landmarks)

    p = sub.add_parser("regions", help="region masks (.npz of float32 arrays) or an overlay image")
    p.add_argument("image")
    p.add_argument("-o", "--output", required=True, help="masks.npz or overlay.png/.jpg")
    p.add_argument("--face", type=int, default=0, help="face index, largest first (default 0)")
    p.set_defaults(run=cmd_regions)

    p = sub.add_parser("uv", help="unwrap the face into the canonical UV texture")
    p.add_argument("image")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--visibility", help="also write the visibility mask here")
    p.add_argument("--face", type=int, default=0)
    p.set_defaults(run=cmd_uv)

    p = sub.add_parser("apply", help="put a look (preset, recipe file or words) on a photo")
    p.add_argument("image")
    p.add_argument("--style", help="preset name or recipe .json")
    p.add_argument("--text", help='a description, e.g. "glossy berry lips and a winged liner"')
    p.add_argument("--intensity", default="1.0", help="0.7, or per region: lips=1,eyes=0.5")
    p.add_argument("--regions", help="only these: skin,eyes,brows,lips")
    p.add_argument("--face", type=int, default=0)
    p.add_argument("--recipe", help="also save the recipe that was applied (JSON)")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=cmd_apply)

    p = sub.add_parser("transfer", help="put a reference photo's makeup on a source photo, per region")
    p.add_argument("source")
    p.add_argument("reference", nargs="?", help="made-up photo, preset:NAME, text:WORDS or recipe .json")
    for group in ("skin", "eyes", "brows", "lips"):
        p.add_argument(f"--{group}", help=f"reference for the {group} only (photo, preset:NAME, text:WORDS, .json)")
    p.add_argument("--regions", help="only these: skin,eyes,brows,lips")
    p.add_argument("--intensity", default="1.0", help="0.7, or per region: lips=1,eyes=0.5 (above 1 exaggerates)")
    p.add_argument("--engine", choices=("fram", "classic"), help="fram (diffusion; the default when its weights are installed) or classic")
    p.add_argument("--steps", type=int, help="sampling steps of the fram engine (default 2, the best on held-out pairs)")
    p.add_argument("--seed", type=int, default=0, help="noise seed of the fram engine (results repeat for a seed)")
    p.add_argument("--colour-match", type=float, help="fram engine: how far the eyes' and lips' colour level moves to the reference's "
                   "(0 = the generator's own, default 1 = all the way, up to 2)")
    p.add_argument("--face", type=int, default=0)
    p.add_argument("--recipe", help="also save the transferred recipe (JSON; classic engine)")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=cmd_transfer)

    p = sub.add_parser("presets", help="list the preset looks")
    p.add_argument("--json", action="store_true", help="print every preset recipe as JSON")
    p.set_defaults(run=cmd_presets)

    p = sub.add_parser("eval", help="run a benchmark suite; writes report.md, metrics.json and figures")
    p.add_argument("--suite", required=True, choices=("synthetic", "real", "regional", "fairness", "speed"))
    p.add_argument("--engine", action="append", required=True, help="engine(s), comma-separated or repeated: classic, none, recipe:PRESET, …")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--data", help="a folder of the suite's layout instead of its default in ../shared/data")
    p.add_argument("--limit", type=int, help="at most N photos per list (quick runs)")
    p.add_argument("--per-group", type=int, help="fairness: transfers per race label (default 20)")
    p.add_argument("--split", choices=("test", "val"), default="test",
                   help="synthetic: held-out identities to use; val is for choosing settings, test for reporting (default test)")
    p.add_argument("--sizes", help="speed: photo sizes, e.g. 256,512,1024,2048")
    p.add_argument("--repeat", type=int, default=5, help="speed: timed repeats per stage (default 5)")
    p.add_argument("--threads", type=int, help="speed: torch threads (default: torch's own choice)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(run=cmd_eval)

    p = sub.add_parser("synth", help="build a synthetic before/after makeup dataset (resumable)")
    p.add_argument("--faces", action="append", required=True, help="folder, image or quoted glob of bare faces (repeat)")
    p.add_argument("--unpaired", action="append", help="folder, image or quoted glob of real made-up faces (repeat)")
    p.add_argument("--out", required=True, help="dataset folder; rerun the same command to resume")
    p.add_argument("--n", type=int, required=True, help="pairs to make")
    p.add_argument("--per-face", type=int, default=5, help="looks per identity (default 5)")
    p.add_argument("--size", type=int, default=256, help="UV texture side (default 256)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--shard-faces", type=int, default=32, help="faces per shard (default 32)")
    p.add_argument("--val-fraction", type=float, default=0.05, help="identities held out for validation (default 0.05)")
    p.add_argument("--test-fraction", type=float, default=0.05, help="identities held out for testing (default 0.05)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="local processes (default: all cores)")
    p.add_argument("--ray", metavar="ADDRESS", help="run shards as Ray tasks ('local', 'auto' or ray://host:port)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-card", action="store_true", help="skip the dataset card (histograms, contact sheet)")
    p.set_defaults(run=cmd_synth)
    p = sub.add_parser("embed", help="makeup embeddings of photos (N x D float32, L2-normalised .npy)")
    p.add_argument("images", nargs="+")
    p.add_argument("-o", "--output", required=True, help="vectors .npy; row i is the i-th image printed on stdout")
    p.add_argument("--face", type=int, default=0)
    p.set_defaults(run=cmd_embed)

    p = sub.add_parser("similar", help="photos in a folder with the most similar makeup (ranked, + contact sheet)")
    p.add_argument("query")
    p.add_argument("--gallery", required=True, help="folder of photos (searched recursively)")
    p.add_argument("-k", type=int, default=5)
    p.add_argument("-o", "--output", help="contact sheet image (query, then the matches)")
    p.add_argument("--index", help="index file of the folder's embeddings (default: in ~/.cache/fram)")
    p.add_argument("--no-cache", action="store_true", help="embed every photo again and keep no index")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(run=cmd_similar)

    p = sub.add_parser("describe", help="the named makeup styles closest to a photo's makeup")
    p.add_argument("image")
    p.add_argument("--top", type=int, default=3)
    p.add_argument("--face", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_describe)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except FramError as exc:
        print(f"fram: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except ValueError as exc:
        print(f"fram: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # e.g. `fram presets | head`
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
