"""The settings module reads the environment; a bad value stops start-up with its name."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import email_settings, envbool, envint

ROOT = Path(__file__).resolve().parent.parent


def django_check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process with exactly these settings variables."""
    clean = {
        k: v for k, v in os.environ.items() if not k.isupper() or k in ("PATH", "HOME", "LANG")
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_debug_a_missing_secret_key_stops_start_up_with_a_clear_message():
    result = django_check({}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_without_debug_a_missing_sender_stops_start_up_naming_default_from_email():
    result = django_check({"SECRET_KEY": "k" * 50}, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEFAULT_FROM_EMAIL must be set when DEBUG is off" in result.stderr


def test_with_a_sender_set_start_up_uses_it():
    result = django_check(
        {"SECRET_KEY": "k" * 50, "DEFAULT_FROM_EMAIL": "Deals <deals@example.com>"},
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEFAULT_FROM_EMAIL)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "Deals <deals@example.com>"


def test_debug_runs_without_a_sender_falling_back_to_localhost():
    result = django_check(
        {"DEBUG": "1"},
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEFAULT_FROM_EMAIL)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "Deal Desk <dealdesk@localhost>"


def test_debug_runs_without_a_secret_key():
    result = django_check({"DEBUG": "1"}, "check")
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = django_check(
        {
            "SECRET_KEY": "k" * 20 + "-a-long-random-production-key-9f8e7d6c5b4a",
            "ALLOWED_HOSTS": "deals.example.com",
            "DEFAULT_FROM_EMAIL": "Deal Desk <dealdesk@deals.example.com>",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_bad_boolean_names_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        envbool("DEBUG", False)


def test_a_bad_number_names_the_variable(monkeypatch):
    monkeypatch.setenv("STALL_DAYS", "three weeks")
    with pytest.raises(ImproperlyConfigured, match="STALL_DAYS must be a whole number"):
        envint("STALL_DAYS", 21)


def test_a_bad_database_url_stops_start_up():
    result = django_check({"DEBUG": "1", "DATABASE_URL": "mysql://x@y/z"}, "check")
    assert result.returncode != 0
    assert "DATABASE_URL must be a sqlite:// or postgres:// URL" in result.stderr


def test_email_url_unset_prints_mail_to_the_console():
    assert email_settings("")["EMAIL_BACKEND"].endswith("console.EmailBackend")


def test_email_url_smtp_with_tls_and_credentials():
    config = email_settings("smtp+tls://mailer%40corp:p%40ss@mail.corp.example:587")
    assert config == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.corp.example",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer@corp",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10,
    }


def test_email_url_plain_smtp_defaults_to_port_25():
    config = email_settings("smtp://localhost")
    assert (config["EMAIL_HOST"], config["EMAIL_PORT"], config["EMAIL_USE_TLS"]) == (
        "localhost",
        25,
        False,
    )


@pytest.mark.parametrize("url", ["ftp://mail", "smtp://", "smtp://host:notaport"])
def test_a_bad_email_url_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings(url)


def test_a_broker_url_turns_off_in_process_tasks():
    result = django_check(
        {"DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/3"},
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL)",
    )
    assert result.stdout.strip().splitlines()[-1] == "False redis://127.0.0.1:6379/3", result.stderr
    result = django_check(
        {"DEBUG": "1"},
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)",
    )
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr


def test_the_cache_key_prefix_and_proxy_count_come_from_the_environment():
    result = django_check(
        {
            "DEBUG": "1",
            "CACHE_KEY_PREFIX": "dealdesk-staging",
            "TRUSTED_PROXY_COUNT": "1",
        },
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.CACHES['default']['KEY_PREFIX'], settings.TRUSTED_PROXY_COUNT)",
    )
    assert result.stdout.strip().splitlines()[-1] == "dealdesk-staging 1", result.stderr
