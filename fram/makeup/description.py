"""English descriptions of recipes, built only from their numbers.

Colour names come from :func:`fram.makeup.colors.classify_color`, so captions used for
training or shown to users can never disagree with what is rendered. Every word
:func:`describe` writes is either understood by :func:`fram.makeup.parser.parse` in the
same sense or ignored by it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fram.makeup.colors import classify_color
from fram.makeup.recipe import STRENGTH_FIELDS, Brows, Eyeliner, Eyeshadow, Lipstick, MakeupStyle, Mascara

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
