"""Fault tests: servers we can stop and start (a private Redis), and the sent/acknowledged/stored report.

The shared Redis of the machine is never stopped: each test that needs Redis to
fail starts its own ``redis-server`` on a free port and stops that one.
"""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "faults"


class PrivateRedis:
    """A ``redis-server`` of the test's own, keeping nothing on disk, that the test may kill."""

    def __init__(self, port: int):
        self.port = port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed: Redis fault tests skipped")
    redis = PrivateRedis(free_port())
    redis.start()
    yield redis
    redis.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class FaultReport:
    """What was sent, what the system acknowledged, and what it stored: the three must agree."""

    fault: str
    sent: int = 0
    acknowledged: int = 0
    stored: int = 0
    details: dict = field(default_factory=dict)

    def write(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        line = json.dumps(asdict(self), ensure_ascii=False)
        print(f"\nFAULT REPORT {line}")
        with (ARTIFACTS / "reports.jsonl").open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    def assert_agree(self) -> None:
        self.write()
        assert self.sent == self.acknowledged == self.stored, self
