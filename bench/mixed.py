"""Mixed load: many people viewing their own dashboards while the desk changes.

gunicorn (gunicorn.conf.py, 2 workers, DEBUG off) with its cache in Redis, as in
production, on a free port of 127.0.0.1. `--people` distinct people (executives,
deal owners and reviewers of each department, created once as mixed<n>@bench.test)
each have a session; wrk sends each request with the next person's cookie, so every
request is someone's own dashboard. Meanwhile a writer process makes audited changes
through the services (`deal_update` of a deal's summary by its owner) `--rate` times a
second, each bumping the cache versions it touches as it commits: the dashboards it
shows must be composed afresh. The admin changelist of the same deals, under the same
writer, is the reference.

    .venv/bin/python bench/mixed.py [--people 50] [--rate 2] [--duration 30] [--json]

Needs the database seeded (bench/run.py does it) in DATABASE_URL, or in the benchmark
database. Redis: BENCH_REDIS_URL, else REDIS_URL, else redis://127.0.0.1:6379/0; the keys
get a prefix of their own (CACHE_KEY_PREFIX=dealdesk-bench-mixed).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Run as a file, Python puts bench/ on the path: put the checkout first, for `bench.…`.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.environment import ROOT, BenchError, bench_database_url, free_port
from bench.throughput import (
    WORKERS,
    check_and_warm,
    ensure_wrk,
    print_row,
    run_wrk,
    server_environment,
    serving,
)

HERE = Path(__file__).resolve()


def redis_url() -> str:
    return (
        os.environ.get("BENCH_REDIS_URL")
        or os.environ.get("REDIS_URL")
        or "redis://127.0.0.1:6379/0"
    )


def environment(database_url: str, port: int) -> dict[str, str]:
    env = server_environment(database_url, port)
    # The cache in Redis, shared by the workers and the writer; no broker: the writer's
    # event mails run in its own process (printed to its discarded output).
    env.update(CACHE_URL=redis_url(), CACHE_KEY_PREFIX="dealdesk-bench-mixed", EMAIL_URL="console:")
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    return env


# -- run in child processes, with Django set up ---------------------------------------------


def setup_people(count: int) -> dict:
    """`count` people with roles (created when missing) and a session each; admin's too."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.test import Client

    from stakeholders.models import Department, Membership, Role, User

    departments = list(Department.objects.order_by("slug"))
    roles = {role: Group.objects.get(name=role) for role in Role.values}
    cookies = []
    for n in range(count):
        user, made = User.objects.get_or_create(
            email=f"mixed{n}@bench.test", defaults={"first_name": f"Mixed{n}"}
        )
        if made:
            kind = n % 4
            if kind == 0:
                user.groups.add(roles[Role.EXECUTIVE])
            elif kind == 1:
                user.groups.add(roles[Role.OWNER])
            else:
                user.groups.add(roles[Role.REVIEWER])
                Membership.objects.create(user=user, department=departments[n % len(departments)])
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    admin = Client()
    admin.force_login(User.objects.get(email="admin@demo.test"))
    cache.clear()  # this run's prefix only: no summary left from a run before
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "people": cookies,
        "admin": admin.cookies[settings.SESSION_COOKIE_NAME].value,
    }


def write_changes(seconds: float, rate: float, out: str) -> None:
    """Audited changes through the services, `rate` a second for `seconds`; counts to `out`."""
    import django

    django.setup()
    from deals.models import Deal
    from deals.services import deal_update

    rng = random.Random(20)
    ids = list(Deal.objects.current().filter(confidential=False).values_list("pk", flat=True))
    interval = 1 / rate
    made, slowest, started = 0, 0.0, time.monotonic()
    while time.monotonic() - started < seconds:
        due = started + made * interval
        time.sleep(max(0.0, due - time.monotonic()))
        deal = Deal.objects.select_related("owner").get(pk=rng.choice(ids))
        began = time.perf_counter()
        deal_update(
            deal=deal, user=deal.owner, data={"summary": f"{deal.summary.split(' [')[0]} [{made}]"}
        )
        slowest = max(slowest, time.perf_counter() - began)
        made += 1
    elapsed = time.monotonic() - started
    Path(out).write_text(json.dumps({"changes": made, "seconds": elapsed, "slowest_s": slowest}))


# -- the run -----------------------------------------------------------------------------------


def child(env: dict[str, str], *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(HERE), *args],
        cwd=ROOT,
        env=env,
        **kwargs,
    )


