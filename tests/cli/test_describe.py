"""fram describe: the named makeup styles closest to a photo's makeup."""

import json

import pytest


@pytest.mark.data
def test_names_styles_of_real_made_up_photos(cli, gallery):
    for path in sorted(gallery.glob("*.png")):
        result = cli("describe", path, "--json")
        assert result.code == 0, result.err
        matches = json.loads(result.out)
        assert len(matches) == 3
        assert {"style", "title", "category", "description", "score"} <= set(matches[0])
        scores = [m["score"] for m in matches]
        assert scores == sorted(scores, reverse=True)


def test_text_lines_and_top(cli, photo):
    result = cli("describe", photo, "--top", "2")
    assert result.code == 0
    lines = result.out.splitlines()
    assert len(lines) == 2 and all("(" in line and ": " in line for line in lines)
    doc = json.loads(cli("describe", photo, "--json", "--top", "5").out)
    assert len(doc) == 5 and all(m["title"] and m["description"] for m in doc)


def test_bad_inputs(fails, photo, blank, not_image, tmp_path):
    assert "no such file" in fails("describe", tmp_path / "missing.png")
    assert "cannot read image" in fails("describe", not_image)
    assert "no face" in fails("describe", blank)
    assert "face index 1" in fails("describe", photo, "--face", "1")
    assert "top" in fails("describe", photo, "--top", "0")
