"""The production shape (Dockerfile, docker-compose.yml, gunicorn.conf.py) agrees with the code.

Docker does not run on the machines this suite runs on, so nothing here builds an
image or starts a container. Instead we test what can be tested without Docker:
the files parse; every command they run names a Celery app, WSGI callable,
settings module, manage.py command, file or program that exists here; every
environment variable they set is one the code reads; and the build-time
collectstatic step succeeds with exactly the environment the Dockerfile gives it.
A rename in the code that would break the deployment fails here, not on deploy day.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import re
import runpy
import shlex
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from celery import Celery
from celery.app.utils import find_app
from django.core.management import get_commands
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_PY = ROOT / "config" / "settings.py"
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
# Environment the Python runtime, pip or Django itself read; settings.py need not.
RUNTIME_VARIABLES = re.compile(r"^(PYTHON\w*|PIP_\w+|DJANGO_SETTINGS_MODULE)$")
SHELL_OPERATORS = {"&&", "||", ";", "|", "&"}


# --- Reading the files ----------------------------------------------------------------


@cache
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def services() -> dict[str, dict]:
    return compose()["services"]


def app_services() -> dict[str, dict]:
    """The services that run our image (the rest are postgres and redis)."""
    return {name: spec for name, spec in services().items() if "build" in spec}


def words(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(word) for word in command]


def environment(spec: dict) -> dict[str, str]:
    env = spec.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {name: str(value) for name, value in env.items()}


def compose_default(value: str) -> str:
    """What Compose substitutes when the variable is unset: ${X:-default} -> default."""
    return re.sub(r"\$\{\w+:?-([^}]*)\}", r"\1", value)


@cache
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.strip().startswith("#") or not line.strip():
            continue
        current += line.strip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        keyword, _, arguments = current.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        current = ""
    return instructions


def dockerfile_args(keyword: str) -> list[str]:
    return [arguments for instruction, arguments in dockerfile() if instruction == keyword]


def exec_form(arguments: str) -> list[str]:
    return json.loads(arguments) if arguments.startswith("[") else shlex.split(arguments)


def shell_commands(script: str) -> list[tuple[dict[str, str], list[str]]]:
    """Split a RUN line on && ; | into (leading VAR=value assignments, argv) pairs."""
    lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands, argv = [], []
    for token in [*lexer, "&&"]:
        if token not in SHELL_OPERATORS:
            argv.append(token)
            continue
        assignments = {}
        while argv and re.match(r"^[A-Za-z_]\w*=", argv[0]):
            name, _, value = argv.pop(0).partition("=")
            assignments[name] = value
        if argv:
            commands.append((assignments, argv))
        argv = []
    return commands


def dockerfile_env() -> dict[str, str]:
    env = {}
    for arguments in dockerfile_args("ENV"):
        for item in shlex.split(arguments):
            name, _, value = item.partition("=")
            env[name] = value
    return env


def every_command() -> list[list[str]]:
    """Every argv that the image or Compose runs: RUN steps, CMD, ENTRYPOINT, commands."""
    commands = [argv for run in dockerfile_args("RUN") for _, argv in shell_commands(run)]
    commands += [exec_form(arguments) for arguments in dockerfile_args("CMD")]
    commands += [exec_form(arguments) for arguments in dockerfile_args("ENTRYPOINT")]
    commands += [words(spec["command"]) for spec in services().values() if "command" in spec]
    return commands


def manage_py_subcommand(argv: list[str]) -> str | None:
    for index, word in enumerate(argv):
        if word.endswith("manage.py"):
            return next((arg for arg in argv[index + 1 :] if not arg.startswith("-")), None)
    return None


def celery_app_name(argv: list[str]) -> str | None:
    for index, word in enumerate(argv):
        if word in ("-A", "--app"):
            return argv[index + 1]
        if word.startswith("--app="):
            return word.split("=", 1)[1]
    return None


def reads_variable(path: Path, name: str) -> bool:
    return re.search(rf"""["']{re.escape(name)}["']""", path.read_text()) is not None


def gunicorn_config(monkeypatch, **env: str) -> dict:
    for name in ("PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


# --- The files parse and say what they must -------------------------------------------


def test_compose_file_is_yaml_with_a_services_section():
    assert isinstance(compose(), dict)
    assert isinstance(services(), dict)


def test_compose_runs_web_worker_beat_postgres_and_redis():
    assert {"web", "worker", "beat", "db", "redis"} <= set(services())
    assert services()["db"]["image"].startswith("postgres:16")
    assert services()["redis"]["image"].startswith("redis:7")


def test_web_worker_and_beat_run_our_image():
    assert {"web", "worker", "beat"} <= set(app_services())


# --- Every name the commands use exists -----------------------------------------------


def test_every_celery_command_names_the_config_app_and_it_is_a_celery_app():
    celery_commands = [argv for argv in every_command() if argv[0] == "celery"]
    roles = {word for argv in celery_commands for word in argv if word in ("worker", "beat")}

    assert roles == {"worker", "beat"}
    for argv in celery_commands:
        assert celery_app_name(argv) == "config", argv
    # `celery -A config` finds the app the way the celery command line does.
    assert isinstance(find_app("config"), Celery)
    assert isinstance(importlib.import_module("config.celery").app, Celery)


def test_gunicorn_wsgi_app_imports_to_a_callable(monkeypatch):
    module_name, _, attribute = gunicorn_config(monkeypatch)["wsgi_app"].partition(":")

    application = getattr(importlib.import_module(module_name), attribute)

    assert (module_name, attribute) == ("config.wsgi", "application")
    assert callable(application)


def test_gunicorn_binds_every_interface_on_port_8000_unless_port_is_set(monkeypatch):
    assert gunicorn_config(monkeypatch)["bind"] == "0.0.0.0:8000"
    assert gunicorn_config(monkeypatch, PORT="9123")["bind"] == "0.0.0.0:9123"


def test_gunicorn_workers_come_from_web_concurrency_or_a_capped_default(monkeypatch):
    default = gunicorn_config(monkeypatch)["workers"]

    assert 1 <= default <= 2 * (os.cpu_count() or 1) + 1
    assert gunicorn_config(monkeypatch, WEB_CONCURRENCY="3")["workers"] == 3


def test_gunicorn_logs_requests_to_stdout_and_kills_requests_after_30_seconds(monkeypatch):
    config = gunicorn_config(monkeypatch)

    assert config["accesslog"] == "-"
    assert config["timeout"] == 30


def test_every_settings_module_named_exists():
    named = set()
    for env in [dockerfile_env(), *map(environment, services().values())]:
        if "DJANGO_SETTINGS_MODULE" in env:
            named.add(env["DJANGO_SETTINGS_MODULE"])
    for path in ["manage.py", "config/wsgi.py", "config/asgi.py", "config/celery.py"]:
        named.update(
            re.findall(r"""DJANGO_SETTINGS_MODULE["'],\s*["']([\w.]+)""", (ROOT / path).read_text())
        )

    assert "config.settings" in named
    for module in named:
        assert importlib.util.find_spec(module) is not None, module


def test_every_manage_py_subcommand_is_a_django_command():
    subcommands = {manage_py_subcommand(argv) for argv in every_command()} - {None}

    assert {"migrate", "collectstatic"} <= subcommands
    assert subcommands <= set(get_commands()), subcommands - set(get_commands())


def test_the_image_default_command_names_files_that_exist():
    commands = [exec_form(arguments) for arguments in dockerfile_args("CMD")]
    commands += [exec_form(arguments) for arguments in dockerfile_args("ENTRYPOINT")]
    commands += [words(spec["command"]) for spec in app_services().values() if "command" in spec]

    assert ["gunicorn", "-c", "gunicorn.conf.py"] in commands
    for argv in commands:
        for word in argv:
            if word.endswith(".py"):
                assert (ROOT / word).is_file(), f"{argv} names {word}, which is not in the repo"


def test_every_program_the_containers_run_is_installed_by_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    installed = {
        re.split(r"[\s\[<>=!~;]", dep, maxsplit=1)[0].lower() for dep in pyproject["dependencies"]
    }
    commands = [exec_form(arguments) for arguments in dockerfile_args("CMD")]
    commands += [words(spec["command"]) for spec in app_services().values() if "command" in spec]
    programs = {argv[0] for argv in commands} - {"python"}

    assert {"gunicorn", "celery"} <= programs
    assert programs <= installed, programs - installed


# --- Environment and processes ---------------------------------------------------------


def test_compose_sets_only_environment_variables_the_code_reads():
    for service, spec in services().items():
        for name in environment(spec):
            if name.startswith("POSTGRES_"):  # read by the postgres image
                continue
            assert reads_variable(SETTINGS_PY, name) or reads_variable(GUNICORN_CONF, name), (
                f"{service} sets {name}, which neither config/settings.py nor gunicorn.conf.py reads"
            )


def test_the_dockerfile_sets_only_environment_variables_something_reads():
    for name in dockerfile_env():
        if RUNTIME_VARIABLES.match(name):
            continue
        assert reads_variable(SETTINGS_PY, name), f"Dockerfile sets {name}, settings.py ignores it"


def test_compose_refuses_to_start_without_a_secret_key():
    for service, spec in app_services().items():
        assert ":?" in environment(spec)["SECRET_KEY"], service


def test_compose_refuses_to_start_without_a_sender_address():
    # Settings refuse DEBUG off without DEFAULT_FROM_EMAIL; compose says so before start-up.
    for service, spec in app_services().items():
        assert ":?" in environment(spec)["DEFAULT_FROM_EMAIL"], service


def test_app_services_talk_to_the_compose_postgres_and_redis():
    for service, spec in app_services().items():
        env = environment(spec)
        assert urlsplit(env["DATABASE_URL"]).hostname == "db", service
        assert urlsplit(env["REDIS_URL"]).hostname == "redis", service


def test_uploads_go_to_a_volume_mounted_at_media_root():
    for service in ("web", "worker"):
        spec = services()[service]
        mounts = {str(volume).split(":")[1] for volume in spec["volumes"]}
        assert environment(spec)["MEDIA_ROOT"] in mounts, service


def test_there_is_exactly_one_beat():
    beat = services()["beat"]
    beats = [
        argv for argv in every_command() if argv[0] == "celery" and ("beat" in argv or "-B" in argv)
    ]

    assert len(beats) == 1
    assert int(beat.get("scale", 1)) <= 1
    assert int(beat.get("deploy", {}).get("replicas", 1)) <= 1


def test_migrations_finish_before_web_worker_and_beat_start():
    migrate = [
        name
        for name, spec in app_services().items()
        if manage_py_subcommand(words(spec.get("command", []))) == "migrate"
    ]

    assert len(migrate) == 1
    for service in ("web", "worker", "beat"):
        depends_on = services()[service]["depends_on"]
        assert depends_on[migrate[0]]["condition"] == "service_completed_successfully", service
        assert depends_on["db"]["condition"] == "service_healthy", service
        assert depends_on["redis"]["condition"] == "service_healthy", service


def test_postgres_and_redis_have_healthchecks_and_postgres_keeps_its_data():
    assert "pg_isready" in " ".join(words(services()["db"]["healthcheck"]["test"]))
    assert "redis-cli" in words(services()["redis"]["healthcheck"]["test"])
    assert any(
        str(volume).endswith(":/var/lib/postgresql/data") for volume in services()["db"]["volumes"]
    )


def test_web_healthcheck_calls_healthz_on_an_allowed_host_without_curl():
    web = services()["web"]
    check = " ".join(words(web["healthcheck"]["test"]))
    url = urlsplit(re.search(r"https?://[^\s'\"]+", check).group(0))
    allowed_hosts = compose_default(environment(web)["ALLOWED_HOSTS"]).split(",")
    # With DEBUG off settings define SECURE_REDIRECT_EXEMPT; read it from the source
    # so the test does not depend on the DEBUG this suite runs with.
    exempt = next(
        ast.literal_eval(node.value)
        for node in ast.walk(ast.parse(SETTINGS_PY.read_text()))
        if isinstance(node, ast.Assign)
        and any(getattr(target, "id", None) == "SECURE_REDIRECT_EXEMPT" for target in node.targets)
    )

    assert "curl" not in check and "wget" not in check  # not in python:3.11-slim
    assert resolve(url.path).url_name == "healthz"
    assert url.hostname in allowed_hosts
    assert url.port == 8000
    # SecurityMiddleware matches the path without its leading slash.
    assert any(re.search(pattern, url.path.lstrip("/")) for pattern in exempt)
    assert any("8000" in str(port) for port in [*web.get("ports", []), *web.get("expose", [])])


# --- The image --------------------------------------------------------------------------


def test_the_image_runs_as_a_non_root_user_and_exposes_port_8000():
    user = dockerfile_args("USER")[-1]

    assert user.split(":")[0] not in ("root", "0")
    assert "8000" in dockerfile_args("EXPOSE")


def test_the_image_installs_the_libraries_weasyprint_loads():
    installs = " ".join(run for run in dockerfile_args("RUN") if "apt-get install" in run)

    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b", "fonts-dejavu-core"):
        assert package in installs, package


def test_the_image_installs_the_project_without_test_extras():
    pip_installs = [
        argv
        for run in dockerfile_args("RUN")
        for _, argv in shell_commands(run)
        if argv[:2] == ["pip", "install"]
    ]

    assert any("." in argv for argv in pip_installs)
    assert not any("[test]" in word for argv in pip_installs for word in argv)


def test_dockerignore_keeps_local_state_and_secrets_out_of_the_image():
    patterns = set((ROOT / ".dockerignore").read_text().split())

    assert {".git", ".venv", "**/*.sqlite3", "**/__pycache__", ".env", "staticfiles/"} <= patterns


def test_build_time_collectstatic_succeeds_with_only_the_dockerfile_environment(tmp_path):
    """Runs the Dockerfile's collectstatic line with its ENV and nothing else from ours.

    Only STATIC_ROOT moves (to a temporary directory) and gzip/brotli are skipped
    for speed; the hashing that fails on a missing url() in CSS still runs.
    """
    run_env, argv = next(
        (env, argv)
        for run in dockerfile_args("RUN")
        for env, argv in shell_commands(run)
        if manage_py_subcommand(argv) == "collectstatic"
    )
    env = {**dockerfile_env(), **run_env, "PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}
    script = (
        "import sys, django\n"
        "from django.conf import settings\n"
        "django.setup()\n"
        "print(settings.STORAGES['staticfiles']['BACKEND'])\n"
        "settings.STATIC_ROOT = sys.argv[1]\n"
        "settings.STORAGES = {**settings.STORAGES, 'staticfiles': {'BACKEND':"
        " 'django.contrib.staticfiles.storage.ManifestStaticFilesStorage'}}\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(sys.argv[2:])\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), *argv[argv.index("manage.py") :]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run_env.get("SECRET_KEY")
    assert run_env.get("DEBUG", "0").lower() in ("0", "false", "no", "off")
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.splitlines()[0] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    assert (tmp_path / "staticfiles.json").is_file()
