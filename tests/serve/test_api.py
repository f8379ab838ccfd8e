"""The HTTP API on real photos: results checked pixel by pixel, every bad input a 4xx JSON."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from fram.face.image_io import encode_image, read_image

pytestmark = pytest.mark.data


def decode(response) -> np.ndarray:
    return read_image(response.content)


def upload(path, name: str = "source"):
    return {name: (path.name, path.read_bytes())}


def test_health_and_presets(client):
    assert client.get("/health").json()["status"] == "ok"
    presets = client.get("/v1/presets").json()
    assert len(presets) > 10 and {"name", "category", "description", "thumbnail"} <= set(presets[0])
    thumbnail = client.get(presets[0]["thumbnail"])
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/png"
    pixels = read_image(thumbnail.content)
    assert pixels.shape == (160, 160, 3) and pixels.std() > 20


def test_apply_preset_changes_the_lips_only_near_the_face(client, bare_path, makeup_check):
    response = client.post("/v1/apply", files=upload(bare_path), data={"style": "red-carpet"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"
    assert not Image.open(io.BytesIO(response.content)).info.get("exif")
    makeup_check(read_image(bare_path), decode(response))


@pytest.mark.parametrize("accept, media, pil_format", [("image/jpeg", "image/jpeg", "JPEG"), ("image/webp,*/*;q=0.8", "image/webp", "WEBP"),
                                                      ("*/*", "image/png", "PNG")])
def test_the_accept_header_picks_the_format(client, bare_path, accept, media, pil_format):
    response = client.post("/v1/apply", files=upload(bare_path), data={"style": "natural", "regions": "lips"},
                           headers={"accept": accept})
    assert response.headers["content-type"] == media
    image = Image.open(io.BytesIO(response.content))
    assert image.format == pil_format and image.size == Image.open(bare_path).size


def test_apply_words_recipe_and_regions(client, bare_path, makeup_check):
    source = read_image(bare_path)
    words = client.post("/v1/apply", files=upload(bare_path), data={"text": "bold red lips", "regions": "lips"})
    assert words.status_code == 200, words.text
    makeup_check(source, decode(words))
    recipe = client.post("/v1/apply", files=upload(bare_path), data={"recipe": json.dumps(_preset("goth")), "intensity": "lips=1,eyes=0.5"})
    assert recipe.status_code == 200, recipe.text
    makeup_check(source, decode(recipe))


def test_apply_a_saved_look(client, bare_path, made_up_path, makeup_check):
    from fram.makeup.look_file import encode_look
    from fram.pipelines import extract_look

    look = encode_look(extract_look(str(made_up_path)))
    response = client.post("/v1/apply", files={**upload(bare_path), "look": ("mine.fram", look)}, data={"regions": "lips"})
    assert response.status_code == 200, response.text
    makeup_check(read_image(bare_path), decode(response), lips_change=3.0)


def test_transfer_from_a_photo_and_per_region(client, bare_path, made_up_path, makeup_check):
    source = read_image(bare_path)
    photo = client.post("/v1/transfer", files={**upload(bare_path), **upload(made_up_path, "reference")})
    assert photo.status_code == 200, photo.text
    makeup_check(source, decode(photo), lips_change=3.0)
    per_region = client.post("/v1/transfer", files=upload(bare_path), data={"lips": "preset:red-carpet", "engine": "classic"})
    assert per_region.status_code == 200, per_region.text
    makeup_check(source, decode(per_region))


def test_remove_regions_and_describe(client, bare_path, made_up_path):
    made_up = read_image(made_up_path)
    removed = client.post("/v1/remove", files=upload(made_up_path), data={"regions": "lips"})
    assert removed.status_code == 200, removed.text
    assert decode(removed).shape == made_up.shape and not np.array_equal(decode(removed), made_up)

    overlay = client.post("/v1/regions", files=upload(bare_path))
    assert overlay.status_code == 200 and decode(overlay).shape == read_image(bare_path).shape
    masks = client.post("/v1/regions", files=upload(bare_path), data={"format": "npz"})
    with np.load(io.BytesIO(masks.content)) as arrays:
        assert {"lips", "eyes", "brows", "skin"} <= set(arrays.files)
        assert arrays["lips"].shape == read_image(bare_path).shape[:2] and arrays["lips"].max() > 0.5

    found = client.post("/v1/describe", files=upload(made_up_path), data={"top": "2"}).json()
    assert found["visible_makeup"] and 0.5 <= found["makeup_probability"] <= 1
    styles = found["styles"]
    assert len(styles) == 2 and {"style", "title", "score"} <= set(styles[0])


def _preset(name: str) -> dict:
    from fram.makeup.presets import get_preset

    return get_preset(name).to_dict()


NO_FACE = encode_image(np.full((300, 300, 3), 180, np.uint8), "png")


@pytest.mark.parametrize("files, data, status, words", [
    ({"source": ("notes.txt", b"just some text\n")}, {"style": "goth"}, 400, "not an image"),
    ("truncated", {"style": "goth"}, 400, "truncated"),
    ({"source": ("blank.png", NO_FACE)}, {"style": "goth"}, 422, "face"),
    ({"source": ("empty.png", b"")}, {"style": "goth"}, 400, "empty"),
    ("bare", {"style": "gothh"}, 400, "did you mean goth"),
    ("bare", {"style": "goth", "intensity": "7"}, 400, "intensity"),
    ("bare", {"style": "goth", "intensity": "lips=x"}, 400, "intensity"),
    ("bare", {"style": "goth", "regions": "nose"}, 400, "region"),
    ("bare", {"style": "goth", "text": "red lips"}, 400, "exactly one"),
    ("bare", {}, 400, "exactly one"),
    ("bare", {"recipe": "{not json"}, 400, "JSON"),
    ("bare", {"style": "../../etc/passwd"}, 400, "upload the file"),
    ({}, {"style": "goth"}, 422, "'source' is required"),
    ("bare", {"style": "goth", "face": "first"}, 422, "face"),
    ("bare", {"style": "goth", "face": "3"}, 422, "face"),
])
def test_bad_apply_input_is_a_4xx_json(client, bare_path, files, data, status, words):
    if files == "bare":
        files = upload(bare_path)
    elif files == "truncated":
        files = {"source": ("cut.jpg", bare_path.read_bytes()[:5000])}
    response = client.post("/v1/apply", files=files, data=data)
    assert response.status_code == status, response.text
    assert words.lower() in response.json()["error"].lower()


@pytest.mark.parametrize("path, files, data, words", [
    ("/v1/transfer", {}, {}, "give a reference"),
    ("/v1/transfer", {}, {"reference": "/etc/passwd"}, "upload the file"),
    ("/v1/transfer", {}, {"lips": "preset:nope-nope"}, "unknown preset"),
    ("/v1/transfer", {}, {"lips": "preset:goth", "engine": "magic"}, "unknown engine"),
    ("/v1/transfer", {"reference": ("ref.txt", b"hello")}, {}, "reference"),
    ("/v1/transfer", {"reference": ("look.fram", b"not a zip")}, {}, "look"),
    ("/v1/regions", {}, {"format": "tiff"}, "format"),
    ("/v1/describe", {}, {"top": "0"}, "top"),
    ("/v1/remove", {}, {"intensity": "-1"}, "intensity"),
])
def test_bad_input_on_every_endpoint_is_a_400_json(client, bare_path, path, files, data, words):
    response = client.post(path, files={**upload(bare_path), **files}, data=data)
    assert response.status_code == 400, response.text
    assert words.lower() in response.json()["error"].lower()


def test_unknown_preset_thumbnail_and_route(client):
    assert client.get("/v1/presets/nope-nope/thumbnail.png").status_code == 400
    missing = client.get("/v1/nothing")
    assert missing.status_code == 404 and "error" in missing.json()


def test_fram_errors_map_to_client_statuses():
    from fram import errors
    from fram.serve.app import status_for
    from fram.serve.work import ServerBusyError, WorkTimeoutError

    assert status_for(errors.ImageReadError("x")) == 400
    assert status_for(errors.RecipeError("x")) == 400
    assert status_for(errors.NoFaceError("x")) == 422
    assert status_for(errors.FaceIndexError("x")) == 422
    assert status_for(ServerBusyError("x")) == 503
    assert status_for(WorkTimeoutError("x")) == 504


def test_docs_work_offline(client):
    page = client.get("/docs").text
    assert "cdn" not in page.lower() and "/docs-assets/swagger-ui-bundle.js" in page
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/apply", "/v1/transfer", "/v1/remove", "/v1/regions", "/v1/describe", "/v1/presets"} <= set(paths)
