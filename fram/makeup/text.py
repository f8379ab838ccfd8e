"""English descriptions of recipes, and recipes from short English phrases.

:func:`describe` builds text only from the recipe's numbers (colour names come from
:func:`fram.makeup.colors.classify_color`), so captions used for training or shown to
users can never disagree with what is rendered. :func:`parse` reads the same
vocabulary back, which keeps the two honest: every word :func:`describe` writes is
either understood by :func:`parse` in the same sense or ignored by it.

The parser is a small keyword reader, not a language model: descriptors (colours,
finishes, strengths, layouts) attach to the next product word in the same clause,
or, after "in" or at the end of a clause, to the product just mentioned; "bare",
"no" or "without" skip the next product (and any joined to it by "or").
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from fram.errors import RecipeError
from fram.makeup.colors import (
    MODIFIER_SYNONYMS,
    MODIFIERS,
    NAMED_COLORS,
    adjust_color,
    classify_color,
)
from fram.makeup.recipe import (
    STRENGTH_FIELDS,
    Brows,
    Eyeliner,
    Eyeshadow,
    Lipstick,
    MakeupStyle,
    Mascara,
    normalize_color,
)

REGIONS: tuple[str, ...] = ("skin", "cheeks", "eyes", "brows", "lips")
"""Keys of :attr:`StyleDescription.regions`, always all present (bare regions say so)."""

_MAX_WORDS = 40

_Pick = Callable[[Sequence[str]], str]


@dataclass(frozen=True)
class StyleDescription:
    """Text for a look: one overall sentence, and one sentence per face region.

    Every region key is present so that per-region text encoders always get the same
    keys; a region without makeup is described as bare.
    """

    overall: str
    regions: dict[str, str]


# ---------------------------------------------------------------------------
# describe


def _picker(seed: int | None) -> _Pick:
    """Seeded choice among wordings; without a seed always the first, so output is stable."""
    if seed is None:
        return lambda options: options[0]
    rng = random.Random(seed)
    return lambda options: rng.choice(list(options))


def _article(phrase: str) -> str:
    return ("an " if phrase[:1] in "aeiou" else "a ") + phrase


def _join(words: Sequence[str]) -> str:
    return " ".join(w for w in words if w)


def _listing(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _adj(color: str) -> str:
    """Colour name before a noun ("a berry-red lip")."""
    return classify_color(color).adjective


def _name(color: str) -> str:
    """Colour name on its own ("lips in berry red")."""
    return classify_color(color).text


def _strength_word(value: float, pick: _Pick) -> str:
    """Only words the parser reads as the same strength, and never a colour modifier."""
    if value < 0.3:
        return pick(("sheer", "subtle"))
    if value >= 0.8:
        return pick(("bold", "intense"))
    return ""


_LIP_FINISH = {
    "matte": ("matte", "velvety matte"),
    "satin": ("satin", "creamy satin"),
    "gloss": ("glossy", "high-shine glossy"),
    "metallic": ("metallic", "foiled metallic"),
}
_EYE_FINISH = {
    "matte": ("matte",),
    "satin": ("satin",),
    "shimmer": ("shimmery", "shimmering"),
    "glitter": ("glittery", "glitter"),
    "metallic": ("metallic", "foiled"),
}
_SKIN_FINISH = {"matte": ("matte",), "natural": ("natural",), "dewy": ("dewy", "luminous")}


def _lips(lip: Lipstick | None, pick: _Pick) -> tuple[str, str]:
    if lip is None:
        return "bare lips", pick(("Bare lips with no colour.", "No lip colour at all."))
    finish = pick(_LIP_FINISH[lip.finish])
    words = _join([_strength_word(lip.opacity, pick), finish, _adj(lip.color)])
    short = pick((_article(words + " lip"), words + " lips", _article(words + " pout")))
    full = short
    if lip.liner is not None:
        full += pick((" with ", " defined by ")) + _article(_adj(lip.liner) + " lip liner")
    return short, _sentence(full)


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _deepening(names: Sequence[str]) -> str:
    if len(names) == 3:
        return f" deepening through {names[1]} to {names[2]}"
    return f" deepening to {names[1]}" if len(names) == 2 else ""


def _crease(names: Sequence[str]) -> str:
    text = f" with {names[0]} on the lid"
    if len(names) > 1:
        text += f" and {names[1]} in the crease"
    return text + (f" fading to {names[2]}" if len(names) == 3 else "")


def _eyeshadow(shadow: Eyeshadow, pick: _Pick) -> tuple[str, str]:
    adjectives = [_adj(c) for c in shadow.colors]
    names = _unique([_name(c) for c in shadow.colors])
    finish = pick(_EYE_FINISH[shadow.finish])
    strength = _strength_word(shadow.intensity, pick)
    fade = "-to-".join(_unique([adjectives[0], adjectives[-1]])).replace(" ", "-")
    if shadow.layout == "smoky":
        short = _join([strength, "smoky", finish, fade, "eyes"])
        full = _article(_join([strength, "smoky eye in", finish, names[0]])) + _deepening(names)
    elif shadow.layout == "cut_crease":
        short = _article(_join([strength, finish, fade, "cut crease"]))
        full = _article(_join([strength, finish, "cut crease"])) + _crease(names)
    elif shadow.layout == "halo":
        short = _article(_join([strength, finish, fade, "halo eye"]))
        full = _article(_join([strength, finish, "halo eye in", names[0]])) + _deepening(names)
    elif shadow.layout == "wash":
        short = _article(_join([strength, finish, fade, "wash on the lids"]))
        lead = pick(("lids washed in", "eyeshadow swept over the lids in"))
        full = _join([lead, strength, finish, names[0]]) + _deepening(names)
    else:
        short = _join([strength, finish, fade, pick(("eyes", "eyeshadow"))])
        full = _article(_join([strength, finish, "eyeshadow gradient in", names[0]]))
        full += _deepening(names)
    return short, full


def _eyeliner(liner: Eyeliner, pick: _Pick) -> tuple[str, str]:
    color = _adj(liner.color)
    weight = "thin" if liner.thickness < 0.2 else "thick" if liner.thickness > 0.5 else ""
    if liner.wing_length < 0.1:
        short = _join([weight, color, "liner"])
        full = short + " along the upper lash line"
    elif liner.wing_length < 0.4:
        short = full = _article(_join([weight, color, "flick"]))
    elif liner.wing_length < 0.7:
        short = full = _article(_join([weight, "winged", color, pick(("liner", "eyeliner"))]))
    else:
        short = full = _article(_join([weight, pick(("long winged", "sharp")), color, "cat eye"]))
    if liner.lower:
        full += pick((" that also traces the lower lash line", " plus the lower lash line"))
    return short, full


def _mascara(mascara: Mascara, pick: _Pick) -> str:
    words = _join([_strength_word(mascara.intensity, pick), _adj(mascara.color), "mascara"])
    return pick((words, "lashes coated in " + words))


def _eyes(style: MakeupStyle, pick: _Pick) -> tuple[str, str]:
    shaped = [
        described
        for described in (
            _eyeshadow(style.eyeshadow, pick) if style.eyeshadow else None,
            _eyeliner(style.eyeliner, pick) if style.eyeliner else None,
        )
        if described
    ]
    fulls = [full for _, full in shaped]
    if style.mascara:
        fulls.append(_mascara(style.mascara, pick))
    if not fulls:
        return "bare lids", "Bare lids with no eye makeup."
    shorts = [short for short, _ in shaped] or fulls
    return " with ".join(shorts), _sentence(_listing(fulls))


_PLACEMENT = {
    "apples": ("on the apples of the cheeks", "pressed onto the apples of the cheeks"),
    "cheekbones": ("swept along the cheekbones", "lifted along the cheekbones"),
    "draped": ("draped up toward the temples", "draped from cheek to temple"),
    "sunburn": ("sunburn-style across the nose and cheeks",),
}


def _highlight_finish(shimmer: float) -> str:
    for limit, word in ((0.2, "matte"), (0.45, "satin"), (0.75, "shimmery"), (0.9, "metallic")):
        if shimmer < limit:
            return word
    return "glittering"


def _cheeks(style: MakeupStyle, pick: _Pick) -> tuple[str, str]:
    parts: list[str] = []
    shorts: list[str] = []
    if style.blush:
        strength = _strength_word(style.blush.intensity, pick)
        blush = _join([strength, _adj(style.blush.color), "blush"])
        parts.append(_article(blush) + " " + pick(_PLACEMENT[style.blush.placement]))
        shorts.append(_join([_adj(style.blush.color), "blush"]))
    if style.contour:
        parts.append(_join([_adj(style.contour.color), "contour under the cheekbones"]))
        shorts.append(_join([_adj(style.contour.color), "contour"]))
    if style.highlight:
        finish = _highlight_finish(style.highlight.shimmer)
        highlight = _join([finish, _adj(style.highlight.color), "highlight"])
        parts.append(_article(highlight) + " on the high points")
        shorts.append(_article(_join([_adj(style.highlight.color), "highlight"])))
    if not parts:
        return "bare cheeks", "Bare cheeks with no blush."
    return shorts[0], _sentence(_listing(parts))


def _coverage_word(coverage: float) -> str:
    return "sheer" if coverage < 0.3 else "light" if coverage < 0.6 else "full-coverage"


def _skin(style: MakeupStyle, pick: _Pick) -> tuple[str, str]:
    base, concealer = style.foundation, style.concealer
    if base is None and concealer is None:
        return "bare skin", "Bare skin with no base."
    parts: list[str] = []
    short = ""
    if base is not None:
        finish = pick(_SKIN_FINISH[base.finish])
        coverage = _coverage_word(base.coverage)
        parts.append(_article(_join([coverage, finish, "base in", _name(base.shade)])))
        short = _join([finish, pick(("skin", "complexion"))])
    if concealer is not None:
        parts.append(_join([_adj(concealer.shade), "concealer where needed"]))
        short = short or _join([_adj(concealer.shade), "concealer"])
    return short, _sentence(_listing(parts))


def _brows(brows: Brows | None, pick: _Pick) -> tuple[str, str]:
    if brows is None:
        return "untouched brows", "Untouched natural brows."
    density = (
        pick(("softly defined", "lightly filled"))
        if brows.density < 0.35
        else pick(("groomed", "brushed-up"))
        if brows.density < 0.7
        else pick(("bold", "strong"))
    )
    return _join([density, _adj(brows.color), "brows"]), _sentence(
        _join([density, "brows filled in", _name(brows.color)])
    )


def _mood(style: MakeupStyle, pick: _Pick) -> str:
    """A word for how strong the look is overall; never a word the parser would act on."""
    products = [getattr(style, name) for name in style.products()]
    strengths = [
        getattr(product, field)
        for product in products
        for field in type(product).model_fields
        if field in STRENGTH_FIELDS
    ]
    level = sum(strengths) / len(strengths) if strengths else 0.0
    if level < 0.35:
        return pick(("fresh", "minimal", "clean"))
    if level < 0.6:
        return pick(("polished", "refined"))
    if level < 0.8:
        return pick(("glamorous", "elevated"))
    return pick(("striking", "show-stopping"))


def _overall(clauses: dict[str, tuple[str, bool]], mood: str, pick: _Pick) -> str:
    """Join region clauses, dropping bare ones, then brows/skin/cheeks, to fit 40 words.

    All five clauses (bare ones included) give at least 15 words, and dropping stops
    long before that, so only the upper bound needs enforcing.
    """
    order = ["skin", "cheeks", "eyes", "brows", "lips"]
    lead = pick(
        (_article(f"{mood} look with").capitalize(), f"{mood.capitalize()} makeup featuring")
    )
    drop_order = [r for r in ("brows", "skin", "cheeks", "eyes") if not clauses[r][1]]
    drop_order += [r for r in ("brows", "skin", "cheeks") if clauses[r][1]]
    while True:
        text = f"{lead} {_listing([clauses[r][0] for r in order])}."
        if len(text.split()) <= _MAX_WORDS or not drop_order:
            return text
        order.remove(drop_order.pop(0))


def describe(style: MakeupStyle, seed: int | None = None) -> StyleDescription:
    """Describe a look in English from its numbers; ``seed`` varies the wording.

    >>> from fram.makeup.recipe import Lipstick, MakeupStyle
    >>> lip = Lipstick(color="#8c1a34", finish="gloss", opacity=0.9)
    >>> describe(MakeupStyle(lipstick=lip)).regions["lips"]
    'A bold glossy berry-red lip.'
    """
    pick = _picker(seed)
    skin = _skin(style, pick)
    cheeks = _cheeks(style, pick)
    eyes = _eyes(style, pick)
    brows = _brows(style.brows, pick)
    lips = _lips(style.lipstick, pick)
    present = {
        "skin": style.foundation is not None or style.concealer is not None,
        "cheeks": any(getattr(style, p) for p in ("blush", "contour", "highlight")),
        "eyes": any(getattr(style, p) for p in ("eyeshadow", "eyeliner", "mascara")),
        "brows": style.brows is not None,
        "lips": style.lipstick is not None,
    }
    texts = dict(zip(REGIONS, (skin, cheeks, eyes, brows, lips)))
    clauses = {region: (texts[region][0], present[region]) for region in REGIONS}
    overall = _overall(clauses, _mood(style, pick), pick)
    return StyleDescription(overall=overall, regions={r: texts[r][1] for r in REGIONS})


# ---------------------------------------------------------------------------
# parse


@dataclass(frozen=True)
class _Token:
    """One recognised phrase: ``kind`` says how it acts, ``value`` what it carries."""

    kind: str
    value: Any = None
    effects: tuple[tuple[str, Any], ...] = ()
    text: str = ""


_PRODUCT_WORDS: dict[str, tuple[str, ...]] = {
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

_PRODUCT_EFFECTS: dict[str, tuple[str, dict[str, Any]]] = {
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

_FINISH_WORDS: dict[str, tuple[str, ...]] = {
    "matte": ("matte", "matt", "velvet", "velvety", "powdery"),
    "satin": ("satin", "creamy", "cream"),
    "gloss": ("glossy", "gloss", "shiny", "wet look", "high shine", "lacquered"),
    "metallic": ("metallic", "foiled", "foil", "chrome"),
    "shimmer": ("shimmery", "shimmer", "shimmering", "pearly", "frosted", "frost"),
    "glitter": ("glitter", "glittery", "glittering", "sparkly", "sparkling"),
    "dewy": ("dewy", "luminous", "glowy", "radiant"),
    "natural": ("natural", "natural looking", "skin like"),
}

_FINISH_EFFECTS: dict[str, dict[str, dict[str, Any]]] = {
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

_STRENGTH_WORDS: dict[float, tuple[str, ...]] = {
    0.25: ("subtle", "sheer", "subtly", "barely there", "hint of", "touch of", "whisper of"),
    0.4: ("soft", "softly", "light", "lightly", "delicate", "gentle"),
    0.55: ("medium", "moderate", "buildable"),
    0.85: ("bold", "boldly", "strong", "statement", "saturated", "vivid"),
    0.95: ("intense", "intensely", "dramatic", "heavy", "heavily", "full", "opaque", "extreme"),
}

_LAYOUT_WORDS: dict[str, tuple[str, ...]] = {
    "smoky": ("smoky", "smokey", "smoked out", "smudged"),
    "halo": ("halo", "spotlight"),
    "wash": ("wash", "washed", "one shade", "monochrome"),
    "gradient": ("gradient", "ombre", "blended"),
}

_PLACEMENT_WORDS: dict[str, tuple[str, ...]] = {
    "apples": ("apples", "apple"),
    "cheekbones": ("cheekbones", "cheekbone", "lifted"),
    "draped": ("draped", "draping", "drape"),
    "sunburn": ("sunburn", "sunburnt", "sun kissed"),
}

_THICKNESS_WORDS: dict[float, tuple[str, ...]] = {
    0.15: ("thin", "fine", "tight", "tightlined", "skinny"),
    0.55: ("thick", "graphic", "heavy line"),
}

_COLOR_SYNONYMS: dict[str, str] = {
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

_NEGATIONS = ("bare", "no", "without", "untouched", "skip", "skipping", "minus")
_JOINERS = ("and", "with", "plus", "but")
_NO_MAKEUP_WORDS = ("no makeup makeup", "no makeup look", "makeup free look", "barely there makeup")

_NO_MAKEUP_LOOK: dict[str, dict[str, Any]] = {
    "foundation": {"coverage": 0.15, "finish": "natural"},
    "concealer": {"coverage": 0.25},
    "blush": {"color": NAMED_COLORS["peach"][0], "intensity": 0.15},
    "lipstick": {"color": NAMED_COLORS["nude pink"][0], "opacity": 0.2, "finish": "satin"},
    "mascara": {"intensity": 0.3},
    "brows": {"density": 0.25},
}
""""No-makeup makeup": every product present but barely there, skin first."""

_DEFAULTS: dict[str, dict[str, Any]] = {
    "foundation": {"shade": "#d8b094", "coverage": 0.35},
    "concealer": {"shade": "#e0bea4", "coverage": 0.4},
    "blush": {"color": "#e0908a", "intensity": 0.45},
    "contour": {"color": "#8a6048", "intensity": 0.4},
    "highlight": {"color": "#f0dcc0", "intensity": 0.5},
    "lipstick": {"color": "#b4505a", "opacity": 0.7},
    "eyeshadow": {"intensity": 0.55},
    "eyeliner": {"color": "#121212", "thickness": 0.3},
    "mascara": {"intensity": 0.7},
    "brows": {"color": "#5a4636", "density": 0.5},
}
"""Values for what a phrase leaves unsaid ("red lipstick" has no opacity)."""

_DEFAULT_SHADOWS: dict[str, list[str]] = {
    "smoky": ["#6b625c", "#363739", "#121212"],
    "default": ["#c8a088", "#8a6a58"],
}

_COLOR_FIELD = {"foundation": "shade", "concealer": "shade"}
_STRENGTH_FIELD = {
    "foundation": "coverage",
    "concealer": "coverage",
    "lipstick": "opacity",
    "brows": "density",
    "eyeliner": "thickness",
}
_STRENGTH_TO_THICKNESS = 0.6  # "bold liner" is a thicker line, not a blacker one

def _phrase(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _build_vocabulary() -> dict[tuple[str, ...], _Token]:
    vocab: dict[tuple[str, ...], _Token] = {}
    for name, (hex_color, _) in NAMED_COLORS.items():
        vocab[_phrase(name)] = _Token("color", hex_color)
    for word, name in _COLOR_SYNONYMS.items():
        vocab[_phrase(word)] = _Token("color", NAMED_COLORS[name][0])
    for word in [*MODIFIERS, *MODIFIER_SYNONYMS]:
        vocab.setdefault(_phrase(word), _Token("modifier", word))
    groups: list[tuple[str, dict[Any, tuple[str, ...]]]] = [
        ("product", _PRODUCT_WORDS),
        ("finish", _FINISH_WORDS),
        ("strength", _STRENGTH_WORDS),
        ("layout", _LAYOUT_WORDS),
        ("placement", _PLACEMENT_WORDS),
        ("thickness", _THICKNESS_WORDS),
    ]
    for kind, table in groups:
        for value, words in table.items():
            for word in words:
                vocab.setdefault(_phrase(word), _Token(kind, value))
    for word, (product, effects) in _PRODUCT_EFFECTS.items():
        vocab[_phrase(word)] = _Token("product", product, tuple(effects.items()))
    for word in _NEGATIONS:
        vocab[_phrase(word)] = _Token("negation")
    for word in _JOINERS:
        vocab[_phrase(word)] = _Token("joiner")
    for word in _NO_MAKEUP_WORDS:
        vocab[_phrase(word)] = _Token("look", "no-makeup")
    vocab[("in",)] = _Token("in")
    vocab[("or",)] = vocab[("nor",)] = _Token("or")
    vocab[("long",)] = _Token("long")
    return vocab


_VOCABULARY = _build_vocabulary()
_LONGEST = max(len(p) for p in _VOCABULARY)
_STRUCTURAL = frozenset({"negation", "joiner", "in", "or"})
_STRENGTH_OF = {word: value for value, words in _STRENGTH_WORDS.items() for word in words}
_WORD = re.compile(r"#[0-9a-f]{6}\b|#[0-9a-f]{3}\b|[a-z0-9']+")
_CLAUSE_BREAK = re.compile(r"[.,;:!?()\n]+")


def _words(clause: str) -> list[str]:
    return _WORD.findall(clause.lower().replace("-", " ").replace("_", " "))


def _match(words: list[str], start: int) -> tuple[_Token | None, int]:
    if words[start].startswith("#"):
        return _Token("color", normalize_color(words[start]), text=words[start]), 1
    for length in range(min(_LONGEST, len(words) - start), 0, -1):
        phrase = words[start : start + length]
        token = _VOCABULARY.get(tuple(phrase))
        if token is not None:
            return replace(token, text=" ".join(phrase)), length
    return None, 1


def _fold_modifiers(tokens: list[_Token]) -> list[_Token]:
    """"deep" + "plum" -> one colour; a modifier before anything else is a strength or nothing."""
    out: list[_Token] = []
    for token in tokens:
        previous = out[-1] if out else None
        if token.kind == "color" and previous is not None and previous.kind == "modifier":
            color = adjust_color(token.value, previous.value)
            out[-1] = _Token("color", color, text=f"{previous.text} {token.text}")
        else:
            out.append(token)
    return [
        replace(t, kind="strength", value=_STRENGTH_OF[t.value])
        if t.kind == "modifier" and t.value in _STRENGTH_OF
        else t
        for t in out
        if t.kind != "modifier" or t.value in _STRENGTH_OF
    ]


def _tokenize(clause: str) -> list[_Token]:
    words = _words(clause)
    tokens: list[_Token] = []
    index = 0
    while index < len(words):
        token, length = _match(words, index)
        if token is not None:
            tokens.append(token)
        index += length
    return _fold_modifiers(tokens)


class _Drafts:
    """Field values gathered per product while reading; built into models at the end."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[str, Any]] = {}

    def touch(self, product: str) -> dict[str, Any]:
        return self.fields.setdefault(product, {})

    def apply(self, product: str, token: _Token) -> None:
        draft = self.touch(product)
        if token.kind == "color":
            self._color(product, draft, token.value)
        elif token.kind == "strength":
            self._strength(product, draft, token.value)
        elif token.kind == "finish":
            draft.update(_FINISH_EFFECTS.get(product, {}).get(token.value, {}))
        elif token.kind == "layout" and product == "eyeshadow":
            draft["layout"] = token.value
        elif token.kind == "placement" and product == "blush":
            draft["placement"] = token.value
        elif token.kind == "thickness" and product == "eyeliner":
            draft["thickness"] = token.value
        elif token.kind == "long" and product == "eyeliner":
            draft["wing_length"] = min(1.0, draft.get("wing_length", 0.5) + 0.25)

    @staticmethod
    def _color(product: str, draft: dict[str, Any], color: str) -> None:
        if product == "eyeshadow":
            draft.setdefault("colors", []).append(color)
        elif product == "lip_liner":
            draft["liner"] = color
        else:
            draft[_COLOR_FIELD.get(product, "color")] = color

    @staticmethod
    def _strength(product: str, draft: dict[str, Any], value: float) -> None:
        if product == "eyeliner":
            draft["thickness"] = value * _STRENGTH_TO_THICKNESS
        elif product == "lip_liner":
            draft["liner_intensity"] = value
        else:
            draft[_STRENGTH_FIELD.get(product, "intensity")] = value

    def style(self) -> MakeupStyle:
        liner = self.fields.pop("lip_liner", None)
        if liner is not None:
            self._fold_lip_liner(liner)
        recipe: dict[str, Any] = {}
        for product, draft in self.fields.items():
            fields = {**_DEFAULTS[product], **draft}
            if product == "eyeshadow":
                fields["colors"] = self._shadow_colors(fields)
            recipe[product] = fields
        return MakeupStyle.from_dict(recipe)

    def _fold_lip_liner(self, liner: dict[str, Any]) -> None:
        """A lip liner alone is a lipstick of opacity 0; with a lipstick, a deeper shade of it."""
        lipstick = self.fields.get("lipstick")
        if lipstick is None:
            color = liner.get("liner", _DEFAULTS["lipstick"]["color"])
            lipstick = self.fields["lipstick"] = {"color": color, "opacity": 0.0}
        color = lipstick.get("color", _DEFAULTS["lipstick"]["color"])
        lipstick["liner"] = liner.get("liner", adjust_color(color, "deep"))
        lipstick["liner_intensity"] = liner.get("liner_intensity", 0.6)

    @staticmethod
    def _shadow_colors(fields: dict[str, Any]) -> list[str]:
        colors = list(dict.fromkeys(fields.get("colors", [])))[:3]
        if colors:
            return colors
        return _DEFAULT_SHADOWS.get(fields.get("layout", ""), _DEFAULT_SHADOWS["default"])


