"""The HTTP API and the web page: a thin shell over :mod:`fram.pipelines`.

Handlers only parse the form, check the options (before any work), hand one job to the
:class:`~fram.serve.work.WorkPool` and encode its result. Every error a client can
cause is a :class:`fram.errors.FramError` or a validation error, answered as JSON
``{"error": "…"}`` with a 4xx status (:func:`status_for`); a 500 means a bug.
Uploads stay in memory: the body is capped at ``max_upload`` before it is parsed and
the multipart parser never spools a part to disk. A video is the one exception: the
decoder reads a file, so the clip goes to a private temporary folder that is deleted
with the answer (:func:`video_job`).
"""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated

import numpy as np
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartParser

from fram import __version__
from fram.errors import FaceIndexError, FaceTooSmallError, FramError, MissingExtraError, ModelNotFoundError, NoFaceError
from fram.face.landmarks import default_landmarker, detect_face
from fram.face.overlay import region_overlay
from fram.face.regions import REGION_NAMES, region_masks
from fram.makeup.description import describe
from fram.makeup.look_file import decode_look
from fram.makeup.presets import PRESET_CATEGORIES, PRESETS
from fram.pipelines import MakeupOptions, apply_makeup, remove_makeup, shared_pipeline, transfer
from fram.pipelines.registry import engine_names
from fram.serve.body_limit import BodyLimit
from fram.serve.media import (
    encode_for, named_look, read_upload, recipe_dict, reference_upload, upload_bytes, UploadError,
)
from fram.serve.settings import ServeSettings
from fram.serve.thumbnails import preset_thumbnail
from fram.serve.work import ServerBusyError, WorkPool, WorkTimeoutError

log = logging.getLogger("fram.serve")

STATIC = resources.files("fram.serve") / "static"
GROUPS = ("skin", "eyes", "brows", "lips")
RETRY_AFTER_S = 2
MAX_TOP = 20
IMAGE_RESPONSES = {200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}},
                         "description": "the result at the source's size, no metadata (PNG, or JPEG/WebP by Accept)"}}

# Engines whose pipeline object keeps per-call state (FramTransferPipeline sets its
# scheduler's timesteps) and the search pipeline (fills a cache on first use): one
# call at a time each. The layer, apply, remove and classic pipelines keep none, and
# the landmarker serialises its own calls.
_SERIAL = {"fram": threading.Lock(), "describe": threading.Lock()}


def status_for(exc: FramError) -> int:
    """The HTTP status of an error a client (or the install) caused."""
    if isinstance(exc, ServerBusyError):
        return 503
    if isinstance(exc, WorkTimeoutError):
        return 504
    if isinstance(exc, (ModelNotFoundError, MissingExtraError)):
        return 503
    if isinstance(exc, (NoFaceError, FaceTooSmallError, FaceIndexError)):
        return 422
    return 400


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        field = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query"))
        parts.append(f"'{field}' is required" if error.get("type") == "missing" else f"'{field}': {error.get('msg')}")
    return "; ".join(parts) or "invalid request"


def _warm_up() -> None:
    """Load what every request needs once, before the first request (and before two
    requests could race to load it)."""
    from fram.pipelines.apply import ApplyPipeline
    from fram.pipelines.layer_transfer import LayerTransferPipeline, RemovePipeline
    from fram.pipelines.registry import load_engine

    default_landmarker()
    for cls in (ApplyPipeline, LayerTransferPipeline, RemovePipeline):
        shared_pipeline(cls)
    load_engine("classic")
    for name in PRESETS:  # the gallery asks for every thumbnail at once: none should wait for a worker
        preset_thumbnail(name)


