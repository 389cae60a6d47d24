"""Bad input for the whole API: schemathesis generates requests from /openapi.json and reports any 500.

One command: ``.venv/bin/python scripts/schemathesis_run.py`` starts ``hotline serve``
on a fresh ledger (PostgreSQL by default, as in production: some values, a NUL for one,
only fail there; ``--backend sqlite`` for the embedded one) with the catalogue and an
admin API key (``scripts/stack.py``),
runs ``schemathesis run`` against its OpenAPI document with the ``not_a_server_error``
check (every operation, ``--max-examples`` each), prints the summary and exits with
schemathesis's status. schemathesis is not a dependency of the project: install it
with ``.venv/bin/pip install schemathesis`` to run this.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.stack import ROOT, Stack  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--checks", default="not_a_server_error")
    parser.add_argument("--role", default="admin", choices=["admin", "agent", "supervisor"])
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    args, extra = parser.parse_known_args()
    runner = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or shutil.which("schemathesis")
    if runner is None:
        sys.exit("schemathesis is not installed: .venv/bin/pip install schemathesis")
    report = ROOT / "test-artifacts" / "schemathesis"
    with Stack(backend=args.backend, web=1, workers=1, nginx=False,
               settings={"HOTLINE_RATE_LIMIT_PER_MINUTE": "100000"}) as stack:
        key = stack.api_key("schemathesis", args.role)
        base = f"http://127.0.0.1:{stack.port}"
        command = [runner, "run", f"{base}/openapi.json", "--url", base, "-H", f"Authorization: Bearer {key}",
                   "--checks", args.checks, "--max-examples", str(args.max_examples),
                   "--report", "junit", "--report-dir", str(report), *extra]
        print(" ".join(c if "Bearer" not in c else "Authorization: Bearer hk_…" for c in command), flush=True)
        done = subprocess.run(command)
        errors = (stack.tmp / "web0.log").read_text(errors="replace")
        (report / "server.log").parent.mkdir(parents=True, exist_ok=True)
        (report / "server.log").write_text(errors)
        print(f"server log: {report / 'server.log'} ({errors.count('Traceback')} tracebacks)")
        return done.returncode


if __name__ == "__main__":
    sys.exit(main())
