"""Stop `make test` early, with advice, when PostgreSQL does not answer."""

import os
import sys

import dj_database_url
import psycopg

url = os.environ.get("DATABASE_URL", "")
config = dj_database_url.parse(url)
if "postgresql" not in config["ENGINE"]:
    sys.exit(f"make test runs on PostgreSQL, but DATABASE_URL is {url!r}. Point it at a PostgreSQL server.")
try:
    psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        connect_timeout=5,
    ).close()
except psycopg.OperationalError as error:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else "no answer"
    sys.exit(
        f"PostgreSQL is not answering at {config['HOST'] or 'the local socket'}:{config['PORT'] or 5432} "
        f"({first_line}).\n"
        "Start it (on Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start)\n"
        "or set DATABASE_URL to a PostgreSQL server the tests may create a database on, e.g.\n"
        "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/ppp make test"
    )
