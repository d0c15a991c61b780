"""Production settings: refuse to start without secrets, pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-1234567890-abcdefghijk",
    "ALLOWED_HOSTS": "ppp.leicester.gov.uk",
    "CSRF_TRUSTED_ORIGINS": "https://ppp.leicester.gov.uk",
    "DATABASE_URL": "postgres://ppp@db.invalid:5432/ppp",
    "FIELD_ENCRYPTION_KEYS": "Vm9Yd0p2c1RQcU5yS2JqZ0xhd3lXcUZ4dE1hR3RoZUE=",
    "FIELD_INDEX_KEY": "a-production-like-index-key-1234567890",
}


def manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "PPP_TESTING",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "FIELD_ENCRYPTION_KEYS",
            "FIELD_INDEX_KEY",
            "CACHE_BACKEND",
            "REDIS_URL",
        }
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env, "PPP_TESTING": "false"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_a_secret_key_it_refuses_to_start_and_names_the_variable():
    env = {**PRODUCTION}
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr


def test_a_nonsense_boolean_is_refused_clearly():
    result = manage("check", env={**PRODUCTION, "DEBUG": "perhaps"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_without_encryption_keys_it_refuses_to_start_and_says_how_to_make_one():
    env = {**PRODUCTION}
    del env["FIELD_ENCRYPTION_KEYS"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS and FIELD_INDEX_KEY are not set" in result.stderr
    assert "Fernet.generate_key()" in result.stderr


def test_a_per_process_cache_is_refused_without_debug():
    result = manage("check", env={**PRODUCTION, "CACHE_BACKEND": "locmem"})
    assert result.returncode != 0
    assert "keeps a separate cache in every server process" in result.stderr


def test_redis_without_an_address_is_refused():
    result = manage("check", env={**PRODUCTION, "CACHE_BACKEND": "redis"})
    assert result.returncode != 0
    assert "CACHE_BACKEND=redis needs REDIS_URL" in result.stderr


def test_in_development_links_use_the_address_runserver_serves_on():
    from ppp.settings import _served_on

    assert _served_on(["manage.py", "runserver"]) == "http://127.0.0.1:8000"
    assert _served_on(["manage.py", "runserver", "8301"]) == "http://127.0.0.1:8301"
    assert _served_on(["manage.py", "runserver", "--noreload", "0.0.0.0:8302"]) == "http://localhost:8302"
    assert _served_on(["manage.py", "runserver", "[::1]:8303"]) == "http://[::1]:8303"
    assert _served_on(["manage.py", "migrate"]) == "http://127.0.0.1:8000"


def test_make_run_sets_site_url_from_the_port_it_serves_on():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun: setup\n", 1)[1].split("\n\n", 1)[0]
    assert "PORT=$(PORT)" in run
    assert 'SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}"' in run
