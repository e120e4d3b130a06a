"""A real Airflow for tests: api-server, scheduler, dag-processor and triggerer as processes.

Each component runs in a process group of its own on loopback, logging to a file. On exit
every process is ended by id: first each group (SIGTERM, then SIGKILL), then any
descendant that left its group (the LocalExecutor's task supervisors may), so a failed
test leaves nothing running. The REST calls go to the api-server's public API.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

import psutil
from market_news.local_airflow import airflow_command

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
T = TypeVar("T")


class StackError(AssertionError):
    """A component died or something did not happen in time; carries the log tails."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class AirflowStack:
    """The running components and a small client for the api-server's REST API."""

    base_url: str
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise StackError(f"{name} exited ({process.returncode}):\n{self.log_tail(name)}")

    def wait_for(self, what: str, probe: Callable[[], T | None], timeout_s: float) -> T:
        """Call `probe` until it returns something other than None/False; fail loudly."""
        deadline = time.monotonic() + timeout_s
        while True:
            self.check_alive()
            result = probe()
            if result is not None and result is not False:
                return result
            if time.monotonic() > deadline:
                tails = "\n".join(f"--- {n}\n{self.log_tail(n, 1500)}" for n in self.processes)
                raise StackError(f"{what}: not within {timeout_s:.0f} s\n{tails}")
            time.sleep(0.25)

    def request(self, method: str, path: str, body: object | None = None) -> tuple[int, bytes]:
        """One HTTP call to the api-server; (status, body), errors included."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        req = urllib.request.Request(
            f"{self.base_url}{path}", data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0, b""

    def api(self, method: str, path: str, body: object | None = None) -> Any:
        """A REST call under `/api/v2` that must succeed; its JSON (or None when empty)."""
        status, payload = self.request(method, f"/api/v2{path}", body)
        if not 200 <= status < 300:
            raise StackError(f"{method} /api/v2{path}: {status} {payload[:500]!r}")
        return json.loads(payload) if payload else None


def _descendants(pid: int) -> list[psutil.Process]:
    with suppress(psutil.Error):
        return list(psutil.Process(pid).children(recursive=True))
    return []


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def stop_all(processes: list[subprocess.Popen[bytes]], grace_s: float = 20.0) -> None:
    """SIGTERM every component's group at once, SIGKILL what outlives `grace_s`, then end
    any descendant that had left its group. Only these processes are touched, by id."""
    children = [child for process in processes for child in _descendants(process.pid)]
    for process in processes:
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait(timeout=10)
    for child in children:
        with suppress(psutil.Error):
            if child.is_running():
                child.kill()
    psutil.wait_procs(children, timeout=5)


@contextmanager
def _log_files(log_dir: Path) -> Iterator[dict[str, IO[bytes]]]:
    with ExitStack() as files:
        yield {
            name: files.enter_context((log_dir / f"{name}.log").open("wb")) for name in COMPONENTS
        }


def component_args(name: str, port: int) -> list[str]:
    """The command line of one component, bound to loopback, serving no log ports."""
    if name == "api-server":
        return airflow_command("api-server", "--host", "127.0.0.1", "--port", str(port), "-w", "1")
    if name in ("scheduler", "triggerer"):
        return airflow_command(name, "--skip-serve-logs")
    return airflow_command(name)


@contextmanager
def running_airflow(
    env: Mapping[str, str], port: int, log_dir: Path, *, boot_timeout_s: float = 120.0
) -> Iterator[AirflowStack]:
    """Start the four components with `env`; yield once the api-server answers."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stack = AirflowStack(base_url=f"http://127.0.0.1:{port}", log_dir=log_dir)
    with _log_files(log_dir) as logs:
        try:
            for name in COMPONENTS:
                stack.processes[name] = subprocess.Popen(
                    component_args(name, port),
                    env=dict(env),
                    stdout=logs[name],
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            stack.wait_for(
                "the api-server answers /api/v2/version",
                lambda: stack.request("GET", "/api/v2/version")[0] == 200,
                boot_timeout_s,
            )
            yield stack
        finally:
            stop_all(list(stack.processes.values()))