def rotating_cookies(name: str, cookies: list[str]) -> str:
    """wrk Lua: each request carries the next person's session cookie."""
    listed = ", ".join(f'"{name}={value}"' for value in cookies)
    return (
        f"cookies = {{{listed}}}\n"
        "counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        '  return wrk.format("GET", nil, {["Cookie"] = cookies[(counter % #cookies) + 1]})\n'
        "end\n"
    )


def measure(
    database_url: str, people: int = 50, rate: float = 2.0, duration: int = 30, connections: int = 4
) -> dict:
    wrk = ensure_wrk()
    port = free_port()
    env = environment(database_url, port)
    setup = child(env, "--setup", str(people), stdout=subprocess.PIPE, text=True)
    stdout, _ = setup.communicate(timeout=300)
    if setup.returncode != 0:
        raise BenchError("bench/mixed.py --setup failed (see above)")
    sessions = json.loads(stdout.strip().splitlines()[-1])
    name = sessions["name"]
    rows = []
    with serving(env, port) as base:
        for cookie in sessions["people"][:4]:
            check_and_warm(base + "/", f"{name}={cookie}", b'id="deal-table"')
        admin_cookie = f"{name}={sessions['admin']}"
        check_and_warm(base + "/admin/deals/deal/", admin_cookie, b"result_list")
        out = tempfile.mkstemp(prefix="dealdesk-writer-", suffix=".json")[1]
        writer = child(
            env,
            "--writer",
            str(2 * duration + 2),
            "--rate",
            str(rate),
            "--out",
            out,
            stdout=subprocess.DEVNULL,
        )
        try:
            time.sleep(1)  # the writer is set up and writing
            lua = rotating_cookies(name, sessions["people"])
            result = run_wrk(wrk, base + "/", None, duration, connections, lua=lua)
            label = f"dashboards of {people} people"
            rows.append({"key": "dashboards", "label": label, "path": "/", **result})
            print_row(label, result)
            result = run_wrk(wrk, base + "/admin/deals/deal/", admin_cookie, duration, connections)
            label = "admin changelist"
            rows.append({"key": "admin", "label": label, "path": "/admin/deals/deal/", **result})
            print_row(label, result)
            writer.wait(timeout=duration + 120)
            if writer.returncode != 0:
                raise BenchError("the writer failed (bench/mixed.py --writer)")
            written = json.loads(Path(out).read_text())
        finally:
            if writer.poll() is None:
                writer.kill()
            Path(out).unlink(missing_ok=True)
    return {
        "workers": WORKERS,
        "connections": connections,
        "duration": duration,
        "people": people,
        "rate": rate,
        "writes": written,
        "rows": rows,
    }


def run_from_bench(seconds: int, people: int = 50, rate: float = 2.0) -> dict:
    """This script against bench/run.py's database, in a process of its own; its result."""
    print(
        f"Mixed load: {people} people's dashboards, {rate:g} changes/s, {seconds} s per page…",
        flush=True,
    )
    done = subprocess.run(
        [sys.executable, str(HERE), "--json", "--duration", str(seconds), "--people", str(people)]
        + ["--rate", str(rate)],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("DEBUG", "ALLOWED_HOSTS")},
        stdout=subprocess.PIPE,
        text=True,
        timeout=seconds * 3 + 400,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    for line in lines[:-1]:
        print(line)
    if done.returncode != 0 or not lines or not lines[-1].startswith("{"):
        raise BenchError("bench/mixed.py failed (see above)")
    return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--rate", type=float, default=2.0, help="changes a second (default 2)")
    parser.add_argument("--duration", type=int, default=30, help="seconds per page (default 30)")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--json", action="store_true", help="print the results as JSON last")
    parser.add_argument("--setup", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--writer", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.setup is not None:
        print(json.dumps(setup_people(args.setup)))
        return 0
    if args.writer is not None:
        write_changes(args.writer, args.rate, args.out)
        return 0
    database_url = os.environ.get("DATABASE_URL") or bench_database_url()
    try:
        result = measure(database_url, args.people, args.rate, args.duration, args.connections)
    except BenchError as error:
        print(f"MIXED LOAD FAILED: {error}", file=sys.stderr)
        return 1
    print(
        f"  writer: {result['writes']['changes']} audited changes in "
        f"{result['writes']['seconds']:.0f} s",
        flush=True,
    )
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
