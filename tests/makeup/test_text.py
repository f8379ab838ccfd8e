"""Tests for fram.makeup.description and fram.makeup.parser: describe() wording and parse() reading it back."""

from __future__ import annotations

import pytest

from fram.errors import RecipeError
from fram.makeup.colors import color_family, color_name
from fram.makeup.presets import PRESETS
from fram.makeup.recipe import Eyeliner, Eyeshadow, Lipstick, MakeupStyle
from fram.makeup.description import REGIONS, StyleDescription, describe
from fram.makeup.parser import parse

SEEDS = [None, 0, 1, 2, 3, 4, 5]
LIP_FINISH_WORD = {"matte": "matte", "satin": "satin", "gloss": "gloss", "metallic": "metallic"}
REGION_PRODUCTS = {
    "skin": {"foundation", "concealer"},
    "cheeks": {"blush", "contour", "highlight"},
    "eyes": {"eyeshadow", "eyeliner", "mascara"},
    "brows": {"brows"},
    "lips": {"lipstick"},
}
WITH_LIPSTICK = [slug for slug, style in PRESETS.items() if style.lipstick is not None]


# -- describe ------------------------------------------------------------------------


@pytest.mark.parametrize("slug", list(PRESETS))
def test_description_shape_and_length(slug: str) -> None:
    for seed in SEEDS:
        text = describe(PRESETS[slug], seed=seed)
        assert isinstance(text, StyleDescription)
        assert list(text.regions) == list(REGIONS)
        assert 15 <= len(text.overall.split()) <= 40, text.overall
        assert text.overall[0].isupper() and text.overall.endswith(".")
        assert all(sentence.endswith(".") for sentence in text.regions.values())


@pytest.mark.parametrize("slug", WITH_LIPSTICK)
def test_overall_mentions_lip_finish_and_colour(slug: str) -> None:
    lipstick = PRESETS[slug].lipstick
    assert lipstick is not None
    for seed in SEEDS:
        overall = describe(PRESETS[slug], seed=seed).overall.lower().replace("-", " ")
        assert LIP_FINISH_WORD[lipstick.finish] in overall
        assert color_name(lipstick.color) in overall


def test_example_wording() -> None:
    style = MakeupStyle(
        lipstick=Lipstick(color="#8c1a34", finish="gloss", opacity=0.9, liner="#6a1628"),
        eyeshadow=Eyeshadow(colors=["#8a7c70", "#363739"], layout="smoky", intensity=0.6),
        eyeliner=Eyeliner(color="#121212", thickness=0.3, wing_length=0.8),
    )
    text = describe(style)
    assert text.regions["lips"] == "A bold glossy berry-red lip with a burgundy lip liner."
    assert "smoky matte taupe-to-charcoal eyes with a long winged black cat eye" in text.overall
    assert "bare skin" in text.overall


def test_seed_none_is_stable_and_seeds_vary_wording() -> None:
    style = PRESETS["arabic-glam"]
    assert describe(style) == describe(style)
    assert describe(style, seed=3) == describe(style, seed=3)
    wordings = {describe(style, seed=seed).overall for seed in range(8)}
    assert len(wordings) >= 3


@pytest.mark.parametrize("product", ["concealer", "mascara", "eyeliner", "contour", "highlight"])
def test_single_product_looks_describe_only_that_product(product: str) -> None:
    full = PRESETS["red-carpet"]
    style = MakeupStyle(**{product: getattr(full, product)})
    text = describe(style)
    assert 15 <= len(text.overall.split()) <= 40
    assert parse(text.overall).products() == [product]


def test_empty_style_is_described_as_bare() -> None:
    text = describe(MakeupStyle())
    assert "bare lips" in text.overall and len(text.overall.split()) >= 15
    for seed in SEEDS:
        text = describe(MakeupStyle(), seed=seed)
        assert parse(text.overall).products() == []
        assert all(parse(sentence).products() == [] for sentence in text.regions.values())


# -- parse ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "products", "families"),
    [
        ("a bold matte red lipstick", {"lipstick"}, {"lipstick": {"red"}}),
        ("glossy berry lips", {"lipstick"}, {"lipstick": {"berry"}}),
        ("dark red lips", {"lipstick"}, {"lipstick": {"red"}}),
        ("deep plum lipstick", {"lipstick"}, {"lipstick": {"plum"}}),
        ("nude lips and a winged liner", {"lipstick", "eyeliner"}, {"lipstick": {"nude"}}),
        ("coral lip gloss", {"lipstick"}, {"lipstick": {"coral"}}),
        ("a #aa3344 lip", {"lipstick"}, {"lipstick": {"berry", "red", "pink"}}),
        ("soft peach blush", {"blush"}, {"blush": {"coral"}}),
        ("smoky eye", {"eyeshadow"}, {}),
        ("shimmery gold eyeshadow and black mascara", {"eyeshadow", "mascara"}, {}),
        ("cat eye", {"eyeliner"}, {}),
        ("bronzer and highlighter", {"contour", "highlight"}, {"contour": {"brown"}}),
        ("subtle brows", {"brows"}, {}),
        ("light dewy foundation", {"foundation"}, {}),
        ("lips in berry red, eyes in charcoal", {"lipstick", "eyeshadow"}, {"lipstick": {"berry"}}),
    ],
)
def test_parse_phrases(phrase: str, products: set[str], families: dict[str, set[str]]) -> None:
    style = parse(phrase)
    assert set(style.products()) == products
    for product, wanted in families.items():
        color = getattr(style, product).color
        assert color_family(color) in wanted, f"{phrase!r}: {product} {color_name(color)}"


