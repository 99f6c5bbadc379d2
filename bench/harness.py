"""Shared pieces for HTTP benchmarks: serve an app with uvicorn in a subprocess, load it with wrk, read the figures.

Both the app under test and the reference are served the same way (one uvicorn worker, same loop and HTTP parser)
and loaded the same way (wrk, N connections, same duration) in the same run, because these machines are noisy.
wrk comes from Debian (`apt-get install wrk`).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPT = """
local paths, etags = {}, {}
for line in io.lines("%(paths)s") do
  local path, etag = line:match("^([^\t]+)\t?(.*)$")
  paths[#paths + 1] = path
  etags[#etags + 1] = etag
end
local i = 0
request = function()
  i = (i %% #paths) + 1
  if etags[i] ~= "" then return wrk.format("GET", paths[i], {["If-None-Match"] = etags[i]}) end
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%%d errors=%%d seconds=%%f p50=%%f p99=%%f non2xx=%%d\\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status))
end
"""


# POST: each request a form body from the file, with a token unique to this run, wrk thread and request number,
# so every request is a new submission (an idempotent server would otherwise answer repeats from its first).
WRK_POST_SCRIPT = """
local bodies = {}
for line in io.lines("%(paths)s") do bodies[#bodies + 1] = line end
local counter = 0
local next_id = 0
setup = function(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end
request = function()
  counter = counter + 1
  local body = bodies[(counter %% #bodies) + 1] .. "&token=%(run)s-" .. thread_id .. "-" .. counter
  return wrk.format("POST", "%(target)s", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%%d errors=%%d seconds=%%f p50=%%f p99=%%f non2xx=%%d\\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status))
end
"""


@dataclass(frozen=True, slots=True)
class LoadResult:
    requests: int
    errors: int
    non_2xx: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def line(self, name: str) -> str:
        return (
            f"{name:<34} {self.rps:>9,.0f} req/s   p50 {self.p50_ms:6.2f} ms   p99 {self.p99_ms:7.2f} ms"
            f"   errors {self.errors + self.non_2xx}"
        )


# The process serving each base URL, for benchmarks that read its CPU time (/proc/<pid>/stat).
SERVER_PIDS: dict[str, int] = {}


def server_cpu_seconds(base: str) -> float:
    """User plus system CPU seconds the server at `base` has used so far (Linux)."""
    fields = Path(f"/proc/{SERVER_PIDS[base]}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(app: str, *, env: Mapping[str, str] | None = None, factory: bool = False) -> Iterator[str]:
    """Serve `module:attribute` with one uvicorn worker (uvloop, httptools); yields the base URL."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
               "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"]  # fmt: skip
    if factory:
        command.append("--factory")
    process = subprocess.Popen(command, env={**os.environ, **(env or {})}, cwd=Path(__file__).parent.parent)
    base = f"http://127.0.0.1:{port}"
    SERVER_PIDS[base] = process.pid
    try:
        _wait_until_up(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_up(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            urllib.request.urlopen(base + "/", timeout=1)
            return
        except OSError as error:
            if getattr(error, "code", None):  # an HTTP error status means it is up
                return
            time.sleep(0.1)
    raise RuntimeError("the server did not start in 30 s")


def load(
    base: str,
    paths: list[str],
    *,
    connections: int = 50,
    seconds: int = 10,
    threads: int = 2,
    etags: Mapping[str, str] | None = None,
    post_to: str | None = None,
) -> LoadResult:
    """Drive `paths` in turn with wrk from `connections` concurrent clients; count responses that were not 2xx/3xx.

    `etags` sends If-None-Match for those paths, as a calendar app refreshing a feed does. With `post_to`,
    `paths` are form bodies POSTed to that path instead, each with a unique `token` added.
    """
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    with tempfile.TemporaryDirectory() as folder:
        path_file = Path(folder) / "paths.txt"
        script = Path(folder) / "script.lua"
        if post_to is None:
            path_file.write_text("".join(f"{p}\t{(etags or {}).get(p, '')}\n" for p in paths))
            script.write_text(WRK_SCRIPT % {"paths": path_file})
        else:
            path_file.write_text("".join(f"{body}\n" for body in paths))
            run = uuid.uuid4().hex[:8]  # a warm-up and the measured run must not send the same tokens
            script.write_text(WRK_POST_SCRIPT % {"paths": path_file, "target": post_to, "run": run})
        command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency"]
        output = subprocess.run([*command, "-s", str(script), base], capture_output=True, text=True, check=True).stdout
    match = re.search(
        r"RESULT requests=(\d+) errors=(\d+) seconds=([\d.]+) p50=([\d.]+) p99=([\d.]+) non2xx=(\d+)", output
    )
    if match is None:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    requests, errors, duration, p50, p99, non_2xx = match.groups()
    return LoadResult(int(requests), int(errors), int(non_2xx), float(duration), float(p50), float(p99))
