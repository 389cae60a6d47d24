"""The deployment files in deploy/ agree with the app: settings that exist, a valid nginx config."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from config.settings import documented_settings
from hotline.web.errors import MAX_BODY
from scripts.stack import bench_nginx_config

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_env_example_names_only_real_settings():
    names = {name for name, _, _ in documented_settings()}
    given = [line.split("=", 1)[0] for line in (DEPLOY / "env.example").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert given and set(given) <= names


def test_nginx_passes_the_client_address_and_the_apps_body_limit():
    config = (DEPLOY / "nginx.conf").read_text()
    assert f"client_max_body_size {MAX_BODY // (1024 * 1024)}m;" in config
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in config and "server_tokens off;" in config
    assert re.search(r"location = /console/events \{[^}]*proxy_buffering off;", config)


def test_nginx_accepts_the_config_the_benchmark_runs(tmp_path):
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.skip("nginx is not installed (Debian package nginx)")
    config = bench_nginx_config((DEPLOY / "nginx.conf").read_text(), [18081, 18082], 18080, tmp_path)
    assert "server 127.0.0.1:18081" in config and "listen 127.0.0.1:18080;" in config
    (tmp_path / "nginx.conf").write_text(config)
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
