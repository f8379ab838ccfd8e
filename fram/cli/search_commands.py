"""``fram embed``, ``similar`` and ``describe``: the makeup CLIP's embedding space."""

from __future__ import annotations

import argparse
import io
import json
import sys

import numpy as np

from fram.cli.common import (
    check_input, check_inputs, check_outputs, encode_for, face_option, force_option, whole_number, write_outputs,
)
from fram.errors import FramError

MAX_MATCHES = 1000


def _search():
    from fram.pipelines import SearchPipeline, shared_pipeline
    from fram.pipelines.search import default_search_folder

    return shared_pipeline(SearchPipeline, default_search_folder())


def cmd_embed(args: argparse.Namespace) -> None:
    check_inputs(*args.images, what="photo")
    (out,) = check_outputs(args.output, inputs=args.images, force=args.force)
    result = _search().embed(args.images, face_index=args.face)
    for name, reason in result.failures:
        print(f"fram: skipped {name}: {reason}", file=sys.stderr)
    if not len(result.sources):
        first = f" ({result.failures[0][0]}: {result.failures[0][1]})" if result.failures else ""
        raise FramError(f"no image gave a face{first}; nothing written")
    buffer = io.BytesIO()
    np.save(buffer, result.vectors.astype(np.float32), allow_pickle=False)
    write_outputs({out: buffer.getvalue()})
    for i, name in enumerate(result.sources):
        print(f"{i}\t{name}")


def cmd_similar(args: argparse.Namespace) -> None:
    from pathlib import Path

    check_input(args.query, "query photo")
    if not Path(args.gallery).is_dir():
        raise FramError(f"--gallery '{args.gallery}' is not a folder; give the folder of photos to search")
    outputs = check_outputs(args.output, args.index, inputs=(args.query,), force=args.force,
                            images=(args.output,))
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
        write_outputs({outputs[0]: encode_for(outputs[0], result.sheet)})


def cmd_describe(args: argparse.Namespace) -> None:
    check_input(args.image, "photo")
    found = _search().describe(args.image, top=args.top, face_index=args.face)
    if args.json:
        print(json.dumps(found.to_dict(), indent=1))
        return
    if not found.visible:
        print(f"no visible makeup (confidence {1 - found.makeup_probability:.2f})")
        return
    for m in found.styles:
        print(f"{m.title} ({m.category}) {m.score:.3f}: {m.description}")


def register(sub) -> None:
    p = sub.add_parser("embed", help="makeup embeddings of photos (N x D float32, L2-normalised .npy)")
    p.add_argument("images", nargs="+", help="the photos to embed")
    p.add_argument("-o", "--output", required=True, help="vectors .npy; row i is the i-th image printed on stdout")
    face_option(p)
    force_option(p)
    p.set_defaults(run=cmd_embed)

    p = sub.add_parser("similar", help="photos in a folder with the most similar makeup (ranked, + contact sheet)",
                       description="The index of a gallery's embeddings is kept in $FRAM_CACHE/makeup-index/ "
                       "(FRAM_CACHE defaults to ~/.cache/fram) unless --index or --no-cache is given.")
    p.add_argument("query", help="a made-up photo")
    p.add_argument("--gallery", required=True, help="folder of photos (searched recursively)")
    p.add_argument("-k", type=whole_number(1, MAX_MATCHES), default=5,
                   help=f"how many matches, 1 to {MAX_MATCHES} (default 5)")
    p.add_argument("-o", "--output", help="contact sheet image (query, then the matches)")
    p.add_argument("--index", help="index file of the folder's embeddings, in an existing folder "
                   "(default: in $FRAM_CACHE, which defaults to ~/.cache/fram)")
    p.add_argument("--no-cache", action="store_true", help="embed every photo again and keep no index")
    p.add_argument("--json", action="store_true", help="print the matches as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar or notes on stderr")
    force_option(p)
    p.set_defaults(run=cmd_similar)

    p = sub.add_parser("describe", help="the named makeup styles closest to a photo's makeup, or 'no visible makeup'")
    p.add_argument("image", help="a photo")
    p.add_argument("--top", type=whole_number(1, MAX_MATCHES), default=3, help="how many styles (default 3)")
    face_option(p)
    p.add_argument("--json", action="store_true", help="print the styles as JSON")
    p.set_defaults(run=cmd_describe)
