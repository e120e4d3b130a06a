"""A throwaway PostgreSQL 15 cluster on a free loopback port, owned by the `postgres` user.

The fault suite stops this cluster mid-pass (`pg_ctl stop -m immediate`, as a crash or a
killed server would) and starts it again; the shared server on 5432 is never touched.
Everything lives in one temp dir (data, unix socket, log) removed by `throwaway_cluster`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

BIN = Path("/usr/lib/postgresql/15/bin")
SHARED_PORT = 5432
DATABASE = "market_news_fault"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    assert port != SHARED_PORT
    return port


def _as_postgres(*command: str) -> list[str]:
    """Run as the `postgres` OS user when we are root (initdb refuses root)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


@dataclass(frozen=True)
class Cluster:
    """One running (or stopped) cluster: its folder, port and the store URL on it."""

    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args),
            check=True,
            capture_output=True,
            timeout=90,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-o", options, "-l", str(self.root / "server.log"), "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "stop")

    def running(self) -> bool:
        status = subprocess.run(
            _as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "status"),
            capture_output=True,
            check=False,
        )
        return status.returncode == 0


def initdb_missing_reason() -> str | None:
    """Why a throwaway cluster cannot be made here, or None."""
    if not (BIN / "initdb").exists():
        return f"no initdb under {BIN}"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser"
    return None


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """initdb + start + createdb; always stopped and removed afterwards.

    Skips when PostgreSQL's binaries are missing, except under CI (`CI=true`), which fails.
    """
    reason = initdb_missing_reason()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI needs a throwaway PostgreSQL cluster: {reason}")
        pytest.skip(reason)
    root = Path(tempfile.mkdtemp(prefix="mn-pgfault-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    cluster = Cluster(root=root, port=_free_port())
    try:
        subprocess.run(
            _as_postgres(
                str(BIN / "initdb"), "-D", str(cluster.data), "-U", "postgres",
                "--auth=trust", "--no-sync", "-E", "UTF8",
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )  # fmt: skip
        cluster.start()
        subprocess.run(
            _as_postgres(
                str(BIN / "createdb"), "-h", "127.0.0.1", "-p", str(cluster.port),
                "-U", "postgres", DATABASE,
            ),
            check=True,
            capture_output=True,
            timeout=60,
        )  # fmt: skip
        yield cluster
    finally:
        if cluster.data.exists() and cluster.running():
            cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
