"""``azlog serve``: the analyze, triage and explain functions behind HTTP (FastAPI), for ticket systems.

Routes: ``GET /healthz`` (the process answers), ``GET /readyz`` (knowledge loaded, workers alive),
``POST /v1/analyze`` (multipart: ``bundle``, optional ``text``), ``POST /v1/triage`` (JSON ``{"text": ...}``, or
multipart with ``text``, ``bundles`` and/or one ``message`` .eml), ``GET /v1/codes/{code}``,
``GET /v1/causes/{id}``, ``GET /v1/signatures``, ``GET /metrics`` (Prometheus), OpenAPI at ``/docs``.

Uploads stream through ``limits.LimitBody`` (413 past the cap) into a private temporary folder removed after
the request, whatever happens. The work runs in ``pool.Pool`` (off the event loop; 429 with ``Retry-After``
when the queue is full, 504 past the time limit). Off loopback every route but ``/healthz`` needs the API key
(``X-API-Key`` or ``Authorization: Bearer``, compared in constant time). Each request is one JSON line on
stderr: request id, method, route, status, bytes, seconds, top cause.
"""
# no ``from __future__ import annotations``: FastAPI reads the routes' annotations at run time

import hmac
import json
import re
import shutil
import sys
import tempfile
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from azlog_vmbackup.analyzer.apps.email_ticket import safe_name
from azlog_vmbackup.analyzer.apps.service import schemas
from azlog_vmbackup.analyzer.apps.service.limits import LimitBody
from azlog_vmbackup.analyzer.apps.service.pool import Busy, JobFailed, Overrun, Pool

LOOPBACK = ("127.0.0.1", "::1", "localhost")
RETRY_AFTER = 5


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    max_upload_mb: int = 200
    workers: int = 2
    timeout: float = 120.0
    queue: int = 16
    api_key: str | None = None
    signatures: tuple[str, ...] = ()

    def problem(self) -> str | None:
        """Why the service must not start with these settings (one line), or None."""
        if self.host not in LOOPBACK and not self.api_key:
            return (f"binding to {self.host} exposes the service beyond this machine: set AZLOG_API_KEY "
                    "(clients send it as X-API-Key), or keep --host 127.0.0.1")
        if self.workers < 1 or self.max_upload_mb < 1 or self.timeout <= 0:
            return "--workers and --max-upload-mb must be at least 1, --timeout above 0"
        return None