async def _look_choice(style: str | None, text: str | None, recipe: str | None, look: UploadFile | None) -> Callable[[], object]:
    """Exactly one of a preset, words, a recipe or a saved look, checked now and
    resolved (:func:`fram.pipelines.apply_makeup`'s look argument) in the worker."""
    given = [name for name, value in (("style", style), ("text", text), ("recipe", recipe), ("look", look)) if value is not None]
    if len(given) != 1:
        raise UploadError(f"give exactly one of style, text, recipe or look (got {', '.join(given) or 'none'})")
    look_data = await look.read() if look is not None else None

    def chosen() -> object:
        if style is not None:
            return named_look(style, "style")
        if text is not None:
            return "text:" + text
        if recipe is not None:
            return recipe_dict(recipe)
        return decode_look(upload_bytes(look_data, "look"), name=look.filename or "look")

    return chosen


def video_job(data: bytes, look: object, options: MakeupOptions) -> tuple[bytes, tuple[str, ...]]:
    """A clip's bytes made up: written to a private temporary folder for the decoder
    and deleted with it, so no upload outlives its request."""
    import tempfile

    from fram.pipelines.video import apply_to_video

    if not data:
        raise UploadError("source: the upload is empty")
    with tempfile.TemporaryDirectory(prefix="fram-serve-") as folder:
        source, output = Path(folder) / "source", Path(folder) / "made-up.mp4"
        source.write_bytes(data)
        summary = apply_to_video(source, output, look, options=options)
        return output.read_bytes(), tuple(summary.notes)


def _search():
    from fram.pipelines import SearchPipeline
    from fram.pipelines.search import default_search_folder

    return shared_pipeline(SearchPipeline, default_search_folder())


# Form fields several endpoints share (FastAPI reads the annotations).
StyleField = Annotated[str | None, Form(description="a preset name (GET /v1/presets)")]
TextField = Annotated[str | None, Form(description='words, e.g. "glossy berry lips"')]
RecipeField = Annotated[str | None, Form(description="a recipe as JSON text")]
LookField = Annotated[UploadFile | None, File(description="a saved look (.fram)")]
RegionsField = Annotated[str | None, Form(description="only these: skin,eyes,brows,lips")]
IntensityField = Annotated[str, Form(description="0.7, or per region: lips=1,eyes=0.5")]
FaceField = Annotated[int, Form(description="which face, largest first")]