def test_parse_finishes_and_layouts() -> None:
    assert parse("a bold matte red lipstick").lipstick.finish == "matte"  # type: ignore[union-attr]
    assert parse("glossy pink lips").lipstick.finish == "gloss"  # type: ignore[union-attr]
    assert parse("metallic gold lips").lipstick.finish == "metallic"  # type: ignore[union-attr]
    assert parse("satin rose lipstick").lipstick.finish == "satin"  # type: ignore[union-attr]
    assert parse("glitter eyeshadow").eyeshadow.finish == "glitter"  # type: ignore[union-attr]
    assert parse("matte skin").foundation.finish == "matte"  # type: ignore[union-attr]
    smoky = parse("a smoky eye").eyeshadow
    assert smoky is not None and smoky.layout == "smoky" and len(smoky.colors) == 3
    assert parse("a cut crease in champagne and espresso").eyeshadow.layout == "cut_crease"  # type: ignore[union-attr]


def test_parse_intensity_adverbs_order() -> None:
    def opacity(phrase: str) -> float:
        return parse(phrase).lipstick.opacity  # type: ignore[union-attr]

    assert opacity("subtle red lips") < opacity("soft matte red lips") < opacity("red lips")
    assert parse("soft red lips").lipstick.color != parse("red lips").lipstick.color  # type: ignore[union-attr]
    assert opacity("red lips") < opacity("bold red lips") < opacity("dramatic red lips")
    assert parse("heavy smoky eye").eyeshadow.intensity > 0.9  # type: ignore[union-attr]


def test_parse_liner_details() -> None:
    liner = parse("a long winged black liner on the lower lash line").eyeliner
    assert liner is not None and liner.wing_length > 0.5 and liner.lower
    cat = parse("a cat eye").eyeliner
    assert cat is not None and cat.wing_length >= 0.7
    lips = parse("red lipstick with a plum lip liner").lipstick
    assert lips is not None and color_family(lips.liner or "") == "plum"


def test_parse_multiple_eyeshadow_colours_in_order() -> None:
    shadow = parse("smoky charcoal-to-taupe eyes").eyeshadow
    assert shadow is not None
    assert [color_name(c) for c in shadow.colors] == ["charcoal", "taupe"]


def test_parse_no_makeup_makeup_and_negation() -> None:
    style = parse("no-makeup makeup")
    assert {"foundation", "lipstick", "mascara"} <= set(style.products())
    assert style.foundation is not None and style.foundation.coverage <= 0.3
    assert parse("bare lips, smoky eyes").products() == ["eyeshadow"]
    assert parse("no blush or contour, red lips").products() == ["lipstick"]


def test_unmentioned_products_stay_none() -> None:
    style = parse("glossy pink lips")
    assert style.products() == ["lipstick"]


def test_unrecognised_text_says_what_is_understood() -> None:
    with pytest.raises(RecipeError, match="lipstick") as info:
        parse("the quick brown fox")  # "brown" is a colour but no product is named
    assert "no product" in str(info.value)
    with pytest.raises(RecipeError, match="found no makeup words.*finishes"):
        parse("hello world")


# -- round trips ---------------------------------------------------------------------


@pytest.mark.parametrize("slug", WITH_LIPSTICK)
def test_parse_of_description_recovers_lipstick(slug: str) -> None:
    lipstick = PRESETS[slug].lipstick
    assert lipstick is not None
    for seed in SEEDS:
        parsed = parse(describe(PRESETS[slug], seed=seed).overall).lipstick
        assert parsed is not None
        assert color_family(parsed.color) == color_family(lipstick.color)
        assert parsed.finish == lipstick.finish


@pytest.mark.parametrize("slug", list(PRESETS))
def test_descriptions_never_invent_products(slug: str) -> None:
    style = PRESETS[slug]
    for seed in SEEDS:
        text = describe(style, seed=seed)
        assert set(parse(text.overall).products()) <= set(style.products())
        for region, sentence in text.regions.items():
            allowed = REGION_PRODUCTS[region] & set(style.products())
            assert set(parse(sentence).products()) <= allowed, sentence
