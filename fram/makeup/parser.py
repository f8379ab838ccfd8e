"""Recipes from short English phrases, read with the vocabulary of :mod:`fram.makeup.vocabulary`.

The parser is a small keyword reader, not a language model: descriptors (colours,
finishes, strengths, layouts) attach to the next product word in the same clause,
or, after "in" or at the end of a clause, to the product just mentioned; "bare",
"no" or "without" skip the next product (and any joined to it by "or").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from fram.errors import RecipeError
from fram.makeup.colors import MODIFIER_SYNONYMS, MODIFIERS, NAMED_COLORS, adjust_color
from fram.makeup.recipe import MakeupStyle, normalize_color
from fram.makeup.vocabulary import (
    COLOR_SYNONYMS,
    FINISH_EFFECTS,
    FINISH_WORDS,
    JOINERS,
    LAYOUT_WORDS,
    NEGATIONS,
    NO_MAKEUP_WORDS,
    PLACEMENT_WORDS,
    PRODUCT_EFFECTS,
    PRODUCT_WORDS,
    STRENGTH_WORDS,
    THICKNESS_WORDS,
)


@dataclass(frozen=True)
class _Token:
    """One recognised phrase: ``kind`` says how it acts, ``value`` what it carries."""

    kind: str
    value: Any = None
    effects: tuple[tuple[str, Any], ...] = ()
    text: str = ""


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
    for word, name in COLOR_SYNONYMS.items():
        vocab[_phrase(word)] = _Token("color", NAMED_COLORS[name][0])
    for word in [*MODIFIERS, *MODIFIER_SYNONYMS]:
        vocab.setdefault(_phrase(word), _Token("modifier", word))
    groups: list[tuple[str, dict[Any, tuple[str, ...]]]] = [
        ("product", PRODUCT_WORDS),
        ("finish", FINISH_WORDS),
        ("strength", STRENGTH_WORDS),
        ("layout", LAYOUT_WORDS),
        ("placement", PLACEMENT_WORDS),
        ("thickness", THICKNESS_WORDS),
    ]
    for kind, table in groups:
        for value, words in table.items():
            for word in words:
                vocab.setdefault(_phrase(word), _Token(kind, value))
    for word, (product, effects) in PRODUCT_EFFECTS.items():
        vocab[_phrase(word)] = _Token("product", product, tuple(effects.items()))
    for word in NEGATIONS:
        vocab[_phrase(word)] = _Token("negation")
    for word in JOINERS:
        vocab[_phrase(word)] = _Token("joiner")
    for word in NO_MAKEUP_WORDS:
        vocab[_phrase(word)] = _Token("look", "no-makeup")
    vocab[("in",)] = _Token("in")
    vocab[("or",)] = vocab[("nor",)] = _Token("or")
    vocab[("long",)] = _Token("long")
    return vocab


_VOCABULARY = _build_vocabulary()
_LONGEST = max(len(p) for p in _VOCABULARY)
_STRUCTURAL = frozenset({"negation", "joiner", "in", "or"})
_STRENGTH_OF = {word: value for value, words in STRENGTH_WORDS.items() for word in words}
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
            draft.update(FINISH_EFFECTS.get(product, {}).get(token.value, {}))
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
