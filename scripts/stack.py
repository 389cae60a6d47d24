"""A whole hotline deployment on this machine, for benchmarks and fault scripts.

``Stack`` starts what docs/deploy.md describes, as separate processes: a
private Redis (never the machine's shared one), a fresh PostgreSQL database (or
a SQLite file for the embedded default), ``hotline serve`` ×k, ``hotline
worker`` ×w, and nginx running ``deploy/nginx.conf`` with only its upstreams,
listen address and file paths swapped. Everything is stopped and dropped on exit.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOTLINE = [sys.executable, "-m", "hotline.cli"]
PG_ADMIN = os.environ.get("HOTLINE_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_debian_tools(*names: str) -> None:
    """Install Debian's packages for missing tools when we are root; else explain and exit."""
    missing = [n for n in names if shutil.which(n) is None and not Path(f"/usr/sbin/{n}").exists()]
    if not missing:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"installing {' '.join(missing)} from Debian's packages (apt-get)...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        return
    sys.exit(f"this benchmark needs {' '.join(missing)} (Debian packages of the same names); "
             f"install them (apt-get install {' '.join(missing)}) and run it again")


def wait_http(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds}s")


@dataclass
class Stack:
    """What to run: ``backend`` "postgresql" (with Redis and rq workers) or "sqlite" (embedded)."""

    backend: str = "postgresql"
    web: int = 2
    workers: int = 1
    nginx: bool = True
    model: bool = False  # train the default routing model first, as `make setup` does
    settings: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    tmp: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hotline-stack-")))
    ports: list[int] = field(default_factory=list)
    port: int = 0  # where clients connect: nginx, or the single web process
    database_url: str = ""
    redis_url: str = ""
    _pg_name: str = ""

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> "Stack":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        if self.backend == "postgresql":
            self._create_database()
            self._start_redis()
        else:
            self.database_url = f"sqlite:///{self.tmp / 'hotline.sqlite3'}"
        self.ports = [free_port() for _ in range(self.web)]
        self.port = free_port() if self.nginx else self.ports[0]
        self.run("db", "upgrade")
        self.run("catalogue", "load")
        if self.model:
            self.run("model", "default", "--if-missing")
        for number, port in enumerate(self.ports):
            self.spawn(f"web{number}", "serve", "--host", "127.0.0.1", "--port", str(port))
        for number in range(self.workers if self.redis_url else 0):
            self.spawn(f"worker{number}", "worker")
        for port in self.ports:
            wait_http(f"http://127.0.0.1:{port}/healthz")
        if self.nginx:
            self._start_nginx()
            wait_http(f"http://127.0.0.1:{self.port}/healthz")

    def stop(self) -> None:
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()
        if self._pg_name:
            self._admin_sql(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
            self._pg_name = ""
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- processes -------------------------------------------------------------------------
    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "HOTLINE_DATABASE_URL": self.database_url, "HOTLINE_REDIS_URL": self.redis_url,
                "HOTLINE_VAR_DIR": str(self.tmp / "var"), "HOTLINE_LOG_LEVEL": "WARNING",
                "HOTLINE_PUBLIC_URL": f"http://127.0.0.1:{self.port}", "HOTLINE_TRUSTED_PROXIES": "127.0.0.1",
                "HOTLINE_SECRET_KEY": "bench-" + "s" * 40, **self.settings}

    def run(self, *args: str) -> str:
        """Run a ``hotline`` command to its end; returns what it printed."""
        done = subprocess.run([*HOTLINE, *args], env=self.env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"hotline {' '.join(args)} failed:\n{done.stderr[-2000:]}")
        return done.stdout

    def spawn(self, name: str, *args: str, command: list[str] | None = None) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "ab")
        process = subprocess.Popen(command or [*HOTLINE, *args], env=self.env, cwd=ROOT, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[name] = process
        return process

    def api_key(self, name: str = "bench", role: str = "agent") -> str:
        return self.run("apikey", "create", "--name", name, "--role", role).strip().splitlines()[-1]

    def pids(self, prefix: str) -> list[int]:
        return [p.pid for n, p in self.processes.items() if n.startswith(prefix)]

    # -- the servers -----------------------------------------------------------------------
    def _create_database(self) -> None:
        self._pg_name = f"hotline_bench_{uuid.uuid4().hex[:8]}"
        self._admin_sql(f'CREATE DATABASE "{self._pg_name}"')
        self.database_url = PG_ADMIN.rsplit("/", 1)[0] + "/" + self._pg_name

    def _admin_sql(self, statement: str) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(PG_ADMIN.replace("postgresql://", "postgresql+psycopg://", 1),
                               isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(statement))
        engine.dispose()

    def _start_redis(self) -> None:
        port = free_port()
        self.spawn("redis", command=["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                                     "--save", "", "--appendonly", "no"])
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def _start_nginx(self) -> None:
        config = bench_nginx_config((ROOT / "deploy" / "nginx.conf").read_text(), self.ports, self.port, self.tmp)
        path = self.tmp / "nginx.conf"
        path.write_text(config)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.spawn("nginx", command=[nginx, "-p", str(self.tmp), "-c", str(path), "-g", "daemon off;"])


def bench_nginx_config(config: str, ports: list[int], listen: int, tmp: Path) -> str:
    """deploy/nginx.conf with this run's upstream ports, listen address and file paths."""
    servers = "".join(f"        server 127.0.0.1:{p} max_fails=3 fail_timeout=5s;\n" for p in ports)
    config, count = re.subn(r"(upstream hotline_web \{\n\s+least_conn;\n)(?:\s+server [^\n]+\n)+",
                            lambda m: m.group(1) + servers, config)
    assert count == 1, "deploy/nginx.conf: upstream hotline_web block not found"
    config = re.sub(r"^user [^;]+;\n", "", config, flags=re.M)
    config = config.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    config = config.replace("/run/nginx-hotline.pid", str(tmp / "nginx.pid"))
    config = config.replace("/var/log/nginx/", f"{tmp}/")
    config = config.replace("/srv/hotline/", f"{ROOT}/")
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        config = config.replace("http {\n", f"http {{\n    {kind}_temp_path {tmp}/{kind}_temp;\n", 1)
    return config
