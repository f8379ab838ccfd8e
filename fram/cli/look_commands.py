"""``fram apply``, ``transfer``, ``remove``, ``extract`` and ``presets``: putting looks on
photos, taking them off, and saving them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from fram.cli.common import (
    ONE_LOOK, REGION_CHOICES, all_faces_option, check_input, check_outputs, check_reference, chosen_style, encode_for,
    face_option, force_option, look_options, makeup_options, print_notes, region_references, style_options,
    transfer_options, write_outputs,
)
from fram.errors import FramError


def _write_result(result, out, recipe_out) -> None:
    """The made-up photo, and the recipe when asked, written together after the notes."""
    outputs = {out: encode_for(out, result.image)}
    if recipe_out:
        outputs[recipe_out[0]] = result.style.to_json()
    print_notes(result)
    write_outputs(outputs)


def cmd_apply(args: argparse.Namespace) -> None:
    look = chosen_style(args)
    if look is None:
        raise FramError(ONE_LOOK)
    check_input(args.image, "photo")
    check_reference(args.style, "look")
    out, *recipe_out = check_outputs(args.output, args.recipe, inputs=(args.image, args.style), force=args.force,
                                     images=(args.output,))
    from fram.makeup.look_file import is_look  # torch and the rest load only once the paths are known good
    from fram.pipelines import apply_makeup

    if recipe_out and is_look(look):
        raise FramError("--recipe needs a recipe look (a preset, .json or words): a saved look is worn as its layer")
    result = apply_makeup(args.image, look, makeup_options(args), source_name=Path(args.image).name)
    _write_result(result, out, recipe_out)


def cmd_transfer(args: argparse.Namespace) -> None:
    per_region = region_references(args)
    check_input(args.source, "source photo")
    check_reference(args.reference)
    for group, value in per_region.items():
        check_reference(value, f"--{group}")
    out, *recipe_out = check_outputs(args.output, args.recipe, inputs=(args.source, args.reference, *per_region.values()),
                                     force=args.force, images=(args.output,))
    from fram.pipelines import default_engine, transfer

    options = makeup_options(args)
    if recipe_out and (options.engine or default_engine()) != "classic":
        raise FramError("--recipe needs --engine classic (the fram engine generates its makeup, it paints no recipe)")
    result = transfer(args.source, args.reference, references=per_region, options=options, source_name=Path(args.source).name)
    _write_result(result, out, recipe_out)


def cmd_remove(args: argparse.Namespace) -> None:
    check_input(args.image, "photo")
    (out,) = check_outputs(args.output, inputs=(args.image,), force=args.force, images=(args.output,))
    from fram.pipelines import remove_makeup

    result = remove_makeup(args.image, makeup_options(args), source_name=Path(args.image).name)
    encoded = encode_for(out, result.image)
    print_notes(result)
    write_outputs({out: encoded})


def cmd_extract(args: argparse.Namespace) -> None:
    if (args.reference is None) == (args.uv is None):
        raise FramError("give exactly one of a made-up photo or --uv PAINTED.png")
    check_input(args.reference or args.uv, "made-up photo" if args.uv is None else "--uv painting")
    (out,) = check_outputs(args.output, inputs=(args.reference, args.uv), force=args.force)
    from fram.makeup.look_file import LOOK_SUFFIX
    from fram.pipelines import extract_look, painted_look, save_look

    if out.suffix.lower() != LOOK_SUFFIX:
        raise FramError(f"a look file ends in {LOOK_SUFFIX} (so transfer and apply know it), got '{out.name}'")
    look = extract_look(args.reference, name=args.name) if args.uv is None else painted_look(args.uv, name=args.name)
    save_look(out, *look)


def cmd_presets(args: argparse.Namespace) -> None:
    from fram.makeup.description import describe
    from fram.makeup.presets import PRESET_CATEGORIES, PRESETS

    if args.json:
        print(json.dumps({k: v.to_dict() for k, v in PRESETS.items()}, indent=2))
        return
    for slug, style in PRESETS.items():
        print(f"{slug:24s} {PRESET_CATEGORIES[slug]:14s} {describe(style).overall}")


def cmd_schema(args: argparse.Namespace) -> None:
    from fram.makeup.look_file import manifest_schema
    from fram.makeup.recipe import MakeupStyle

    schema = MakeupStyle.json_schema() if args.format == "recipe" else manifest_schema()
    print(json.dumps(schema, indent=1))


def register(sub) -> None:
    p = sub.add_parser("apply", help="put a look (preset, recipe file, words or a saved .fram look) on a photo")
    p.add_argument("image", help="the photo to make up")
    style_options(p)
    look_options(p)
    p.add_argument("--recipe", help="also save the recipe that was applied (JSON)")
    p.add_argument("-o", "--output", required=True, help="the made-up photo (.png, .jpg, …)")
    force_option(p)
    p.set_defaults(run=cmd_apply)

    p = sub.add_parser("transfer", help="put a reference photo's makeup on a source photo, per region")
    p.add_argument("source", help="the photo to make up")
    p.add_argument("reference", nargs="?", help="made-up photo, saved look .fram, preset NAME, text:WORDS or recipe .json")
    transfer_options(p)
    look_options(p, " (above 1 exaggerates)")
    p.add_argument("--recipe", help="also save the transferred recipe (JSON; classic engine)")
    p.add_argument("-o", "--output", required=True, help="the made-up photo (.png, .jpg, …)")
    force_option(p)
    p.set_defaults(run=cmd_transfer)

    p = sub.add_parser("remove", help="take a photo's makeup off, per region")
    p.add_argument("image", help="the made-up photo")
    p.add_argument("--intensity", default="1.0", help="how much to take off, up to 1, or per region: lips=1,eyes=0.5")
    p.add_argument("--regions", help=f"only these: {REGION_CHOICES}")
    face_option(p)
    all_faces_option(p)
    p.add_argument("-o", "--output", required=True, help="the bare photo (.png, .jpg, …)")
    force_option(p)
    p.set_defaults(run=cmd_remove)

    p = sub.add_parser("extract", help="save a look as a portable .fram file, from a made-up photo or a painted UV layer")
    p.add_argument("reference", nargs="?", help="made-up photo (its largest face)")
    p.add_argument("--uv", help="an RGBA PNG painted over `fram uv-guide` instead (colour = paint, alpha = coverage)")
    p.add_argument("--name", help="the look's name (default: the file's name)")
    p.add_argument("-o", "--output", required=True, help="look file, ending in .fram")
    force_option(p)
    p.set_defaults(run=cmd_extract)

    p = sub.add_parser("presets", help="list the preset looks")
    p.add_argument("--json", action="store_true", help="print every preset recipe as JSON")
    p.set_defaults(run=cmd_presets)

    p = sub.add_parser("schema", help="the JSON Schema of recipe files or of a look file's look.json (docs/recipes.md)")
    p.add_argument("format", nargs="?", choices=("recipe", "look"), default="recipe",
                   help="recipe (default): a .json recipe; look: look.json inside a .fram file")
    p.set_defaults(run=cmd_schema)
