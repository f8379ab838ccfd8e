"""Contact sheets: a grid of captioned square tiles, for every sheet fram draws
(search results, dataset cards, evaluation reports, docs)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def contact_sheet(cells: Sequence[tuple[np.ndarray, str]], *, columns: int | None = None, cell: int = 192) -> np.ndarray:
    """A grid of square images with a caption under each: (H, W, 3) uint8."""
    from PIL import Image, ImageDraw, ImageFont

    if not cells:
        raise ValueError("no cells to draw")
    columns = columns or len(cells)
    rows = (len(cells) + columns - 1) // columns
    caption = 18
    sheet = Image.new("RGB", (columns * cell, rows * (cell + caption)), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=12)
    for i, (image, text) in enumerate(cells):
        r, c = divmod(i, columns)
        tile = Image.fromarray(image).resize((cell, cell), Image.LANCZOS)
        sheet.paste(tile, (c * cell, r * (cell + caption)))
        draw.text((c * cell + 4, r * (cell + caption) + cell + 2), text[:32], fill="black", font=font)
    return np.asarray(sheet)
