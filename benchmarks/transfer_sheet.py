"""Contact sheet ``docs/fram_transfer_sheet.png``: `fram` vs `classic` on varied real
sources from UTKFace (dark-skinned woman and man, Indian man, Asian woman, a turned
head), each with a made-up reference photo from ``makeup-photos``.

    python benchmarks/transfer_sheet.py   # needs ../shared/data
"""
import glob, os, random
from PIL import Image, ImageDraw
from fram.face.image_io import read_image
from fram.face.landmarks import default_landmarker
from fram.pipelines import transfer
from fram.errors import FramError

DATA = "../shared/data"
utk = sorted(glob.glob(f"{DATA}/faces/utkface/*.jpg"))
random.Random(7).shuffle(utk)
want = {"dark man": lambda a, g, r: g == 0 and r == 1 and 20 <= a <= 50, "dark woman": lambda a, g, r: g == 1 and r == 1 and 20 <= a <= 50,
        "Indian man": lambda a, g, r: g == 0 and r == 3 and 20 <= a <= 50, "Asian woman": lambda a, g, r: g == 1 and r == 2 and 18 <= a <= 40}
picked = {}
lm = default_landmarker()
turned = None
for path in utk:
    a, g, r = (int(x) for x in os.path.basename(path).split("_")[:3])
    img = read_image(path)
    try:
        faces = lm.detect(img).faces
    except FramError:
        continue
    if len(faces) != 1:
        continue
    yaw = abs(faces[0].pose.yaw)
    if turned is None and yaw > 25 and r != 0:
        turned = ("turned head", path)
    for k, ok in want.items():
        if k not in picked and ok(a, g, r) and yaw < 15:
            picked[k] = path
    if len(picked) == len(want) and turned:
        break
rows = list(picked.items()) + ([turned] if turned else [])
refs = [f"{DATA}/makeup-photos/makeup/{name}" for name in ("XYH-109.png", "XMY-112.png", "31bdcd86ffa8cc91444ec6ca921e32e5.png")]
S = 200
cells = []
for i, (label, path) in enumerate(rows):
    ref = refs[i % len(refs)]
    src = read_image(path)
    out = [("source: " + label, src), ("reference", read_image(ref))]
    for engine in ("fram", "classic"):
        out.append((engine, transfer(src, ref, engine=engine).image))
    cells.append(out)
sheet = Image.new("RGB", (S * 4, (S + 16) * len(cells)), "white")
d = ImageDraw.Draw(sheet)
for r, row in enumerate(cells):
    for c, (name, im) in enumerate(row):
        pim = Image.fromarray(im)
        pim.thumbnail((S, S))
        sheet.paste(pim, (c * S, r * (S + 16)))
        d.text((c * S + 2, r * (S + 16) + S + 2), name, fill="black")
sheet.save("docs/fram_transfer_sheet.png")
print(rows)
