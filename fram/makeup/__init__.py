"""Makeup recipes, presets, colour names and text: the data side of fram.makeup."""

from fram.makeup.colors import ColorName, adjust_color, classify_color, color_family, color_name
from fram.makeup.presets import PRESET_CATEGORIES, PRESETS, get_preset, list_presets
from fram.makeup.recipe import (
    PRODUCT_NAMES,
    Blush,
    Brows,
    Color,
    Concealer,
    Contour,
    Eyeliner,
    Eyeshadow,
    Foundation,
    Highlight,
    Lipstick,
    MakeupStyle,
    Mascara,
    Product,
    hex_to_rgb,
    rgb_to_hex,
)
from fram.makeup.description import REGIONS, StyleDescription, describe
from fram.makeup.parser import parse

