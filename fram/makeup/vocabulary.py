"""The words :func:`fram.makeup.parser.parse` understands, grouped by what they do.

Tables map a value (a product, finish, strength, …) to the phrases that name it;
phrases are lower case, words separated by single spaces.
"""

from __future__ import annotations

from typing import Any

from fram.makeup.colors import NAMED_COLORS

PRODUCT_WORDS: dict[str, tuple[str, ...]] = {
    "foundation": ("foundation", "base", "skin", "complexion", "skin tint", "tinted moisturiser",
                   "tinted moisturizer", "bb cream", "cc cream"),
    "concealer": ("concealer",),
    "blush": ("blush", "blusher", "cheeks", "cheek", "flush"),
    "contour": ("contour", "contouring"),
    "highlight": ("highlight", "highlighter", "strobing"),
    "lipstick": ("lipstick", "lip", "lips", "lip colour", "lip color", "pout", "mouth", "lip stain",
                 "lip tint"),
    "lip_liner": ("lip liner", "lipliner", "lip pencil"),
    "eyeshadow": ("eyeshadow", "eye shadow", "shadow", "eyes", "eye", "lids", "lid", "eyelids"),
    "eyeliner": ("eyeliner", "eye liner", "liner", "eyeliners"),
    "mascara": ("mascara", "lashes", "eyelashes"),
    "brows": ("brows", "brow", "eyebrows", "eyebrow"),
}
"""Product words; ``lip_liner`` is a pseudo-product folded into the lipstick."""

PRODUCT_EFFECTS: dict[str, tuple[str, dict[str, Any]]] = {
    "winged": ("eyeliner", {"wing_length": 0.5}),
    "wing": ("eyeliner", {"wing_length": 0.5}),
    "wings": ("eyeliner", {"wing_length": 0.5}),
    "flick": ("eyeliner", {"wing_length": 0.25}),
    "cat eye": ("eyeliner", {"wing_length": 0.7, "wing_angle": 20.0}),
    "cat eyes": ("eyeliner", {"wing_length": 0.7, "wing_angle": 20.0}),
    "kohl": ("eyeliner", {"lower": True}),
    "kajal": ("eyeliner", {"lower": True}),
    "lower lash line": ("eyeliner", {"lower": True}),
    "lower lashline": ("eyeliner", {"lower": True}),
    "lower lashes": ("eyeliner", {"lower": True}),
    "waterline": ("eyeliner", {"lower": True}),
    "bronzer": ("contour", {"color": NAMED_COLORS["bronze"][0]}),
    "cut crease": ("eyeshadow", {"layout": "cut_crease"}),
    "halo eye": ("eyeshadow", {"layout": "halo"}),
    "lip gloss": ("lipstick", {"finish": "gloss"}),
    "lipgloss": ("lipstick", {"finish": "gloss"}),
}
"""Words that name a product and also say something about it."""

FINISH_WORDS: dict[str, tuple[str, ...]] = {
    "matte": ("matte", "matt", "velvet", "velvety", "powdery"),
    "satin": ("satin", "creamy", "cream"),
    "gloss": ("glossy", "gloss", "shiny", "wet look", "high shine", "lacquered"),
    "metallic": ("metallic", "foiled", "foil", "chrome"),
    "shimmer": ("shimmery", "shimmer", "shimmering", "pearly", "frosted", "frost"),
    "glitter": ("glitter", "glittery", "glittering", "sparkly", "sparkling"),
    "dewy": ("dewy", "luminous", "glowy", "radiant"),
    "natural": ("natural", "natural looking", "skin like"),
}

FINISH_EFFECTS: dict[str, dict[str, dict[str, Any]]] = {
    "lipstick": {
        "matte": {"finish": "matte"},
        "satin": {"finish": "satin"},
        "gloss": {"finish": "gloss"},
        "metallic": {"finish": "metallic"},
        "shimmer": {"finish": "metallic"},
        "glitter": {"finish": "metallic"},
        "dewy": {"finish": "gloss"},
    },
    "eyeshadow": {
        "matte": {"finish": "matte", "shimmer": 0.0},
        "satin": {"finish": "satin"},
        "gloss": {"finish": "satin"},
        "metallic": {"finish": "metallic", "shimmer": 0.5},
        "shimmer": {"finish": "shimmer", "shimmer": 0.4},
        "glitter": {"finish": "glitter", "shimmer": 0.8},
    },
    "foundation": {
        "matte": {"finish": "matte"},
        "satin": {"finish": "natural"},
        "natural": {"finish": "natural"},
        "dewy": {"finish": "dewy"},
        "gloss": {"finish": "dewy"},
    },
    "highlight": {
        "matte": {"shimmer": 0.1},
        "satin": {"shimmer": 0.3},
        "shimmer": {"shimmer": 0.6},
        "metallic": {"shimmer": 0.8},
        "glitter": {"shimmer": 1.0},
    },
}
"""What a finish word does to each product; products not listed ignore finishes."""

STRENGTH_WORDS: dict[float, tuple[str, ...]] = {
    0.25: ("subtle", "sheer", "subtly", "barely there", "hint of", "touch of", "whisper of"),
    0.4: ("soft", "softly", "light", "lightly", "delicate", "gentle"),
    0.55: ("medium", "moderate", "buildable"),
    0.85: ("bold", "boldly", "strong", "statement", "saturated", "vivid"),
    0.95: ("intense", "intensely", "dramatic", "heavy", "heavily", "full", "opaque", "extreme"),
}

LAYOUT_WORDS: dict[str, tuple[str, ...]] = {
    "smoky": ("smoky", "smokey", "smoked out", "smudged"),
    "halo": ("halo", "spotlight"),
    "wash": ("wash", "washed", "one shade", "monochrome"),
    "gradient": ("gradient", "ombre", "blended"),
}

PLACEMENT_WORDS: dict[str, tuple[str, ...]] = {
    "apples": ("apples", "apple"),
    "cheekbones": ("cheekbones", "cheekbone", "lifted"),
    "draped": ("draped", "draping", "drape"),
    "sunburn": ("sunburn", "sunburnt", "sun kissed"),
}

THICKNESS_WORDS: dict[float, tuple[str, ...]] = {
    0.15: ("thin", "fine", "tight", "tightlined", "skinny"),
    0.55: ("thick", "graphic", "heavy line"),
}

COLOR_SYNONYMS: dict[str, str] = {
    "gray": "grey",
    "golden": "gold",
    "cherry": "cherry red",
    "maroon": "burgundy",
    "bordeaux": "burgundy",
    "merlot": "wine",
    "brick": "brick red",
    "espresso": "espresso brown",
    "chocolate": "chocolate brown",
    "emerald": "emerald green",
    "olive": "olive green",
    "forest": "forest green",
    "lime": "lime green",
    "cobalt": "cobalt blue",
    "navy blue": "navy",
    "eggplant": "aubergine",
    "rosy": "rose",
    "mahogany": "chestnut",
    "blood red": "oxblood",
    "tomato red": "scarlet red",
    "scarlet": "scarlet red",
    "fire engine red": "scarlet red",
    "fuschia": "fuchsia",
}

NEGATIONS = ("bare", "no", "without", "untouched", "skip", "skipping", "minus")
JOINERS = ("and", "with", "plus", "but")
NO_MAKEUP_WORDS = ("no makeup makeup", "no makeup look", "makeup free look", "barely there makeup")