class _Reader:
    """Walks clauses, attaching descriptors to products (see module docstring)."""

    def __init__(self) -> None:
        self.drafts = _Drafts()
        self.pending: list[_Token] = []
        self.last_product: str | None = None
        self.post_target: str | None = None
        self.negate = False
        self.negated_last = False
        self.understood = 0

    def clause(self, tokens: list[_Token]) -> None:
        for token in tokens:
            self.understood += token.kind not in _STRUCTURAL
            self.token(token)
        if self.pending and self.last_product is not None:
            self._flush(self.last_product)
        self.post_target = None
        self.negate = self.negated_last = False

    def token(self, token: _Token) -> None:
        if token.kind == "product":
            self._product(token)
        elif token.kind == "look":
            for product, fields in _NO_MAKEUP_LOOK.items():
                self.drafts.touch(product).update(fields)
        elif token.kind == "negation":
            self.negate = True
        elif token.kind == "or":
            self.negate = self.negated_last
        elif token.kind == "joiner":
            self.post_target = None
        elif token.kind == "in":
            self.post_target = self.last_product
        elif self.post_target is not None:
            self.drafts.apply(self.post_target, token)
        else:
            self.pending.append(token)

    def _product(self, token: _Token) -> None:
        self.post_target = None
        self.negated_last = self.negate
        if self.negate:
            self.pending.clear()
            self.negate = False
            self.last_product = None
            return
        self.drafts.touch(token.value).update(dict(token.effects))
        self._flush(token.value)
        self.last_product = token.value

    def _flush(self, product: str) -> None:
        for pending in self.pending:
            self.drafts.apply(product, pending)
        self.pending.clear()


