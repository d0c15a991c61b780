"""Two real app servers (gunicorn, two workers each) on two ports, sharing the test
database, its cache and an S3-compatible bucket (moto's server standing in for S3), as
several servers behind a load balancer would. Each server has its own MEDIA_ROOT, as
each machine has its own disk: an upload reaches the other only through the bucket."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="session")
def s3_bucket():
    """An S3 endpoint with an empty bucket: (endpoint URL, bucket name)."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test"
    ).create_bucket(Bucket="ppp-evidence")
    yield endpoint, "ppp-evidence"
    server.stop()


@pytest.fixture
def two_servers(django_db_serialized_rollback, transactional_db, _two_server_processes):
    """The two servers' addresses, for a test that commits (the servers see its rows).

    The processes start once per module (each start imports Django six times: ~5 s on an
    idle machine, far more on a busy one); between tests the database is emptied and the
    cache cleared as for any committing test, and the servers keep no connection open
    (DATABASE_CONN_MAX_AGE=0), so each test finds them as new."""
    return _two_server_processes


@pytest.fixture(scope="module")
def _two_server_processes(django_db_setup, tmp_path_factory, s3_bucket):
    tmp_path = tmp_path_factory.mktemp("two-servers")
    endpoint, bucket = s3_bucket
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "DEBUG": "false",
        "PPP_TESTING": "true",  # plain static files, no HTTPS redirect; the cache is still the shared default
        "S3_BUCKET": bucket,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
        "S3_PREFIX": f"private-{tmp_path.name}",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "AXES_ENABLED": "true",
    }
    env.pop("CACHE_BACKEND", None)
    env.pop("REDIS_URL", None)
    servers, urls = [], []
    logs = [(tmp_path / f"server-{n}.log").open("w") for n in range(2)]
    for n in range(2):
        port = _free_port()
        servers.append(
            subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "gunicorn", "ppp.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
                cwd=ROOT,
                env={**env, "MEDIA_ROOT": str(tmp_path / f"media-server-{n}")},
                stdout=subprocess.DEVNULL,
                # a file, not a pipe: the servers outlive a test, and a full pipe would stop them
                stderr=logs[n],
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, server in zip(urls, servers, strict=True):
            for _ in range(300):
                try:
                    if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    if server.poll() is not None:
                        pytest.fail((tmp_path / f"server-{urls.index(url)}.log").read_text()[-3000:])
                    time.sleep(0.1)
            else:
                pytest.fail(f"{url} did not start")
        yield urls
    finally:
        for server in servers:
            server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: nothing is left to finish
        for server in servers:
            server.wait(timeout=10)
        for log in logs:
            log.close()
