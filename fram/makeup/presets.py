"""Named looks, so users can start from "1950s-pinup" instead of writing a recipe.

Shades are picked to match real products of each look. Foundation is kept light
(coverage <= 0.5) because the renderer adapts the base to each face's own skin tone;
a preset should tint and even the skin, not repaint it.
"""

from __future__ import annotations

import difflib

from fram.errors import RecipeError
from fram.makeup.recipe import (
    Blush,
    Brows,
    Concealer,
    Contour,
    Eyeliner,
    Eyeshadow,
    Foundation,
    Highlight,
    Lipstick,
    MakeupStyle,
    Mascara,
)

_ENTRIES: tuple[tuple[str, str, MakeupStyle], ...] = (
    # everyday
    (
        "natural",
        "everyday",
        MakeupStyle(
            name="Natural Everyday",
            foundation=Foundation(shade="#d9b39a", coverage=0.25),
            concealer=Concealer(shade="#e2c2a8", coverage=0.3),
            blush=Blush(color="#e39a8e", intensity=0.25),
            lipstick=Lipstick(color="#c98a84", finish="satin", opacity=0.35),
            mascara=Mascara(intensity=0.45),
            brows=Brows(color="#6b5444", density=0.35),
        ),
    ),
    (
        "no-makeup",
        "everyday",
        MakeupStyle(
            name="No-Makeup Makeup",
            foundation=Foundation(shade="#dab59c", coverage=0.15),
            concealer=Concealer(shade="#e4c6ae", coverage=0.25),
            blush=Blush(color="#e8a59a", intensity=0.15),
            lipstick=Lipstick(color="#d19a92", finish="satin", opacity=0.2),
            mascara=Mascara(color="#3a2a22", intensity=0.3),
            brows=Brows(color="#6e5a4a", density=0.25),
        ),
    ),
    (
        "sun-kissed",
        "everyday",
        MakeupStyle(
            name="Sun-Kissed Bronze",
            foundation=Foundation(shade="#d6ab8a", coverage=0.2, finish="dewy"),
            blush=Blush(color="#e0856a", intensity=0.35, placement="sunburn"),
            contour=Contour(color="#a7714c", intensity=0.3),
            highlight=Highlight(color="#f0d2a8", intensity=0.35),
            lipstick=Lipstick(color="#c47a66", finish="gloss", opacity=0.4),
            mascara=Mascara(intensity=0.5),
        ),
    ),
    (
        "fresh-dewy",
        "everyday",
        MakeupStyle(
            name="Fresh Dewy Skin",
            foundation=Foundation(shade="#dcb8a0", coverage=0.3, finish="dewy"),
            blush=Blush(color="#f0a0a0", intensity=0.3),
            highlight=Highlight(color="#f4e2d0", intensity=0.4, shimmer=0.6),
            lipstick=Lipstick(color="#e08a8a", finish="gloss", opacity=0.45),
            mascara=Mascara(intensity=0.4),
            brows=Brows(color="#6a5242", density=0.3),
        ),
    ),
    # office
    (
        "office",
        "office",
        MakeupStyle(
            name="Polished Office",
            foundation=Foundation(shade="#d8b096", coverage=0.4),
            concealer=Concealer(shade="#e0bea4", coverage=0.4),
            blush=Blush(color="#c98578", intensity=0.3, placement="cheekbones"),
            eyeshadow=Eyeshadow(
                colors=["#c9a892", "#9a7a68"], layout="gradient", intensity=0.35, height=0.4
            ),
            eyeliner=Eyeliner(color="#3a2a22", thickness=0.2, wing_length=0.1, intensity=0.7),
            mascara=Mascara(intensity=0.6),
            lipstick=Lipstick(color="#b46a6a", finish="satin", opacity=0.6),
            brows=Brows(color="#5a4636", density=0.5),
        ),
    ),
    (
        "boardroom-berry",
        "office",
        MakeupStyle(
            name="Boardroom Berry",
            foundation=Foundation(shade="#d4ac92", coverage=0.4, finish="matte"),
            concealer=Concealer(shade="#dcb89e", coverage=0.35),
            blush=Blush(color="#b86a72", intensity=0.25, placement="cheekbones"),
            eyeshadow=Eyeshadow(colors=["#b8998a"], layout="wash", intensity=0.3, height=0.35),
            eyeliner=Eyeliner(color="#141414", thickness=0.18, intensity=0.8),
            mascara=Mascara(intensity=0.65),
            lipstick=Lipstick(color="#8c2a44", finish="matte", opacity=0.8),
            brows=Brows(color="#4e3c30", density=0.5),
        ),
    ),
    # soft glam
    (
        "soft-glam",
        "soft glam",
        MakeupStyle(
            name="Soft Glam",
            foundation=Foundation(shade="#d8b29a", coverage=0.45),
            concealer=Concealer(shade="#e2c0a6", coverage=0.45),
            blush=Blush(color="#d98a80", intensity=0.4, placement="cheekbones"),
            contour=Contour(color="#8f6550", intensity=0.35),
            highlight=Highlight(color="#efd7bc", intensity=0.45, shimmer=0.6),
            eyeshadow=Eyeshadow(
                colors=["#e0c0a8", "#a87660", "#6e4a3a"],
                finish="satin",
                shimmer=0.2,
                intensity=0.55,
                height=0.55,
            ),
            eyeliner=Eyeliner(color="#2a1e1a", thickness=0.25, wing_length=0.3),
            mascara=Mascara(intensity=0.75),
            lipstick=Lipstick(
                color="#c07f78", finish="satin", opacity=0.65, liner="#a0625e", liner_intensity=0.4
            ),
            brows=Brows(color="#5c4838", density=0.55),
        ),
    ),
    (
        "rose-gold",
        "soft glam",
        MakeupStyle(
            name="Rose Gold Shimmer",
            foundation=Foundation(shade="#dab49c", coverage=0.4, finish="dewy"),
            blush=Blush(color="#d98c8c", intensity=0.35, placement="cheekbones"),
            highlight=Highlight(color="#e8c0a8", intensity=0.55, shimmer=0.8),
            eyeshadow=Eyeshadow(
                colors=["#e8b8a0", "#c07a68", "#8a4a42"],
                finish="metallic",
                shimmer=0.5,
                intensity=0.6,
            ),
            eyeliner=Eyeliner(color="#3a2420", thickness=0.2, wing_length=0.25),
            mascara=Mascara(intensity=0.7),
            lipstick=Lipstick(color="#c4757a", finish="satin", opacity=0.6),
            brows=Brows(color="#5e4a3c", density=0.5),
        ),
    ),
    (
        "peach-glow",
        "soft glam",
        MakeupStyle(
            name="Peach Glow",
            foundation=Foundation(shade="#dcb496", coverage=0.35, finish="dewy"),
            blush=Blush(color="#f19a7a", intensity=0.45),
            highlight=Highlight(color="#f0d8b8", intensity=0.5, shimmer=0.6),
            eyeshadow=Eyeshadow(
                colors=["#f0c0a0", "#d08a68"],
                layout="wash",
                finish="shimmer",
                shimmer=0.3,
                intensity=0.45,
            ),
            mascara=Mascara(intensity=0.6),
            lipstick=Lipstick(color="#e08870", finish="gloss", opacity=0.55),
            brows=Brows(color="#6a5040", density=0.4),
        ),
    ),
    # full glam
    (
        "red-carpet",
        "full glam",
        MakeupStyle(
            name="Red Carpet",
            foundation=Foundation(shade="#d6ae94", coverage=0.5, finish="matte"),
            concealer=Concealer(shade="#e0bca0", coverage=0.5),
            blush=Blush(color="#c7706a", intensity=0.4, placement="cheekbones"),
            contour=Contour(color="#7e5744", intensity=0.5),
            highlight=Highlight(color="#f0dcc0", intensity=0.6, shimmer=0.6),
            eyeshadow=Eyeshadow(
                colors=["#d8b8a0", "#8a6050", "#4a3028"], finish="satin", intensity=0.7, height=0.6
            ),
            eyeliner=Eyeliner(color="#111111", thickness=0.4, wing_length=0.55, wing_angle=18.0),
            mascara=Mascara(intensity=0.95),
            lipstick=Lipstick(
                color="#b01c2c", finish="matte", opacity=0.9, liner="#8a1424", liner_intensity=0.7
            ),
            brows=Brows(color="#4a3a2e", density=0.7),
        ),
    ),
    (
        "full-glam",
        "full glam",
        MakeupStyle(
            name="Full Glam Cut Crease",
            foundation=Foundation(shade="#d4aa8e", coverage=0.5, finish="matte"),
            concealer=Concealer(shade="#e0bc9e", coverage=0.5),
            blush=Blush(color="#c8786a", intensity=0.4, placement="cheekbones"),
            contour=Contour(color="#7a5442", intensity=0.55),
            highlight=Highlight(color="#f2d8b0", intensity=0.7, shimmer=0.8),
            eyeshadow=Eyeshadow(
                colors=["#f0dcc8", "#9a6248", "#4a2a20"],
                layout="cut_crease",
                finish="shimmer",
                shimmer=0.4,
                intensity=0.85,
                height=0.65,
            ),
            eyeliner=Eyeliner(color="#0e0e0e", thickness=0.45, wing_length=0.6, wing_angle=20.0),
            mascara=Mascara(intensity=1.0),
            lipstick=Lipstick(
                color="#a8625a", finish="satin", opacity=0.85, liner="#7a4038", liner_intensity=0.7
            ),
            brows=Brows(color="#3e3028", density=0.8),
        ),
    ),
    # smoky
    (
        "smoky-night",
        "smoky",
        MakeupStyle(
            name="Smoky Night Out",
            foundation=Foundation(shade="#d6ae94", coverage=0.45, finish="matte"),
            concealer=Concealer(shade="#e0bca2", coverage=0.45),
            blush=Blush(color="#c08478", intensity=0.25, placement="cheekbones"),
            contour=Contour(color="#7e5a48", intensity=0.35),
            eyeshadow=Eyeshadow(
                colors=["#5a5550", "#2e2d2e", "#121212"],
                layout="smoky",
                finish="satin",
                intensity=0.85,
                height=0.6,
            ),
            eyeliner=Eyeliner(color="#0e0e0e", thickness=0.45, wing_length=0.2, lower=True),
            mascara=Mascara(intensity=1.0),
            lipstick=Lipstick(color="#b88a82", finish="satin", opacity=0.5),
            brows=Brows(color="#3e3230", density=0.6),
        ),
    ),
    (
        "smoky-brown",
        "smoky",
        MakeupStyle(
            name="Brown Smoky Eye",
            foundation=Foundation(shade="#d8b098", coverage=0.4),
            blush=Blush(color="#c8867a", intensity=0.3, placement="cheekbones"),
            contour=Contour(color="#86604c", intensity=0.35),
            eyeshadow=Eyeshadow(
                colors=["#b08a70", "#6e4a38", "#3a2620"], layout="smoky", intensity=0.75
            ),
            eyeliner=Eyeliner(color="#2e1e18", thickness=0.35, wing_length=0.15, lower=True),
            mascara=Mascara(intensity=0.9),
            lipstick=Lipstick(color="#b0786a", finish="matte", opacity=0.55),
            brows=Brows(color="#4e3a2e", density=0.6),
        ),
    ),
    (
        "smoky-plum",
        "smoky",
        MakeupStyle(
            name="Plum Smoky Eye",
            foundation=Foundation(shade="#d6ae96", coverage=0.4),
            blush=Blush(color="#b87080", intensity=0.3, placement="cheekbones"),
            eyeshadow=Eyeshadow(
                colors=["#9a6a80", "#5a2a48", "#2e1428"],
                layout="smoky",
                finish="shimmer",
                shimmer=0.3,
                intensity=0.8,
                height=0.6,
            ),
            eyeliner=Eyeliner(color="#141014", thickness=0.4, wing_length=0.25, lower=True),
            mascara=Mascara(intensity=0.95),
            lipstick=Lipstick(color="#a0606a", finish="satin", opacity=0.5),
            brows=Brows(color="#44362e", density=0.6),
        ),
    ),
    # editorial
    (
        "graphic-liner",
        "editorial",
        MakeupStyle(
            name="Graphic Liner",
            foundation=Foundation(shade="#dab49a", coverage=0.35, finish="matte"),
            concealer=Concealer(shade="#e2c0a6", coverage=0.35),
            eyeliner=Eyeliner(color="#101010", thickness=0.55, wing_length=0.9, wing_angle=25.0),
            mascara=Mascara(intensity=0.6),
            lipstick=Lipstick(color="#c4a096", finish="matte", opacity=0.5),
            brows=Brows(color="#4a3a30", density=0.6),
        ),
    ),
    (
        "monochrome-terracotta",
        "editorial",
        MakeupStyle(
            name="Monochrome Terracotta",
            foundation=Foundation(shade="#d4aa8c", coverage=0.35),
            blush=Blush(color="#c0704e", intensity=0.5, placement="draped"),
            eyeshadow=Eyeshadow(colors=["#c0704e"], layout="wash", intensity=0.6, height=0.6),
            mascara=Mascara(intensity=0.6),
            lipstick=Lipstick(color="#b0583c", finish="matte", opacity=0.75),
            brows=Brows(color="#5a4232", density=0.5),
        ),
    ),
    (
        "cobalt-liner",
        "editorial",
        MakeupStyle(
            name="Cobalt Blue Liner",
            foundation=Foundation(shade="#d8b29a", coverage=0.35),
            eyeliner=Eyeliner(
                color="#1e50c0", thickness=0.4, wing_length=0.6, wing_angle=20.0, lower=True
            ),
            mascara=Mascara(intensity=0.8),
            lipstick=Lipstick(color="#c89a8c", finish="satin", opacity=0.4),
            brows=Brows(color="#50402e", density=0.5),
        ),
    ),
    # bridal
    (
        "bridal-classic",
        "bridal",
        MakeupStyle(
            name="Classic Bridal",
            foundation=Foundation(shade="#dab49c", coverage=0.45),
            concealer=Concealer(shade="#e4c4aa", coverage=0.45),
            blush=Blush(color="#e29c98", intensity=0.35),
            highlight=Highlight(color="#f2e0cc", intensity=0.5, shimmer=0.5),
            eyeshadow=Eyeshadow(
                colors=["#ecd6c0", "#b8907a", "#7a5a4a"], finish="satin", intensity=0.5
            ),
            eyeliner=Eyeliner(color="#2e221c", thickness=0.25, wing_length=0.25),
            mascara=Mascara(intensity=0.85),
            lipstick=Lipstick(
                color="#c8808a", finish="satin", opacity=0.65, liner="#a8606a", liner_intensity=0.4
            ),
            brows=Brows(color="#5a4636", density=0.55),
        ),
    ),
    (
        "bridal-boho",
        "bridal",
        MakeupStyle(
            name="Boho Bride",
            foundation=Foundation(shade="#d8ae92", coverage=0.35, finish="dewy"),
            blush=Blush(color="#d88a6a", intensity=0.35, placement="cheekbones"),
            highlight=Highlight(color="#ecc890", intensity=0.5, shimmer=0.6),
            eyeshadow=Eyeshadow(
                colors=["#d8a878", "#a06a40"],
                layout="wash",
                finish="shimmer",
                shimmer=0.4,
                intensity=0.5,
            ),
            mascara=Mascara(color="#2a1e18", intensity=0.75),
            lipstick=Lipstick(color="#c07a68", finish="gloss", opacity=0.5),
            brows=Brows(color="#6a5040", density=0.45),
        ),
    ),
    # vintage
    (
        "1920s-flapper",
        "vintage",
        MakeupStyle(
            name="1920s Flapper",
            foundation=Foundation(shade="#e4c8b4", coverage=0.45, finish="matte"),
            blush=Blush(color="#c07080", intensity=0.3),
            eyeshadow=Eyeshadow(
                colors=["#4a4a50", "#2a2a2e", "#101012"], layout="smoky", intensity=0.8, height=0.65
            ),
            eyeliner=Eyeliner(color="#0c0c0c", thickness=0.4, lower=True),
            mascara=Mascara(intensity=0.9),
            lipstick=Lipstick(color="#7a1428", finish="satin", opacity=0.9),
            brows=Brows(color="#3a2e28", density=0.45),
        ),
    ),
    (
        "1950s-pinup",
        "vintage",
        MakeupStyle(
            name="1950s Pin-Up",
            foundation=Foundation(shade="#e0c0a8", coverage=0.45, finish="matte"),
            blush=Blush(color="#e0868a", intensity=0.3),
            eyeshadow=Eyeshadow(colors=["#ecd8c6"], layout="wash", intensity=0.3, height=0.4),
            eyeliner=Eyeliner(color="#0e0e0e", thickness=0.4, wing_length=0.6, wing_angle=20.0),
            mascara=Mascara(intensity=0.9),
            lipstick=Lipstick(
                color="#c41a24", finish="matte", opacity=0.95, liner="#a8141e", liner_intensity=0.7
            ),
            brows=Brows(color="#4a3a2e", density=0.65),
        ),
    ),
    (
        "1960s-mod",
        "vintage",
        MakeupStyle(
            name="1960s Mod",
            foundation=Foundation(shade="#e0c2aa", coverage=0.4, finish="matte"),
            blush=Blush(color="#e0a090", intensity=0.2, placement="cheekbones"),
            eyeshadow=Eyeshadow(
                colors=["#f0e4d8", "#6e5a52"], layout="cut_crease", intensity=0.65, height=0.7
            ),
            eyeliner=Eyeliner(color="#0c0c0c", thickness=0.45, wing_length=0.35),
            mascara=Mascara(intensity=1.0),
            lipstick=Lipstick(color="#d8aca0", finish="matte", opacity=0.6),
            brows=Brows(color="#5a4838", density=0.45),
        ),
    ),
    (
        "1980s-power",
        "vintage",
        MakeupStyle(
            name="1980s Power Colour",
            foundation=Foundation(shade="#dcb49a", coverage=0.45, finish="matte"),
            blush=Blush(color="#d8407a", intensity=0.6, placement="draped"),
            eyeshadow=Eyeshadow(
                colors=["#3c6cc8", "#8a3a9a", "#c22a82"],
                finish="shimmer",
                shimmer=0.5,
                intensity=0.8,
                height=0.8,
            ),
            eyeliner=Eyeliner(color="#1e3a8c", thickness=0.3, lower=True),
            mascara=Mascara(color="#1a2440", intensity=0.9),
            lipstick=Lipstick(color="#d0206c", finish="satin", opacity=0.85),
            brows=Brows(color="#4a3a2e", density=0.8),
        ),
    ),
    (
        "1990s-supermodel",
        "vintage",
        MakeupStyle(
            name="1990s Supermodel",
            foundation=Foundation(shade="#d6ac90", coverage=0.4, finish="matte"),
            contour=Contour(color="#7e5846", intensity=0.4),
            eyeshadow=Eyeshadow(colors=["#a88a78", "#6a4e42"], intensity=0.45),
            eyeliner=Eyeliner(color="#3a2a22", thickness=0.25, lower=True, intensity=0.7),
            mascara=Mascara(intensity=0.75),
            lipstick=Lipstick(
                color="#a87268", finish="matte", opacity=0.7, liner="#5e3a30", liner_intensity=0.8
            ),
            brows=Brows(color="#4a3a30", density=0.4),
        ),
    ),
    # cultural
    (
        "bollywood-bridal",
        "cultural",
        MakeupStyle(
            name="Bollywood Bridal",
            foundation=Foundation(shade="#c8986e", coverage=0.45),
            concealer=Concealer(shade="#d4a47c", coverage=0.45),
            blush=Blush(color="#c8686a", intensity=0.35, placement="cheekbones"),
            highlight=Highlight(color="#e8c890", intensity=0.55, shimmer=0.8),
            eyeshadow=Eyeshadow(
                colors=["#d8a040", "#a0502a", "#3a2018"],
                finish="metallic",
                shimmer=0.6,
                intensity=0.8,
                height=0.6,
            ),
            eyeliner=Eyeliner(
                color="#0a0a0a", thickness=0.5, wing_length=0.55, wing_angle=18.0, lower=True
            ),
            mascara=Mascara(intensity=0.9),
            lipstick=Lipstick(
                color="#a01830", finish="satin", opacity=0.9, liner="#7a1020", liner_intensity=0.7
            ),
            brows=Brows(color="#2a201a", density=0.7),
        ),
    ),
    (
        "k-beauty-gradient",
        "cultural",
        MakeupStyle(
            name="K-Beauty Gradient Lip",
            foundation=Foundation(shade="#e8c8b0", coverage=0.35, finish="dewy"),
            blush=Blush(color="#f0a0a8", intensity=0.3),
            highlight=Highlight(color="#f6e6dc", intensity=0.35, shimmer=0.5),
            eyeshadow=Eyeshadow(
                colors=["#f0c8b8", "#d89a8a"],
                layout="wash",
                finish="shimmer",
                shimmer=0.25,
                intensity=0.35,
                height=0.35,
            ),
            eyeliner=Eyeliner(color="#4a3028", thickness=0.15, wing_length=0.15, intensity=0.6),
            mascara=Mascara(intensity=0.45),
            lipstick=Lipstick(color="#d8304a", finish="gloss", opacity=0.55),
            brows=Brows(color="#5a4a40", density=0.4),
        ),
    ),
    (
        "j-beauty",
        "cultural",
        MakeupStyle(
            name="J-Beauty Igari Flush",
            foundation=Foundation(shade="#e8cab4", coverage=0.35),
            blush=Blush(color="#f29aa0", intensity=0.45, placement="cheekbones"),
            eyeshadow=Eyeshadow(
                colors=["#f0c4b4", "#d49886"], layout="wash", finish="satin", intensity=0.35
            ),
            eyeliner=Eyeliner(
                color="#5a3a30", thickness=0.15, wing_length=0.1, wing_angle=0.0, intensity=0.7
            ),
            mascara=Mascara(color="#3a2a22", intensity=0.5),
            lipstick=Lipstick(color="#e07a88", finish="gloss", opacity=0.5),
            brows=Brows(color="#6a5444", density=0.35),
        ),
    ),
    (
        "arabic-glam",
        "cultural",
        MakeupStyle(
            name="Arabic Winged Glam",
            foundation=Foundation(shade="#cfa07c", coverage=0.5, finish="matte"),
            concealer=Concealer(shade="#dab08a", coverage=0.5),
            contour=Contour(color="#7a5038", intensity=0.55),
            highlight=Highlight(color="#ecc88c", intensity=0.6, shimmer=0.7),
            blush=Blush(color="#c07a64", intensity=0.3, placement="cheekbones"),
            eyeshadow=Eyeshadow(
                colors=["#d8a868", "#8a4a2a", "#1e1410"],
                layout="smoky",
                finish="metallic",
                shimmer=0.5,
                intensity=0.85,
                height=0.7,
            ),
            eyeliner=Eyeliner(
                color="#050505", thickness=0.55, wing_length=0.8, wing_angle=22.0, lower=True
            ),
            mascara=Mascara(intensity=1.0),
            lipstick=Lipstick(
                color="#a06a60", finish="matte", opacity=0.75, liner="#6a3a30", liner_intensity=0.7
            ),
            brows=Brows(color="#2a1e18", density=0.85),
        ),
    ),
    (
        "latina-glam",
        "cultural",
        MakeupStyle(
            name="Latina Glam",
            foundation=Foundation(shade="#cc9e7c", coverage=0.5, finish="matte"),
            concealer=Concealer(shade="#d8ae8c", coverage=0.5),
            contour=Contour(color="#7a5040", intensity=0.55),
            highlight=Highlight(color="#f0d0a0", intensity=0.6, shimmer=0.7),
            blush=Blush(color="#c07060", intensity=0.35, placement="cheekbones"),
            eyeshadow=Eyeshadow(
                colors=["#d0a080", "#8a5a40", "#4a2e20"],
                finish="shimmer",
                shimmer=0.3,
                intensity=0.7,
            ),
            eyeliner=Eyeliner(color="#0a0a0a", thickness=0.4, wing_length=0.5, wing_angle=18.0),
            mascara=Mascara(intensity=0.95),
            lipstick=Lipstick(
                color="#8e5048", finish="matte", opacity=0.8, liner="#4e2a24", liner_intensity=0.8
            ),
            brows=Brows(color="#2e2220", density=0.8),
        ),
    ),
    (
        "afro-glam",
        "cultural",
        MakeupStyle(
            name="Afro Glam Gold",
            # Shades are offsets from the reference skin (see compose.match_skin): a
            # warm golden match on any skin, not an absolute deep shade.
            foundation=Foundation(shade="#cfa07e", coverage=0.4),
            concealer=Concealer(shade="#daae8c", coverage=0.4),
            blush=Blush(color="#b04a3a", intensity=0.45, placement="cheekbones"),
            highlight=Highlight(color="#e8b860", intensity=0.6, shimmer=0.7),
            eyeshadow=Eyeshadow(
                colors=["#e0a030", "#c05a1a", "#5a2a10"],
                finish="metallic",
                shimmer=0.6,
                intensity=0.85,
                height=0.6,
            ),
            eyeliner=Eyeliner(color="#0a0a0a", thickness=0.4, wing_length=0.5, wing_angle=18.0),
            mascara=Mascara(intensity=0.95),
            lipstick=Lipstick(color="#7a1e3a", finish="satin", opacity=0.85),
            brows=Brows(color="#1e1614", density=0.7),
        ),
    ),
    # kawaii
    (
        "kawaii",
        "kawaii",
        MakeupStyle(
            name="Kawaii Doll",
            foundation=Foundation(shade="#ecd0bc", coverage=0.35, finish="dewy"),
            blush=Blush(color="#f49aa8", intensity=0.5),
            highlight=Highlight(color="#f8e4ec", intensity=0.4, shimmer=0.6),
            eyeshadow=Eyeshadow(
                colors=["#f4c4c8", "#e8a0a8"],
                layout="wash",
                finish="shimmer",
                shimmer=0.4,
                intensity=0.4,
            ),
            eyeliner=Eyeliner(color="#4a3028", thickness=0.15, intensity=0.7),
            mascara=Mascara(intensity=0.6),
            lipstick=Lipstick(color="#f07a98", finish="gloss", opacity=0.6),
            brows=Brows(color="#6a5444", density=0.35),
        ),
    ),
    (
        "yume-kawaii",
        "kawaii",
        MakeupStyle(
            name="Yume Kawaii Pastel",
            foundation=Foundation(shade="#eed4c2", coverage=0.35, finish="dewy"),
            blush=Blush(color="#f8a8c8", intensity=0.5),
            highlight=Highlight(color="#f4eaf8", intensity=0.45, shimmer=0.8),
            eyeshadow=Eyeshadow(
                colors=["#e0c8f0", "#f0b0d0"],
                finish="glitter",
                shimmer=0.6,
                intensity=0.5,
            ),
            mascara=Mascara(color="#4a3a3a", intensity=0.5),
            lipstick=Lipstick(color="#f4a0c0", finish="gloss", opacity=0.55),
            brows=Brows(color="#7a6454", density=0.3),
        ),
    ),
    # goth
    (
        "goth",
        "goth",
        MakeupStyle(
            name="Classic Goth",
            foundation=Foundation(shade="#ecdcd0", coverage=0.5, finish="matte"),
            contour=Contour(color="#6a5a58", intensity=0.45),
            eyeshadow=Eyeshadow(
                colors=["#3a3a3c", "#1e1a1e", "#0a0a0a"],
                layout="smoky",
                intensity=0.9,
                height=0.65,
            ),
            eyeliner=Eyeliner(
                color="#050505", thickness=0.6, wing_length=0.5, wing_angle=20.0, lower=True
            ),
            mascara=Mascara(intensity=1.0),
            lipstick=Lipstick(color="#2a0e18", finish="matte", opacity=0.95),
            brows=Brows(color="#1a1414", density=0.8),
        ),
    ),
    (
        "vampy",
        "goth",
        MakeupStyle(
            name="Vampy Oxblood",
            foundation=Foundation(shade="#e4cab8", coverage=0.45, finish="matte"),
            blush=Blush(color="#8a4a58", intensity=0.25, placement="cheekbones"),
            contour=Contour(color="#6e5250", intensity=0.45),
            eyeshadow=Eyeshadow(
                colors=["#6a3a4a", "#3a1a28"], layout="smoky", finish="satin", intensity=0.6
            ),
            eyeliner=Eyeliner(color="#0a0a0a", thickness=0.3, wing_length=0.3),
            mascara=Mascara(intensity=0.9),
            lipstick=Lipstick(
                color="#4a0e1e", finish="matte", opacity=0.9, liner="#3a0a16", liner_intensity=0.6
            ),
            brows=Brows(color="#2e2222", density=0.65),
        ),
    ),
    # festival
    (
        "festival-glitter",
        "festival",
        MakeupStyle(
            name="Festival Glitter",
            foundation=Foundation(shade="#dab49a", coverage=0.3, finish="dewy"),
            highlight=Highlight(color="#f4f0ff", intensity=0.7, shimmer=1.0),
            eyeshadow=Eyeshadow(
                colors=["#c8a0f0", "#4ac0e0", "#e060c0"],
                layout="halo",
                finish="glitter",
                shimmer=0.9,
                intensity=0.8,
                height=0.6,
            ),
            mascara=Mascara(intensity=0.7),
            lipstick=Lipstick(color="#c0588a", finish="metallic", opacity=0.7),
        ),
    ),
    (
        "neon-festival",
        "festival",
        MakeupStyle(
            name="Neon Festival Liner",
            foundation=Foundation(shade="#dab49a", coverage=0.3),
            eyeshadow=Eyeshadow(
                colors=["#f4e040", "#30d0f0"], layout="gradient", finish="satin", intensity=0.7
            ),
            eyeliner=Eyeliner(color="#ff2aa0", thickness=0.45, wing_length=0.7, wing_angle=25.0),
            mascara=Mascara(intensity=0.8),
            lipstick=Lipstick(color="#ff4a7a", finish="gloss", opacity=0.75),
        ),
    ),
    # avant-garde
    (
        "avant-garde-blue",
        "avant-garde",
        MakeupStyle(
            name="Avant-Garde Electric Blue",
            foundation=Foundation(shade="#dcb8a0", coverage=0.45, finish="matte"),
            eyeshadow=Eyeshadow(
                colors=["#1e70f0", "#1e4cb0", "#181c38"],
                layout="wash",
                finish="metallic",
                shimmer=0.5,
                intensity=0.95,
                height=0.95,
            ),
            mascara=Mascara(intensity=0.5),
            lipstick=Lipstick(color="#1c2a50", finish="matte", opacity=0.9),
            brows=Brows(color="#c8b8a0", density=0.15),
        ),
    ),
    (
        "avant-garde-gold",
        "avant-garde",
        MakeupStyle(
            name="Avant-Garde Liquid Gold",
            foundation=Foundation(shade="#d8b094", coverage=0.4, finish="dewy"),
            highlight=Highlight(color="#e8c050", intensity=0.9, shimmer=1.0),
            eyeshadow=Eyeshadow(
                colors=["#e8c050", "#c89a30", "#7a5a20"],
                layout="wash",
                finish="metallic",
                shimmer=0.8,
                intensity=1.0,
                height=1.0,
            ),
            eyeliner=Eyeliner(color="#0a0a0a", thickness=0.7, wing_length=1.0, wing_angle=30.0),
            mascara=Mascara(intensity=0.9),
            lipstick=Lipstick(
                color="#b08a40",
                finish="metallic",
                opacity=0.85,
                liner="#6a4a20",
                liner_intensity=0.6,
            ),
            brows=Brows(color="#3a2e24", density=0.6),
        ),
    ),
)

PRESETS: dict[str, MakeupStyle] = {slug: style for slug, _, style in _ENTRIES}
"""Preset looks keyed by slug, grouped by category in definition order."""

PRESET_CATEGORIES: dict[str, str] = {slug: category for slug, category, _ in _ENTRIES}
"""Category of each preset slug ("everyday", "smoky", "vintage", ...)."""


def list_presets() -> list[str]:
    """Preset slugs, grouped by category so a menu reads from everyday to avant-garde."""
    return list(PRESETS)


def _slug(name: str) -> str:
    return "-".join(name.strip().lower().replace("_", " ").split())


def get_preset(name: str) -> MakeupStyle:
    """Preset by slug; spacing, case and underscores are forgiven ("Smoky Night" works)."""
    slug = _slug(name)
    if slug in PRESETS:
        return PRESETS[slug]
    close = difflib.get_close_matches(slug, list(PRESETS), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise RecipeError(f"unknown preset {name!r}{hint} ({len(PRESETS)} presets: see list_presets())")
