"""The web page in a real headless Chromium against a real ``fram serve``: upload a
photo, pick a preset, read the shown result's pixels back; bad files are explained."""

from __future__ import annotations

import base64
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from fram.face.image_io import encode_image, read_image

pytestmark = pytest.mark.data

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
DESKTOP, PHONE = (1280, 1000), (390, 844)
WAIT_S = 180

# The shown image's bytes, read from its blob URL inside the page.
READ_IMAGE_JS = """
const done = arguments[arguments.length - 1];
fetch(document.getElementById(arguments[0]).src).then(r => r.arrayBuffer()).then(buffer => {
  let text = ""; const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  done(btoa(text));
}).catch(e => done("error: " + e));
"""


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="the page tests need selenium")
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("Chromium and chromedriver are not installed (apt install chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def page(browser, server_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(*DESKTOP)
    browser.get(server_url + "/")
    WebDriverWait(browser, WAIT_S).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".preset")) > 10)
    return browser


def screenshot_folder(tmp_path: Path) -> Path:
    """``FRAM_SCREENSHOTS=docs`` keeps the pictures for the documentation."""
    folder = Path(os.environ.get("FRAM_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wait_for_result(driver, count: int) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, WAIT_S).until(
        lambda d: d.find_element(By.ID, "stage").get_attribute("data-done") == str(count)
        or "error" in d.find_element(By.ID, "message").get_attribute("class"))
    message = driver.find_element(By.ID, "message")
    assert "error" not in message.get_attribute("class"), message.text


def shown_pixels(driver, element_id: str) -> np.ndarray:
    data = driver.execute_async_script(READ_IMAGE_JS, element_id)
    assert not data.startswith("error"), data
    return read_image(base64.b64decode(data))


def test_a_preset_on_an_uploaded_photo(page, bare_path, makeup_check, tmp_path):
    from selenium.webdriver.common.by import By

    page.find_element(By.ID, "photo").send_keys(str(bare_path))
    page.find_element(By.CSS_SELECTOR, '.preset[data-name="red-carpet"]').click()
    page.find_element(By.ID, "apply").click()
    wait_for_result(page, 1)

    result = shown_pixels(page, "after")
    makeup_check(read_image(bare_path), result)
    assert np.array_equal(shown_pixels(page, "before"), read_image(bare_path))
    assert page.find_element(By.ID, "download").get_attribute("href") == page.find_element(By.ID, "after").get_attribute("src")

    folder = screenshot_folder(tmp_path)
    page.execute_script("window.scrollTo(0, 0)")
    page.save_screenshot(str(folder / "web_page.png"))
    page.set_window_size(*PHONE)
    page.execute_script("window.scrollTo(0, 0)")
    assert page.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone"
    page.save_screenshot(str(folder / "web_page_phone.png"))


def test_removal_and_regions_buttons(page, made_up_path):
    from selenium.webdriver.common.by import By

    source = read_image(made_up_path)
    page.find_element(By.ID, "photo").send_keys(str(made_up_path))
    page.find_element(By.ID, "remove").click()
    wait_for_result(page, 1)
    removed = shown_pixels(page, "after")
    assert removed.shape == source.shape and not np.array_equal(removed, source)
    page.find_element(By.ID, "show-regions").click()
    wait_for_result(page, 2)
    overlay = shown_pixels(page, "after")
    assert overlay.shape == source.shape and np.abs(overlay.astype(int) - source).mean() > 3


def test_a_text_file_is_explained_on_the_page(page, tmp_path):
    from selenium.webdriver.common.by import By

    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo\n")
    page.find_element(By.ID, "photo").send_keys(str(notes))
    message = page.find_element(By.ID, "message")
    assert message.is_displayed() and "error" in message.get_attribute("class")
    assert "notes.txt" in message.text and "not a photo" in message.text


def test_a_photo_without_a_face_shows_the_server_message(page, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    blank = tmp_path / "wall.png"
    blank.write_bytes(encode_image(np.full((240, 320, 3), 200, np.uint8), "png"))
    page.find_element(By.ID, "photo").send_keys(str(blank))
    page.find_element(By.CSS_SELECTOR, '.preset[data-name="goth"]').click()
    page.find_element(By.ID, "apply").click()
    message = page.find_element(By.ID, "message")
    WebDriverWait(page, WAIT_S).until(lambda d: "error" in message.get_attribute("class"))
    assert "face" in message.text.lower()


READ_BLOB_JS = """
const [id, done] = [arguments[0], arguments[arguments.length - 1]];
fetch(document.getElementById(id).src).then((r) => r.arrayBuffer()).then((buffer) => {
  let text = ""; const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i += 1) text += String.fromCharCode(bytes[i]);
  done(btoa(text));
}).catch((e) => done("error " + e));
"""


def test_a_video_comes_back_made_up_on_the_page(page, video_face, tmp_path):
    av = pytest.importorskip("av", reason="PyAV (the [video] extra) is not installed")
    import io

    from selenium.webdriver.common.by import By

    from fram.eval.clips import Motion, clip_frames, write_clip

    clip = tmp_path / "still.mp4"
    write_clip(clip, (f for f, _ in clip_frames(video_face, Motion(), (320, 240), 8)), fps=24, audio=False)
    page.find_element(By.ID, "photo").send_keys(str(clip))
    assert page.find_element(By.ID, "clip").is_displayed()
    page.find_element(By.CSS_SELECTOR, '.preset[data-name="red-carpet"]').click()
    page.find_element(By.ID, "apply").click()
    wait_for_result(page, 1)

    shown = page.find_element(By.ID, "clip")
    download = page.find_element(By.ID, "download")
    assert shown.is_displayed() and download.get_attribute("href") == shown.get_attribute("src")
    assert download.get_attribute("download") == "fram-result.mp4"
    data = page.execute_async_script(READ_BLOB_JS, "clip")
    assert not data.startswith("error"), data
    with av.open(io.BytesIO(base64.b64decode(data))) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(container.streams.video[0])]
    with av.open(str(clip)) as container:
        originals = [f.to_ndarray(format="rgb24") for f in container.decode(container.streams.video[0])]
    assert len(frames) == len(originals) == 8
    assert np.abs(frames[4].astype(int) - originals[4]).mean() > 0.5  # the look is on