def create_app(settings: ServeSettings | None = None) -> FastAPI:
    """The service: the API under ``/v1``, the page at ``/``, the API reference at
    ``/docs`` (served offline) and ``/openapi.json``."""
    from swagger_ui_bundle import swagger_ui_path

    settings = settings or ServeSettings()
    # A part above this size would spool to a temporary file; the body cap keeps every
    # part below it, so uploads never touch the disk.
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, settings.max_upload + 1)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        pool = WorkPool(settings.workers, settings.queue_size, settings.request_timeout)
        app.state.pool = pool
        await pool.run(_warm_up)
        yield
        pool.close()

    app = FastAPI(title="fram", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Region-aware makeup on your own photos: put a look on, copy a reference's, take it off.")
    app.state.settings = settings
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.mount("/docs-assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
    _add_error_handlers(app)

    async def run(request: Request, job: Callable[[], object]):
        return await request.app.state.pool.run(job)

    def image_response(request: Request, image: np.ndarray, notes: tuple[str, ...] = ()) -> Response:
        body, media = encode_for(image, request.headers.get("accept"))
        headers = {"X-Fram-Notes": json.dumps(list(notes))} if notes else None
        return Response(body, media_type=media, headers=headers)

    @app.get("/", include_in_schema=False)
    async def page():
        return FileResponse(str(STATIC / "index.html"))

    @app.get("/docs", include_in_schema=False)
    async def docs():
        return get_swagger_ui_html(openapi_url="/openapi.json", title="fram API", swagger_favicon_url="/docs-assets/favicon-32x32.png",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js", swagger_css_url="/docs-assets/swagger-ui.css")

    @app.get("/health", summary="liveness and load")
    async def health(request: Request):
        pool = request.app.state.pool
        return {"status": "ok", "version": __version__, "workers": settings.workers,
                "capacity": pool.capacity, "in_progress": pool.in_progress}

    @app.get("/v1/presets", summary="the preset looks, with a thumbnail URL each")
    async def presets():
        return [{"name": slug, "category": PRESET_CATEGORIES[slug], "description": describe(style).overall,
                 "thumbnail": f"/v1/presets/{slug}/thumbnail.png"} for slug, style in PRESETS.items()]

    @app.get("/v1/presets/{name}/thumbnail.png", summary="a preset worn by a sample face (PNG, drawn once)",
             response_class=Response, responses={200: {"content": {"image/png": {}}}})
    async def thumbnail(name: str):
        body = preset_thumbnail(name)  # drawn at start-up; an unknown name raises the preset message
        return Response(body, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"})

    @app.post("/v1/apply", summary="put a look on a photo: a preset (style), words (text), a recipe (JSON) or a saved look (.fram)",
              response_class=Response, responses=IMAGE_RESPONSES)
    async def apply(request: Request, source: Annotated[UploadFile, File(description="the photo")],
                    style: StyleField = None, text: TextField = None, recipe: RecipeField = None, look: LookField = None,
                    regions: RegionsField = None, intensity: IntensityField = "1.0", face: FaceField = 0):
        options = MakeupOptions.create(regions=regions, intensity=intensity, face_index=face)
        chosen = await _look_choice(style, text, recipe, look)
        data, name = await source.read(), source.filename or "source"
        result = await run(request, lambda: apply_makeup(read_upload(data, "source", settings.max_pixels), chosen(), options,
                                                          source_name=name))
        return image_response(request, result.image, result.notes)

    @app.post("/v1/video", summary="put a look on every frame of a short video (mp4, mov, webm, avi): H.264 MP4 back",
              response_class=Response, responses={200: {"content": {"video/mp4": {}}, "description": "the made-up clip"}})
    async def video(request: Request, source: Annotated[UploadFile, File(description="the video")],
                    style: StyleField = None, text: TextField = None, recipe: RecipeField = None, look: LookField = None,
                    regions: RegionsField = None, intensity: IntensityField = "1.0"):
        options = MakeupOptions.create(regions=regions, intensity=intensity)
        chosen = await _look_choice(style, text, recipe, look)
        data = await source.read()
        body, notes = await run(request, lambda: video_job(data, chosen(), options))
        headers = {"X-Fram-Notes": json.dumps(list(notes))} if notes else None
        return Response(body, media_type="video/mp4", headers=headers)

    @app.post("/v1/transfer", summary="copy a reference's makeup onto a photo, per region", response_class=Response,
              responses=IMAGE_RESPONSES)
    async def transfer_(request: Request, source: Annotated[UploadFile, File(description="the photo to make up")],
                        reference: Annotated[UploadFile | str | None, File(description="a made-up photo or .fram look, or preset:NAME / text:WORDS")] = None,
                        lips: Annotated[UploadFile | str | None, File(description="reference for the lips only")] = None,
                        eyes: Annotated[UploadFile | str | None, File(description="reference for the eyes only")] = None,
                        brows: Annotated[UploadFile | str | None, File(description="reference for the brows only")] = None,
                        skin: Annotated[UploadFile | str | None, File(description="reference for the skin only")] = None,
                        regions: RegionsField = None,
                        intensity: Annotated[str, Form(description="0.7, or per region: lips=1,eyes=0.5 (above 1 exaggerates)")] = "1.0",
                        engine: Annotated[str | None, Form(description=f"one of {', '.join(engine_names(baselines=False))} (default layer)")] = None,
                        face: FaceField = 0):
        if engine is not None and engine.strip() not in engine_names(baselines=False):
            raise UploadError(f"unknown engine {engine!r}; engines are {', '.join(engine_names(baselines=False))}")
        options = MakeupOptions.create(regions=regions, intensity=intensity, face_index=face, engine=engine)
        given = {"reference": reference, "lips": lips, "eyes": eyes, "brows": brows, "skin": skin}
        raw = {field: value if isinstance(value, str) else (await value.read(), value.filename)
               for field, value in given.items() if value is not None}
        if not raw:
            raise UploadError("give a reference, or one of lips, eyes, brows, skin")
        data, name = await source.read(), source.filename or "source"

        def resolve(field: str):
            value = raw[field]
            return named_look(value, field) if isinstance(value, str) else reference_upload(*value, field, settings.max_pixels)

        def job():
            image = read_upload(data, "source", settings.max_pixels)
            per_region = {g: resolve(g) for g in GROUPS if g in raw}
            main = resolve("reference") if "reference" in raw else None
            lock = _SERIAL.get(options.engine or "")
            if lock is None:
                return transfer(image, main, references=per_region, options=options, source_name=name)
            with lock:
                return transfer(image, main, references=per_region, options=options, source_name=name)

        result = await run(request, job)
        return image_response(request, result.image, result.notes)

    @app.post("/v1/remove", summary="take a photo's makeup off, per region", response_class=Response, responses=IMAGE_RESPONSES)
    async def remove(request: Request, source: Annotated[UploadFile, File(description="the made-up photo")],
                     regions: RegionsField = None,
                     intensity: Annotated[str, Form(description="how much to take off, up to 1")] = "1.0",
                     face: FaceField = 0):
        options = MakeupOptions.create(regions=regions, intensity=intensity, face_index=face)
        data, name = await source.read(), source.filename or "source"
        result = await run(request, lambda: remove_makeup(read_upload(data, "source", settings.max_pixels), options, source_name=name))
        return image_response(request, result.image, result.notes)

    @app.post("/v1/regions", summary="the face's region masks: an overlay image, or float32 masks (format=npz)",
              response_class=Response, responses={200: {"content": {"image/png": {}, "application/x-npz": {}}}})
    async def regions_(request: Request, source: Annotated[UploadFile, File(description="the photo")],
                       format: Annotated[str, Form(description="png (an overlay; or JPEG/WebP by Accept) or npz")] = "png",
                       face: FaceField = 0):
        if format not in ("png", "npz"):
            raise UploadError(f"format must be png or npz, got {format!r}")
        data = await source.read()

        def job():
            image = read_upload(data, "source", settings.max_pixels)
            masks = region_masks(image, detect_face(image, face, source="source"))
            if format == "png":
                return region_overlay(image, masks)
            buffer = io.BytesIO()
            np.savez_compressed(buffer, **{name: masks.full(name) for name in REGION_NAMES})
            return buffer.getvalue()

        result = await run(request, job)
        if format == "npz":
            return Response(result, media_type="application/x-npz", headers={"Content-Disposition": 'attachment; filename="regions.npz"'})
        return image_response(request, result)

    @app.post("/v1/describe", summary="whether a photo's face wears visible makeup, and the named styles closest to it")
    async def describe_(request: Request, source: Annotated[UploadFile, File(description="a made-up photo")],
                        top: Annotated[int, Form(description=f"how many styles (1 to {MAX_TOP})")] = 3,
                        face: FaceField = 0):
        if not 1 <= top <= MAX_TOP:
            raise UploadError(f"top must be from 1 to {MAX_TOP}, got {top}")
        data = await source.read()

        def job():
            image = read_upload(data, "source", settings.max_pixels)
            with _SERIAL["describe"]:
                return _search().describe(image, top=top, face_index=face)

        return (await run(request, job)).to_dict()

    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(FramError)
    async def fram_error(request: Request, exc: FramError):
        status = status_for(exc)
        return _error(status, str(exc), {"Retry-After": str(RETRY_AFTER_S)} if status == 503 else None)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        return _error(422, _validation_message(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return _error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _error(500, "internal error (a bug in fram; the server log has the details)")
