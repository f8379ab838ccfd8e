"""The ``fram`` command: a thin shell over :mod:`fram.pipelines` (and the face layer
for ``landmarks``, ``regions``, ``uv``).

Every command parses its arguments, builds :class:`fram.pipelines.MakeupOptions`,
checks its output paths, calls the Python API and writes its outputs atomically,
all of them only after the work succeeded. Errors a user can cause
(:class:`fram.errors.FramError`) print one line and exit with status 2; anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

import numpy as np

from fram import __version__
from fram.errors import FramError, ImageWriteError

EXIT_USER_ERROR = 2
REGION_CHOICES = "skin,eyes,brows,lips"


def _outputs(*paths: str | None) -> list[Path]:
    """Check every output path before any work: its folder exists and it is not a folder."""
    checked = []
    for path in paths:
        if path is None:
            continue
        out = Path(path)
        if out.is_dir():
            raise ImageWriteError(f"cannot write '{out}': it is a folder")
        if not out.resolve().parent.is_dir():
            raise ImageWriteError(f"cannot write '{out}': folder '{out.parent}' does not exist")
        checked.append(out)
    return checked


def _output_folder(path: str) -> Path:
    """Check a folder output (``eval --out``, ``synth --out``) before any work: it is a
    folder or can become one (nothing on its way is a file)."""
    out = Path(path)
    for step in (out, *out.parents):
        if step.exists():
            if not step.is_dir():
                raise ImageWriteError(f"cannot write into '{out}': '{step}' is a file, not a folder")
            return out
    return out


def _write_text(path: Path, text: str) -> None:
    from fram.face.image_io import write_bytes

    write_bytes(path, text.encode("utf-8"))


def _options(args: argparse.Namespace):
    from fram.pipelines import MakeupOptions

    return MakeupOptions.create(
        regions=getattr(args, "regions", None), intensity=getattr(args, "intensity", 1.0), face_index=args.face,
        engine=getattr(args, "engine", None), steps=getattr(args, "steps", None), seed=getattr(args, "seed", 0),
        colour_match=getattr(args, "colour_match", None),
    )


def _face(args: argparse.Namespace):
    from fram.face.image_io import read_image
    from fram.face.landmarks import detect_face

    image = read_image(args.image)
    return image, detect_face(image, args.face, source=Path(args.image).name)


def cmd_landmarks(args: argparse.Namespace) -> None:
    from fram.face.image_io import read_image
    from fram.face.landmarks import default_landmarker

    _outputs(args.output)
    image = read_image(args.image)
    result = default_landmarker().detect(image)
    height, width = result.image_size
    text = json.dumps({"image": {"width": width, "height": height}, "faces": [f.to_dict() for f in result.faces]})
    if args.output:
        _write_text(Path(args.output), text)
    else:
        print(text)


def cmd_regions(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_bytes, write_image
    from fram.face.overlay import region_overlay
    from fram.face.regions import REGION_NAMES, region_masks

    (out,) = _outputs(args.output)
    image, face = _face(args)
    masks = region_masks(image, face)
    if out.suffix.lower() == ".npz":
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **{name: masks.full(name) for name in REGION_NAMES})
        write_bytes(out, buffer.getvalue())
    else:
        write_image(out, region_overlay(image, masks))


def cmd_uv(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.face.uv import unwrap

    if not 16 <= args.size <= 4096:
        raise FramError(f"--size must be from 16 to 4096 px, got {args.size}")
    out, *vis_out = _outputs(args.output, args.visibility)
    image, face = _face(args)
    texture = unwrap(image, face, size=args.size)
    if vis_out:
        write_image(vis_out[0], (texture.visibility * 255 + 0.5).astype(np.uint8))
    write_image(out, texture.texture)


def _notes(result) -> None:
    """What the user should know about a result (a reference with no makeup, …), on stderr."""
    for note in result.notes:
        print(f"fram: note: {note}", file=sys.stderr)


def cmd_apply(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.makeup.look_file import is_look
    from fram.pipelines import apply_makeup

    if (args.style is None) == (args.text is None):
        raise FramError("give exactly one of --style NAME|FILE.json, --look FILE.fram or --text \"...\"")
    out, *recipe_out = _outputs(args.output, args.recipe)
    look = args.style if args.style is not None else f"text:{args.text}"
    if recipe_out and is_look(look):
        raise FramError("--recipe needs a recipe look (a preset, .json or words): a saved look is worn as its layer")
    result = apply_makeup(args.image, look, _options(args), source_name=Path(args.image).name)
    recipe_text = result.style.to_json() if recipe_out else None
    _notes(result)
    write_image(out, result.image)
    if recipe_out:
        _write_text(recipe_out[0], recipe_text)


def cmd_transfer(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.pipelines import default_engine, transfer

    out, *recipe_out = _outputs(args.output, args.recipe)
    per_region = {g: getattr(args, g) for g in ("skin", "eyes", "brows", "lips") if getattr(args, g)}
    options = _options(args)
    if recipe_out and (options.engine or default_engine()) != "classic":
        raise FramError("--recipe needs --engine classic (the fram engine generates its makeup, it paints no recipe)")
    result = transfer(args.source, args.reference, references=per_region, options=options, source_name=Path(args.source).name)
    _notes(result)
    write_image(out, result.image)
    if recipe_out:
        _write_text(recipe_out[0], result.style.to_json())


def cmd_remove(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.pipelines import remove_makeup

    (out,) = _outputs(args.output)
    result = remove_makeup(args.image, _options(args), source_name=Path(args.image).name)
    _notes(result)
    write_image(out, result.image)


def cmd_extract(args: argparse.Namespace) -> None:
    from fram.makeup.look_file import LOOK_SUFFIX
    from fram.pipelines import extract_look, painted_look, save_look

    if (args.reference is None) == (args.uv is None):
        raise FramError("give exactly one of a made-up photo or --uv PAINTED.png")
    (out,) = _outputs(args.output)
    if out.suffix.lower() != LOOK_SUFFIX:
        raise FramError(f"a look file ends in {LOOK_SUFFIX} (so transfer and apply know it), got '{out.name}'")
    look = extract_look(args.reference, name=args.name) if args.uv is None else painted_look(args.uv, name=args.name)
    save_look(out, *look)


def cmd_uv_guide(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image
    from fram.face.uv_guide import MIN_GUIDE_SIZE, uv_guide

    if not MIN_GUIDE_SIZE <= args.size <= 4096:
        raise FramError(f"--size must be from {MIN_GUIDE_SIZE} to 4096 px, got {args.size}")
    (out,) = _outputs(args.output)
    write_image(out, uv_guide(args.size))


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

    engines = [name.strip() for value in args.engine for name in value.split(",") if name.strip()]
    try:
        sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else SuiteOptions.sizes
    except ValueError:
        raise FramError(f"--sizes takes whole numbers separated by commas, like 256,512; got {args.sizes!r}") from None
    options = SuiteOptions(
        data=Path(args.data) if args.data else None, limit=args.limit, repeat=args.repeat, seed=args.seed, sizes=sizes,
        progress=not args.quiet, extra={"split": args.split, **({"per_group": args.per_group} if args.per_group else {})},
        threads=args.threads,
    )
    out = _output_folder(args.out)
    run_suite(args.suite, engines, out, options)
    print(out / "report.md")


def cmd_synth(args: argparse.Namespace) -> None:
    from fram.data.synth import SynthConfig, synthesize

    _output_folder(args.out)
    config = SynthConfig(
        faces=args.faces, n=args.n, per_face=args.per_face, unpaired=args.unpaired or [],
        uv_size=args.size, seed=args.seed, faces_per_shard=args.shard_faces,
        val_fraction=args.val_fraction, test_fraction=args.test_fraction,
    )
    synthesize(config, args.out, workers=args.workers, ray_address=args.ray, progress=not args.quiet, card=not args.no_card)


def _search():
    from fram.pipelines import SearchPipeline, shared_pipeline
    from fram.pipelines.search import default_search_folder

    return shared_pipeline(SearchPipeline, default_search_folder())


def cmd_embed(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_bytes

    (out,) = _outputs(args.output)
    result = _search().embed(args.images, face_index=args.face)
    for name, reason in result.failures:
        print(f"fram: skipped {name}: {reason}", file=sys.stderr)
    if not len(result.sources):
        raise FramError("no image gave a face; nothing written")
    buffer = io.BytesIO()
    np.save(buffer, result.vectors.astype(np.float32), allow_pickle=False)
    write_bytes(out, buffer.getvalue())
    for i, name in enumerate(result.sources):
        print(f"{i}\t{name}")


def cmd_similar(args: argparse.Namespace) -> None:
    from fram.face.image_io import write_image

    outputs = _outputs(args.output, args.index)
    result = _search().similar(args.query, args.gallery, k=args.k, index_path=args.index, cache=not args.no_cache,
                               sheet=args.output is not None, progress=not args.quiet)
    if args.json:
        print(json.dumps({"query": result.query, "matches": [m.__dict__ for m in result.matches], "skipped": result.failures}, indent=1))
    else:
        for m in result.matches:
            print(f"{m.rank}\t{m.score:.4f}\t{m.path}")
        if result.failures and not args.quiet:
            print(f"fram: {len(result.failures)} gallery photo(s) without a usable face were skipped", file=sys.stderr)
    if args.output:
        write_image(outputs[0], result.sheet)


def cmd_describe(args: argparse.Namespace) -> None:
    matches = _search().describe(args.image, top=args.top, face_index=args.face)
    if args.json:
        print(json.dumps([m.__dict__ for m in matches], indent=1))
        return
    for m in matches:
        print(f"{m.title} ({m.category}) {m.score:.3f}: {m.description}")


def build_parser() -> argparse.ArgumentParser:
    from fram.eval.suites import SUITES
    from fram.pipelines.registry import engine_names

    parser = argparse.ArgumentParser(prog="fram", description="Facial region-aware makeup on your own photos, offline.")
    parser.add_argument("--version", action="version", version=f"fram {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def face_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--face", type=int, default=0, help="which face, largest first (default 0)")

    def look_options(p: argparse.ArgumentParser, exaggerate: str = "") -> None:
        p.add_argument("--intensity", default="1.0", help=f"0.7, or per region: lips=1,eyes=0.5{exaggerate}")
        p.add_argument("--regions", help=f"only these: {REGION_CHOICES}")
        face_option(p)

    p = sub.add_parser("landmarks", help="478 landmarks and head pose of every face, as JSON")
    p.add_argument("image")
    p.add_argument("-o", "--output", help="write JSON here instead of printing it")
    p.set_defaults(run=cmd_landmarks)

    p = sub.add_parser("regions", help="region masks (.npz of float32 arrays) or an overlay image")
    p.add_argument("image")
    p.add_argument("-o", "--output", required=True, help="masks.npz or overlay.png/.jpg")
    face_option(p)
    p.set_defaults(run=cmd_regions)

    p = sub.add_parser("uv", help="unwrap the face into the canonical UV texture")
    p.add_argument("image")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--size", type=int, default=256, help="UV texture side in px (default 256)")
    p.add_argument("--visibility", help="also write the visibility mask here")
    face_option(p)
    p.set_defaults(run=cmd_uv)

    p = sub.add_parser("apply", help="put a look (preset, recipe file, words or a saved .fram look) on a photo")
    p.add_argument("image")
    p.add_argument("--style", "--look", dest="style", help="preset name, recipe .json or saved look .fram (fram extract)")
    p.add_argument("--text", help='a description, e.g. "glossy berry lips and a winged liner"')
    look_options(p)
    p.add_argument("--recipe", help="also save the recipe that was applied (JSON)")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=cmd_apply)

    p = sub.add_parser("transfer", help="put a reference photo's makeup on a source photo, per region")
    p.add_argument("source")
    p.add_argument("reference", nargs="?", help="made-up photo, saved look .fram, preset NAME, text:WORDS or recipe .json")
    for group in ("skin", "eyes", "brows", "lips"):
        p.add_argument(f"--{group}", help=f"reference for the {group} only (photo, preset:NAME, text:WORDS, .json)")
    look_options(p, " (above 1 exaggerates)")
    p.add_argument("--engine", choices=engine_names(baselines=False),
                   help="fram (diffusion; the default when its weights are installed) or classic")
    p.add_argument("--steps", type=int, help="sampling steps of the fram engine (default 2, the best on held-out pairs)")
    p.add_argument("--seed", type=int, default=0, help="noise seed of the fram engine (results repeat for a seed)")
    p.add_argument("--colour-match", type=float, help="fram engine: how far the eyes' and lips' colour level moves to the reference's "
                   "(0 = the generator's own, default 1 = all the way, up to 2)")
    p.add_argument("--recipe", help="also save the transferred recipe (JSON; classic engine)")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=cmd_transfer)

    p = sub.add_parser("remove", help="take a photo's makeup off, per region")
    p.add_argument("image")
    p.add_argument("--intensity", default="1.0", help="how much to take off, up to 1, or per region: lips=1,eyes=0.5")
    p.add_argument("--regions", help=f"only these: {REGION_CHOICES}")
    face_option(p)
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=cmd_remove)

    p = sub.add_parser("extract", help="save a look as a portable .fram file, from a made-up photo or a painted UV layer")
    p.add_argument("reference", nargs="?", help="made-up photo (its largest face)")
    p.add_argument("--uv", help="an RGBA PNG painted over `fram uv-guide` instead (colour = paint, alpha = coverage)")
    p.add_argument("--name", help="the look's name (default: the file's name)")
    p.add_argument("-o", "--output", required=True, help="look file, ending in .fram")
    p.set_defaults(run=cmd_extract)

    p = sub.add_parser("uv-guide", help="the UV face template to paint a look over in any image editor")
    p.add_argument("--size", type=int, default=512, help="side in px (default 512); paint and export at the same size")
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=cmd_uv_guide)

    p = sub.add_parser("presets", help="list the preset looks")
    p.add_argument("--json", action="store_true", help="print every preset recipe as JSON")
    p.set_defaults(run=cmd_presets)

    p = sub.add_parser("eval", help="run a benchmark suite; writes report.md, metrics.json and figures")
    p.add_argument("--suite", required=True, choices=SUITES)
    p.add_argument("--engine", action="append", required=True,
                   help=f"engine(s), comma-separated or repeated: {', '.join(engine_names())}")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--data", help="a folder of the suite's layout instead of its default in ../shared/data")
    p.add_argument("--limit", type=int, help="at most N photos per list (quick runs)")
    p.add_argument("--per-group", type=int, help="fairness: transfers per race label (default 20)")
    p.add_argument("--split", choices=("test", "val"), default="test",
                   help="synthetic: held-out identities to use; val is for choosing settings, test for reporting (default test)")
    p.add_argument("--sizes", help="speed: photo sizes, e.g. 256,512,1024,2048")
    p.add_argument("--repeat", type=int, default=5, help="speed: timed repeats per stage (default 5)")
    p.add_argument("--threads", type=int, help="speed: torch threads (default: torch's own choice)")
    p.add_argument("--seed", type=int, default=0, help="random seed of the suite's sampling (default 0)")
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    p.set_defaults(run=cmd_eval)

    p = sub.add_parser("synth", help="build a synthetic before/after makeup dataset (resumable)")
    p.add_argument("--faces", action="append", required=True, help="folder, image or quoted glob of bare faces (repeat)")
    p.add_argument("--unpaired", action="append", help="folder, image or quoted glob of real made-up faces (repeat)")
    p.add_argument("--out", required=True, help="dataset folder; rerun the same command to resume")
    p.add_argument("--n", type=int, required=True, help="pairs to make")
    p.add_argument("--per-face", type=int, default=5, help="looks per identity (default 5)")
    p.add_argument("--size", type=int, default=256, help="UV texture side (default 256)")
    p.add_argument("--seed", type=int, default=0, help="random seed (the same seed gives the same bytes)")
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
    face_option(p)
    p.set_defaults(run=cmd_embed)

    p = sub.add_parser("similar", help="photos in a folder with the most similar makeup (ranked, + contact sheet)")
    p.add_argument("query")
    p.add_argument("--gallery", required=True, help="folder of photos (searched recursively)")
    p.add_argument("-k", type=int, default=5, help="how many matches (default 5)")
    p.add_argument("-o", "--output", help="contact sheet image (query, then the matches)")
    p.add_argument("--index", help="index file of the folder's embeddings (default: in ~/.cache/fram)")
    p.add_argument("--no-cache", action="store_true", help="embed every photo again and keep no index")
    p.add_argument("--json", action="store_true", help="print the matches as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar or notes on stderr")
    p.set_defaults(run=cmd_similar)

    p = sub.add_parser("describe", help="the named makeup styles closest to a photo's makeup")
    p.add_argument("image")
    p.add_argument("--top", type=int, default=3, help="how many styles (default 3)")
    face_option(p)
    p.add_argument("--json", action="store_true", help="print the styles as JSON")
    p.set_defaults(run=cmd_describe)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status: 0 done, 2 a user error (one line on stderr)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse has printed
        return exc.code if isinstance(exc.code, int) else EXIT_USER_ERROR
    try:
        args.run(args)
    except FramError as exc:
        print(f"fram: error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # e.g. `fram presets | head`
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
