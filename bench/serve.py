"""Load on ``azlog serve``: requests per second, p50/p95 latency and peak memory for small sample uploads.

    python bench/serve.py [--workers 2] [--clients 8] [--requests 200]

Starts the service on a free loopback port with ``--workers N``, waits until it is ready, then ``--clients``
threads post the zip samples of ``samples/bundles`` (round robin) to ``/v1/analyze`` until ``--requests`` have
been answered; prints the status codes seen, requests per second, the 50th and 95th percentile latency, and the
peak memory of the service's process tree (the server and its workers, sampled every 50 ms from /proc).
"""
from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import installed_env, tree_rss  # noqa: E402 - the sibling script


def main() -> None:
    import httpx

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    samples = sorted((ROOT / "samples" / "bundles").glob("*.zip"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "azlog_vmbackup", "serve", "--port", str(port), "--workers",
                               str(args.workers), "--queue", str(args.clients * 2)], stderr=subprocess.DEVNULL,
                              env=installed_env())
    url = f"http://127.0.0.1:{port}"
    peak, done = 0, threading.Event()

    def sample_memory() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(server.pid))
            time.sleep(0.05)

    try:
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        watcher = threading.Thread(target=sample_memory, daemon=True)
        watcher.start()
        client = httpx.Client(timeout=120)

        def one(i: int) -> tuple[int, float]:
            sample = samples[i % len(samples)]
            started = time.perf_counter()
            response = client.post(f"{url}/v1/analyze", files={"bundle": (sample.name, sample.read_bytes())})
            return response.status_code, time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            results = list(pool.map(one, range(args.requests)))
        elapsed = time.perf_counter() - started
        done.set()
        latencies = sorted(t for _, t in results)
        print(f"{args.requests} uploads of {len(samples)} samples, {args.clients} clients, {args.workers} workers")
        print(f"status codes: {dict(Counter(code for code, _ in results))}")
        print(f"throughput: {args.requests / elapsed:.1f} requests/s over {elapsed:.1f} s")
        print(f"latency: p50 {statistics.median(latencies) * 1000:.0f} ms, "
              f"p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms")
        print(f"peak memory of the service (server and workers): {peak / 2**20:.0f} MiB")
    finally:
        done.set()
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