def create_app(settings: Settings) -> FastAPI:
    registry = CollectorRegistry()
    requests_total = Counter("azlog_requests_total", "Requests answered", ["route", "status"], registry=registry)
    latency = Histogram("azlog_request_seconds", "Time to answer a request", ["route"], registry=registry,
                        buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120))
    analyses = Counter("azlog_analyses_total", "Analyses by top cause", ["cause"], registry=registry)
    rejects = Counter("azlog_rejects_total", "Requests refused, by reason", ["reason"], registry=registry)
    state: dict = {}

    @asynccontextmanager
    async def lifespan(app):
        state["temp"] = Path(tempfile.mkdtemp(prefix="azlog-serve-"))
        state["pool"] = await run_in_threadpool(Pool, settings.workers, settings.queue, settings.timeout,
                                                settings.signatures)
        yield
        state["pool"].close()
        shutil.rmtree(state["temp"], ignore_errors=True)

    app = FastAPI(title="azlog", version=_version(), lifespan=lifespan,
                  description="Why did this Azure VM backup fail? The azlog diagnosis of a guest log bundle or a "
                              "ticket, as the command line's JSON.")

    @app.middleware("http")
    async def gate_and_log(request: Request, call_next):
        started = time.perf_counter()
        request.state.id = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
        request.state.cause = None
        route = request.url.path
        if settings.api_key and route != "/healthz" and not _authorized(request, settings.api_key):
            rejects.labels("unauthorized").inc()
            response = JSONResponse({"error": "unauthorized", "detail": "send the API key as X-API-Key"}, 401)
        else:
            response = await call_next(request)
        status = request.scope.get("azlog.status") or response.status_code
        template = getattr(request.scope.get("route"), "path", route)
        seconds = time.perf_counter() - started
        requests_total.labels(template, str(status)).inc()
        latency.labels(template).observe(seconds)
        response.headers["X-Request-ID"] = request.state.id
        sys.stderr.write(json.dumps({"request_id": request.state.id, "method": request.method, "route": template,
                                     "status": status, "bytes": request.scope.get("azlog.bytes", 0),
                                     "seconds": round(seconds, 4), "cause": request.state.cause}) + "\n")
        sys.stderr.flush()
        return response

    app.add_middleware(LimitBody, max_bytes=settings.max_upload_mb << 20,
                       on_reject=lambda reason: rejects.labels(reason).inc())

    def refuse(status: int, reason: str, detail: str, **headers) -> JSONResponse:
        rejects.labels(reason).inc()
        return JSONResponse({"error": reason.replace("_", " "), "detail": detail}, status, headers=headers or None)

    async def work(request: Request, job: str, shown: tuple[tuple[str, str], ...] = (), **kwargs):
        """Run ``job`` in the pool; its document, or the refusal. ``shown``: (temporary path, name sent) pairs,
        so that a message names an upload as its sender did."""
        try:
            doc = await run_in_threadpool(state["pool"].run, job, **kwargs)
        except Busy:
            return refuse(429, "busy", "every analysis worker is busy and the queue is full; retry later",
                          **{"Retry-After": str(RETRY_AFTER)})
        except Overrun as e:
            return refuse(504, "timeout", str(e))
        except JobFailed as e:
            detail = str(e)
            for path, name in shown:
                detail = detail.replace(path, name).replace(Path(path).name, name)
            if e.kind in ("BundleError", "EmailError"):
                return refuse(415, "unsupported", detail)
            return refuse(500, "failed", f"{e.kind}: {detail}")
        if isinstance(doc, dict) and doc.get("diagnoses"):
            top = next((d for d in doc["diagnoses"] if d["confidence"] in ("high", "medium")), None)
            request.state.cause = top["cause"] if top else None
            analyses.labels(request.state.cause or "none").inc()
        return JSONResponse(doc)

    def keep(upload, folder: Path) -> tuple[str, str]:
        """An uploaded file into the request's private folder: (its path there, the name it was sent with)."""
        name = upload.filename or "upload"
        path = folder / f"{len(list(folder.iterdir())):03d}{_suffix(name)}"
        with open(path, "wb") as f:
            shutil.copyfileobj(upload.file, f, 1 << 20)
        return str(path), safe_name(name)

    @app.get("/healthz", response_model=schemas.Health)
    async def healthz():
        return {"status": "ok"}

    @app.get("/readyz", response_model=schemas.Health, responses={503: {"model": schemas.Error}})
    async def readyz():
        pool = state.get("pool")
        if pool is None or not pool.alive():
            return JSONResponse({"status": "starting", "detail": "the analysis workers are not ready"}, 503)
        return {"status": "ready"}

    @app.post("/v1/analyze", responses={200: {"model": schemas.Document}, **schemas.ERRORS})
    async def analyze(request: Request, bundle: UploadFile = File(..., description="The bundle: a zip, a tar "
                                                                  "(gz, xz, bz2) or one log file."),
                      text: str | None = Form(None, description="Ticket text, read as a log excerpt.")):
        folder = Path(tempfile.mkdtemp(dir=state["temp"]))
        try:
            path, name = keep(bundle, folder)
            if text:
                return await work(request, "triage", ((path, name),), text=text, bundles=((path, name),))
            return await work(request, "analyze", ((path, name),), path=path, name=name)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    @app.post("/v1/triage", responses={200: {"model": schemas.Document}, **schemas.ERRORS},
              openapi_extra={"requestBody": schemas.TRIAGE_BODY})
    async def triage(request: Request):
        kind = request.headers.get("content-type", "")
        folder = Path(tempfile.mkdtemp(dir=state["temp"]))
        try:
            if kind.startswith("application/json"):
                try:
                    body = await request.json()
                except ValueError:
                    return refuse(422, "malformed", "the body is not JSON")
                if not isinstance(body, dict) or not isinstance(body.get("text"), str):
                    return refuse(422, "malformed", 'send {"text": "..."}')
                return await work(request, "triage", text=body["text"])
            if not kind.startswith("multipart/form-data"):
                return refuse(415, "unsupported", "send JSON {\"text\": ...} or multipart form data")
            form = await request.form(max_files=100, max_fields=20)
            try:
                text = form.get("text")
                files = [f for key in ("bundles", "bundle", "message") for f in form.getlist(key)
                         if not isinstance(f, str)]
                messages = [f for f in files if (f.filename or "").lower().endswith(".eml")]
                if len(messages) > 1 or (text is not None and not isinstance(text, str)) or not (text or files):
                    return refuse(422, "malformed", "send text, bundles and at most one .eml message")
                kept = [keep(f, folder) for f in files]
                message = next((k for k, f in zip(kept, files, strict=True) if f in messages), None)
                bundles = tuple(k for k in kept if k != message)
                return await work(request, "triage", tuple(kept), text=text or "", bundles=bundles, message=message)
            finally:
                await form.close()
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    @app.get("/v1/codes/{code}", responses={200: {"model": schemas.Explained}, 404: {"model": schemas.Error}})
    async def code(request: Request, code: str):
        return await _explained(request, code)

    @app.get("/v1/causes/{cause}", responses={200: {"model": schemas.Explained}, 404: {"model": schemas.Error}})
    async def cause(request: Request, cause: str):
        return await _explained(request, cause)

    async def _explained(request: Request, name: str):
        response = await work(request, "explain", name=name)
        if response.body == b"null":
            return JSONResponse({"error": "not found", "detail": f"no code or cause {name!r}"}, 404)
        return response

    @app.get("/v1/signatures", responses={200: {"model": list[schemas.SignatureInfo]}})
    async def signatures(request: Request):
        return await work(request, "signatures")

    @app.get("/metrics", response_class=PlainTextResponse)
    async def metrics():
        return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return app


def _authorized(request, key: str) -> bool:
    given = request.headers.get("x-api-key") or ""
    bearer = request.headers.get("authorization", "")
    if not given and bearer.lower().startswith("bearer "):
        given = bearer[7:].strip()
    return hmac.compare_digest(given.encode(), key.encode())


def _suffix(name: str) -> str:
    """The upload's name's suffixes that tell its kind (``.tar.gz``), nothing else of it."""
    match = re.search(r"(\.(?:tar\.(?:gz|xz|bz2)|[A-Za-z0-9]{1,8}))$", name)
    return match[1].lower() if match else ""


def _version() -> str:
    from azlog_vmbackup import __version__

    return __version__
