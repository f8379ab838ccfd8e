// The fram page: a thin client of the /v1 API. No framework, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { photo: null, isVideo: false, reference: null, preset: null, mode: "preset", sourceUrl: null, resultUrl: null };
const IMAGE_TYPES = /^image\/(jpeg|png|webp|gif|bmp|tiff)$/;
const VIDEO_TYPES = /^video\/(mp4|quicktime|webm|x-msvideo|x-matroska)$/;

function showMessage(text, isError = false) {
  const box = $("message");
  box.textContent = text;
  box.classList.toggle("error", isError);
  box.hidden = !text;
}

function setBusy(busy) {
  $("busy").hidden = !busy;
  for (const id of ["apply", "remove", "show-regions"]) $(id).disabled = busy;
}

// --- the before/after stage -------------------------------------------------
function showImages(beforeUrl, afterUrl, label) {
  $("stage").classList.remove("empty");
  $("clip").hidden = true;
  $("before").src = beforeUrl;
  $("after").src = afterUrl || beforeUrl;
  const compare = Boolean(afterUrl);
  $("before").hidden = false;
  $("after-wrap").hidden = !compare;
  for (const el of [$("handle"), $("compare"), ...document.querySelectorAll(".tag")]) el.hidden = !compare;
  $("result-label").textContent = label || "";
  const download = $("download");
  download.setAttribute("download", "fram-result.png");
  if (afterUrl) { download.href = afterUrl; download.setAttribute("aria-disabled", "false"); }
  else { download.removeAttribute("href"); download.setAttribute("aria-disabled", "true"); }
  setCompare($("compare").value);
}

function setCompare(value) {
  $("after-wrap").style.clipPath = `inset(0 0 0 ${value}%)`;
  $("handle").style.left = `${value}%`;
}
$("compare").addEventListener("input", (e) => setCompare(e.target.value));

// The after image must sit exactly over the before image, whatever the stage's size.
const fitAfter = new ResizeObserver(() => {
  const img = $("before");
  const wrap = $("after-wrap");
  wrap.style.left = `${img.offsetLeft}px`; wrap.style.top = `${img.offsetTop}px`;
  wrap.style.width = `${img.offsetWidth}px`; wrap.style.height = `${img.offsetHeight}px`;
  wrap.style.right = "auto"; wrap.style.bottom = "auto";
  $("after").style.width = `${img.offsetWidth}px`;
  $("handle").style.top = `${img.offsetTop}px`; $("handle").style.height = `${img.offsetHeight}px`;
  $("handle").style.bottom = "auto";
});
fitAfter.observe($("before"));
fitAfter.observe($("stage"));

// --- files --------------------------------------------------------------------
function canDecode(file) {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => resolve(url);
    img.onerror = () => { URL.revokeObjectURL(url); resolve(null); };
    img.src = url;
  });
}

// A clip is shown as it is, then replaced by the made-up clip (no before/after slider).
function showClip(url, label, result) {
  $("stage").classList.remove("empty");
  for (const el of [$("before"), $("after-wrap"), $("handle"), $("compare"), ...document.querySelectorAll(".tag")]) el.hidden = true;
  $("clip").src = url;
  $("clip").hidden = false;
  $("result-label").textContent = label;
  const download = $("download");
  download.setAttribute("download", result ? "fram-result.mp4" : "fram-result.png");
  if (result) { download.href = url; download.setAttribute("aria-disabled", "false"); }
  else { download.removeAttribute("href"); download.setAttribute("aria-disabled", "true"); }
}

async function takePhoto(file) {
  if (!file) return;
  const isVideo = VIDEO_TYPES.test(file.type);
  const url = isVideo ? URL.createObjectURL(file) : IMAGE_TYPES.test(file.type) ? await canDecode(file) : null;
  if (!url) {
    showMessage(`“${file.name}” is not a photo or video this page can read. Choose a JPEG, PNG or WebP image, or an MP4, MOV or WebM clip.`, true);
    return;
  }
  if (state.sourceUrl) URL.revokeObjectURL(state.sourceUrl);
  state.photo = file; state.isVideo = isVideo; state.sourceUrl = url; state.resultUrl = null;
  $("drop").classList.add("has-file");
  $("drop").querySelector("strong").textContent = file.name;
  showMessage(isVideo ? "A video: apply a preset or words to every frame." : "");
  if (isVideo) showClip(url, "your video", false);
  else showImages(url, null, "your photo");
}

function takeReference(file) {
  if (!file) return;
  const isLook = file.name.toLowerCase().endsWith(".fram");
  if (!isLook && !IMAGE_TYPES.test(file.type)) {
    showMessage(`“${file.name}” is not a photo or a .fram look.`, true);
    return;
  }
  state.reference = file;
  $("drop-ref").classList.add("has-file");
  $("drop-ref").querySelector("strong").textContent = file.name;
  showMessage("");
}

function wireDrop(zone, input, take) {
  input.addEventListener("change", () => take(input.files[0]));
  for (const type of ["dragenter", "dragover"]) zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add("over"); });
  for (const type of ["dragleave", "drop"]) zone.addEventListener(type, () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => { e.preventDefault(); take(e.dataTransfer.files[0]); });
}
wireDrop($("drop"), $("photo"), takePhoto);
wireDrop($("stage"), $("photo"), takePhoto);
wireDrop($("drop-ref"), $("reference"), takeReference);
$("stage").addEventListener("click", (e) => { if ($("stage").classList.contains("empty")) $("photo").click(); });

