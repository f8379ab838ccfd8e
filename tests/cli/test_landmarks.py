"""fram landmarks: 478 landmarks and head pose of every face, as JSON."""

import json


def test_prints_every_face(photo, cli):
    result = cli("landmarks", photo)
    assert result.code == 0
    doc = json.loads(result.out)
    assert len(doc["faces"]) == 1 and len(doc["faces"][0]["landmarks"]) == 478


def test_writes_json_file(cli, photo, out_dir, astronaut):
    out = out_dir / "landmarks.json"
    result = cli("landmarks", photo, "-o", out)
    assert result.code == 0 and result.out == ""
    doc = json.loads(out.read_text())
    assert doc["image"] == {"width": astronaut.shape[1], "height": astronaut.shape[0]}
    assert len(doc["faces"]) == 1


def test_photo_without_face_gives_no_faces(cli, blank):
    result = cli("landmarks", blank)
    assert result.code == 0
    assert json.loads(result.out)["faces"] == []


def test_bad_inputs(fails, photo, not_image, out_dir):
    assert "no such file" in fails("landmarks", out_dir / "missing.png", "-o", out_dir / "l.json")
    assert "cannot read image" in fails("landmarks", not_image, "-o", out_dir / "l.json")
    assert "does not exist" in fails("landmarks", photo, "-o", out_dir / "no" / "l.json")
    assert list(out_dir.iterdir()) == []
