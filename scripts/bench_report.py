"""What every benchmark of ours prints beside its figures: the machine, its load, and its docs section."""
from __future__ import annotations

import os
import platform
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "docs" / "benchmarks.md"


def machine() -> str:
    """CPU model, cores, memory and Python, e.g. "Intel Xeon … ×2 cores, 23 GiB, Python 3.11.7"."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = re.sub(r"\s+", " ", line.split(":", 1)[1]).strip()
                break
        memory = int(Path("/proc/meminfo").read_text().split()[1]) // (1024 * 1024)
    except OSError:
        memory = 0
    return f"{model}, {os.cpu_count()} cores, {memory} GiB, Python {platform.python_version()}"


def uptime_load() -> str:
    """The 1-minute load average as ``uptime`` shows it (other work sharing the cores)."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def replace_section(name: str, title: str, body: str, *, path: Path = BENCHMARKS, heading: str | None = None) -> None:
    """Put ``body`` between ``<!-- name:start -->`` and ``<!-- name:end -->``, other sections untouched.

    Args:
        heading: the section's heading line; ``## {title} (scripts/{name}.py)`` by default.
        path: the file to update (docs/benchmarks.md by default).
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    section = f"{start}\n{heading or f'## {title} (scripts/{name}.py)'}\n\n{body}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")
    print(f"wrote the {name} section of {path}")