// --- look choice --------------------------------------------------------------
for (const tab of document.querySelectorAll(".tab")) {
  tab.addEventListener("click", () => {
    state.mode = tab.dataset.mode;
    for (const t of document.querySelectorAll(".tab")) {
      t.classList.toggle("active", t === tab); t.setAttribute("aria-selected", String(t === tab));
    }
    for (const panel of document.querySelectorAll(".mode")) panel.hidden = panel.dataset.mode !== state.mode;
  });
}

async function loadPresets() {
  const gallery = $("gallery");
  try {
    const response = await fetch("/v1/presets");
    const presets = await response.json();
    gallery.textContent = "";
    for (const preset of presets) {
      const button = document.createElement("button");
      button.type = "button"; button.className = "preset"; button.dataset.name = preset.name;
      button.title = preset.description;
      const img = document.createElement("img");
      img.loading = "lazy"; img.alt = ""; img.src = preset.thumbnail;
      const name = document.createElement("span");
      name.textContent = preset.name.replace(/-/g, " ");
      button.append(img, name);
      button.addEventListener("click", () => {
        state.preset = preset.name;
        for (const b of gallery.querySelectorAll(".preset")) b.classList.toggle("selected", b === button);
      });
      gallery.append(button);
    }
  } catch (error) {
    gallery.textContent = "The presets could not be loaded.";
  }
}
loadPresets();

// --- regions and intensity ----------------------------------------------------
for (const row of document.querySelectorAll(".region")) {
  const box = row.querySelector("input[type=checkbox]");
  const slider = row.querySelector("input[type=range]");
  const out = row.querySelector("output");
  slider.addEventListener("input", () => { out.textContent = `${Math.round(slider.value * 100)}%`; });
  box.addEventListener("change", () => row.classList.toggle("off", !box.checked));
}

function regionChoice(maxIntensity) {
  const rows = [...document.querySelectorAll(".region")].filter((r) => r.querySelector("input[type=checkbox]").checked);
  const regions = rows.map((r) => r.querySelector("input[type=checkbox]").value);
  const intensity = rows.map((r) => `${r.querySelector("input[type=checkbox]").value}=${Math.min(maxIntensity, Number(r.querySelector("input[type=range]").value))}`);
  return { regions: regions.join(","), intensity: intensity.join(",") };
}

// --- calling the API ------------------------------------------------------------
async function call(path, form, label) {
  if (!state.photo) { showMessage("Choose a photo first.", true); return; }
  form.append("source", state.photo, state.photo.name);
  setBusy(true);
  showMessage("Working…");
  try {
    const response = await fetch(path, { method: "POST", body: form, headers: { Accept: "image/png" } });
    if (!response.ok) {
      let text = `The server answered ${response.status}.`;
      try { text = (await response.json()).error || text; } catch (e) { /* not JSON */ }
      if (response.status === 503) text += " Try again in a moment.";
      showMessage(text, true);
      return;
    }
    const blob = await response.blob();
    if (state.resultUrl) URL.revokeObjectURL(state.resultUrl);
    state.resultUrl = URL.createObjectURL(blob);
    const notes = JSON.parse(response.headers.get("X-Fram-Notes") || "[]");
    showMessage(notes.join(" "));
    if (state.isVideo) showClip(state.resultUrl, label, true);
    else showImages(state.sourceUrl, state.resultUrl, label);
    $("stage").dataset.done = String(Number($("stage").dataset.done || 0) + 1);
  } catch (error) {
    showMessage(`Could not reach the server (${error.message}).`, true);
  } finally {
    setBusy(false);
  }
}

$("apply").addEventListener("click", () => {
  const { regions, intensity } = regionChoice(1.5);
  if (!regions) { showMessage("Tick at least one region.", true); return; }
  const form = new FormData();
  form.append("regions", regions); form.append("intensity", intensity);
  const path = state.isVideo ? "/v1/video" : "/v1/apply";
  if (state.mode === "preset") {
    if (!state.preset) { showMessage("Pick a preset from the gallery.", true); return; }
    form.append("style", state.preset);
    call(path, form, `preset: ${state.preset.replace(/-/g, " ")}`);
  } else if (state.mode === "reference") {
    if (state.isVideo) { showMessage("A video takes a preset or words; a reference photo works on photos.", true); return; }
    if (!state.reference) { showMessage("Choose a reference photo.", true); return; }
    form.append("reference", state.reference, state.reference.name);
    call("/v1/transfer", form, `makeup of ${state.reference.name}`);
  } else {
    const words = $("words").value.trim();
    if (!words) { showMessage("Describe a look in a few words.", true); return; }
    form.append("text", words);
    call(path, form, `“${words}”`);
  }
});

$("remove").addEventListener("click", () => {
  if (state.isVideo) { showMessage("Removing makeup works on photos.", true); return; }
  const { regions, intensity } = regionChoice(1);
  if (!regions) { showMessage("Tick at least one region.", true); return; }
  const form = new FormData();
  form.append("regions", regions); form.append("intensity", intensity);
  call("/v1/remove", form, "makeup removed");
});

$("show-regions").addEventListener("click", () => {
  if (state.isVideo) { showMessage("Regions are shown on photos.", true); return; }
  call("/v1/regions", new FormData(), "regions");
});
