"""The dataset card beside the data."""

from __future__ import annotations

import json

import numpy as np

from fram.face.image_io import read_image


def test_card_numbers_and_figures(built):
    card = json.loads((built / "card.json").read_text())
    index = json.loads((built / "index.json").read_text())
    assert card["pairs"] == index["counts"]["pairs"]
    assert card["rejected"] == index["counts"]["rejected"]
    assert card["splits_identity_disjoint"] is True
    assert sum(card["style_histogram"].values()) == card["pairs"]
    assert sum(card["category_histogram"].values()) == card["pairs"]
    assert sum(card["ita_histogram"]["counts"]) == card["faces"]
    assert sum(card["ita_categories"].values()) == card["faces"]
    text = (built / "card.md").read_text()
    assert "non-commercial research use only" in text and "card_contact_sheet.png" in text
    for name in ("card_styles.png", "card_categories.png", "card_ita.png", "card_contact_sheet.png"):
        image = read_image(built / name)
        assert image.shape[0] > 50 and np.ptp(image) > 0