_UNDERSTOOD = (
    "I understand products (lipstick, lips, blush, contour, bronzer, highlighter, "
    "foundation, concealer, eyeshadow, eyes, liner, winged, cat eye, mascara, brows), "
    "colours (red, berry, nude, coral, plum, deep plum, ... or #rrggbb), finishes (matte, "
    "satin, glossy, metallic, shimmery, glitter, dewy), strengths (subtle, soft, light, bold, "
    "intense, dramatic, heavy) and looks (smoky eye, no-makeup makeup)"
)


def parse(text: str) -> MakeupStyle:
    """Partial recipe from a phrase such as "glossy berry lips and a winged liner".

    Products the text does not mention stay ``None``; what it leaves unsaid about a
    mentioned product gets a moderate default.

    >>> parse("a bold matte red lipstick").lipstick.finish
    'matte'
    """
    reader = _Reader()
    for clause in _CLAUSE_BREAK.split(text):
        reader.clause(_tokenize(clause))
    if reader.understood == 0:
        raise RecipeError(f"found no makeup words in {text!r}; {_UNDERSTOOD}")
    if reader.pending:
        words = ", ".join(dict.fromkeys(t.text for t in reader.pending))
        raise RecipeError(
            f"{text!r} describes ({words}) but names no product to apply it to; "
            + _UNDERSTOOD
        )
    return reader.drafts.style()
