"""Throughput: gunicorn with 2 workers, wrk on loopback, 30 s per page.

Serves the app as production does (gunicorn.conf.py, DEBUG off, the same
database) on a free port of 127.0.0.1 and drives wrk against the dashboard (as
exec@demo.test), the admin changelist of the same deals (as admin@demo.test) and
`/healthz` (the floor of the stack). Prints requests per second and latency
percentiles; with --json, one JSON document on the last line for bench/run.py.

    .venv/bin/python bench/throughput.py [--duration 30] [--connections 4] [--json]

Needs the database seeded (bench/run.py does it) in DATABASE_URL, or in the
benchmark database `dealdesk_bench` when DATABASE_URL is unset. Installs wrk with
apt-get when it is missing and this runs as root; otherwise says how.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

# Run as a file, Python puts bench/ on the path: put the checkout first, for `bench.…`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.environment import ROOT, BenchError, bench_database_url, free_port

WORKERS = 2

# wrk prints only 50/75/90/99 %; this prints what we need as one JSON line.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
    .. '"max_us": %d, "non_2xx_3xx": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
"""


def server_environment(database_url: str, port: int) -> dict[str, str]:
    """Production settings, minus what needs TLS or collectstatic, on loopback."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY="bench-throughput-not-a-secret-" + "x" * 40,
        DEFAULT_FROM_EMAIL="Deal Desk bench <bench@localhost>",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_MANIFEST="0",
        LOGIN_LOCKOUT_ENABLED="0",
        WEB_CONCURRENCY=str(WORKERS),
        PORT=str(port),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install -y wrk", flush=True)
        subprocess.run(
            ["apt-get", "install", "-y", "wrk"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        found = shutil.which("wrk")
        if found:
            return found
    raise BenchError("wrk is not installed: run `sudo apt-get install -y wrk` and try again")


def session_cookies(env: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Log the two personas in server-side, as the server will see them (same SECRET_KEY)."""
    code = (
        "import django, json; django.setup()\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "from stakeholders.models import User\n"
        "out = {}\n"
        "for key, email in (('exec', 'exec@demo.test'), ('admin', 'admin@demo.test')):\n"
        "    client = Client()\n"
        "    client.force_login(User.objects.get(email=email))\n"
        "    out[key] = client.cookies[settings.SESSION_COOKIE_NAME].value\n"
        "print(json.dumps([settings.SESSION_COOKIE_NAME, out]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"could not create sessions: {done.stderr.strip()[-2000:]}")
    name, cookies = json.loads(done.stdout.strip().splitlines()[-1])
    return name, cookies


def get(url: str, cookie: str | None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited: {log.read_text()[-3000:]}")
        try:
            if get(base + "/healthz", None)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise BenchError(f"gunicorn did not answer /healthz within 60 s: {log.read_text()[-3000:]}")


def stop(server: subprocess.Popen) -> None:
    """Stop gunicorn and its workers: the whole process group, then make sure."""
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=5)


def run_wrk(
    wrk: str, url: str, cookie: str | None, duration: int, connections: int, lua: str = ""
) -> dict:
    """wrk against url; `lua` goes before the reporting script (e.g. a request() of its own)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua + WRK_SCRIPT)
    try:
        command = [
            wrk,
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
        ]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        done = subprocess.run(
            [*command, url],
            capture_output=True,
            text=True,
            timeout=duration + 60,
            check=False,
        )
    finally:
        os.unlink(script.name)
    line = next((s for s in reversed(done.stdout.splitlines()) if s.startswith("{")), None)
    if done.returncode != 0 or line is None:
        raise BenchError(f"wrk failed on {url}: {done.stdout[-1000:]} {done.stderr[-1000:]}")
    raw = json.loads(line)
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p95_ms": raw["p95_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": raw["non_2xx_3xx"] + raw["socket_errors"],
    }


@contextlib.contextmanager
def serving(env: dict[str, str], port: int):
    """gunicorn with gunicorn.conf.py on 127.0.0.1:port, until the block ends; always stopped."""
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.mkstemp(prefix="dealdesk-gunicorn-", suffix=".log")[1])
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py"]
            + ["--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,  # the access log: one line per request
            stderr=log_file,
            start_new_session=True,  # its own process group, so stop() reaches the workers
        )
        try:
            wait_until_up(base, server, log)
            yield base
        finally:
            stop(server)
            log.unlink(missing_ok=True)


def check_and_warm(url: str, cookie: str | None, marker: bytes) -> None:
    status, body = get(url, cookie)
    if status != 200 or marker not in body:
        raise BenchError(
            f"{url} answered {status} without {marker!r} under gunicorn; "
            f"first bytes: {body[:300]!r}"
        )
    for _ in range(20):  # warm both workers
        get(url, cookie)


def print_row(label: str, result: dict) -> None:
    print(
        f"  {label:<24} {result['rps']:8.1f} req/s  p50 {result['p50_ms']:6.1f} ms  "
        f"p95 {result['p95_ms']:6.1f} ms  errors {result['errors']}",
        flush=True,
    )


def measure(database_url: str, duration: int = 30, connections: int = 4) -> dict:
    wrk = ensure_wrk()
    port = free_port()
    env = server_environment(database_url, port)
    name, cookies = session_cookies(env)
    base = f"http://127.0.0.1:{port}"
    targets = [
        ("dashboard", "dashboard `/`", "/", f"{name}={cookies['exec']}", b'id="deal-table"'),
        (
            "admin",
            "admin changelist",
            "/admin/deals/deal/",
            f"{name}={cookies['admin']}",
            b"result_list",
        ),
        ("healthz", "`/healthz` (floor)", "/healthz", None, b'"status": "ok"'),
    ]
    rows = []
    with serving(env, port):
        for key, label, path, cookie, marker in targets:
            check_and_warm(base + path, cookie, marker)
            result = run_wrk(wrk, base + path, cookie, duration, connections)
            rows.append({"key": key, "label": label, "path": path, **result})
            print_row(label, result)
    return {
        "workers": WORKERS,
        "connections": connections,
        "duration": duration,
        "wrk": subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout.split(
            "\n"
        )[0],
        "rows": rows,
    }


def run_from_bench(seconds: int) -> dict:
    """This script against bench/run.py's database, in a process of its own; its result.

    Its own process: run.py has set up Django with DEBUG on, and gunicorn's workers get
    the database to themselves (the caller closes its connections first).
    """
    print(f"Throughput: gunicorn, {WORKERS} workers, wrk for {seconds} s per page…", flush=True)
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--json", "--duration", str(seconds)],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("DEBUG", "ALLOWED_HOSTS")},
        stdout=subprocess.PIPE,
        text=True,
        timeout=seconds * 3 + 300,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    for line in lines[:-1]:
        print(line)
    if done.returncode != 0 or not lines or not lines[-1].startswith("{"):
        raise BenchError("bench/throughput.py failed (see above)")
    result = json.loads(lines[-1])
    if any(row["errors"] for row in result["rows"]):
        raise BenchError("wrk saw errors (non-2xx answers or socket errors); see the table")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per page (default 30)")
    parser.add_argument(
        "--connections",
        type=int,
        default=4,
        help="open connections, two per gunicorn worker by default",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON last")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL") or bench_database_url()
    try:
        result = measure(database_url, args.duration, args.connections)
    except BenchError as error:
        print(f"THROUGHPUT FAILED: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
