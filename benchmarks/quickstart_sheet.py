"""docs/quickstart.png: what each step of the README's quick start writes.

Run the quick start in a folder first, then: python benchmarks/quickstart_sheet.py FOLDER
"""

from __future__ import annotations

import sys
from pathlib import Path

from fram.face.contact_sheet import contact_sheet
from fram.face.image_io import read_image, write_image

STEPS = (
    ("astronaut.png", "the photo", True), ("smoky.png", "--style smoky-night", True),
    ("words.png", "--text \"glossy berry lips...\"", True), ("berry-lips.png", "berry.json, lips 0.6", True),
    ("reference.png", "reference (goth)", True), ("transferred.png", "transfer eyes,lips", True),
    ("mixed.png", "lips ref + eyes bridal", True), ("from-look.png", "--look goth.fram 0.7", True),
    ("bare.png", "remove reference.png", True), ("regions.png", "fram regions", False), ("guide.png", "fram uv-guide", False),
)
FACE = (slice(20, 240), slice(120, 340))  # the astronaut's face in her 512 px photo


def main() -> None:
    folder = Path(sys.argv[1])
    cells = []
    for name, caption, crop in STEPS:
        image = read_image(folder / name)
        cells.append((image[FACE] if crop else image, caption))
    write_image(Path(__file__).resolve().parents[1] / "docs" / "quickstart.png", contact_sheet(cells, columns=6, cell=220))


if __name__ == "__main__":
    main()
