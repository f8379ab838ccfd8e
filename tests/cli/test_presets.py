"""fram presets: the list of looks, as text or as recipes."""

import json

from fram.makeup.presets import PRESETS


def test_lists_every_preset(cli):
    result = cli("presets")
    assert result.code == 0 and result.err == ""
    lines = result.out.splitlines()
    assert [line.split()[0] for line in lines] == list(PRESETS)


def test_json_has_every_recipe(cli):
    result = cli("presets", "--json")
    assert result.code == 0
    doc = json.loads(result.out)
    assert list(doc) == list(PRESETS)
    assert all(isinstance(recipe, dict) and recipe for recipe in doc.values())
