"""azlog serve, tested against a real server process on a loopback port: health, analyze and triage (text,
e-mail), an upload past the cap, 20 uploads at once, an analysis past the time limit, no temporary file left,
and the API key off loopback."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx", reason="the service's tests need httpx (the test extra)")
pytest.importorskip("fastapi", reason="azlog serve needs FastAPI (the serve extra; the test extra has it)")

from azlog_vmbackup.analyzer.apps.analyze import analyze  # noqa: E402
from azlog_vmbackup.analyzer.knowledge.store import Knowledge  # noqa: E402
from tests.helpers import ROOT  # noqa: E402

SAMPLES = ROOT / "samples" / "bundles"
KNOWLEDGE = Knowledge.load()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(tmp: Path, *args: str, host: str = "127.0.0.1", env: dict | None = None):
    """``azlog serve`` in its own process (its temporary files under ``tmp``); yields its base URL and process."""
    port = _free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen([sys.executable, "-m", "azlog_vmbackup", "serve", "--host", host, "--port",
                                str(port), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "TMPDIR": str(tmp), **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.communicate()
            try:
                if httpx.get(f"{url}/readyz", timeout=2, headers={"X-API-Key": (env or {}).get(
                        "AZLOG_API_KEY", "")}).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the service did not get ready"
            time.sleep(0.2)
        yield url, process
    finally:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=30)


def _expected(name: str) -> str:
    return next(d.cause for d in analyze(SAMPLES / name, KNOWLEDGE).diagnoses if d.confident)


def _upload(url: str, name: str, client=httpx) -> httpx.Response:
    with open(SAMPLES / name, "rb") as f:
        return client.post(f"{url}/v1/analyze", files={"bundle": (name, f, "application/zip")}, timeout=120)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    with server(tmp / "tmp", "--workers", "2", "--max-upload-mb", "20", "--timeout", "60", "--queue", "24") as (url, _):
        yield url, tmp / "tmp"


def test_health_and_ready(service):
    url, _ = service
    assert httpx.get(f"{url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{url}/readyz").json() == {"status": "ready"}
    assert httpx.get(f"{url}/docs").status_code == 200
    schema = httpx.get(f"{url}/openapi.json").json()
    assert "Document" in schema["components"]["schemas"] and "/v1/triage" in schema["paths"]


def test_analyze_upload_gives_the_command_lines_answer(service):
    url, _ = service
    response = _upload(url, "linux-fsfreeze-failed.zip")
    assert response.status_code == 200 and response.headers["x-request-id"]
    doc = response.json()
    assert doc["source"] == "linux-fsfreeze-failed.zip" and doc["diagnoses"][0]["cause"] == _expected(
        "linux-fsfreeze-failed.zip")


def test_triage_text_naming_a_code_and_an_eml_with_a_zip(service):
    url, _ = service
    doc = httpx.post(f"{url}/v1/triage", json={"text": "Backup failed: UserErrorFsFreezeFailed"}).json()
    assert doc["diagnoses"][0]["cause"] == "fsfreeze-failed" and doc["triage"]["route"] == "self-help"
    message = EmailMessage()
    message["From"], message["Subject"] = "customer@example.com", "backup fails"
    message.set_content("Our nightly backup fails, logs attached.")
    message.add_attachment((SAMPLES / "windows-vss-failure.zip").read_bytes(), maintype="application",
                           subtype="zip", filename="logs.zip")
    response = httpx.post(f"{url}/v1/triage", files={"message": ("ticket.eml", bytes(message), "message/rfc822")})
    assert response.status_code == 200, response.text
    assert response.json()["source"] == "ticket.eml/logs.zip"
    assert response.json()["diagnoses"][0]["cause"] == _expected("windows-vss-failure.zip")


def test_refusals_are_clear(service):
    url, _ = service
    png = httpx.post(f"{url}/v1/analyze", files={"bundle": ("shot.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
                                                            "image/png")})
    assert png.status_code == 415 and "shot.png" in png.json()["detail"]
    assert httpx.post(f"{url}/v1/analyze").status_code == 422
    assert httpx.post(f"{url}/v1/triage", json={"words": 1}).status_code == 422
    assert httpx.post(f"{url}/v1/triage", content=b"x", headers={"content-type": "text/plain"}).status_code == 415
    assert httpx.get(f"{url}/v1/causes/no-such-cause").status_code == 404


def test_upload_past_the_cap_is_413_and_the_service_stays_healthy(service, tmp_path):
    url, _ = service
    big = tmp_path / "big.zip"
    big.write_bytes(os.urandom(40 << 20))
    with open(big, "rb") as f:
        response = httpx.post(f"{url}/v1/analyze", files={"bundle": ("big.zip", f, "application/zip")}, timeout=60)
    assert response.status_code == 413 and response.json()["error"] == "upload too large"
    streamed = httpx.post(f"{url}/v1/analyze", content=_chunks(40 << 20), timeout=60,
                          headers={"content-type": "multipart/form-data; boundary=x"})  # no Content-Length
    assert streamed.status_code == 413
    assert httpx.get(f"{url}/healthz").status_code == 200
    assert _upload(url, "windows-healthy.zip").status_code == 200


def _chunks(total: int):
    """A multipart body with one file part of ``total`` bytes that never ends, sent without a Content-Length."""
    yield (b'--x\r\nContent-Disposition: form-data; name="bundle"; filename="big.zip"\r\n'
           b"Content-Type: application/zip\r\n\r\n")
    sent = 0
    while sent < total:
        yield b"\0" * (1 << 20)
        sent += 1 << 20


def test_twenty_uploads_at_once(service):
    url, _ = service
    names = [p.name for p in sorted(SAMPLES.glob("*.zip"))][:20]
    with httpx.Client() as client, ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(lambda n: _upload(url, n, client), names))
    for name, response in zip(names, responses, strict=True):
        assert response.status_code == 200, (name, response.text)
        top = next((d["cause"] for d in response.json()["diagnoses"] if d["confidence"] in ("high", "medium")), None)
        assert top == next((d.cause for d in analyze(SAMPLES / name, KNOWLEDGE).diagnoses if d.confident), None)
    metrics = httpx.get(f"{url}/metrics").text
    assert 'azlog_requests_total{route="/v1/analyze",status="200"}' in metrics


def test_no_temporary_file_is_left(service):
    url, tmp = service
    _upload(url, "linux-low-resources.zip")
    leftovers = [p for p in tmp.rglob("*") if p.is_file()]
    assert leftovers == []
    # the service's own folder (empty between requests) and the worker fork server's socket folder, no more
    assert sorted(p.name[:5] for p in tmp.iterdir()) == ["azlog", "pymp-"]
    assert not any(next(tmp.glob("azlog-serve-*")).iterdir())


def _slow_log(folder: Path) -> Path:
    """~35 MB of routine agent traffic, not plain ASCII (so every record is parsed): seconds of work for one
    worker."""
    log = folder / "waagent.log"
    line = ("2026-11-20T01:00:00.000000Z INFO ExtHandler ExtHandler [Microsoft.Azure.RecoveryServices."
            "VMSnapshotLinux-1.0.9225.0] Target handler state: enabled [incarnation 3] (Zürich)\n")
    log.write_text(line * 250_000, encoding="utf-8")
    return log


def test_analysis_past_the_time_limit_is_504_and_the_next_is_served(tmp_path):
    log = _slow_log(tmp_path)
    with server(tmp_path / "tmp", "--workers", "1", "--timeout", "0.3", "--max-upload-mb", "100") as (url, _):
        with open(log, "rb") as f:
            slow = httpx.post(f"{url}/v1/analyze", files={"bundle": ("waagent.log", f, "text/plain")}, timeout=120)
        assert slow.status_code == 504 and "0.3 s" in slow.json()["detail"]
        assert httpx.get(f"{url}/readyz").status_code == 200
        assert httpx.post(f"{url}/v1/triage", json={"text": "UserErrorFsFreezeFailed"}).status_code == 200


def test_api_key_off_loopback(tmp_path):
    refused = subprocess.run([sys.executable, "-m", "azlog_vmbackup", "serve", "--host", "0.0.0.0", "--port",
                              str(_free_port())], capture_output=True, text=True, timeout=60,
                             env={k: v for k, v in os.environ.items() if k != "AZLOG_API_KEY"})
    assert refused.returncode == 2 and "AZLOG_API_KEY" in refused.stderr
    with server(tmp_path, host="0.0.0.0", env={"AZLOG_API_KEY": "s3cret-key"}) as (url, _):
        assert httpx.get(f"{url}/healthz").status_code == 200
        assert httpx.get(f"{url}/readyz").status_code == 401
        assert httpx.get(f"{url}/v1/codes/UserErrorFsFreezeFailed", headers={"X-API-Key": "wrong"}).status_code == 401
        assert httpx.get(f"{url}/v1/codes/UserErrorFsFreezeFailed", headers={"X-API-Key": "s3cret-key"}).json()[
            "code"] == "UserErrorFsFreezeFailed"
        assert httpx.get(f"{url}/v1/signatures", headers={"Authorization": "Bearer s3cret-key"}).status_code == 200


def test_busy_service_answers_health_refuses_with_retry_after_and_finishes_on_sigterm(tmp_path):
    log = _slow_log(tmp_path)
    with server(tmp_path / "tmp", "--workers", "1", "--queue", "0", "--max-upload-mb", "100") as (url, process):
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(lambda: httpx.post(f"{url}/v1/analyze", timeout=120,
                                                  files={"bundle": ("waagent.log", log.read_bytes())}))
            time.sleep(1.0)  # the upload is in, the worker busy
            started = time.perf_counter()
            assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
            assert time.perf_counter() - started < 1.0  # the event loop is free while the bundle is read
            busy = httpx.post(f"{url}/v1/triage", json={"text": "UserErrorFsFreezeFailed"}, timeout=30)
            assert busy.status_code == 429 and busy.headers["retry-after"]
            process.send_signal(signal.SIGTERM)  # a graceful stop: the running request is answered
            assert slow.result().status_code == 200
        assert process.wait(timeout=60) in (0, -signal.SIGTERM)  # ended (uvicorn re-raises the signal it handled)
