"""fram describe: the named makeup styles closest to a photo's makeup, or 'no visible makeup'."""

import json

import pytest
from PIL import Image


@pytest.fixture(scope="module")
def made_up(tmp_path_factory, astronaut):
    from fram.pipelines import apply_makeup

    path = tmp_path_factory.mktemp("made_up") / "goth.png"
    Image.fromarray(apply_makeup(astronaut, "goth").image).save(path)
    return path


@pytest.mark.data
def test_names_styles_of_real_made_up_photos(cli, gallery):
    described = 0
    photos = sorted(p for p in gallery.glob("*.png") if p.name != "astronaut.png")
    for path in photos:
        result = cli("describe", path, "--json")
        assert result.code == 0, result.err
        doc = json.loads(result.out)
        assert len(doc["styles"]) == 3 and 0 <= doc["makeup_probability"] <= 1
        assert {"style", "title", "category", "description", "score"} <= set(doc["styles"][0])
        scores = [m["score"] for m in doc["styles"]]
        assert scores == sorted(scores, reverse=True)
        described += doc["visible_makeup"]
    assert described == len(photos)


@pytest.mark.data
def test_most_bare_photos_show_no_visible_makeup(cli, shared_data):
    bare = sorted((shared_data / "makeup-photos" / "non-makeup").glob("*"))
    said = [cli("describe", path).out.strip() for path in bare]
    told_bare = [line for line in said if line.startswith("no visible makeup (confidence 0.")]
    assert len(told_bare) >= len(bare) // 2, said


def test_text_lines_and_top(cli, made_up):
    result = cli("describe", made_up, "--top", "2")
    assert result.code == 0
    lines = result.out.splitlines()
    assert len(lines) == 2 and all("(" in line and ": " in line for line in lines)
    doc = json.loads(cli("describe", made_up, "--json", "--top", "5").out)
    assert doc["visible_makeup"] and len(doc["styles"]) == 5
    assert all(m["title"] and m["description"] for m in doc["styles"])


def test_bad_inputs(fails, photo, blank, not_image, tmp_path):
    assert "no such file" in fails("describe", tmp_path / "missing.png")
    assert "cannot read image" in fails("describe", not_image)
    assert "no face" in fails("describe", blank)
    assert "face index 1" in fails("describe", photo, "--face", "1")
    assert "top" in fails("describe", photo, "--top", "0")
