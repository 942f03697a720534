"""Issue 6 figures: `mortem serve` on the big corpus under load.

The server is the real command in a child process pinned to one core; the load comes
from the other core (wrk when it is installed, else a small asyncio client of our own):
32 connections for 60 seconds on a postmortem page, on postmortem pages picked across
the whole corpus (mostly cold: each is parsed, rendered and linted on first sight),
and on the dashboard. Signed in as an editor would be (`auth = none` makes everyone
admin), so the page includes its lint findings.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.util import MORTEM, copy_repo

CONNECTIONS = 32
SECONDS = int(os.environ.get("MORTEM_BENCH_WEB_SECONDS", "60"))

WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("MORTEM_PATHS")) do paths[#paths + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "p99": %f, "errors": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _pinned(core: int, args: list[str]) -> list[str]:
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", str(core), *args]
    return args


def _memory(pid: int) -> tuple[float, float]:
    """(resident MB now, peak resident MB) of a process."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _wait(url: str, timeout: float = 600) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer")
        time.sleep(0.2)


def _wrk(base: str, paths: list[str], seconds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "paths.lua"
        script.write_text(WRK_SCRIPT)
        listing = Path(tmp) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n")
        args = [
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,
        ]
        out = subprocess.run(
            _pinned(1, args),
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "MORTEM_PATHS": str(listing)},
        ).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


async def _client(
    host: str, port: int, paths: list[str], stop: float, found: list[float], errors: list[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < stop:
            path = random.choice(paths)
            started = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            found.append(time.perf_counter() - started)
            if status >= 400:
                errors.append(status)
    finally:
        writer.close()


def _python_load(base: str, paths: list[str], seconds: int) -> dict[str, float]:
    """The fallback load generator: keep-alive connections, one request at a time each."""
    host, port = base.removeprefix("http://").split(":")
    found: list[float] = []
    errors: list[int] = []

    async def main() -> None:
        stop = time.perf_counter() + seconds
        await asyncio.gather(
            *(_client(host, int(port), paths, stop, found, errors) for _ in range(CONNECTIONS))
        )

    asyncio.run(main())
    found.sort()

    def pct(q: float) -> float:
        return found[min(len(found) - 1, int(q * len(found)))] * 1000

    return {
        "requests": len(found),
        "seconds": seconds,
        "p50": pct(0.5),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": len(errors),
    }


def load(base: str, paths: list[str], seconds: int = SECONDS) -> dict[str, float]:
    if shutil.which("wrk"):
        return _wrk(base, paths, seconds)
    return _python_load(base, paths, seconds)


def run(corpus: Path) -> list[tuple[str, float, str, str]]:
    repo = copy_repo(corpus, corpus.parent / "web-work")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen(
        _pinned(
            0,
            [
                *MORTEM,
                "-C",
                str(repo),
                "serve",
                "--auth",
                "none",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait(f"{base}/healthz")
        startup = time.perf_counter() - started
        ids = sorted(p.stem for p in (repo / "postmortems").glob("*.md"))
        one = f"/postmortems/{ids[len(ids) // 2]}"
        import httpx

        first = time.perf_counter()
        httpx.get(base + one, timeout=60).raise_for_status()
        cold_page = time.perf_counter() - first
        first = time.perf_counter()
        httpx.get(f"{base}/dashboard", timeout=600).raise_for_status()
        cold_dashboard = time.perf_counter() - first
        page = load(base, [one])
        spread = random.Random(6).sample(ids, 2000)
        pages = load(base, [f"/postmortems/{i}" for i in spread])
        dashboard = load(base, ["/dashboard"])
        listing = load(
            base,
            ["/postmortems?q=timeout", "/postmortems?status=draft", "/postmortems"],
            max(10, SECONDS // 3),
        )
        rss, peak = _memory(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
    figures: list[tuple[str, float, str, str]] = [
        ("serve: start, index of 10,000 built", startup, "s", "(one-off)"),
        ("serve: first view of a postmortem page", cold_page * 1000, "ms", "(info)"),
        ("serve: first dashboard (stats and charts computed)", cold_dashboard, "s", "(info)"),
    ]
    for name, result, target in (
        ("one postmortem page", page, "p95 < 50 ms"),
        ("postmortem pages across the corpus", pages, "(info)"),
        ("dashboard", dashboard, "p95 < 150 ms"),
        ("list and search pages", listing, "(info)"),
    ):
        figures += [
            (f"serve: {name}, 32 connections: p50", result["p50"], "ms", "(info)"),
            (f"serve: {name}, 32 connections: p95", result["p95"], "ms", target),
            (
                f"serve: {name}: requests per second",
                result["requests"] / result["seconds"],
                "req/s",
                "(info)",
            ),
            (f"serve: {name}: errors", result["errors"], "count", "0"),
        ]
    figures += [
        ("serve: resident memory after the load", rss, "MB", "< 400 MB"),
        ("serve: peak resident memory", peak, "MB", "< 400 MB"),
    ]
    return figures


def _main() -> None:
    import sys

    for row in run(Path(sys.argv[1])):
        print(f"{row[0]:<60} {row[1]:>10.2f} {row[2]:<6} {row[3]}", flush=True)


if __name__ == "__main__":
    _main()


__all__: list[Any] = ["run"]
